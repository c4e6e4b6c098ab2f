package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/river"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/sqlite"
)

// openStore opens PostgreSQL at DB, or else the embedded store in DataDir,
// with river on the same database: jobs that follow a write commit in the
// write's transaction.
func (a *App) openStore(ctx context.Context) error {
	if a.Config.DB != "" {
		return a.openPostgres(ctx)
	}
	return a.openSQLite(ctx)
}

// DBPath is the embedded store's file in a data directory.
func DBPath(dataDir string) string { return filepath.Join(dataDir, "triage.db") }

func (a *App) openSQLite(ctx context.Context) error {
	var jobs *river.SQLite
	db, err := sqlite.Open(ctx, DBPath(a.Config.DataDir), sqlite.Options{
		Enqueue:   func(ctx context.Context, tx *sql.Tx, j triage.Job) error { return jobs.InsertTx(ctx, tx, j) },
		Normalize: segment.Normalize,
		Trace:     a.trace(),
	})
	if err != nil {
		return err
	}
	a.Store = db
	if jobs, err = river.NewSQLite(ctx, db.WriterDB(), river.Handlers{}, river.Options{Log: a.Log, Tracer: a.jobTracer()}); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	a.Jobs = jobs
	return nil
}

// openPostgres opens the PostgreSQL store and river on its pool. The text
// index stays on local disk under DataDir: each replica's own cache, built
// from the database and kept current from its change log.
func (a *App) openPostgres(ctx context.Context) error {
	var jobs *river.Postgres
	db, err := postgres.Open(ctx, a.Config.DB, postgres.Options{
		Log:       a.Log,
		Enqueue:   func(ctx context.Context, tx pgx.Tx, j triage.Job) error { return jobs.InsertTx(ctx, tx, j) },
		Normalize: segment.Normalize,
		Trace:     a.trace(),
	})
	if err != nil {
		return OpenError(a.Config.DB, err)
	}
	a.Store = db
	if jobs, err = river.NewPostgres(ctx, db.Pool(), river.Handlers{}, river.Options{Log: a.Log, Tracer: a.jobTracer()}); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	a.Jobs = jobs
	return a.checkIndexOrigin(ctx, db)
}

// OpenError names the database (without its password) in a failure to
// open it, keeping the error's code: a user sees which URL failed and why.
func OpenError(url string, err error) error {
	return &triage.Error{Code: triage.ErrorCode(err), Message: RedactURL(url) + ": " + triage.ErrorMessageOrText(err), Err: err}
}

// RedactURL hides a password in a database URL before it is shown.
func RedactURL(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if colon := strings.Index(u[:at], "://"); colon >= 0 {
			return u[:colon+3] + "…@" + u[at+1:]
		}
	}
	return u
}

// StoreName names the store for messages, without credentials.
func (a *App) StoreName() string {
	if a.Config.DB != "" {
		return RedactURL(a.Config.DB)
	}
	return DBPath(a.Config.DataDir)
}

// checkIndexOrigin drops a text index on disk that was not built from this
// database (the data directory reused, or the database restored from
// elsewhere): its change-log cursor would mean nothing here. openSearch
// then finds no index and rebuilds it; markIndexOrigin records where it
// came from.
func (a *App) checkIndexOrigin(ctx context.Context, db *postgres.DB) error {
	if a.Config.MemIndex {
		return nil // a one-off command leaves the server's index alone
	}
	id, err := db.StoreID(ctx)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(a.storeIDPath())
	if err == nil && strings.TrimSpace(string(b)) == id {
		return nil
	}
	if _, serr := os.Stat(a.IndexDir()); serr == nil {
		a.Log.Warn("the text index on disk was not built from this database; rebuilding it", "dir", a.IndexDir())
		return os.RemoveAll(a.IndexDir())
	}
	return nil
}

// markIndexOrigin writes the database's identity beside the text index.
func (a *App) markIndexOrigin(ctx context.Context) error {
	db, ok := a.Store.(*postgres.DB)
	if !ok || a.Config.MemIndex {
		return nil
	}
	id, err := db.StoreID(ctx)
	if err != nil {
		return err
	}
	return os.WriteFile(a.storeIDPath(), []byte(id+"\n"), 0o640)
}

func (a *App) storeIDPath() string { return filepath.Join(a.IndexDir(), "store.id") }

// vectorIndex is the vector index: pgvector's HNSW in SQL when the store
// is PostgreSQL with the extension, else the exact in-memory index filled
// from the store's vectors.
func (a *App) vectorIndex(ctx context.Context, dim int) (triage.VectorIndex, error) {
	if db, ok := a.Store.(*postgres.DB); ok {
		vs, err := db.VectorSearch(ctx, func() (string, int) { e := a.Embedding.Current(); return e.Model(), e.Dim() })
		if err != nil {
			return nil, err
		}
		if vs != nil {
			a.Log.Info("vectors are searched in PostgreSQL with pgvector (HNSW, cosine)")
			return vs, nil
		}
		a.Log.Info("the pgvector extension is not available on this PostgreSQL server; vectors are searched exactly in memory, loaded from the database, as in embedded mode")
	}
	return embed.VectorIndex{Index: embed.NewIndex(dim)}, nil
}

// Migrate applies the migrations the store lacks, as Open does, and
// returns the version it is at; a store whose schema is newer than this
// binary is refused.
func Migrate(ctx context.Context, cfg Config) (int64, error) {
	if cfg.DB != "" {
		db, err := postgres.Open(ctx, cfg.DB, postgres.Options{Normalize: segment.Normalize})
		if err != nil {
			return 0, OpenError(cfg.DB, err)
		}
		defer db.Close()
		return db.SchemaVersion(), nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return 0, err
	}
	db, err := sqlite.Open(ctx, DBPath(cfg.DataDir), sqlite.Options{Normalize: segment.Normalize})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.SchemaVersion(), nil
}

// OpenReader opens a service's store to read it, as an evaluation does:
// no migrations, few connections, and an embedded store that does not
// exist is an error rather than created behind a mistyped directory.
func OpenReader(ctx context.Context, cfg Config) (triage.Store, error) {
	if cfg.DB != "" {
		pg, err := postgres.Open(ctx, cfg.DB, postgres.Options{NoMigrate: true, MaxConns: 4})
		if err != nil {
			return nil, OpenError(cfg.DB, err)
		}
		return pg, nil
	}
	path := DBPath(cfg.DataDir)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, triage.Errorf(triage.EINVALID, "%s: no such file (is --data the service's data directory?)", path)
	}
	return sqlite.Open(ctx, path, sqlite.Options{ReadConns: 2})
}
