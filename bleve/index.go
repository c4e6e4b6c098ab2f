package bleve

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

var _ triage.TextIndex = (*Index)(nil)

// ErrCorrupt is wrapped by the error of Open when the directory holds
// something that is not a complete index of this package's layout: the
// caller should delete the directory and rebuild the index from the store.
// The error's code is triage.ECONFLICT.
var ErrCorrupt = errors.New("text index is corrupt, incomplete or of another layout")

// layout names the fields and analysis of the documents. An index written
// with another layout is reported as ErrCorrupt so that it is rebuilt rather
// than searched with mismatched terms; change it with any change to the
// fields or analyzers.
const layout = "triage-bleve-2"

// Keys of bleve's internal store.
const (
	layoutKey     = "triage.layout"
	generationKey = "triage.generation"
)

// generationFile, beside bleve's files, repeats the generation of the last
// batch bleve acknowledged. Scorch opens a directory whose newest segments
// are damaged by falling back to an older snapshot, or to none, with only
// a log line; the generation stored in the snapshot then lags this file,
// and Open reports the index as corrupt instead of serving stale results.
const generationFile = "triage-generation"

// Options tunes an Index. The zero value is the production setting.
type Options struct {
	// BatchSize caps the documents per bleve batch: 1024 when zero. Each
	// batch waits for bleve to persist a segment, and small segments are
	// merged again and again: a rebuild in batches of 256 spent most of
	// its time waiting for the merger.
	BatchSize int
	// Weights are the field boosts; zero means DefaultWeights().
	Weights Weights
	// LengthScale multiplies the average field length that BM25 divides
	// a document's length by: below 1 it favours short documents more
	// strongly. Zero means DefaultLengthScale.
	LengthScale float64
	// MaxQueryTerms caps the distinct terms of each analyzer a search
	// uses, in the order they come in the text, so that a whole ticket
	// pasted as a query stays fast: 512 when zero.
	MaxQueryTerms int
}

// Weights are the boosts of the searched fields: each query term is looked
// up in each field with a nonzero weight.
type Weights struct {
	Title, Body float64
	// Resolution is the reply that solved a ticket.
	Resolution float64
	// Bigrams multiplies the boosts of the character-bigram twins of the
	// fields above; the word fields have 1.
	Bigrams float64
	// Phrase is the boost of a quoted phrase's exact matches.
	Phrase float64
}

// DefaultWeights returns the boosts measured on the shared retrieval sets;
// see the package doc.
func DefaultWeights() Weights {
	return Weights{Title: 1.2, Body: 1, Resolution: 0.5, Bigrams: 1, Phrase: 2}
}

// Index is a triage.TextIndex in one bleve (scorch) index. It is safe for
// concurrent use: searches run in parallel with each other and with writes;
// writes are serialised so that DeleteOwner sees a consistent set of chunks.
type Index struct {
	idx   blevesearch.Index
	path  string // "" in memory
	words wordAnalyzer
	grams bigramAnalyzer
	opts  Options
	// bleveBigrams also gives bleve the bigram fields, which the memory
	// postings hold alone otherwise: only for testing the memory
	// postings against bleve's own scoring.
	bleveBigrams bool

	// life is held for reading by every operation and for writing by
	// Close: bleve does not expect use after Close (a search on a closed
	// scorch index dereferences a nil snapshot).
	life   sync.RWMutex
	closed bool

	mu         sync.Mutex // serialises writes
	generation uint64     // of the last batch; guarded by mu

	// mem is what Search scores: the postings of the text fields in
	// memory, loaded from bleve at Open and kept in step with it.
	mem *memory
}

// validKind reports the document kinds. Each has its own fields, so that
// term statistics and lengths of tickets and articles never mix.
func validKind(kind string) bool { return kind == triage.DocArticle || kind == triage.DocTicket }

func badKind(kind string) *triage.Error {
	return triage.Invalid("kind", "kind %q is not %q or %q", kind, triage.DocArticle, triage.DocTicket)
}

// Open opens the index in directory path, creating it (and the directory)
// when there is none. A directory that holds anything but a complete index
// of this package's layout is an error with code triage.ECONFLICT that
// wraps ErrCorrupt: delete the directory and rebuild. An index another
// process holds open is triage.EUNAVAILABLE.
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
	idx, gen, err := openExisting(path)
	if err != nil {
		return nil, err
	}
	x := newIndex(idx, path, seg, opts)
	x.generation = gen
	if x.mem, err = loadMemory(idx, gramTexts); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return x, nil
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
	b := idx.NewBatch()
	b.SetInternal([]byte(layoutKey), []byte(layout))
	b.SetInternal([]byte(generationKey), encodeGeneration(0))
	if err = idx.Batch(b); err == nil && path != "" {
		err = writeGeneration(path, 0)
	}
	if err != nil {
		_ = idx.Close()
		return nil, &triage.Error{Code: triage.EINTERNAL, Message: "creating the text index", Err: err}
	}
	return newIndex(idx, path, seg, opts), nil
}

