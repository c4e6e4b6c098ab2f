package river

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/triagehq/triage"
)

// Postgres is the job queue of the PostgreSQL store. Every replica runs
// one on the same database; river's row locking hands each job to one of
// them.
type Postgres struct {
	client *river.Client[pgx.Tx]
	worker *worker
	pool   *pgxpool.Pool
}

// NewPostgres prepares river's tables in the database of pool (the store's
// pool, so InsertTx can join the store's transactions) and a client that
// works the given handlers once started. river's migrations take an
// advisory lock, so replicas starting together migrate once.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, h Handlers, o Options) (*Postgres, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	driver := riverpgxv5.New(pool)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(warnOnly{o.Log.Handler()})})
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, &triage.Error{Code: triage.EUNAVAILABLE, Message: "the job queue's tables cannot be migrated", Err: err}
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
	return &Postgres{client: c, worker: w, pool: pool}, nil
}

// Handle registers or replaces the handler of a job kind.
func (q *Postgres) Handle(kind string, h Handler) { q.worker.handle(kind, h) }

// Start begins working jobs.
func (q *Postgres) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop finishes running jobs and stops.
func (q *Postgres) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// InsertTx enqueues j in the store's open transaction.
func (q *Postgres) InsertTx(ctx context.Context, tx pgx.Tx, j triage.Job) error {
	a, opts, err := insertParams(ctx, q.worker.tracer, j)
	if err != nil {
		return err
	}
	return insertUnique(a, func(a args) (*rivertype.JobInsertResult, error) { return q.client.InsertTx(ctx, tx, a, opts) })
}

// Insert enqueues j outside any transaction.
func (q *Postgres) Insert(ctx context.Context, j triage.Job) error {
	a, opts, err := insertParams(ctx, q.worker.tracer, j)
	if err != nil {
		return err
	}
	return insertUnique(a, func(a args) (*rivertype.JobInsertResult, error) { return q.client.Insert(ctx, a, opts) })
}
