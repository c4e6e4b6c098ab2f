package river_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/river"
)

// statQueue is what TestStats needs of either queue.
type statQueue interface {
	queue
	Stats(ctx context.Context) ([]river.Stat, error)
	Queued(ctx context.Context) ([]triage.Job, error)
	Waiting(ctx context.Context) ([]river.Waiting, error)
}

func TestStats(t *testing.T) {
	handlers := river.Handlers{
		"flaky": func(context.Context, json.RawMessage) error { return errors.New("try later") },
	}
	opts := river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range []struct {
		name string
		open func(t *testing.T) statQueue
	}{
		{"sqlite", func(t *testing.T) statQueue {
			q, err := river.NewSQLite(context.Background(), open(t), handlers, opts)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}},
		{"postgres", func(t *testing.T) statQueue {
			pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			q, err := river.NewPostgres(context.Background(), pool, handlers, opts)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}},
	} {
		t.Run(c.name, func(t *testing.T) { testStats(t, c.open(t)) })
	}
}

func testStats(t *testing.T, q statQueue) {
	ctx := context.Background()
	later := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	inserted := []triage.Job{
		{Kind: "later", RunAt: later, Args: json.RawMessage(`{"n":1}`)},
		{Kind: "later", RunAt: later, Args: json.RawMessage(`{"n":2}`), UniqueKey: "two"},
		{Kind: "flaky"},
	}
	for _, j := range inserted {
		if err := q.Insert(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// Before the queue starts, every job is queued, in order, as given.
	got, err := q.Queued(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("queued %+v, %v", got, err)
	}
	for i, j := range got {
		want := inserted[i]
		var args bytes.Buffer
		_ = json.Compact(&args, j.Args)
		if j.Kind != want.Kind || j.UniqueKey != want.UniqueKey || (want.Args != nil && args.String() != string(want.Args)) ||
			!want.RunAt.IsZero() && j.RunAt.Sub(want.RunAt).Abs() > time.Millisecond {
			t.Errorf("queued[%d] = %+v (%s), want %+v (%s)", i, j, j.Args, want, want.Args)
		}
	}
	// Before the queue starts, the flaky job waits and ages; the later
	// ones are not due, so they do not wait.
	time.Sleep(1100 * time.Millisecond)
	waiting, err := q.Waiting(ctx)
	if err != nil || len(waiting) != 1 || waiting[0].Kind != "flaky" || waiting[0].Jobs != 1 ||
		waiting[0].Oldest < time.Second || waiting[0].Oldest > time.Minute {
		t.Fatalf("waiting %+v, %v; want one flaky job, waiting about a second", waiting, err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	eventually(t, "the flaky job to fail once", func() bool {
		stats, err := q.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stats {
			if s.Kind == "flaky" && s.Failures >= 1 {
				return true
			}
		}
		return false
	})
	stats, _ := q.Stats(ctx)
	found := false
	for _, s := range stats {
		if s.Kind == "later" {
			found = s.State == "scheduled" && s.Jobs == 2 && s.Failures == 0
		}
	}
	if !found {
		t.Errorf("stats %+v lack 2 scheduled later jobs", stats)
	}
	if got, err := q.Queued(ctx); err != nil || len(got) != 3 {
		t.Errorf("queued after a failure %+v, %v: a retrying job is still to do", got, err)
	}
}