// openExisting opens an index directory, checks its layout and that it has
// every batch it acknowledged, and returns the generation of the last.
// Bleve can panic on a damaged file, so a panic is reported as corruption.
func openExisting(path string) (idx blevesearch.Index, gen uint64, err error) {
	corrupt := func(cause error) error {
		return &triage.Error{
			Code:    triage.ECONFLICT,
			Message: fmt.Sprintf("the text index in %s is unreadable; delete it and rebuild the index", path),
			Err:     fmt.Errorf("%w: %w", ErrCorrupt, cause),
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if idx != nil {
				_ = idx.Close()
			}
			idx, err = nil, corrupt(fmt.Errorf("panic: %v", r))
		}
	}()
	// Without a timeout bolt waits for ever on a lock another process holds.
	idx, err = blevesearch.OpenUsing(path, map[string]any{"bolt_timeout": "2s"})
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, 0, &triage.Error{Code: triage.EINTERNAL, Message: "opening the text index", Err: err}
		}
		// bbolt's ErrTimeout; bbolt is not ours to import.
		if err.Error() == "timeout" {
			return nil, 0, &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf("the text index in %s is open in another process", path), Err: err}
		}
		return nil, 0, corrupt(err)
	}
	gen, err = checkOpened(idx, path)
	if err != nil {
		_ = idx.Close()
		return nil, 0, corrupt(err)
	}
	return idx, gen, nil
}

func checkOpened(idx blevesearch.Index, path string) (uint64, error) {
	got, err := idx.GetInternal([]byte(layoutKey))
	if err != nil {
		return 0, err
	}
	if string(got) != layout {
		return 0, fmt.Errorf("layout %q, want %q", got, layout)
	}
	raw, err := idx.GetInternal([]byte(generationKey))
	if err != nil {
		return 0, err
	}
	if len(raw) != 8 {
		return 0, fmt.Errorf("generation of %d bytes", len(raw))
	}
	gen := binary.BigEndian.Uint64(raw)
	text, err := os.ReadFile(filepath.Join(path, generationFile))
	if err != nil {
		return 0, err
	}
	acked, err := strconv.ParseUint(strings.TrimSpace(string(text)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", generationFile, err)
	}
	if gen < acked {
		return 0, fmt.Errorf("the index has batch %d, but batch %d was acknowledged", gen, acked)
	}
	return gen, nil
}

func encodeGeneration(gen uint64) []byte { return binary.BigEndian.AppendUint64(nil, gen) }

// writeGeneration records an acknowledged batch. It replaces the file
// atomically; it does not sync it, so after a crash the file can only be
// older than the index, which the check in Open accepts.
func writeGeneration(dir string, gen uint64) error {
	tmp := filepath.Join(dir, generationFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.FormatUint(gen, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, generationFile))
}

func newIndex(idx blevesearch.Index, path string, seg triage.Segmenter, opts Options) *Index {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	if opts.Weights == (Weights{}) {
		opts.Weights = DefaultWeights()
	}
	if opts.LengthScale <= 0 {
		opts.LengthScale = DefaultLengthScale
	}
	if opts.MaxQueryTerms <= 0 {
		opts.MaxQueryTerms = 512
	}
	x := &Index{idx: idx, path: path, words: wordAnalyzer{seg}, grams: bigramAnalyzer{seg}, opts: opts, mem: newMemory()}
	return x
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

// Close releases the index; using it afterwards is an error with code
// triage.EUNAVAILABLE. Closing twice is not an error.
func (x *Index) Close() error {
	x.life.Lock()
	defer x.life.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if err := x.idx.Close(); err != nil {
		return wrap(err, "closing the text index")
	}
	return nil
}

// acquire holds the index open for one operation; the caller calls the
// function it returns when done.
func (x *Index) acquire() (func(), error) {
	x.life.RLock()
	if x.closed {
		x.life.RUnlock()
		return nil, errClosed()
	}
	return x.life.RUnlock, nil
}

func errClosed() error {
	return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the text index is closed"}
}

// wrap gives a bleve error a code: a closed index is unavailable, a
// cancelled context stays what it is, anything else is internal.
func wrap(err error, msg string) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, blevesearch.ErrorIndexClosed):
		return errClosed()
	}
	return &triage.Error{Code: triage.EINTERNAL, Message: msg, Err: err}
}
