package bleve

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
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

// storedField names the field that stores a kind's text (title, body or
// resolution) as it was given.
func storedField(kind, name string) string { return kind + "." + name + ".text" }

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
	// A pipeline: while bleve builds a batch's segment and waits for it to
	// be persisted, the next batch is analysed and the previous one goes
	// into the memory postings, which take a batch only once bleve has it.
	var parts [][]triage.SearchDoc
	for start := 0; start < len(docs); start += x.opts.BatchSize {
		parts = append(parts, docs[start:min(start+x.opts.BatchSize, len(docs))])
	}
	if len(parts) == 0 {
		return nil
	}
	// On any return, wait for the analysis under way and the memory
	// postings' last batch: nothing Index started outlives it.
	analysing := x.analyseAsync(parts[0])
	added := make(chan struct{})
	close(added)
	defer func() {
		if analysing != nil {
			<-analysing
		}
		<-added
	}()
	for i := range parts {
		part := <-analysing
		analysing = nil
		if err := ctx.Err(); err != nil {
			return err
		}
		if i+1 < len(parts) {
			analysing = x.analyseAsync(parts[i+1])
		}
		b := x.idx.NewBatch()
		for _, a := range part {
			err := b.IndexAdvanced(a.bleve)
			// The batch holds the document until bleve has it; the memory
			// postings do not need it.
			a.bleve = nil
			if err != nil {
				return wrap(err, "indexing documents")
			}
		}
		if err := x.batch(b, "indexing documents"); err != nil {
			return err
		}
		<-added
		done := make(chan struct{})
		added = done
		go func() {
			defer close(done)
			x.mem.mu.Lock()
			defer x.mem.mu.Unlock()
			x.mem.addAll(part)
			x.mem.maybeCompact()
		}()
	}
	return nil
}

// analyseAsync analyses docs on other goroutines; the channel gives the
// result once.
func (x *Index) analyseAsync(docs []triage.SearchDoc) <-chan []*analysed {
	c := make(chan []*analysed, 1)
	go func() { c <- x.analyseAll(docs) }()
	return c
}

// analyseAll cuts the text fields of docs on every core and builds their
// bleve documents. Each document is analysed once, for bleve and for the
// memory postings alike.
func (x *Index) analyseAll(docs []triage.SearchDoc) []*analysed {
	out := make([]*analysed, len(docs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(docs) {
					return
				}
				out[i] = x.analyse(docs[i])
				out[i].bleve = x.document(out[i])
			}
		})
	}
	wg.Wait()
	return out
}

func (x *Index) analyse(d triage.SearchDoc) *analysed {
	a := &analysed{doc: d}
	for fi, value := range [...]string{d.Title, d.Body, d.Resolution} {
		if strings.TrimSpace(value) == "" {
			continue
		}
		norm, terms := x.words.cut(value)
		freqs, counted, size := countTerms(terms)
		a.counted[slotOf(fi, false)], a.tokens[slotOf(fi, false)] = counted, len(terms)+1
		a.words[fi] = &wordField{name: textField(d.Kind, textFieldNames[fi], false), length: len(terms) + 1, plain: uint64(len(value)), freqs: freqs, size: size}
		a.norm[fi] = norm
		grams := gramTexts(norm)
		a.slots[slotOf(fi, true)], a.tokens[slotOf(fi, true)] = grams, len(grams)+1
	}
	return a
}

// analysedField is an analyzer that returns tokens cut beforehand: bleve
// calls it on the field's text, which analyse has already cut.
type analysedField struct{ ts analysis.TokenStream }

func (a analysedField) Analyze([]byte) analysis.TokenStream { return a.ts }

// batch executes b with the next generation; the caller holds mu.
func (x *Index) batch(b *blevesearch.Batch, what string) error {
	b.SetInternal([]byte(generationKey), encodeGeneration(x.generation+1))
	if err := x.idx.Batch(b); err != nil {
		return wrap(err, what)
	}
	x.generation++
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

// document builds the bleve document of an analysed document. Its word
// fields carry their terms counted (wordField), so bleve looks no analyzer
// up by name and cuts and counts nothing again; their positions serve
// quoted phrases. The texts are stored (normalised), not indexed as
// bigrams: the memory postings hold the bigrams, and rebuild them from the
// stored text when the index is opened (bigram fields cost bleve three
// times what the word fields do to index).
func (x *Index) document(a *analysed) *document.Document {
	d := a.doc
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
	for fi, value := range [...]string{d.Title, d.Body, d.Resolution} {
		f := a.words[fi]
		if f == nil {
			continue
		}
		name := textFieldNames[fi]
		doc.AddField(f)
		keyword(storedField(d.Kind, name), a.norm[fi], index.StoreField)
		if x.bleveBigrams {
			doc.AddField(document.NewTextFieldCustom(textField(d.Kind, name, true), nil, []byte(value), wordFieldOptions, analysedField{x.grams.tokens([]byte(value), true)}))
		}
	}
	return doc
}

// deletePage is how many documents DeleteOwner looks up at a time. Bleve's
// collector allocates room for a whole page before it finds anything, and
// most owners have a few chunks or none (the kb indexer deletes every
// changed ticket's before indexing it, searchable or not): a page of 1000
// allocated 275 kB a call.
const deletePage = 64

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
		req := blevesearch.NewSearchRequestOptions(q, deletePage, 0, false)
		req.Score = blevesearch.ScoreNone
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return wrap(err, "deleting documents")
		}
		if len(res.Hits) == 0 {
			// Whatever bleve did not have is not there either.
			x.mem.mu.Lock()
			x.mem.removeOwner(kind, ownerID)
			x.mem.maybeCompact()
			x.mem.mu.Unlock()
			return nil
		}
		b := x.idx.NewBatch()
		for _, h := range res.Hits {
			b.Delete(h.ID)
		}
		if err := x.batch(b, "deleting documents"); err != nil {
			return err
		}
		x.mem.mu.Lock()
		for _, h := range res.Hits {
			if ref, ok := x.mem.ids[h.ID]; ok {
				x.mem.remove(ref)
			}
		}
		x.mem.mu.Unlock()
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
	return x.mem.count(kind), nil
}
