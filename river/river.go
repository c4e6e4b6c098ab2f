// Package river runs the service's durable background jobs on
// riverqueue/river: its SQLite driver in embedded mode and its pgx driver on
// Postgres, behind one small API, so every job has one code path whatever
// the store.
//
// Jobs are inserted inside the store transaction that makes them necessary
// (triage.Tx.Enqueue), so a committed write always has its follow-up work
// and a rolled-back write never does. A job re-reads the state it acts on
// when it runs, since that state may have moved on since it was queued.
package river

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/triagehq/triage"
)

// Handler does one kind of job (triage.JobHandler). Returning an error
// retries the job with backoff; a *triage.Error with code EINVALID cancels
// it, since retrying bad arguments cannot help.
type Handler = triage.JobHandler

// Handlers maps job kinds to their handlers.
type Handlers map[string]Handler

// Options tune the queue. Zero values pick defaults suited to a helpdesk:
// jobs within about a second, a few at a time.
type Options struct {
	Workers      int
	PollInterval time.Duration
	MaxAttempts  int
	Log          *slog.Logger
	// Tracer, when set, carries the trace of the code that inserts a job
	// into the job and runs each attempt in a span linked to it.
	Tracer Tracer
}

// Tracer carries a trace across the queue (package otel's Tracing): Carry
// captures the trace context of an insert as headers that travel in the
// job's arguments, and Job runs an attempt in a span linked to them.
type Tracer interface {
	Carry(ctx context.Context) map[string]string
	Job(ctx context.Context, kind string, attempt int, carried map[string]string, run func(context.Context) error) error
}

// args is the one river job type. Every triage job travels inside it with
// its kind, so registering a new kind needs no river type.
type args struct {
	Type string          `json:"type" river:"unique"`
	Key  string          `json:"key,omitempty" river:"unique"`
	Args json.RawMessage `json:"args"`
	// Trace is the W3C trace context of the insert (traceparent,
	// tracestate). Not part of the unique key: the same job queued by two
	// requests is still one job.
	Trace map[string]string `json:"trace,omitempty"`
}

func (args) Kind() string { return "triage" }

// worker dispatches a river job to the handler of its type.
type worker struct {
	river.WorkerDefaults[args]
	mu       sync.RWMutex
	handlers Handlers
	log      *slog.Logger
	tracer   Tracer
}

func (w *worker) Work(ctx context.Context, j *river.Job[args]) error {
	w.mu.RLock()
	h := w.handlers[j.Args.Type]
	w.mu.RUnlock()
	if h == nil {
		return river.JobCancel(fmt.Errorf("no handler for job kind %q", j.Args.Type))
	}
	var err error
	if w.tracer != nil {
		err = w.tracer.Job(ctx, j.Args.Type, j.Attempt, j.Args.Trace, func(ctx context.Context) error { return h(ctx, j.Args.Args) })
	} else {
		err = h(ctx, j.Args.Args)
	}
	if triage.IsCode(err, triage.EINVALID) {
		return river.JobCancel(err)
	}
	if err != nil {
		w.log.WarnContext(ctx, "job failed", "kind", j.Args.Type, "attempt", j.Attempt, "err", err)
	}
	return err
}

func (o Options) config(w *worker) *river.Config {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	return &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           workers,
		FetchPollInterval: o.PollInterval,
		FetchCooldown:     o.PollInterval / 5,
		MaxAttempts:       o.MaxAttempts,
		JobTimeout:        5 * time.Minute,
		// River reports every few seconds at info level; the service's
		// log keeps its warnings and errors.
		Logger: slog.New(warnOnly{o.Log.Handler()}),
	}
}

// warnOnly drops records below warning level.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(a)} }
func (w warnOnly) WithGroup(n string) slog.Handler      { return warnOnly{w.Handler.WithGroup(n)} }

// insertParams turns a triage job into river's arguments and options.
// t, when set, carries ctx's trace into them.
func insertParams(ctx context.Context, t Tracer, j triage.Job) (args, *river.InsertOpts, error) {
	if j.Kind == "" {
		return args{}, nil, errors.New("job has no kind")
	}
	a := args{Type: j.Kind, Key: j.UniqueKey, Args: j.Args}
	if len(a.Args) == 0 {
		a.Args = json.RawMessage("{}")
	}
	if t != nil {
		a.Trace = t.Carry(ctx)
	}
	opts := &river.InsertOpts{}
	if !j.RunAt.IsZero() {
		opts.ScheduledAt = j.RunAt
	}
	if j.UniqueKey != "" {
		// Completed jobs are left out so the same key can run again later;
		// running is one river requires.
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateScheduled, rivertype.JobStateRetryable,
		}}
	}
	return a, opts, nil
}

func (w *worker) handle(kind string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handlers == nil {
		w.handlers = Handlers{}
	}
	w.handlers[kind] = h
}
