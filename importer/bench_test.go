package importer

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/importer/importertest"
)

// benchRead reads data b.N times and reports tickets and comments per
// second: the parse rate an import starts from, before any store writes.
func benchRead(b *testing.B, data []byte, f Format, opt Options) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	tickets, comments := 0, 0
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		for rec, err := range Read(context.Background(), bytes.NewReader(data), f, opt) {
			if err != nil {
				b.Fatal(err)
			}
			if rec.Ticket != nil {
				tickets++
				comments += len(rec.Ticket.Comments)
			}
		}
		elapsed += time.Since(start)
	}
	if tickets == 0 {
		b.Fatal("no tickets")
	}
	b.ReportMetric(float64(tickets)/elapsed.Seconds(), "tickets/s")
	b.ReportMetric(float64(comments)/elapsed.Seconds(), "comments/s")
}

func BenchmarkReadZendesk(b *testing.B) {
	m := sampleMapping(b)
	for _, c := range []struct {
		name string
		opt  importertest.Options
	}{
		{"page", importertest.Options{Tickets: 1000, Seed: 1}},
		{"pages_of_100", importertest.Options{Tickets: 1000, Seed: 1, PageSize: 100}},
		{"lines", importertest.Options{Tickets: 1000, Seed: 1, Lines: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			data, _ := sample(b, c.opt)
			benchRead(b, data, FormatZendesk, Options{Mapping: m})
		})
	}
}

// The other formats' samples, repeated to 1,000 tickets with distinct ids.
func BenchmarkReadOthers(b *testing.B) {
	repeat := func(header, rows string, n int, id func(row string, i int) string) []byte {
		var buf bytes.Buffer
		buf.WriteString(header)
		for i := 0; buf.Len() < 1<<30 && i < n; i++ {
			buf.WriteString(id(rows, i))
		}
		return buf.Bytes()
	}
	csvRows := func(name string, skip int) (string, string) {
		lines := strings.SplitAfter(file(b, name), "\n")
		return lines[0], strings.Join(lines[1:len(lines)-skip], "")
	}
	fdHead, fdRows := csvRows("freshdesk_tickets.csv", 3) // leave out the broken rows
	gHead, gRows := csvRows("generic.csv", 2)
	zm := file(b, "zammad_tickets.json")
	mapping := func(name string) Options {
		m, err := LoadMapping(strings.NewReader(file(b, name)))
		if err != nil {
			b.Fatal(err)
		}
		return Options{Mapping: m}
	}
	for _, c := range []struct {
		name string
		f    Format
		data []byte
		opt  Options
	}{
		{"freshdesk_csv", FormatFreshdesk, repeat(fdHead, fdRows, 200, func(r string, i int) string {
			return strings.NewReplacer("\n50", fmt.Sprintf("\n%d50", i), "501,", fmt.Sprintf("%d501,", i)).Replace(r)
		}), Options{}},
		{"generic_csv", FormatCSV, repeat(gHead, gRows, 250, func(r string, i int) string {
			return strings.ReplaceAll(r, "UD-", fmt.Sprintf("UD-%d-", i))
		}), mapping("generic_mapping.json")},
		{"zammad_array", FormatZammad, []byte("[" + strings.Repeat(strings.Trim(strings.TrimSpace(zm), "[]")+",", 249) + strings.Trim(strings.TrimSpace(zm), "[]") + "]"), Options{}},
	} {
		b.Run(c.name, func(b *testing.B) { benchRead(b, c.data, c.f, c.opt) })
	}
}
