package bleve

import (
	"context"
	"fmt"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

// Fields that are not analysed text.
const (
	fieldKind     = "kind"
	fieldOwnerID  = "owner_id"
	fieldOwner    = "owner" // kind + "\x00" + owner_id, for DeleteOwner and Exclude
	fieldChunk    = "chunk"
	fieldCategory = "category"
)

// textField names the field of a kind's text (title, body or resolution)
// cut into words or into bigrams.
func textField(kind, name string, bigram bool) string {
	if bigram {
		return kind + "." + name + ".bigram"
	}
	return kind + "." + name
}

func ownerKey(kind, ownerID string) string { return kind + "\x00" + ownerID }

// Index adds or replaces documents, by ID, in batches of Options.BatchSize.
// Every document is checked before any is written.
func (x *Index) Index(ctx context.Context, docs ...triage.SearchDoc) error {
	for i, d := range docs {
		if err := check(d); err != nil {
			err.Field = fmt.Sprintf("docs[%d].%s", i, err.Field)
			return err
		}
	}
	release, err := x.acquire()
	if err != nil {
		return err
	}
	defer release()
	x.mu.Lock()
	defer x.mu.Unlock()
	for start := 0; start < len(docs); start += x.opts.BatchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := x.idx.NewBatch()
		for _, d := range docs[start:min(start+x.opts.BatchSize, len(docs))] {
			if err := b.IndexAdvanced(x.document(d)); err != nil {
				return wrap(err, "indexing documents")
			}
		}
		if err := x.batch(b, "indexing documents"); err != nil {
			return err
		}
	}
	return nil
}

// batch executes b with the next generation; the caller holds mu.
func (x *Index) batch(b *blevesearch.Batch, what string) error {
	n := uint64(b.Size())
	b.SetInternal([]byte(generationKey), encodeGeneration(x.generation+1))
	if err := x.idx.Batch(b); err != nil {
		return wrap(err, what)
	}
	x.generation++
	x.written.Add(n)
	if x.path != "" {
		// A stale file only weakens the check in Open; the batch is in.
		_ = writeGeneration(x.path, x.generation)
	}
	return nil
}

func check(d triage.SearchDoc) *triage.Error {
	switch {
	case strings.TrimSpace(d.ID) == "":
		return triage.Invalid("id", "a search document needs an id")
	case !validKind(d.Kind):
		return badKind(d.Kind)
	case d.OwnerID == "":
		return triage.Invalid("owner_id", "a search document needs an owner")
	case d.Chunk < 0:
		return triage.Invalid("chunk", "chunk %d is negative", d.Chunk)
	}
	return nil
}

// document builds the bleve document of d. Its text fields carry this
// index's analyzers, so bleve analyses them without looking anything up by
// name. Titles, bodies and resolutions are indexed, not stored: the store
// has them.
func (x *Index) document(d triage.SearchDoc) *document.Document {
	doc := document.NewDocument(d.ID)
	keyword := func(name, value string, opts index.FieldIndexingOptions) {
		doc.AddField(document.NewTextFieldCustom(name, nil, []byte(value), opts, nil))
	}
	keyword(fieldKind, d.Kind, index.IndexField|index.StoreField)
	keyword(fieldOwnerID, d.OwnerID, index.StoreField)
	keyword(fieldOwner, ownerKey(d.Kind, d.OwnerID), index.IndexField)
	if d.Category != "" {
		keyword(fieldCategory, d.Category, index.IndexField|index.StoreField)
	}
	doc.AddField(document.NewNumericFieldWithIndexingOptions(fieldChunk, nil, float64(d.Chunk), index.StoreField))
	text := index.IndexField | index.IncludeTermVectors
	for _, f := range []struct{ name, value string }{{"title", d.Title}, {"body", d.Body}, {"resolution", d.Resolution}} {
		if strings.TrimSpace(f.value) == "" {
			continue
		}
		doc.AddField(document.NewTextFieldCustom(textField(d.Kind, f.name, false), nil, []byte(f.value), text, x.docWords))
		doc.AddField(document.NewTextFieldCustom(textField(d.Kind, f.name, true), nil, []byte(f.value), text, x.docGrams))
	}
	return doc
}

// DeleteOwner removes every document of an owner of a kind.
func (x *Index) DeleteOwner(ctx context.Context, kind, ownerID string) error {
	if !validKind(kind) {
		return badKind(kind)
	}
	release, err := x.acquire()
	if err != nil {
		return err
	}
	defer release()
	x.mu.Lock()
	defer x.mu.Unlock()
	q := query.NewTermQuery(ownerKey(kind, ownerID))
	q.SetField(fieldOwner)
	for {
		req := blevesearch.NewSearchRequestOptions(q, 1000, 0, false)
		req.Score = blevesearch.ScoreNone
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return wrap(err, "deleting documents")
		}
		if len(res.Hits) == 0 {
			return nil
		}
		b := x.idx.NewBatch()
		for _, h := range res.Hits {
			b.Delete(h.ID)
		}
		if err := x.batch(b, "deleting documents"); err != nil {
			return err
		}
	}
}

// Count returns how many documents (chunks) of a kind the index holds.
func (x *Index) Count(ctx context.Context, kind string) (int, error) {
	if !validKind(kind) {
		return 0, badKind(kind)
	}
	release, err := x.acquire()
	if err != nil {
		return 0, err
	}
	defer release()
	q := query.NewTermQuery(kind)
	q.SetField(fieldKind)
	req := blevesearch.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = blevesearch.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, wrap(err, "counting documents")
	}
	return int(res.Total), nil
}
