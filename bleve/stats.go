package bleve

import (
	"math"

	"github.com/blevesearch/bleve/v2/search"
)

// DefaultLengthScale is Options.LengthScale when zero: measured on the
// shared retrieval sets (see the package doc).
const DefaultLengthScale = 0.25

// bm25Stats returns the statistics bleve scores one kind with, from the
// memory postings: the kind's document count, so that a kind's scores do
// not depend on how many documents of the other kind the index holds, and
// for each field a "cardinality" from which bleve derives the average
// field length as ceil(cardinality / count). Left to itself bleve takes the
// size of the field's dictionary summed over segments, which has little to
// do with lengths and changes as segments merge; here it is the true
// average length (the length marker left out) times lengthScale. The
// memory postings score with the same figures (see memory.run).
func (m *memory) bm25Stats(kind string, lengthScale float64) *search.BM25Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	k := m.kinds[kindIndex(kind)]
	n := k.live
	stats := &search.BM25Stats{DocCount: float64(n), FieldCardinality: map[string]int{fieldOwner: n, fieldKind: n}}
	for fi, name := range textFieldNames {
		for _, bigram := range []bool{false, true} {
			f := &k.slots[slotOf(fi, bigram)]
			card := 0
			if f.with > 0 {
				card = int(math.Ceil(lengthScale * (f.sum / float64(f.with)) * float64(n)))
			}
			stats.FieldCardinality[textField(kind, name, bigram)] = card
		}
	}
	return stats
}
