package eval_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/segment"
)

// The retrieval benchmarks index a shared retrieval set (../shared/data
// beside the repository root; skipped without it) the way `triage eval
// retrieve` does and search its dev queries one at a time, per mode:
//
//	go test ./eval -run '^$' -bench Retrieve -cpuprofile cpu.out
//	TRIAGE_BENCH_SETS=bq_similar   one set only
//
// queries/s here is one goroutine's; `make bench-peers` runs the whole
// harness (all cores) beside the Python peer.

var benchSets = []string{"taidi2020_replies", "baoxianzhidao_kb", "bq_similar", "afqmc_similar"}

var benchSegmenter = sync.OnceValues(func() (*segment.Segmenter, error) { return segment.New(segment.Options{}) })

func benchShared(b *testing.B) string {
	dir := os.Getenv("TRIAGE_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(data); err != nil {
		b.Skipf("SKIP: no shared evaluation data at %s", data)
	}
	return data
}

// benchSearcher indexes one set's articles as cmd/triage's eval does.
// The index is closed when owner ends.
func benchSearcher(b, owner *testing.B, seg triage.Segmenter, articles []eval.Article) *kb.Searcher {
	b.Helper()
	ctx := context.Background()
	var corpus []string
	for _, a := range articles {
		for _, d := range kb.Chunks(&triage.Article{ID: a.ID, Title: a.Title, Body: a.Body}) {
			corpus = append(corpus, kb.DocText(d))
		}
	}
	emb, err := embed.Train(ctx, corpus, embed.LocalOptions{Segmenter: seg})
	if err != nil {
		b.Fatal(err)
	}
	text, err := bleve.OpenMem(seg, bleve.Options{})
	if err != nil {
		b.Fatal(err)
	}
	owner.Cleanup(func() { text.Close() })
	s := &kb.Searcher{Text: eval.CanonicalText{TextIndex: text}, Vectors: embed.VectorIndex{Index: embed.NewIndex(emb.Dim())}, Embedder: emb, VectorWeight: kb.DefaultVectorWeight}
	if err := eval.IndexArticles(ctx, s, articles, nil); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkRetrieve searches each set's dev queries (a fixed sample of
// 500) in each mode and reports queries per second of one goroutine.
func BenchmarkRetrieve(b *testing.B) {
	data := benchShared(b)
	seg, err := benchSegmenter()
	if err != nil {
		b.Fatal(err)
	}
	sets := benchSets
	if only := os.Getenv("TRIAGE_BENCH_SETS"); only != "" {
		sets = filepath.SplitList(only)
	}
	ctx := context.Background()
	parent := b
	for _, set := range sets {
		articles, err := eval.ReadArticles(filepath.Join(data, set, "articles.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		queries, err := eval.ReadQueries(filepath.Join(data, set, "queries.dev.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		queries = eval.SampleQueries(queries, 500, 20261123)
		var s *kb.Searcher
		for _, mode := range []string{kb.ModeLexical, kb.ModeVector, kb.ModeHybrid} {
			b.Run(set+"/"+mode, func(b *testing.B) {
				if s == nil {
					s = benchSearcher(b, parent, seg, articles)
				}
				i := 0
				for b.Loop() {
					q := queries[i%len(queries)]
					if _, err := s.Search(ctx, kb.Query{Text: q.Text, Kind: triage.DocArticle, Mode: mode, K: 50}); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
			})
		}
	}
}
