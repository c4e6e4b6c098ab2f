package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

var _ triage.TextIndex = (*Index)(nil)

// ErrCorrupt is wrapped by the error of Open when the directory holds
// something that is not a readable index of this package's layout: the
// caller should delete the directory and rebuild the index from the store.
// The error's code is triage.ECONFLICT.
var ErrCorrupt = errors.New("text index is corrupt or of another layout")

// layout names the fields and analysis of the documents. An index written
// with another layout is reported as ErrCorrupt so that it is rebuilt rather
// than searched with mismatched terms; change it with any change to the
// fields or analyzers.
const layout = "triage-bleve-1"

const layoutKey = "triage.layout"

// Options tunes an Index. The zero value is the production setting.
type Options struct {
	// BatchSize caps the documents per bleve batch: 256 when zero.
	BatchSize int
	// Weights are the field boosts; zero means DefaultWeights().
	Weights Weights
	// MaxQueryTerms caps the distinct terms of each analyzer a search
	// uses, in the order they come in the text, so that a whole ticket
	// pasted as a query stays fast: 512 when zero.
	MaxQueryTerms int
}

// Weights are the boosts of the searched fields: each query term is looked
// up in each field with a nonzero weight. Zero means "not searched".
type Weights struct {
	Title, Body float64
	// Resolution is the reply that solved a ticket.
	Resolution float64
	// Bigrams multiplies the boosts of the character-bigram twins of the
	// fields above; the word fields have 1.
	Bigrams float64
}

// DefaultWeights returns the boosts measured best on the shared retrieval
// sets; see the package doc.
func DefaultWeights() Weights {
	return Weights{Title: 1.2, Body: 1, Resolution: 0.5, Bigrams: 1}
}

// Index is a triage.TextIndex in one bleve (scorch) index. It is safe for
// concurrent use: searches run in parallel with each other and with writes;
// writes are serialised so that DeleteOwner sees a consistent set of chunks.
type Index struct {
	idx   blevesearch.Index
	words wordAnalyzer
	grams bigramAnalyzer
	opts  Options

	mu sync.Mutex // serialises writes
}

// validKind reports the document kinds. Each has its own fields, so that
// term statistics and lengths of tickets and articles never mix.
func validKind(kind string) bool { return kind == triage.DocArticle || kind == triage.DocTicket }

func badKind(kind string) *triage.Error {
	return triage.Invalid("kind", "kind %q is not %q or %q", kind, triage.DocArticle, triage.DocTicket)
}

// Fields that are not analysed text.
const (
	fieldKind     = "kind"
	fieldOwnerID  = "owner_id"
	fieldOwner    = "owner" // kind + "\x00" + owner_id, for DeleteOwner and Exclude
	fieldChunk    = "chunk"
	fieldCategory = "category"
)

// textField names the field of a kind's text: title, body or resolution,
// cut into words or bigrams.
func textField(kind, name string, bigram bool) string {
	if bigram {
		return kind + "." + name + ".bigram"
	}
	return kind + "." + name
}

func ownerKey(kind, ownerID string) string { return kind + "\x00" + ownerID }

// Open opens the index in directory path, creating it (and the directory)
// when there is none. A directory that holds anything but an index of this
// package's layout is an error with code triage.ECONFLICT that wraps
// ErrCorrupt: delete the directory and rebuild. An index another process
// holds open is triage.EUNAVAILABLE.
func Open(path string, seg triage.Segmenter, opts Options) (*Index, error) {
	if seg == nil {
		return nil, triage.Errorf(triage.EINVALID, "bleve: a segmenter is required")
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return create(path, seg, opts)
	case err != nil:
		return nil, &triage.Error{Code: triage.EINTERNAL, Message: "opening the text index", Err: err}
	case !st.IsDir():
		return nil, triage.Invalid("path", "text index path %s is not a directory", path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, &triage.Error{Code: triage.EINTERNAL, Message: "opening the text index", Err: err}
	}
	if len(entries) == 0 {
		return create(path, seg, opts)
	}
	idx, err := openExisting(path)
	if err != nil {
		return nil, err
	}
	return newIndex(idx, seg, opts), nil
}

// OpenMem returns an index held in memory only, for tests and tools.
func OpenMem(seg triage.Segmenter, opts Options) (*Index, error) {
	if seg == nil {
		return nil, triage.Errorf(triage.EINVALID, "bleve: a segmenter is required")
	}
	return create("", seg, opts)
}

func create(path string, seg triage.Segmenter, opts Options) (*Index, error) {
	idx, err := blevesearch.NewUsing(path, indexMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, &triage.Error{Code: triage.EINTERNAL, Message: "creating the text index", Err: err}
	}
	if err := idx.SetInternal([]byte(layoutKey), []byte(layout)); err != nil {
		_ = idx.Close()
		return nil, &triage.Error{Code: triage.EINTERNAL, Message: "creating the text index", Err: err}
	}
	return newIndex(idx, seg, opts), nil
}

// openExisting opens an index directory and checks its layout. Bleve can
// panic on a damaged segment file, so a panic is reported as corruption.
func openExisting(path string) (idx blevesearch.Index, err error) {
	corrupt := func(cause error) error {
		return &triage.Error{
			Code:    triage.ECONFLICT,
			Message: fmt.Sprintf("the text index in %s is unreadable; delete it and rebuild the index", path),
			Err:     fmt.Errorf("%w: %w", ErrCorrupt, cause),
		}
	}
	defer func() {
		if r := recover(); r != nil {
			idx, err = nil, corrupt(fmt.Errorf("panic: %v", r))
		}
	}()
	// Without a timeout bolt waits for ever on a lock another process holds.
	idx, err = blevesearch.OpenUsing(path, map[string]any{"bolt_timeout": "2s"})
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, &triage.Error{Code: triage.EINTERNAL, Message: "opening the text index", Err: err}
		}
		// bbolt's ErrTimeout; bbolt is not ours to import.
		if err.Error() == "timeout" {
			return nil, &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf("the text index in %s is open in another process", path), Err: err}
		}
		return nil, corrupt(err)
	}
	got, err := idx.GetInternal([]byte(layoutKey))
	if err == nil && string(got) != layout {
		err = fmt.Errorf("layout %q, want %q", got, layout)
	}
	if err != nil {
		_ = idx.Close()
		return nil, corrupt(err)
	}
	return idx, nil
}

