package river_test

import (
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
	Insert(ctx context.Context, j triage.Job) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Stats(ctx context.Context) ([]river.Stat, error)
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
	for _, j := range []triage.Job{{Kind: "later", RunAt: time.Now().Add(time.Hour)}, {Kind: "later", RunAt: time.Now().Add(time.Hour)}, {Kind: "flaky"}} {
		if err := q.Insert(ctx, j); err != nil {
			t.Fatal(err)
		}
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
}
