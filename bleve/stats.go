package bleve

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// DefaultLengthScale is Options.LengthScale when zero: measured on the
// shared retrieval sets (see the package doc).
const DefaultLengthScale = 0.25

// kindStats are the average field lengths of one kind when last computed.
type kindStats struct {
	docs    uint64             // documents of the kind
	written uint64             // Index.written
	avgLen  map[string]float64 // by field, over the documents that have it
}

// bm25Stats returns the statistics bleve scores one kind with: the kind's
// document count, so that a kind's scores do not depend on how many
// documents of the other kind the index holds, and for each field a
// "cardinality" from which bleve derives the average field length as
// ceil(cardinality / count). Left to itself bleve takes the size of the
// field's dictionary summed over segments, which has little to do with
// lengths and changes as segments merge; here it is the true average
// length times Options.LengthScale.
//
// The lengths come from the postings of the length marker and are cached
// until about 1% of the documents have changed.
func (x *Index) bm25Stats(ctx context.Context, kind string) (*search.BM25Stats, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, wrap(err, "reading index statistics")
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, wrap(err, "reading index statistics")
	}
	defer r.Close()
	n, err := termCount(ctx, r, fieldKind, kind)
	if err != nil {
		return nil, err
	}
	x.statsMu.Lock()
	defer x.statsMu.Unlock()
	written := x.written.Load()
	c := x.stats[kind]
	if c == nil || diff(c.docs, n) > n/100 || written-c.written > c.docs/100 {
		c = &kindStats{docs: n, written: written, avgLen: map[string]float64{}}
		for _, f := range x.fieldNames(kind) {
			for _, bigram := range []bool{false, true} {
				name := textField(kind, f.name, bigram)
				if c.avgLen[name], err = avgLength(ctx, r, name); err != nil {
					return nil, err
				}
			}
		}
		x.stats[kind] = c
	}
	stats := &search.BM25Stats{DocCount: float64(n), FieldCardinality: map[string]int{fieldOwner: int(n), fieldKind: int(n)}}
	for name, avg := range c.avgLen {
		stats.FieldCardinality[name] = int(math.Ceil(x.opts.LengthScale * avg * float64(n)))
	}
	return stats, nil
}

func diff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// termCount returns the number of documents with term in field.
func termCount(ctx context.Context, r index.IndexReader, field, term string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, wrap(err, "reading index statistics")
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// avgLength returns the mean length of field over the documents that have
// it, from the norms (1/sqrt(length)) of the length marker's postings.
func avgLength(ctx context.Context, r index.IndexReader, field string) (float64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(marker), field, true, true, false)
	if err != nil {
		return 0, wrap(err, "reading index statistics")
	}
	defer tfr.Close()
	var sum, docs float64
	var tfd index.TermFieldDoc
	for {
		d, err := tfr.Next(tfd.Reset())
		if err != nil {
			return 0, wrap(err, "reading index statistics")
		}
		if d == nil {
			break
		}
		if d.Norm > 0 {
			sum += 1/(d.Norm*d.Norm) - 1 // without the marker
			docs++
		}
	}
	if docs == 0 {
		return 0, nil
	}
	return sum / docs, nil
}
