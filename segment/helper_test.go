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
