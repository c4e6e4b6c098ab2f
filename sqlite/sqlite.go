// Package sqlite is the embedded store: one SQLite file (modernc.org/sqlite,
// no cgo) in WAL mode that holds everything the service keeps.
//
// A DB holds two connection pools on the same file. The writer pool has a
// single connection and begins every transaction with BEGIN IMMEDIATE, so
// write transactions run one at a time and a transaction that reads and then
// writes can never be overtaken by another writer. The reader pool has
// several query-only connections; in WAL mode they read the last committed
// state without waiting for the writer.
//
// Each entity has its own file with its SQL beside the code that scans it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/triagehq/triage"
	"modernc.org/sqlite"
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
	// ReadConns is the size of the reader pool; 0 means max(4, GOMAXPROCS).
	ReadConns int
	// Enqueue inserts a background job inside the write transaction tx, so
	// that the job commits or rolls back with the data it is about. The
	// job system (river with its SQLite driver) shares the writer pool, see
	// WriterDB. Tx.Enqueue fails with EUNAVAILABLE when it is nil.
	Enqueue func(ctx context.Context, tx *sql.Tx, j triage.Job) error
	// Now stamps change log entries; nil means time.Now. Tests set it to
	// get predictable times.
	Now func() time.Time
	// BlobDir holds the content of attachments and raw mail, one file per
	// content named by its SHA-256; "" means a directory "blobs" beside
	// the database file. It belongs to the database: back both up
	// together.
	BlobDir string
	// Normalize is the segmenter's normalisation, which the store applies
	// to a ticket's title and body with every write of it, for ticket
	// search (TicketFilter.Terms). Nil leaves the tickets it writes
	// unsearchable until the store is opened with one, which fills them
	// in.
	Normalize func(string) string
}

// DB is the embedded store. Its Reader methods read through the reader pool
// and see what has been committed.
type DB struct {
	queries // reads through the reader pool

	path    string
	writer  *sql.DB
	reader  *sql.DB
	opts    Options
	version int64 // newest embedded migration
	locks   locks

	// writes take Update's calls to the committer goroutine, which
	// runs until closing is closed and then closes stopped.
	writes    chan *write
	closing   chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

var (
	_ triage.Store = (*DB)(nil)
	_ triage.Tx    = (*Tx)(nil)
)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. It refuses a file whose schema is newer than this
// binary's, since running old code on a new schema could lose data.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	switch {
	case path == "" || path == ":memory:":
		// Two pools on ":memory:" would be two unrelated databases.
		return nil, fmt.Errorf("sqlite: a database file path is required")
	case strings.ContainsAny(path, "?#"):
		// The driver splits its parameters off at '?'.
		return nil, fmt.Errorf("sqlite: database path %q must not contain '?' or '#'", path)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	if opts.BlobDir == "" {
		opts.BlobDir = filepath.Join(filepath.Dir(path), "blobs")
	}
	db := &DB{path: path, opts: opts, writes: make(chan *write), closing: make(chan struct{}), stopped: make(chan struct{})}

	// synchronous(FULL) syncs the WAL on every commit: an acknowledged write
	// survives kill -9 and power loss. NORMAL would be faster and survive
	// only the former.
	//
	// The writer's page cache is 16 MiB rather than SQLite's 2 MiB: a
	// group of writes (see committer) touches more pages than the default
	// holds, and a full cache would spill dirty pages to the WAL in the middle
	// of the transaction, writing them twice.
	//
	// temp_store(MEMORY) keeps the savepoint journal of each write of a
	// group in memory: on disk it spilled past 64 KiB to a temporary file,
	// one write call per page a savepoint first changed. It only undoes a
	// savepoint inside the open transaction; a crash loses it with the
	// transaction, so durability (WAL, synchronous FULL) is unchanged.
	pragmas := url.Values{"_pragma": {
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"cache_size(-16384)",
		"temp_store(MEMORY)",
	}}
	pragmas.Set("_txlock", "immediate")
	w := sql.OpenDB(&connector{dsn: path + "?" + pragmas.Encode()})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	db.writer = w

	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}

	// The reader is opened after migrating so that the file is already in
	// WAL mode (which is persistent) and its schema complete.
	// mmap_size lets readers use the file's pages in the OS cache
	// directly instead of copying each one through a read call: a scan of
	// 100,000 tickets (a report) costs a quarter of the CPU with it.
	rp := url.Values{"_pragma": {
		"busy_timeout(10000)",
		"query_only(1)",
		"mmap_size(268435456)",
	}}
	r := sql.OpenDB(&connector{dsn: path + "?" + rp.Encode()})
	r.SetMaxOpenConns(opts.ReadConns)
	r.SetMaxIdleConns(opts.ReadConns)
	db.reader = r
	db.queries = queries{q: r, blobs: opts.BlobDir}

	go db.committer()
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.fillSearch(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrate applies the embedded migrations that the file lacks.
func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if db.opts.Migrations != nil {
		fsys = db.opts.Migrations
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.writer, fsys,
		goose.WithDisableGlobalRegistry(true),
		// A migration that arrives from a branch merged after a release
		// may carry a lower number than the newest applied one: apply it
		// rather than refuse to start (migrations are independent steps).
		goose.WithAllowOutofOrder(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	sources := p.ListSources()
	db.version = sources[len(sources)-1].Version

	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: read schema version: %w", db.path, err)
	}
	if current > db.version {
		return fmt.Errorf("sqlite: %s has schema version %d but this binary knows only up to %d; run a newer triage (or restore a backup)",
			db.path, current, db.version)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.path, migrationError(err))
	}
	return nil
}

