// Package postgres is the PostgreSQL store: the same triage.Store as the
// embedded one (package sqlite), for teams that run several stateless API
// replicas on one database. The conformance suite in storetest holds both
// to the same behaviour.
//
// It talks to the database through a pgx/v5 pool. Schema changes are goose
// migrations embedded in the binary (migrations/), applied at Open under
// goose's advisory session lock, so replicas starting together migrate
// once; a database whose schema is newer than the binary is refused.
//
// Write transactions run at READ COMMITTED, as a sequence of statements
// each of which sees what committed before it. That is what makes
// LockRouting work: after the advisory lock is granted, the next statement
// sees the assignments of the transaction that held it. Versioned updates
// are single UPDATE … WHERE version = $n statements, which Postgres
// re-checks against the newest row after waiting for a concurrent writer,
// so a lost update is impossible and the loser gets ESTALE.
//
// The change log is numbered in commit order; see Tx.flushChanges for how.
//
// Vectors are stored as real[] in every case. When the pgvector extension
// is available, VectorSearch adds a vector(N) column generated from them
// with an HNSW index, and searches in SQL (pgvector.go); without it the
// service searches them in memory, as in embedded mode.
//
// Each entity has its own file with its SQL beside the code that scans it.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/triagehq/triage"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configures Open. The zero value is usable.
type Options struct {
	// Trace, when set, records each write transaction (Update) as a
	// span.
	Trace triage.Trace
	// Migrations replaces the embedded migrations (tests inject a broken
	// one); nil means the embedded ones.
	Migrations fs.FS
	// MaxConns caps the pool; 0 keeps the URL's pool_max_conns, or 16.
	MaxConns int32
	// Enqueue inserts a background job inside the write transaction tx, so
	// that the job commits or rolls back with the data it is about (river
	// with its pgx driver, on this store's pool). Tx.Enqueue fails with
	// EUNAVAILABLE when it is nil.
	Enqueue func(ctx context.Context, tx pgx.Tx, j triage.Job) error
	// Now stamps change log entries; nil means time.Now.
	Now func() time.Time
	// NoMigrate opens the database without migrating it, for tools that
	// only read (triage eval live): a schema other than this binary's is
	// refused rather than changed.
	NoMigrate bool
	// Log receives warnings (a connection that could not register the
	// vector types); nil means slog.Default.
	Log *slog.Logger
	// Normalize is the segmenter's normalisation, which the store applies
	// to a ticket's title and body with every write of it, for ticket
	// search (TicketFilter.Terms). Nil leaves the tickets it writes
	// unsearchable until the store is opened with one, which fills them
	// in.
	Normalize func(string) string
}

// DB is the PostgreSQL store. Its Reader methods read through the pool and
// see what has been committed.
type DB struct {
	queries // reads through the pool

	pool    *pgxpool.Pool
	opts    Options
	version int64 // newest embedded migration
	target  string
}

var (
	_ triage.Store = (*DB)(nil)
	_ triage.Tx    = (*Tx)(nil)
)

// Open connects to the database at url (postgres://… or a libpq key=value
// string), applies the embedded migrations it lacks and returns the store.
// It refuses a database whose schema is newer than this binary's, since
// running old code on a new schema could lose data.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error can quote the URL, password included.
		return nil, triage.Invalid("db", "the database URL does not parse; expected postgres://user:password@host:5432/database?sslmode=disable")
	}
	db := &DB{opts: opts, target: fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default is the number of CPUs, which leaves requests
		// queueing for a connection while others wait on the network.
		cfg.MaxConns = 16
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without a timeout a connection attempt to a host that drops
		// packets waits for the kernel (minutes); /readyz and requests
		// should say "unavailable" long before that.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.AfterConnect = db.afterConnect
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", db.target, err)
	}
	db.pool = pool
	db.queries = queries{q: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if !opts.NoMigrate {
		if err := db.fillSearch(ctx); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return db, nil
}

// afterConnect prepares every new connection: timestamptz values scan in
// UTC (what the store promises, whatever the session's TimeZone), and the
// pgvector types are registered when the extension is installed, so a
// pgvector.Vector is sent in binary.
func (db *DB) afterConnect(ctx context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	var vector *uint32
	if err := conn.QueryRow(ctx, `SELECT to_regtype('vector')::oid`).Scan(&vector); err != nil {
		return err
	}
	if vector != nil {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("register the pgvector types: %w", err)
		}
	}
	return nil
}

// migrate applies the embedded migrations that the database lacks. goose's
// session locker (a Postgres advisory lock) makes replicas that start at
// the same time take turns, so each migration runs once.
func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if db.opts.Migrations != nil {
		fsys = db.opts.Migrations
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithDisableGlobalRegistry(true),
		// See sqlite.go: a lower-numbered migration merged after a release
		// is applied, not refused.
		goose.WithAllowOutofOrder(true),
		goose.WithLogger(goose.NopLogger()),
		goose.WithSessionLocker(locker),
	)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	sources := p.ListSources()
	db.version = sources[len(sources)-1].Version

	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return dbError("read the schema version of "+db.target, err)
	}
	if current > db.version {
		return fmt.Errorf("postgres: %s has schema version %d but this binary knows only up to %d; run a newer triage (or restore a backup)",
			db.target, current, db.version)
	}
	if db.opts.NoMigrate {
		if current != db.version {
			return triage.Errorf(triage.ECONFLICT, "%s has schema version %d, this binary expects %d; run triage migrate first", db.target, current, db.version)
		}
		return nil
	}
	if _, err := p.Up(ctx); err != nil {
		return dbError("migrate "+db.target, migrationError(err))
	}
	return nil
}

