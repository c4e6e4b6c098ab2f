package river_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/river"
)

// TestPostgresQueue holds the pgx-driven queue to what TestQueue holds the
// SQLite one: a job commits or rolls back with the transaction it was
// inserted in, bad arguments are not retried, a unique key runs once. Two
// clients on one database (two replicas) run each job once.
func TestPostgresQueue(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, "CREATE TABLE things (id serial PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{runs: map[string]int{}, args: map[string][]json.RawMessage{}}
	handlers := river.Handlers{
		"ok":      rec.handler("ok", nil),
		"bad":     rec.handler("bad", triage.Invalid("x", "bad args")),
		"flaky":   rec.handler("flaky", errors.New("try later")),
		"later":   rec.handler("later", nil),
		"unique":  rec.handler("unique", nil),
		"rolled":  rec.handler("rolled", nil),
		"outside": rec.handler("outside", nil),
		"many":    rec.handler("many", nil),
	}
	opts := river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	q, err := river.NewPostgres(ctx, pool, handlers, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The second replica migrates nothing and shares the work.
	q2, err := river.NewPostgres(ctx, pool, handlers, opts)
	if err != nil {
		t.Fatal(err)
	}
	inTx := func(commit bool, jobs ...triage.Job) {
		t.Helper()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO things DEFAULT VALUES"); err != nil {
				return err
			}
			for _, j := range jobs {
				if err := q.InsertTx(ctx, tx, j); err != nil {
					return err
				}
			}
			if !commit {
				return errRollback
			}
			return nil
		})
		if err != nil && !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	}
	inTx(true, triage.Job{Kind: "ok", Args: json.RawMessage(`{"ticket":"t1"}`)}, triage.Job{Kind: "bad"}, triage.Job{Kind: "flaky"})
	inTx(false, triage.Job{Kind: "rolled"})
	inTx(true, triage.Job{Kind: "later", RunAt: time.Now().Add(time.Hour)})
	inTx(true, triage.Job{Kind: "unique", UniqueKey: "retrain", RunAt: time.Now().Add(300 * time.Millisecond)})
	inTx(true, triage.Job{Kind: "unique", UniqueKey: "retrain", RunAt: time.Now().Add(300 * time.Millisecond)})
	for range 20 {
		inTx(true, triage.Job{Kind: "many"})
	}
	if err := q.Insert(ctx, triage.Job{Kind: "outside"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Insert(ctx, triage.Job{}); err == nil {
		t.Error("a job without a kind was accepted")
	}
	for _, c := range []*river.Postgres{q, q2} {
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = c.Stop(sctx)
		})
	}
	eventually(t, "ok, bad, flaky, outside, unique and many to run", func() bool {
		return rec.count("ok") == 1 && rec.count("bad") == 1 && rec.count("flaky") >= 1 && rec.count("outside") == 1 &&
			rec.count("unique") == 1 && rec.count("many") == 20
	})
	// river keeps args as jsonb, which respaces them: compare values.
	var got map[string]string
	if err := json.Unmarshal(rec.args["ok"][0], &got); err != nil || got["ticket"] != "t1" || len(got) != 1 {
		t.Errorf("args = %s (%v)", rec.args["ok"][0], err)
	}
	time.Sleep(300 * time.Millisecond)
	pgState := func(kind string) string {
		t.Helper()
		var st string
		err := pool.QueryRow(ctx, `SELECT state FROM river_job WHERE args->>'type' = $1 ORDER BY id DESC LIMIT 1`, kind).Scan(&st)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	cases := []struct {
		kind, state string
		runs        int
	}{
		{"bad", "cancelled", 1},
		{"later", "scheduled", 0},
		{"unique", "completed", 1},
		{"ok", "completed", 1},
		{"outside", "completed", 1},
		{"many", "completed", 20}, // two clients, each job once
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			if st, runs := pgState(c.kind), rec.count(c.kind); st != c.state || runs != c.runs {
				t.Errorf("state %s after %d runs, want %s after %d", st, runs, c.state, c.runs)
			}
		})
	}
	if st := pgState("flaky"); st != "retryable" && st != "available" && st != "running" {
		t.Errorf("flaky job is %s after a failure", st)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args->>'type' = 'rolled'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a rolled-back transaction left %d jobs (%v)", n, err)
	}
}

var errRollback = errors.New("roll back")
