package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/segment"
)

// testAdmin is the admin token of the apps the tests open.
const testAdmin = "trg_apptestadmintoken00000000000000000"

var (
	segOnce sync.Once
	segVal  *segment.Segmenter
	segErr  error
)

// sharedSegmenter loads gse once per test binary: it takes seconds.
func sharedSegmenter(t testing.TB) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { segVal, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return segVal
}

// open builds an App on a fresh embedded store in a temporary directory,
// as `triage serve --data DIR` does, and closes it when the test ends.
// Its segmenter is loaded afresh unless cfg gives one.
func open(t testing.TB, cfg app.Config) *app.App {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// startJobs works a's jobs until the test ends.
func startJobs(t testing.TB, a *app.App) {
	t.Helper()
	ctx := context.Background()
	if err := a.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Jobs.Stop(sctx)
	})
}
