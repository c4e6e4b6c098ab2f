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
	// After is the id of the running job with the same Type and Key that
	// this one was queued behind (0 for none): a unique job waits as one
	// job, but an insert while it runs asks for one run after it, since
	// that run may have read its state before the insert's change (a
	// retraining that misses the newest labels). See insertUnique.
	After int64 `json:"after,omitempty" river:"unique"`
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
	// running lists the running jobs (set once the client exists), so a
	// unique job waits for an older run of its key to end.
	running func(ctx context.Context) ([]*rivertype.JobRow, error)
	// wait is how long a job snoozes behind an older run of its key.
	wait time.Duration
}

func (w *worker) Work(ctx context.Context, j *river.Job[args]) error {
	w.mu.RLock()
	h := w.handlers[j.Args.Type]
	w.mu.RUnlock()
	if h == nil {
		return river.JobCancel(fmt.Errorf("no handler for job kind %q", j.Args.Type))
	}
	if behind, err := w.behind(ctx, j.JobRow, j.Args); err != nil {
		return err
	} else if behind {
		// Snoozing counts no attempt; the job keeps its place as the one
		// waiting run of its key.
		return river.JobSnooze(w.wait)
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

// behind reports whether an older job of j's type and unique key is
// running: runs of one key follow each other, the older first (by id, so
// two that start together do not both wait).
func (w *worker) behind(ctx context.Context, j *rivertype.JobRow, a args) (bool, error) {
	if a.Key == "" || w.running == nil {
		return false, nil
	}
	rows, err := w.running(ctx)
	if err != nil {
		return false, fmt.Errorf("river: listing running jobs: %w", err)
	}
	for _, r := range rows {
		if r.ID >= j.ID {
			continue
		}
		var other args
		if json.Unmarshal(r.EncodedArgs, &other) == nil && other.Type == a.Type && other.Key == a.Key {
			return true, nil
		}
	}
	return false, nil
}

// runningJobs lists the running triage jobs through list (a client's
// JobList). There are at most as many as workers on all replicas.
func runningJobs(list func(context.Context, *river.JobListParams) (*river.JobListResult, error)) func(context.Context) ([]*rivertype.JobRow, error) {
	return func(ctx context.Context) ([]*rivertype.JobRow, error) {
		res, err := list(ctx, river.NewJobListParams().Kinds(args{}.Kind()).States(rivertype.JobStateRunning).First(10000))
		if err != nil {
			return nil, err
		}
		return res.Jobs, nil
	}
}

func (o Options) config(w *worker) *river.Config {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	w.wait = 5 * o.PollInterval
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
		// Completed jobs are left out so the same key can run again later.
		// river requires running among the states; insertUnique queues
		// a run after a running one instead of dropping the insert.
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

// insertUnique inserts a through ins. A job with a unique key is one job
// while it waits, but an insert that finds it running queues one more run
// behind it (args.After): the running job may have read its state before
// the inserter's change, and dropping the insert would leave that change
// unseen until the next one (a retraining without the newest labels, a
// sweep that schedules its own next run). Further inserts during that run
// find the follow-up waiting and are one job with it; behind makes the
// follow-up wait for the run to end. One case makes two jobs wait: an
// insert after the run ended while its follow-up still waits (scheduled
// later) finds the key free and queues one more; the two run one after
// the other, and the later one's own inserts fold into the earlier's, so
// it costs one extra run, never a growing chain.
func insertUnique(a args, ins func(args) (*rivertype.JobInsertResult, error)) error {
	res, err := ins(a)
	if err != nil || a.Key == "" || !res.UniqueSkippedAsDuplicate || res.Job == nil || res.Job.State != rivertype.JobStateRunning {
		return err
	}
	a.After = res.Job.ID
	_, err = ins(a)
	return err
}
