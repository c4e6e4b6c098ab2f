package bleve_test

import (
	"sync"
	"testing"

	"github.com/triagehq/triage/segment"
)

// The segmenter takes seconds and over 100 MiB to load, so the test binary
// loads one and every test shares it.
var loadSegmenter = sync.OnceValues(func() (*segment.Segmenter, error) { return segment.New(segment.Options{}) })

func testSegmenter(tb testing.TB) *segment.Segmenter {
	tb.Helper()
	seg, err := loadSegmenter()
	if err != nil {
		tb.Fatal(err)
	}
	return seg
}
