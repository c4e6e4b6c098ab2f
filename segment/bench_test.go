package segment

import (
	"runtime"
	"testing"
)

// The benchmarks cut the shared corpus (see benchCorpus) one document at a
// time, as the jieba peer does, without the clause cache unless they say so;
// bench_peer.sh and `make bench-peers` run both and print the ratio.

func BenchmarkNormalize(b *testing.B) {
	docs := benchCorpus(b)
	b.SetBytes(corpusBytes(docs))
	for b.Loop() {
		for _, d := range docs {
			Normalize(d)
		}
	}
}

func BenchmarkWords(b *testing.B) {
	docs := benchCorpus(b)
	for _, mode := range []struct {
		name string
		hmm  bool
	}{{"plain", false}, {"hmm", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s := benchSegmenter(b, mode.hmm)
			b.SetBytes(corpusBytes(docs))
			for b.Loop() {
				for _, d := range docs {
					s.Words(d)
				}
			}
		})
	}
}

func BenchmarkTokens(b *testing.B) {
	docs := benchCorpus(b)
	for _, c := range []struct {
		name string
		seg  *Segmenter
	}{{"uncached", benchSegmenter(b, false)}, {"cached", testSegmenter(b, false)}} {
		// cached: the corpus (4 MiB, more clauses than the cache holds)
		// pass after pass, as a service cuts text where formulas repeat.
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(corpusBytes(docs))
			for b.Loop() {
				for _, d := range docs {
					c.seg.Tokens(d)
				}
			}
		})
	}
}

// BenchmarkNew measures loading: time per op, and the heap one Segmenter
// keeps; gse is gse's own load, which the lexicon replaced.
func BenchmarkNew(b *testing.B) {
	for _, c := range []struct {
		name string
		opts Options
	}{{"lexicon", Options{}}, {"gse", Options{gse: true}}} {
		b.Run(c.name, func(b *testing.B) {
			var before, after runtime.MemStats
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				s, err := New(c.opts)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(s)
			}
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-kept")
		})
	}
}
