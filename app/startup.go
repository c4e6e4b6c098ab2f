package app

import (
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

// releaseMemory returns to the system the heap that loading left free:
// parsing the dictionary, replaying the demo and embedding produce several
// times the garbage of what they keep, and the runtime would otherwise hold
// those pages until its scavenger got to them, so an idle server looked
// that much bigger. The forced collection costs a few hundred milliseconds
// of CPU, after ready, once the background embedding is done.
func releaseMemory() { debug.FreeOSMemory() }