// SchemaVersion is the newest migration embedded in this binary.
func (db *DB) SchemaVersion() int64 { return db.version }

// Ready reports whether the file can be read and its schema is the one this
// binary expects.
func (db *DB) Ready(ctx context.Context) error {
	var v sql.NullInt64
	err := db.reader.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&v)
	if err != nil {
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the database cannot be read", Err: err}
	}
	if v.Int64 != db.version {
		return triage.Errorf(triage.EUNAVAILABLE, "the database schema is at version %d, expected %d", v.Int64, db.version)
	}
	return nil
}

// WriterDB returns the single-connection writer pool, for the job system to
// share: its own transactions then queue behind ours instead of failing with
// SQLITE_BUSY. Do not hold a connection from it inside Update; that would
// wait forever for the connection Update holds.
func (db *DB) WriterDB() *sql.DB { return db.writer }

// Close closes both pools. It is safe to call more than once.
func (db *DB) Close() error {
	var errs []error
	db.closeOnce.Do(func() {
		close(db.closing)
		if db.stopped != nil {
			<-db.stopped
		}
	})
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		// SQLite recommends this before closing a long-lived connection:
		// it refreshes the planner's statistics where they have drifted.
		// On a second Close it fails harmlessly on the closed pool.
		_, _ = db.writer.Exec(`PRAGMA optimize`)
		errs = append(errs, db.writer.Close())
	}
	return errors.Join(errs...)
}

// queryer is what reads need, satisfied by the reader pool and by a write
// transaction alike, so that one implementation of each read serves both.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements triage.Reader over a queryer.
type queries struct {
	q queryer
	// blobs is the directory of blob files (Options.BlobDir).
	blobs string
}

// micros is the stored form of a time.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros is the stored form of an optional time.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// timeCol scans INTEGER microseconds into a time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	n, ok := v.(int64)
	if !ok {
		return fmt.Errorf("sqlite: time column holds %T, not INTEGER", v)
	}
	*c.t = time.UnixMicro(n).UTC()
	return nil
}

// nullTimeCol scans INTEGER microseconds or NULL into a *time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(v any) error {
	if v == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(v); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// Constraint violations, from modernc.org/sqlite/lib.
const (
	codeConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	codeConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	codeConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	codeBusy                 = 5    // SQLITE_BUSY
)

// sqliteCode returns the extended result code of err, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isDuplicate reports whether err is a primary key or unique violation.
func isDuplicate(err error) bool {
	c := sqliteCode(err)
	return c == codeConstraintPrimaryKey || c == codeConstraintUnique
}

// dbError wraps an unexpected driver error. A busy database (a writer in
// another process holding the lock past busy_timeout) is worth a retry, so
// it becomes EUNAVAILABLE; anything else stays an internal error with the
// cause for the logs. Errors that are already *triage.Error, and context
// errors, pass through.
func dbError(op string, err error) error {
	var te *triage.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case sqliteCode(err)&0xff == codeBusy:
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the database is busy; retry", Err: err}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// jsonCol scans JSON text into v.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	switch b := src.(type) {
	case string:
		return json.Unmarshal([]byte(b), c.v)
	case []byte:
		return json.Unmarshal(b, c.v)
	}
	return fmt.Errorf("sqlite: JSON column holds %T, not TEXT", src)
}

// jsonText is the stored form of v.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", triage.Invalid("", "cannot be stored: %v", err)
	}
	return string(b), nil
}

// staleOrMissing explains why a versioned UPDATE or DELETE of table matched
// no row: the row is gone (ENOTFOUND) or has moved on (ESTALE). table is
// always a constant of this package.
func (tx *Tx) staleOrMissing(ctx context.Context, table, kind, id string, sent int) error {
	var v int
	err := tx.tx.QueryRowContext(ctx, `SELECT version FROM `+table+` WHERE id = ?`, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return triage.NotFound(kind, id)
	} else if err != nil {
		return dbError("read version", err)
	}
	return triage.Errorf(triage.ESTALE, "%s %s has been changed by someone else (it is at version %d, not %d); reload it and try again",
		kind, id, v, sent)
}
