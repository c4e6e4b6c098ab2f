package app_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/importer"
	"github.com/triagehq/triage/postgres/pgtest"
)

// BenchmarkImportTickets measures the store side of an import: tickets
// (with their comments, history and keys) written per second in the
// default batches, on the embedded store and on PostgreSQL. Each run
// imports the same 1,000-ticket Zendesk export under a new source name,
// so every ticket is new.
func BenchmarkImportTickets(b *testing.B) {
	data, mapping := zendeskSample(b, 1000)
	for _, c := range []struct {
		name string
		cfg  func(b *testing.B) app.Config
	}{
		{"sqlite", func(b *testing.B) app.Config { return app.Config{DataDir: b.TempDir()} }},
		{"postgres", func(b *testing.B) app.Config { return app.Config{DataDir: b.TempDir(), DB: pgtest.NewDatabase(b)} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg(b)
			cfg.Segmenter = sharedSegmenter(b)
			a := open(b, cfg)
			tickets, comments, run := 0, 0, 0
			var elapsed time.Duration
			for b.Loop() {
				m := mapping
				m.Source = triage.ImportSource(fmt.Sprintf("bench%d", run))
				run++
				start := time.Now()
				sum, err := a.ImportTickets(context.Background(), bytes.NewReader(data), app.ImportOptions{Format: importer.FormatZendesk, Mapping: m})
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				tickets += sum.Imported
				comments += sum.Comments
			}
			b.ReportMetric(float64(tickets)/elapsed.Seconds(), "tickets/s")
			b.ReportMetric(float64(comments)/elapsed.Seconds(), "comments/s")
		})
	}
}
