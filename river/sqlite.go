package river

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/triagehq/triage"
)

// SQLite is the job queue of the embedded store.
type SQLite struct {
	client *river.Client[*sql.Tx]
	worker *worker
	db     *sql.DB
}

// NewSQLite prepares river's tables in db (the store's single-connection
// writer pool, which river's SQLite driver wants) and a client that works
// the given handlers once started.
func NewSQLite(ctx context.Context, db *sql.DB, h Handlers, o Options) (*SQLite, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	driver := riversqlite.New(db)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(warnOnly{o.Log.Handler()})})
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, err
	}
	w := &worker{log: o.Log, tracer: o.Tracer}
	for kind, fn := range h {
		w.handle(kind, fn)
	}
	c, err := river.NewClient(driver, o.config(w))
	if err != nil {
		return nil, err
	}
	w.running = runningJobs(c.JobList)
	return &SQLite{client: c, worker: w, db: db}, nil
}

// Handle registers or replaces the handler of a job kind.
func (q *SQLite) Handle(kind string, h Handler) { q.worker.handle(kind, h) }

// Start begins working jobs.
func (q *SQLite) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop finishes running jobs and stops.
func (q *SQLite) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// InsertTx enqueues j in the store's open transaction.
func (q *SQLite) InsertTx(ctx context.Context, tx *sql.Tx, j triage.Job) error {
	a, opts, err := insertParams(ctx, q.worker.tracer, j)
	if err != nil {
		return err
	}
	return insertUnique(a, func(a args) (*rivertype.JobInsertResult, error) { return q.client.InsertTx(ctx, tx, a, opts) })
}

// Insert enqueues j outside any transaction.
func (q *SQLite) Insert(ctx context.Context, j triage.Job) error {
	a, opts, err := insertParams(ctx, q.worker.tracer, j)
	if err != nil {
		return err
	}
	return insertUnique(a, func(a args) (*rivertype.JobInsertResult, error) { return q.client.Insert(ctx, a, opts) })
}
