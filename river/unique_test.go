package river_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/river"
)

// queue is what both stores' queues offer.
type queue interface {
	Insert(ctx context.Context, j triage.Job) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// gate is a job handler whose runs wait to be released one at a time, and
// which records how many ran at once.
type gate struct {
	mu       sync.Mutex
	started  chan int
	release  chan struct{}
	runs     int
	active   int
	overlaps int
}

func newGate() *gate { return &gate{started: make(chan int, 10), release: make(chan struct{})} }

func (g *gate) handler(context.Context, json.RawMessage) error {
	g.mu.Lock()
	g.runs++
	g.active++
	if g.active > 1 {
		g.overlaps++
	}
	n := g.runs
	g.mu.Unlock()
	g.started <- n
	<-g.release
	g.mu.Lock()
	g.active--
	g.mu.Unlock()
	return nil
}

func (g *gate) count() (runs, overlaps int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.runs, g.overlaps
}

// testRunAfter: a unique job inserted while one of its key runs is not
// dropped: it runs once more after the running one ends (never beside
// it), however many inserts came during the run; a job that schedules
// its own next run (a sweep) keeps its chain.
func testRunAfter(t *testing.T, start func(t *testing.T, h river.Handlers) []queue) {
	ctx := context.Background()
	g := newGate()
	var mu sync.Mutex
	chained := 0
	var qs []queue
	chain := func(ctx context.Context, _ json.RawMessage) error {
		mu.Lock()
		chained++
		n := chained
		mu.Unlock()
		if n < 3 {
			return qs[0].Insert(ctx, triage.Job{Kind: "chain", UniqueKey: "chain"})
		}
		return nil
	}
	qs = start(t, river.Handlers{"retrain": g.handler, "chain": chain})
	job := triage.Job{Kind: "retrain", UniqueKey: "retrain:category"}
	insert := func() {
		t.Helper()
		if err := qs[len(qs)-1].Insert(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(want int) {
		t.Helper()
		select {
		case n := <-g.started:
			if n != want {
				t.Fatalf("run %d started, want run %d", n, want)
			}
		case <-time.After(10 * time.Second):
			runs, _ := g.count()
			t.Fatalf("run %d did not start (%d runs so far)", want, runs)
		}
	}
	insert()
	insert() // waiting: one job with the first
	wait(1)
	insert() // during run 1: one more run after it
	insert() // that run is waiting: one job with it
	time.Sleep(300 * time.Millisecond)
	if runs, _ := g.count(); runs != 1 {
		t.Fatalf("%d runs while the first runs, want it alone", runs)
	}
	g.release <- struct{}{}
	wait(2)
	insert() // during run 2 (the follow-up): one more after it
	g.release <- struct{}{}
	wait(3)
	g.release <- struct{}{}
	time.Sleep(500 * time.Millisecond)
	runs, overlaps := g.count()
	if runs != 3 || overlaps != 0 {
		t.Errorf("%d runs, %d of them beside another; want 3, one after another", runs, overlaps)
	}
	if err := qs[0].Insert(ctx, triage.Job{Kind: "chain", UniqueKey: "chain"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the self-scheduling chain to run 3 times", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return chained == 3
	})
}

func quiet() river.Options {
	return river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func startAll(t *testing.T, qs ...queue) []queue {
	t.Helper()
	for _, q := range qs {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(sctx)
		})
	}
	return qs
}

func TestUniqueRunsAgainAfterRun(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testRunAfter(t, func(t *testing.T, h river.Handlers) []queue {
			q, err := river.NewSQLite(context.Background(), open(t), h, quiet())
			if err != nil {
				t.Fatal(err)
			}
			return startAll(t, q)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		testRunAfter(t, func(t *testing.T, h river.Handlers) []queue {
			ctx := context.Background()
			pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			// Two replicas: a run on one waits for the run on the other.
			q1, err := river.NewPostgres(ctx, pool, h, quiet())
			if err != nil {
				t.Fatal(err)
			}
			q2, err := river.NewPostgres(ctx, pool, h, quiet())
			if err != nil {
				t.Fatal(err)
			}
			return startAll(t, q1, q2)
		})
	})
}
