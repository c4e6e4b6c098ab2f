package river_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/river"
)

// fakeTracer carries the value under key "who" in ctx, and records what
// each job attempt received.
type fakeTracer struct {
	mu  sync.Mutex
	got map[string]map[string]string
}

type whoKey struct{}

func (f *fakeTracer) Carry(ctx context.Context) map[string]string {
	who, _ := ctx.Value(whoKey{}).(string)
	if who == "" {
		return nil
	}
	return map[string]string{"traceparent": who}
}

func (f *fakeTracer) Job(ctx context.Context, kind string, attempt int, carried map[string]string, run func(context.Context) error) error {
	f.mu.Lock()
	f.got[kind] = carried
	f.mu.Unlock()
	return run(ctx)
}

// TestTraceTravelsWithTheJob checks that what the tracer captures at the
// insert reaches the attempt, and that the carried context is not part
// of the unique key: the same job inserted under two traces is one job.
func TestTraceTravelsWithTheJob(t *testing.T) {
	ctx := context.Background()
	tr := &fakeTracer{got: map[string]map[string]string{}}
	ran := make(chan string, 4)
	h := func(kind string) river.Handler {
		return func(context.Context, json.RawMessage) error { ran <- kind; return nil }
	}
	q, err := river.NewSQLite(ctx, open(t), river.Handlers{"traced": h("traced"), "plain": h("plain")},
		river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Tracer: tr})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"00-aaaa-01", "00-bbbb-01"} {
		if err := q.Insert(context.WithValue(ctx, whoKey{}, who), triage.Job{Kind: "traced", UniqueKey: "one"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Insert(ctx, triage.Job{Kind: "plain"}); err != nil {
		t.Fatal(err)
	}
	if queued, err := q.Queued(ctx); err != nil || len(queued) != 2 {
		t.Fatalf("queued %+v, %v: want one traced job (unique by key, not by trace) and one plain", queued, err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	for range 2 {
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("jobs did not run")
		}
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if got := tr.got["traced"]["traceparent"]; got != "00-aaaa-01" {
		t.Errorf("the traced job carried %q, want the first insert's 00-aaaa-01", got)
	}
	if got, ok := tr.got["plain"]; !ok || got != nil {
		t.Errorf("the plain job carried %v (ran: %v), want nothing", got, ok)
	}
}
