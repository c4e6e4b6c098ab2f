package app_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/postgres/pgtest"
)

// startBudget is how long a restart may take to be ready and serving: the
// budget the binary's tests give an in-process server to start.
const startBudget = 2 * time.Minute

// store is one of the two stores a restart test runs on.
type store struct {
	name string
	// config returns the Config of a new, empty store of this kind; the
	// same Config opens it again after a restart.
	config func(t *testing.T) app.Config
}

// stores are the embedded store, always, and PostgreSQL when
// TRIAGE_TEST_POSTGRES is set (the subtest skips without it).
func stores() []store {
	return []store{
		{"sqlite", func(t *testing.T) app.Config {
			return app.Config{DataDir: t.TempDir(), Threshold: 0.35, VectorWeight: 1}
		}},
		{"postgres", func(t *testing.T) app.Config {
			return app.Config{DataDir: t.TempDir(), DB: pgtest.NewDatabase(t), Threshold: 0.35, VectorWeight: 1}
		}},
	}
}

// running is an App started as serve starts it: Open, then Start with its
// follower and job queue, stopped by stop (or when the test ends).
type running struct {
	*app.App
	t      *testing.T
	cancel context.CancelFunc
	took   time.Duration
}

// start opens and starts an App on cfg's store, failing the test unless it
// is ready within startBudget.
func start(t *testing.T, cfg app.Config) *running {
	t.Helper()
	cfg.Segmenter = sharedSegmenter(t)
	cfg.AdminToken = testAdmin
	began := time.Now()
	a := open(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{App: a, t: t, cancel: cancel}
	t.Cleanup(r.stop)
	// Start's context is the App's lifetime (the follower runs on it), so
	// the budget is checked after, not imposed.
	if _, err := a.Start(ctx, nil); err != nil {
		t.Fatalf("start: %v", err)
	}
	r.took = time.Since(began)
	if r.took > startBudget {
		t.Fatalf("start took %v, over the %v budget", r.took, startBudget)
	}
	if w := r.call("GET", "/readyz", ""); w.Code != 200 {
		t.Fatalf("/readyz after start: %d %s", w.Code, w.Body)
	}
	return r
}

// stop ends the background work and closes the App; it may be called
// again.
func (r *running) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.Jobs.Stop(sctx)
	r.Close()
}

// call sends one request as the admin.
func (r *running) call(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	r.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.Server.Handler().ServeHTTP(w, req)
	return w
}

// caughtUp waits until the change-log follower has applied every change:
// a follower stuck on one entry never gets there.
func (r *running) caughtUp() {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		lag, err := r.Indexer.Lag(context.Background())
		if err == nil && lag == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the follower still lags %d changes (%v) after 30 s", lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
