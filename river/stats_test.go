package river_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/river"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	q, err := river.NewSQLite(ctx, db, river.Handlers{
		"flaky": func(context.Context, json.RawMessage) error { return errors.New("try later") },
	}, river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
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
