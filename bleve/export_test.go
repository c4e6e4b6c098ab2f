package bleve

import (
	"context"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"

	triage "github.com/triagehq/triage"
)

// SetLayoutForTest rewrites the layout an index directory claims, as an
// older or newer version of this package would have written it.
func SetLayoutForTest(t *testing.T, dir, layout string) {
	t.Helper()
	idx, err := blevesearch.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.SetInternal([]byte(layoutKey), []byte(layout)); err != nil {
		t.Fatal(err)
	}
}

// SearchBleveForTest searches with bleve's own searchers instead of the
// memory postings, from the same statistics.
func (x *Index) SearchBleveForTest(ctx context.Context, q triage.TextQuery) ([]triage.TextHit, error) {
	return x.searchBleve(ctx, q)
}

// IndexBigramsInBleveForTest makes x give bleve the bigram fields too, so
// that SearchBleveForTest scores them.
func IndexBigramsInBleveForTest(x *Index) { x.bleveBigrams = true }

// SplitSearchForTest makes x split every search's postings over the cores
// from work postings on (see addSplit); 0 never splits.
func SplitSearchForTest(x *Index, work int64) { x.mem.splitWork.Store(work) }
