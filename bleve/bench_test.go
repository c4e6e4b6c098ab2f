package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
)

// The benchmarks run on text from the shared retrieval sets (skipped when
// ../shared/data is missing): their articles, repeated with their sentences
// shuffled until there are enough chunks, and their dev queries.
//
//	go test ./bleve -run '^$' -bench . -benchtime 2000x -timeout 60m

// benchDocs returns n article chunks made from the shared articles: the
// originals first, then variants whose sentences are shuffled, so that
// postings grow as they would with more text of the same kind rather than
// with exact copies.
func benchDocs(tb testing.TB, n int) []triage.SearchDoc {
	tb.Helper()
	requireShared(tb)
	var arts []sharedArticle
	for _, set := range sharedSets {
		arts = append(arts, readJSONL[sharedArticle](tb, filepath.Join(sharedDir, set, "articles.jsonl"))...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]triage.SearchDoc, 0, n)
	for round := 0; len(docs) < n; round++ {
		for _, a := range arts {
			if len(docs) == n {
				break
			}
			title, body := a.Title, a.Body
			if round > 0 {
				title = shuffleSentences(rng, title)
				body = shuffleSentences(rng, body)
			}
			owner := fmt.Sprintf("%s-%d", a.ID, round)
			docs = append(docs, triage.SearchDoc{ID: "article:" + owner + "#0", Kind: triage.DocArticle, OwnerID: owner, Title: title, Body: body})
		}
	}
	return docs
}

func shuffleSentences(rng *rand.Rand, s string) string {
	parts := strings.SplitAfter(s, "，")
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return strings.Join(parts, "")
}

// benchQueries returns the dev queries of every set, interleaved, so that
// short questions and long complaints alternate.
func benchQueries(tb testing.TB) []string {
	tb.Helper()
	var per [][]sharedQuery
	for _, set := range sharedSets {
		per = append(per, readJSONL[sharedQuery](tb, filepath.Join(sharedDir, set, "queries.dev.jsonl")))
	}
	var out []string
	for i := 0; ; i++ {
		more := false
		for _, qs := range per {
			if i < len(qs) {
				out = append(out, qs[i].Text)
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// BenchmarkSearch measures one search at a time on an on-disk index of 10k
// and 100k chunks, and reports the median and 99th percentile latency: for
// the dev queries of every set (short questions and long complaints
// alternate), and for tickets as queries alone (the citizen messages of
// taidi2020_replies, about 200 characters each), as similar-ticket search
// sends them.
func BenchmarkSearch(b *testing.B) {
	requireShared(b)
	all := benchQueries(b)
	var tickets []string
	for _, q := range readJSONL[sharedQuery](b, filepath.Join(sharedDir, "taidi2020_replies", "queries.dev.jsonl")) {
		tickets = append(tickets, q.Text)
	}
	seg := testSegmenter(b)
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		var x *bleve.Index
		dir := filepath.Join(b.TempDir(), fmt.Sprint(n))
		for _, qs := range []struct {
			name    string
			queries []string
		}{{"all", all}, {"tickets", tickets}} {
			// b.Loop runs the function once, so the index is built once and
			// the timer starts at the first iteration.
			b.Run(fmt.Sprintf("chunks=%dk/queries=%s", n/1000, qs.name), func(b *testing.B) {
				if x == nil {
					var err error
					x, err = bleve.Open(dir, seg, bleve.Options{})
					if err != nil {
						b.Fatal(err)
					}
					if err := x.Index(ctx, benchDocs(b, n)...); err != nil {
						b.Fatal(err)
					}
				}
				lat := make([]time.Duration, 0, 1024)
				i := 0
				for b.Loop() {
					start := time.Now()
					if _, err := x.Search(ctx, triage.TextQuery{Text: qs.queries[i%len(qs.queries)], Kind: triage.DocArticle, K: 10}); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					i++
				}
				slices.Sort(lat)
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			})
		}
		if x != nil {
			x.Close()
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkIndex measures indexing 10k chunks into a new on-disk index in
// batches, as a rebuild does, and reports documents per second and the
// process's CPU time per document (every goroutine, bleve's persister and
// merger included), which a machine other work shares changes less than
// the wall clock.
func BenchmarkIndex(b *testing.B) {
	docs := benchDocs(b, 10_000)
	seg := testSegmenter(b)
	ctx := context.Background()
	var total, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "index")
		x, err := bleve.Open(dir, seg, bleve.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, startCPU := time.Now(), cpuTime(b)
		if err := x.Index(ctx, docs...); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		cpu += cpuTime(b) - startCPU
		b.StopTimer()
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(len(docs)*b.N)/total.Seconds(), "docs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(docs)*b.N), "cpu-µs/doc")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDeleteOwner measures DeleteOwner of an owner the index does not
// hold, over 2,000 chunks: the kb indexer calls it for every changed
// ticket before indexing its documents, and most have none (only resolved
// tickets are searchable).
func BenchmarkDeleteOwner(b *testing.B) {
	docs := benchDocs(b, 2000)
	ctx := context.Background()
	x, err := bleve.Open(filepath.Join(b.TempDir(), "index"), testSegmenter(b), bleve.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if err := x.Index(ctx, docs...); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if err := x.DeleteOwner(ctx, triage.DocTicket, fmt.Sprint("absent-", i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
