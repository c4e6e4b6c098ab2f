package bleve

import (
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"
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
