package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"
)

// DefaultEmbedBudget is how long a search waits for the embedder when
// Config.EmbedBudget is zero: long enough for a local model or a healthy
// remote one, short enough that a person does not notice a failing one.
const DefaultEmbedBudget = 300 * time.Millisecond

// IndexDir is where the text index lives, with its change-log cursor.
func (a *App) IndexDir() string { return filepath.Join(a.Config.DataDir, "index") }

// openSearch opens the text index (rebuilding a damaged one), picks the
// embedder and builds the indexer, the search, the knowledge base and the
// suggestions.
func (a *App) openSearch(ctx context.Context) error {
	dir := a.IndexDir()
	_, statErr := os.Stat(dir)
	a.rebuild = errors.Is(statErr, os.ErrNotExist)
	var err error
	if a.Config.MemIndex {
		a.Text, err = bleve.OpenMem(a.Segmenter, bleve.Options{})
		a.rebuild = false
	} else {
		a.Text, err = bleve.Open(dir, a.Segmenter, bleve.Options{})
	}
	if triage.IsCode(err, triage.EUNAVAILABLE) {
		return fmt.Errorf("the text index %s is in use by another triage process; stop it first: %w", dir, err)
	}
	if triage.IsCode(err, triage.ECONFLICT) {
		a.Log.Warn("the text index is damaged or of an older layout; rebuilding it from the store", "dir", dir, "err", err)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		a.Text, err = bleve.Open(dir, a.Segmenter, bleve.Options{})
		a.rebuild = true
	}
	if err != nil {
		return err
	}
	if err := a.openEmbedding(ctx); err != nil {
		return err
	}
	if a.Vectors, err = a.vectorIndex(ctx, a.Embedding.Dim()); err != nil {
		return err
	}
	var cursor kb.Cursor
	if !a.Config.MemIndex {
		cursor = &fileCursor{path: filepath.Join(dir, "applied.seq")}
	}
	a.Indexer = &kb.Indexer{Store: a.Store, Text: a.Text, Vectors: a.Vectors, Embedder: a.Embedding.Current, Cursor: cursor, Log: a.Log, OnChange: a.onChange, Skip: a.skipped.skip}
	a.Embedding.Indexer = a.Indexer
	// Only a remote embedder gets a budget: the local one runs in the
	// process and takes milliseconds, and a budget there would only turn
	// a busy moment into a search without meaning.
	var budget time.Duration
	if a.Config.EmbedModel != "" {
		budget = a.Config.EmbedBudget
		if budget <= 0 {
			budget = DefaultEmbedBudget
		}
	}
	text, vectors := a.searchIndexes()
	a.Searcher = &kb.Searcher{Text: text, Vectors: vectors, Embedder: a.Embedding, VectorWeight: a.Config.VectorWeight, PairedVectorWeight: a.pairedVectorWeight(), Budget: budget}
	a.KB = &kb.Service{Store: a.Store, RequireReview: !a.Config.KBReviewOff}
	writer := &suggest.Writer{}
	if a.Config.LLMModel != "" {
		chat, err := embed.NewChat(embed.ChatConfig{BaseURL: a.Config.LLMBaseURL, APIKey: a.Config.LLMAPIKey, Model: a.Config.LLMModel,
			Resilience: embed.Resilience{Transport: a.outbound(triage.OutboundChat)(nil)}})
		if err != nil {
			return fmt.Errorf("LLM: %w", err)
		}
		writer.LLM = chat
	}
	a.Suggest = &suggest.Service{Store: a.Store, Search: a.Searcher, Writer: writer, MinRelevance: suggest.DefaultMinRelevance}
	neighbours := &kb.Neighbours{Search: a.Searcher, Store: a.Store}
	if a.Config.EmbedModel != "" {
		// Triage runs in the creating transaction; a remote embedder there
		// would make every new ticket (and, on the embedded store, every
		// other write) wait on an outside endpoint. Similar tickets vote
		// by their words; their vectors are computed in the background.
		neighbours.Mode = kb.ModeLexical
	}
	a.Triager.Neighbours = neighbours.Find
	return a.markIndexOrigin(ctx)
}

