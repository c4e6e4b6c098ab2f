package classify_test

import (
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/segment"
)

// realSegmenter loads package segment as the service does (gse with the
// domain words and stop words), about 1.5 s.
func realSegmenter(t testing.TB) triage.Segmenter {
	t.Helper()
	s, err := segment.New(segment.Options{})
	if err != nil {
		t.Fatalf("loading the segmenter: %v", err)
	}
	return s
}