func newIndex(idx blevesearch.Index, seg triage.Segmenter, opts Options) *Index {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.Weights == (Weights{}) {
		opts.Weights = DefaultWeights()
	}
	if opts.MaxQueryTerms <= 0 {
		opts.MaxQueryTerms = 512
	}
	return &Index{idx: idx, words: wordAnalyzer{seg}, grams: bigramAnalyzer{seg}, opts: opts}
}

// indexMapping is the persisted mapping. Documents are built and analysed
// by this package (see document), so the mapping only chooses the scoring
// model and names no custom analyzer: bleve's analyzer registry is global,
// and an index reopened from disk must not depend on something registered
// at run time.
func indexMapping() *mapping.IndexMappingImpl {
	m := blevesearch.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	m.DefaultMapping.Dynamic = false
	m.DefaultMapping.Enabled = false
	return m
}

// Close releases the index; using it afterwards is an error.
func (x *Index) Close() error {
	if err := x.idx.Close(); err != nil {
		return wrap(err, "closing the text index")
	}
	return nil
}

// Index adds or replaces documents, by ID, in batches of Options.BatchSize.
// Every document is checked before any is written.
func (x *Index) Index(ctx context.Context, docs ...triage.SearchDoc) error {
	for i, d := range docs {
		if err := check(d); err != nil {
			err.Field = fmt.Sprintf("docs[%d].%s", i, err.Field)
			return err
		}
	}
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
		if err := x.idx.Batch(b); err != nil {
			return wrap(err, "indexing documents")
		}
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

// document builds the bleve document of d. Text fields carry this index's
// analyzers, so bleve analyses them without looking anything up by name.
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
		doc.AddField(document.NewTextFieldCustom(textField(d.Kind, f.name, false), nil, []byte(f.value), text, x.words))
		doc.AddField(document.NewTextFieldCustom(textField(d.Kind, f.name, true), nil, []byte(f.value), text, x.grams))
	}
	return doc
}

// DeleteOwner removes every document of an owner of a kind.
func (x *Index) DeleteOwner(ctx context.Context, kind, ownerID string) error {
	if !validKind(kind) {
		return badKind(kind)
	}
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
		if err := x.idx.Batch(b); err != nil {
			return wrap(err, "deleting documents")
		}
	}
}

// Count returns how many documents (chunks) of a kind the index holds.
func (x *Index) Count(ctx context.Context, kind string) (int, error) {
	if !validKind(kind) {
		return 0, badKind(kind)
	}
	n, err := x.count(ctx, kind)
	return int(n), err
}

func (x *Index) count(ctx context.Context, kind string) (uint64, error) {
	q := query.NewTermQuery(kind)
	q.SetField(fieldKind)
	req := blevesearch.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = blevesearch.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, wrap(err, "counting documents")
	}
	return res.Total, nil
}

// wrap gives a bleve error a code: a closed index is unavailable, a
// cancelled context stays what it is, anything else is internal.
func wrap(err error, msg string) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, blevesearch.ErrorIndexClosed):
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the text index is closed", Err: err}
	}
	return &triage.Error{Code: triage.EINTERNAL, Message: msg, Err: err}
}
