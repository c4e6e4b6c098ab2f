package bleve

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	blevesearch "github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

// loadMemory builds the memory postings of an index opened from disk: its
// documents from their stored fields, the word fields' terms from bleve's
// postings (frequencies included) and their lengths from the norms of the
// length marker, the bigram fields from the stored (normalised) text, cut
// by grams. A
// failure is reported like any unreadable index.
func loadMemory(idx blevesearch.Index, grams func(text string) []string) (m *memory, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("panic: %v", r)
		}
		if err != nil {
			err = &triage.Error{Code: triage.ECONFLICT, Message: "the text index is unreadable; delete it and rebuild the index", Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
		}
	}()
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	m = newMemory()
	// Documents in the order of bleve's internal numbers, so that the
	// postings, which come in that order, stay sorted.
	refs := map[uint64]docRef{}
	all, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer all.Close()
	for {
		iid, err := all.Next()
		if err != nil {
			return nil, err
		}
		if iid == nil {
			break
		}
		id, err := r.ExternalID(iid)
		if err != nil {
			return nil, err
		}
		doc, err := r.Document(id)
		if err != nil {
			return nil, err
		}
		if doc == nil {
			continue
		}
		d := memDoc{id: id, alive: true}
		var kind string
		stored := map[string]string{}
		doc.VisitFields(func(f index.Field) {
			switch f.Name() {
			case fieldKind:
				kind = string(f.Value())
			case fieldOwnerID:
				d.owner = string(f.Value())
			case fieldChunk:
				if n, ok := f.(index.NumericField); ok {
					if v, err := n.Number(); err == nil {
						d.chunk = int(v)
					}
				}
			default:
				stored[f.Name()] = string(f.Value())
			}
		})
		if !validKind(kind) {
			return nil, fmt.Errorf("document %q has kind %q", id, kind)
		}
		ki := kindIndex(kind)
		k := m.kinds[ki]
		num := int32(len(k.docs))
		k.docs = append(k.docs, d)
		k.live++
		k.owners[d.owner] = append(k.owners[d.owner], num)
		m.ids[id] = docRef{ki, num}
		refs[binary.BigEndian.Uint64(iid)] = docRef{ki, num}
		for fi, name := range textFieldNames {
			var gs []string
			tokens := 0
			if text, ok := stored[storedField(kind, name)]; ok {
				gs = grams(text)
				tokens = len(gs) + 1
			}
			k.slots[slotOf(fi, true)].add(num, gs, tokens, 0)
		}
	}
	ctx := context.Background()
	for ki, kind := range []string{triage.DocArticle, triage.DocTicket} {
		k := m.kinds[ki]
		for fi, name := range textFieldNames {
			f := &k.slots[slotOf(fi, false)]
			f.length = make([]float64, len(k.docs))
			if err := loadField(ctx, r, textField(kind, name, false), ki, refs, f); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func loadField(ctx context.Context, r index.IndexReader, field string, kind int, refs map[uint64]docRef, f *memField) error {
	dict, err := r.FieldDict(field)
	if err != nil {
		return err
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		marker := e.Term == marker
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), field, !marker, marker, false)
		if err != nil {
			return err
		}
		p := &postings{}
		var tfd index.TermFieldDoc
		for {
			d, err := tfr.Next(tfd.Reset())
			if err != nil {
				tfr.Close()
				return err
			}
			if d == nil {
				break
			}
			ref, ok := refs[binary.BigEndian.Uint64(d.ID)]
			if !ok || ref.kind != kind {
				continue
			}
			if marker {
				if d.Norm > 0 {
					l := 1 / (d.Norm * d.Norm)
					f.length[ref.num] = l
					f.sum += l - 1
					f.with++
				}
				continue
			}
			p.docs = append(p.docs, ref.num)
			p.freqs = append(p.freqs, uint32(d.Freq))
		}
		tfr.Close()
		if !slices.IsSorted(p.docs) {
			p.sort()
		}
		if !marker && len(p.docs) > 0 {
			p.count.Store(uint64(len(p.docs)))
			f.terms[e.Term] = p
		}
	}
}

// sort puts postings in document order, should bleve ever hand them out of
// the order of its own numbers.
func (p *postings) sort() { sort.Sort(byDoc{p}) }

type byDoc struct{ p *postings }

func (b byDoc) Len() int           { return len(b.p.docs) }
func (b byDoc) Less(i, j int) bool { return b.p.docs[i] < b.p.docs[j] }
func (b byDoc) Swap(i, j int) {
	b.p.docs[i], b.p.docs[j] = b.p.docs[j], b.p.docs[i]
	b.p.freqs[i], b.p.freqs[j] = b.p.freqs[j], b.p.freqs[i]
}