// SchemaVersion is the newest migration embedded in this binary.
func (db *DB) SchemaVersion() int64 { return db.version }

// Target names the database (host:port/name) without credentials, for logs.
func (db *DB) Target() string { return db.target }

// Pool returns the connection pool, for the job system to share: river's
// pgx driver inserts jobs in the store's transactions and works them from
// this pool.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// StoreID names this database (a random UUID made by the first migration),
// so a replica can tell whether an index on its disk was built from it.
func (db *DB) StoreID(ctx context.Context) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `SELECT id::text FROM store_identity`).Scan(&id)
	return id, dbError("store identity", err)
}

// readyTimeout bounds /readyz: a database that does not answer in this
// time is unavailable, whatever the cause.
const readyTimeout = 3 * time.Second

// Ready reports whether the database answers and its schema is the one this
// binary expects.
func (db *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var v int64
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&v)
	if err != nil {
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the database cannot be reached", Err: err}
	}
	if v != db.version {
		return triage.Errorf(triage.EUNAVAILABLE, "the database schema is at version %d, expected %d", v, db.version)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned. It
// is safe to call more than once.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// queryer is what reads need, satisfied by the pool and by a transaction
// alike, so that one implementation of each read serves both.
type queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queries implements triage.Reader over a queryer.
type queries struct {
	q queryer
}

// SQLSTATE codes the store tells apart.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeSerialization       = "40001"
	codeDeadlock            = "40P01"
	// A NUL byte in text, and \u0000 in JSON.
	codeBadEncoding    = "22021"
	codeUntranslatable = "22P05"
)

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// pgMessage is the server's message of err, or err's text.
func pgMessage(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// constraint returns the name of the constraint err violated, or "".
func constraint(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.ConstraintName
	}
	return ""
}

func isDuplicate(err error) bool { return pgCode(err) == codeUniqueViolation }

// unreachable reports whether err says the database could not be talked
// to (refused, reset, closed, timed out, shutting down), as opposed to a
// statement it refused: worth a retry, and a 503 rather than a 500.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	code := pgCode(err)
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, net.ErrClosed) ||
		pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		// connection_exception, operator_intervention (admin_shutdown,
		// crash_shutdown, cannot_connect_now), too_many_connections.
		strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P") || code == "53300"
}

// dbError wraps an unexpected driver error. An unreachable database, and a
// write that lost a race Postgres could only settle by aborting it
// (serialization failure, deadlock), are worth a retry: EUNAVAILABLE. A
// value Postgres cannot store (a NUL character in text, which SQLite
// accepts) is the client's input: EINVALID. Anything else stays an internal
// error with the cause for the logs. Errors that are already *triage.Error,
// and context errors, pass through.
func dbError(op string, err error) error {
	var te *triage.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case unreachable(err):
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the database is unavailable; retry", Err: fmt.Errorf("postgres: %s: %w", op, err)}
	case pgCode(err) == codeSerialization || pgCode(err) == codeDeadlock:
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the write collided with another; retry", Err: fmt.Errorf("postgres: %s: %w", op, err)}
	case strings.HasPrefix(pgCode(err), "22"):
		// Class 22 is a value the database cannot hold: most often a NUL in
		// text (SQLite stores it), else a number or a date out of range.
		msg := "a value cannot be stored: " + pgMessage(err)
		if pgCode(err) == codeUntranslatable || pgCode(err) == codeBadEncoding {
			msg = "a value cannot be stored: text may not contain NUL characters"
		}
		return &triage.Error{Code: triage.EINVALID, Message: msg, Err: fmt.Errorf("postgres: %s: %w", op, err)}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// jsonb is the stored form of v, sent as raw JSON to a jsonb column.
func jsonb(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, triage.Invalid("", "cannot be stored: %v", err)
	}
	return b, nil
}

// staleOrMissing explains why a versioned UPDATE or DELETE of table matched
// no row: the row is gone (ENOTFOUND) or has moved on (ESTALE). table is
// always a constant of this package.
func (tx *Tx) staleOrMissing(ctx context.Context, table, kind, id string, sent int) error {
	var v int
	err := tx.tx.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1`, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.NotFound(kind, id)
	} else if err != nil {
		return dbError("read version", err)
	}
	return triage.Errorf(triage.ESTALE, "%s %s has been changed by someone else (it is at version %d, not %d); reload it and try again",
		kind, id, v, sent)
}

// collect reads every row of rows with scan, closing rows; the result is
// never nil.
func collect[T any](rows pgx.Rows, err error, op string, scan func(pgx.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, dbError(op, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbError(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err)
	}
	return out, nil
}
