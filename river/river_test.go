package river_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/river"
	_ "modernc.org/sqlite"
)

type recorder struct {
	mu   sync.Mutex
	runs map[string]int
	args map[string][]json.RawMessage
}

func (r *recorder) handler(kind string, err error) river.Handler {
	return func(_ context.Context, args json.RawMessage) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.runs[kind]++
		r.args[kind] = append(r.args[kind], args)
		return err
	}
}

func (r *recorder) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[kind]
}

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE things (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func state(t *testing.T, db *sql.DB, kind string) (string, int) {
	t.Helper()
	var st string
	var attempt int
	err := db.QueryRow(`SELECT state, attempt FROM river_job WHERE json_extract(args, '$.type') = ? ORDER BY id DESC LIMIT 1`, kind).Scan(&st, &attempt)
	if err != nil {
		t.Fatal(err)
	}
	return st, attempt
}

func TestQueue(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	rec := &recorder{runs: map[string]int{}, args: map[string][]json.RawMessage{}}
	q, err := river.NewSQLite(ctx, db, river.Handlers{
		"ok":      rec.handler("ok", nil),
		"bad":     rec.handler("bad", triage.Invalid("x", "bad args")),
		"flaky":   rec.handler("flaky", errors.New("try later")),
		"later":   rec.handler("later", nil),
		"unique":  rec.handler("unique", nil),
		"rolled":  rec.handler("rolled", nil),
		"outside": rec.handler("outside", nil),
	}, river.Options{PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	inTx := func(commit bool, jobs ...triage.Job) {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("INSERT INTO things DEFAULT VALUES"); err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if err := q.InsertTx(ctx, tx, j); err != nil {
				t.Fatal(err)
			}
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	inTx(true, triage.Job{Kind: "ok", Args: json.RawMessage(`{"ticket":"t1"}`)}, triage.Job{Kind: "bad"}, triage.Job{Kind: "flaky"})
	inTx(false, triage.Job{Kind: "rolled"})
	inTx(true, triage.Job{Kind: "later", RunAt: time.Now().Add(time.Hour)})
	inTx(true, triage.Job{Kind: "unique", UniqueKey: "retrain", RunAt: time.Now().Add(300 * time.Millisecond)})
	inTx(true, triage.Job{Kind: "unique", UniqueKey: "retrain", RunAt: time.Now().Add(300 * time.Millisecond)})
	if err := q.Insert(ctx, triage.Job{Kind: "outside"}); err != nil {
		t.Fatal(err)
	}
	if err := q.InsertTx(ctx, nil, triage.Job{}); err == nil {
		t.Error("a job without a kind was accepted")
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	eventually(t, "ok, bad, flaky, outside and unique to run", func() bool {
		return rec.count("ok") == 1 && rec.count("bad") == 1 && rec.count("flaky") >= 1 && rec.count("outside") == 1 && rec.count("unique") == 1
	})
	if got := string(rec.args["ok"][0]); got != `{"ticket":"t1"}` {
		t.Errorf("args = %s", got)
	}
	time.Sleep(300 * time.Millisecond)
	cases := []struct {
		kind, state string
		runs        int
	}{
		{"bad", "cancelled", 1},     // invalid arguments are not retried
		{"later", "scheduled", 0},   // not before its time
		{"unique", "completed", 1},  // two inserts with one key: one run
		{"ok", "completed", 1},      //
		{"outside", "completed", 1}, //
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			st, _ := state(t, db, c.kind)
			runs := rec.count(c.kind)
			if st != c.state || runs != c.runs {
				t.Errorf("state %s after %d runs, want %s after %d", st, rec.count(c.kind), c.state, c.runs)
			}
		})
	}
	// A failed job is kept for another attempt: depending on the moment it
	// is retryable, available again or running, never completed or gone.
	if st, _ := state(t, db, "flaky"); st != "retryable" && st != "available" && st != "running" {
		t.Errorf("flaky job is %s after a failure", st)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE json_extract(args, '$.type') = 'rolled'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a rolled-back transaction left %d jobs (%v)", n, err)
	}
}
