package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"
)

// swapEmbedder is the embedder in use; it changes when the local embedder
// is retrained, and every user sees the change at once.
type swapEmbedder struct {
	cur atomic.Pointer[triage.Embedder]
}

func (s *swapEmbedder) Set(e triage.Embedder)    { s.cur.Store(&e) }
func (s *swapEmbedder) Current() triage.Embedder { return *s.cur.Load() }
func (s *swapEmbedder) Model() string            { return s.Current().Model() }
func (s *swapEmbedder) Dim() int                 { return s.Current().Dim() }
func (s *swapEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return s.Current().Embed(ctx, texts)
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

func (m *Main) indexDir() string { return filepath.Join(m.Config.DataDir, "index") }

// openSearch opens the text index (rebuilding a corrupt one), picks the
// embedder and builds the search, knowledge-base and suggestion services.
// It reports whether the text index must be rebuilt from the store.
func (m *Main) openSearch(ctx context.Context) (rebuild bool, err error) {
	dir := m.indexDir()
	_, statErr := os.Stat(dir)
	rebuild = errors.Is(statErr, os.ErrNotExist)
	var text *bleve.Index
	if m.memIndex {
		// A one-off command must not take the index a running server
		// holds; what it writes reaches that index through the change log.
		text, err = bleve.OpenMem(m.Segmenter, bleve.Options{})
		rebuild = false
	} else {
		text, err = bleve.Open(dir, m.Segmenter, bleve.Options{})
	}
	if triage.IsCode(err, triage.EUNAVAILABLE) {
		return false, fmt.Errorf("the text index %s is in use by another triage process; stop it first: %w", dir, err)
	}
	if triage.IsCode(err, triage.ECONFLICT) {
		m.Log.Warn("the text index is damaged or of an older layout; rebuilding it from the store", "dir", dir, "err", err)
		if err := os.RemoveAll(dir); err != nil {
			return false, err
		}
		text, err = bleve.Open(dir, m.Segmenter, bleve.Options{})
		rebuild = true
	}
	if err != nil {
		return false, err
	}
	m.Text = text
	m.Embedder = &swapEmbedder{}
	emb, err := m.configuredEmbedder(ctx)
	if err != nil {
		return false, err
	}
	m.Embedder.Set(emb)
	if m.Vectors, err = m.vectorIndex(ctx, emb.Dim()); err != nil {
		return false, err
	}
	m.Indexer = &kb.Indexer{
		Store: m.Store, Text: text, Vectors: m.Vectors, Embedder: m.Embedder.Current,
		Cursor: &fileCursor{path: filepath.Join(dir, "applied.seq")}, Log: m.Log, OnChange: m.onChange,
	}
	m.Searcher = &kb.Searcher{Text: text, Vectors: m.Vectors, Embedder: m.Embedder, VectorWeight: m.Config.VectorWeight}
	m.KB = &kb.Service{Store: m.Store}
	writer := &suggest.Writer{}
	if m.Config.LLMModel != "" {
		chat, err := embed.NewChat(embed.ChatConfig{BaseURL: m.Config.LLMBaseURL, APIKey: m.Config.LLMAPIKey, Model: m.Config.LLMModel})
		if err != nil {
			return false, fmt.Errorf("LLM: %w", err)
		}
		writer.LLM = chat
	}
	m.Suggest = &suggest.Service{Store: m.Store, Search: m.Searcher, Writer: writer}
	m.Triager.Neighbours = m.neighbours
	return rebuild, nil
}

// configuredEmbedder returns the OpenAI-compatible embedder when one is
// configured, else the local one: trained on this store's corpus when a
// trained model is stored, else its untrained hashed fallback.
func (m *Main) configuredEmbedder(ctx context.Context) (triage.Embedder, error) {
	if m.Config.EmbedModel != "" {
		return embed.NewOpenAI(embed.OpenAIConfig{BaseURL: m.Config.EmbedBaseURL, APIKey: m.Config.EmbedAPIKey, Model: m.Config.EmbedModel, Dimensions: m.Config.EmbedDim})
	}
	local := embed.NewLocal(embed.LocalOptions{Segmenter: m.Segmenter})
	rec, err := m.Store.ActiveModel(ctx, triage.ModelEmbedder)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return local, nil
	} else if err != nil {
		return nil, err
	}
	if err := local.UnmarshalBinary(rec.Blob); err != nil {
		m.Log.Warn("the stored local embedder does not load; using the untrained one until it is retrained", "model", rec.ID, "err", err)
		return embed.NewLocal(embed.LocalOptions{Segmenter: m.Segmenter}), nil
	}
	return local, nil
}

// MinEmbedderCorpus is the fewest searchable documents worth training the
// local embedder on; fewer, and the untrained hashed embedder does as well.
const MinEmbedderCorpus = 20

