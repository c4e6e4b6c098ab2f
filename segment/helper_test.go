package segment

import (
	"sync"
	"testing"
)

// Loading gse takes over a second and 130 MiB, so each test binary loads one
// Segmenter per mode and shares it; tests that edit the dictionary use words
// no other test looks at, or a segmenter of their own.
var (
	plainOnce = sync.OnceValues(func() (*Segmenter, error) { return New(Options{}) })
	hmmOnce   = sync.OnceValues(func() (*Segmenter, error) { return New(Options{HMM: true}) })
	// The benchmarks cut the same corpus pass after pass: without the
	// clause cache, so that they time the segmenter.
	plainUncached = sync.OnceValues(func() (*Segmenter, error) { return New(Options{NoCache: true}) })
	hmmUncached   = sync.OnceValues(func() (*Segmenter, error) { return New(Options{HMM: true, NoCache: true}) })
)

func testSegmenter(tb testing.TB, hmm bool) *Segmenter {
	tb.Helper()
	load := plainOnce
	if hmm {
		load = hmmOnce
	}
	s, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// benchSegmenter is a shared Segmenter without the clause cache.
func benchSegmenter(tb testing.TB, hmm bool) *Segmenter {
	tb.Helper()
	load := plainUncached
	if hmm {
		load = hmmUncached
	}
	s, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
