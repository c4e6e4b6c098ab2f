package app

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// phases records how long each stage of Open and Start took, so that the
// line saying the service started tells where a slow start went (issue 21:
// dictionary, models, index, demo data) without a profiler.
type phases struct {
	begun time.Time
	attrs []any
}

// timed runs f as the stage name and records its duration.
func (a *App) timed(name string, f func() error) error {
	if a.phases.begun.IsZero() {
		a.phases.begun = time.Now()
	}
	t := time.Now()
	err := f()
	// As text ("1.408s"): the JSON log would print nanoseconds.
	a.phases.attrs = append(a.phases.attrs, slog.String(name, time.Since(t).Round(time.Millisecond).String()))
	return err
}

// logStarted logs the stages' durations and the total since the first.
func (a *App) logStarted() {
	total := time.Since(a.phases.begun).Round(time.Millisecond).String()
	a.Log.Info("started", "took", total, slog.Group("stages", a.phases.attrs...))
}

// releaseWhenSettled returns to the system the heap that starting left
// free, once the start's background work is done: the embedding (its
// caller waits for that) and the jobs queued by then, such as the
// triage that follows each demo ticket. Parsing the dictionary, replaying
// the demo and those jobs make several times the garbage of what they
// keep, and the runtime would hold those pages (up to twice the live
// heap) until its scavenger got to them, so an idle server looked that
// much bigger. On a restart there is nothing to wait for and it happens a
// second after ready. The forced collection costs one or two hundred
// milliseconds of CPU; a queue still busy after two minutes is not waited
// for longer.
func (a *App) releaseWhenSettled(ctx context.Context) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		// A second first, also on a restart with nothing to wait for: the
		// first requests after ready do not share the CPU with a collection.
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		waiting, err := a.Jobs.Waiting(ctx)
		if err != nil {
			break
		}
		n := 0
		for _, w := range waiting {
			n += w.Jobs
		}
		if n == 0 {
			break
		}
	}
	if ctx.Err() == nil {
		debug.FreeOSMemory()
	}
}