// trainEmbedder trains the local embedder on the store's searchable
// documents, stores it, switches to it and re-embeds everything. It does
// nothing when an OpenAI-compatible embedder is configured.
func (m *Main) trainEmbedder(ctx context.Context, progress func(stage string, done, total int)) error {
	if m.Config.EmbedModel != "" {
		return nil
	}
	corpus, err := m.Indexer.Corpus(ctx)
	if err != nil {
		return err
	}
	if len(corpus) < MinEmbedderCorpus {
		m.Log.Info("too few documents to train the local embedder yet", "documents", len(corpus), "need", MinEmbedderCorpus)
		return nil
	}
	start := time.Now()
	local, err := embed.Train(ctx, corpus, embed.LocalOptions{Segmenter: m.Segmenter, Progress: progress})
	if err != nil {
		return err
	}
	blob, err := local.MarshalBinary()
	if err != nil {
		return err
	}
	rec := &triage.Model{ID: triage.NewID(), Kind: triage.ModelEmbedder, Version: local.Model(), Blob: blob, CreatedAt: time.Now().UTC(),
		Info: triage.ModelInfo{Examples: len(corpus), Sources: []string{"store"}, FitSeconds: time.Since(start).Seconds(), Classes: []string{}}}
	if err := m.Store.Update(ctx, func(tx triage.Tx) error { return tx.SaveModel(ctx, rec) }); err != nil {
		return err
	}
	m.Log.Info("local embedder trained", "model", local.Model(), "documents", len(corpus))
	return m.useEmbedder(ctx, local, progress)
}

// useEmbedder switches to an embedder and embeds whatever has no vectors
// of its model yet.
func (m *Main) useEmbedder(ctx context.Context, e triage.Embedder, progress func(stage string, done, total int)) error {
	if e.Model() == m.Embedder.Model() {
		return nil
	}
	m.Embedder.Set(e)
	if err := m.Indexer.SwitchModel(ctx); err != nil {
		return err
	}
	return m.embedMissing(ctx, progress)
}

// embedMissing embeds every searchable document without vectors of the
// current model.
func (m *Main) embedMissing(ctx context.Context, progress func(stage string, done, total int)) error {
	articles, tickets, err := m.Indexer.Missing(ctx)
	if err != nil {
		return err
	}
	total := len(articles) + len(tickets)
	done := 0
	for _, pass := range []struct {
		kind string
		ids  []string
	}{{triage.DocArticle, articles}, {triage.DocTicket, tickets}} {
		for _, id := range pass.ids {
			if err := m.Indexer.Embed(ctx, pass.kind, id); err != nil {
				return err
			}
			done++
			if progress != nil && (done%20 == 0 || done == total) {
				progress("embed", done, total)
			}
		}
	}
	if total > 0 {
		_, err = m.Indexer.CatchUp(ctx)
	}
	return err
}

// onChange follows changes the indexer does not handle: a model made
// active elsewhere (another replica, the CLI) and dictionary edits.
func (m *Main) onChange(ctx context.Context, c triage.Change) error {
	switch c.Entity {
	case "model":
		rec, err := m.Store.Model(ctx, c.ID)
		if err != nil || !rec.Active {
			return err
		}
		switch rec.Kind {
		case triage.ModelCategory, triage.ModelPriority:
			if v, p := m.Triager.ModelVersions(); v == rec.Version || p == rec.Version {
				return nil
			}
			return m.Triager.UseModel(rec)
		case triage.ModelEmbedder:
			if m.Config.EmbedModel != "" || rec.Version == m.Embedder.Model() {
				return nil
			}
			local := embed.NewLocal(embed.LocalOptions{Segmenter: m.Segmenter})
			if err := local.UnmarshalBinary(rec.Blob); err != nil {
				return err
			}
			m.Embedder.Set(local)
			return m.Indexer.SwitchModel(ctx)
		}
	case "dict":
		words, err := m.Store.DictWords(ctx)
		if err != nil {
			return err
		}
		for _, w := range words {
			if w.Word == c.ID {
				return m.Segmenter.AddWords(*w)
			}
		}
		if err := m.Segmenter.RemoveWord(c.ID); err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
	}
	return nil
}

// neighbours finds resolved tickets similar to a new ticket's text; their
// categories vote in triage. The similarity is the cosine when the vector
// list found it, else a share that falls with the lexical rank.
func (m *Main) neighbours(ctx context.Context, text string, k int) ([]triage.Neighbour, error) {
	hits, err := m.Searcher.Search(ctx, kb.Query{Text: text, Kind: triage.DocTicket, Mode: kb.ModeHybrid, K: k})
	if err != nil {
		return nil, err
	}
	var out []triage.Neighbour
	for _, h := range hits {
		t, err := m.Store.Ticket(ctx, h.OwnerID)
		if err != nil || t.Category == "" {
			continue
		}
		sim := h.VectorScore
		if sim <= 0 {
			sim = 0.5 / float64(h.LexicalRank)
		}
		out = append(out, triage.Neighbour{TicketID: t.ID, Category: t.Category, Similarity: sim})
	}
	return out, nil
}
