package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/triagehq/triage/app"
)

// BenchmarkStartDemo opens and starts the application with the demo data
// as `triage serve --demo` does, loading the segmenter each time: fresh
// is an empty data directory, existing one that a first start filled. It
// is the in-process twin of cmd/triage's BenchmarkStart, for profiles:
//
//	go test -run '^$' -bench BenchmarkStartDemo -benchtime 3x -cpuprofile cpu.out -memprofile mem.out ./app
func BenchmarkStartDemo(b *testing.B) {
	run := func(b *testing.B, dir string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a, err := app.Open(ctx, app.Config{DataDir: dir, Demo: true, Addr: "127.0.0.1:8080", Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		if _, err := a.Start(ctx, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cancel()
		sctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
		defer stop()
		if err := a.Jobs.Stop(sctx); err != nil {
			b.Log(err)
		}
		b.StartTimer()
	}
	b.Run("fresh", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir := b.TempDir()
			b.StartTimer()
			run(b, dir)
		}
	})
	b.Run("existing", func(b *testing.B) {
		dir := b.TempDir()
		run(b, dir)
		b.ResetTimer()
		for b.Loop() {
			run(b, dir)
		}
	})
}