// pairedVectorWeight is hybrid search's weight of the cosine while the
// local embedder is fine-tuned on accepted suggestions: the configured one,
// else kb.DefaultPairedVectorWeight. An OpenAI-compatible embedder is never
// tuned here, so the weight does not apply to it.
func (a *App) pairedVectorWeight() float64 {
	if a.Config.PairedVectorWeight > 0 {
		return a.Config.PairedVectorWeight
	}
	return kb.DefaultPairedVectorWeight
}

// openEmbedding picks the embedder: the OpenAI-compatible one when one is
// configured, else the local one, trained on this store's documents when a
// trained model is stored, else its untrained hashed fallback.
func (a *App) openEmbedding(ctx context.Context) error {
	a.Embedding = &kb.Embedding{Store: a.Store, Log: a.Log}
	if a.Config.EmbedModel != "" {
		emb, err := embed.NewOpenAI(embed.OpenAIConfig{BaseURL: a.Config.EmbedBaseURL, APIKey: a.Config.EmbedAPIKey, Model: a.Config.EmbedModel, Dimensions: a.Config.EmbedDim,
			Resilience: embed.Resilience{Transport: a.outbound(triage.OutboundEmbeddings)(nil)}})
		if err != nil {
			return err
		}
		a.Embedding.Set(emb)
		return nil
	}
	opts := embed.LocalOptions{Segmenter: a.Segmenter}
	a.Embedding.Train = func(ctx context.Context, corpus []string, pairs []kb.Pair, progress kb.Progress) (kb.TrainedEmbedder, error) {
		o := opts
		o.Progress = progress
		o.Pairs = embedPairs(pairs)
		return embed.Train(ctx, corpus, o)
	}
	a.Embedding.Load = func(blob []byte) (triage.Embedder, error) {
		local := embed.NewLocal(opts)
		return local, local.UnmarshalBinary(blob)
	}
	return a.Embedding.Open(ctx, embed.NewLocal(opts))
}

// onChange follows the change-log entries the indexer does not handle: a
// model made active elsewhere (another replica, the command line), rule
// edits and dictionary edits.
func (a *App) onChange(ctx context.Context, c triage.Change) error {
	switch c.Entity {
	case "model":
		rec, err := a.Store.Model(ctx, c.ID)
		if err != nil || !rec.Active {
			return err
		}
		if rec.Kind == triage.ModelEmbedder {
			return a.Embedding.Follow(ctx, rec)
		}
		if err := a.Triager.Follow(rec); err != nil {
			// The model does not load: the one in use stays, and the
			// follower goes on.
			a.skipped.skip(triage.SkipModel, rec.ID, err)
		}
		return nil
	case "rule":
		// A changed or deleted rule is compiled again at the next ticket,
		// and reported again there if it is still bad.
		a.skipped.forget(triage.SkipRule, c.ID)
	case "dict":
		return a.followDict(ctx, c.ID)
	}
	return nil
}

// followDict brings one word of the live dictionary in step with the
// store. A word the segmenter refuses is left out and reported: returning
// its error would stop the follower at it for good.
func (a *App) followDict(ctx context.Context, word string) error {
	words, err := a.Store.DictWords(ctx)
	if err != nil {
		return err
	}
	for _, w := range words {
		if w.Word == word {
			return a.Segmenter.AddEach([]triage.DictWord{*w}, func(w triage.DictWord, err error) {
				a.skipped.skip(triage.SkipDictionary, w.Word, err)
			})
		}
	}
	a.skipped.forget(triage.SkipDictionary, word)
	// A refused word (EINVALID) was never added: nothing to remove.
	if err := a.Segmenter.RemoveWord(word); err != nil && !triage.IsCode(err, triage.ENOTFOUND) && !triage.IsCode(err, triage.EINVALID) {
		return err
	}
	return nil
}

// fileCursor keeps the change-log position applied to the on-disk text
// index beside it, so a restart resumes where it stopped.
type fileCursor struct {
	path string
	mu   sync.Mutex
}

func (c *fileCursor) Load() (int64, error) {
	b, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("index cursor %s: %w", c.path, err)
	}
	return n, nil
}

func (c *fileCursor) Save(seq int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(seq, 10)+"\n"), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, c.path)
}

// embedPairs hands kb's labelled pairs to the local embedder: kb and eval
// name them without depending on the embedder's package.
func embedPairs(pairs []kb.Pair) []embed.Pair {
	out := make([]embed.Pair, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, embed.Pair{A: p.A, B: p.B, Group: p.Group})
	}
	return out
}
