package kb

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/triagehq/triage"
)

// MinEmbedderCorpus is the fewest searchable documents worth training the
// local embedder on; fewer, and the untrained hashed embedder does as well.
const MinEmbedderCorpus = 20

// Progress hears how far a long stage (train, embed) has come.
type Progress func(stage string, done, total int)

// TrainedEmbedder is an embedder trained here, which can be stored as a
// model and loaded again.
type TrainedEmbedder interface {
	triage.Embedder
	MarshalBinary() ([]byte, error)
}

// Embedding is the embedder in use and its life: the local embedder is
// trained on the service's own searchable documents, stored as a model,
// switched to at run time (every search sees the change at once), and
// whatever has no vectors of the current model is embedded again. It is
// itself the triage.Embedder the searcher and the indexer use.
//
// An OpenAI-compatible embedder is configured, not trained: leave Train
// and Load nil, and Embedding only carries it.
type Embedding struct {
	Store   triage.Store
	Indexer *Indexer
	// Train trains an embedder on a corpus of document texts, fine-tuned
	// on pairs when there are any (nil: the corpus alone); nil when the
	// configured embedder is not trained here.
	Train func(ctx context.Context, corpus []string, pairs []Pair, progress Progress) (TrainedEmbedder, error)
	// Load makes an embedder of a stored model that Train made; nil when
	// the configured embedder is not trained here.
	Load func(blob []byte) (triage.Embedder, error)
	Log  *slog.Logger

	cur atomic.Pointer[current]
}

// current is the embedder in use and how many pairs tuned it, switched
// together so a search never sees one model with the other's weight.
type current struct {
	emb   triage.Embedder
	pairs int
}

func (e *Embedding) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// Set makes emb the embedder in use, without re-embedding anything.
func (e *Embedding) Set(emb triage.Embedder) { e.setTuned(emb, 0) }

// setTuned makes emb, fine-tuned on that many pairs, the embedder in use.
func (e *Embedding) setTuned(emb triage.Embedder, pairs int) {
	e.cur.Store(&current{emb: emb, pairs: pairs})
}

// Current is the embedder in use.
func (e *Embedding) Current() triage.Embedder { return e.cur.Load().emb }

// PairTuned reports whether the embedder in use was fine-tuned on accepted
// (ticket, source) pairs (see Searcher.PairedVectorWeight).
func (e *Embedding) PairTuned() bool { return e.cur.Load().pairs > 0 }

// Model, Dim and Embed are the current embedder's.
func (e *Embedding) Model() string { return e.Current().Model() }
func (e *Embedding) Dim() int      { return e.Current().Dim() }
func (e *Embedding) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.Current().Embed(ctx, texts)
}

// Open sets the embedder in use at start: the store's active trained model
// when there is one that loads, else untrained. A stored model that does
// not load is logged and left for the next training to replace.
func (e *Embedding) Open(ctx context.Context, untrained triage.Embedder) error {
	e.Set(untrained)
	if e.Load == nil {
		return nil
	}
	rec, err := e.Store.ActiveModel(ctx, triage.ModelEmbedder)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	emb, err := e.Load(rec.Blob)
	if err != nil {
		e.log().Warn("the stored local embedder does not load; using the untrained one until it is retrained", "model", rec.ID, "err", err)
		return nil
	}
	e.setTuned(emb, rec.Info.Pairs)
	return nil
}

// Ensure brings the vectors up to date after a start: a store with
// documents but no trained embedder gets one, and whatever lacks vectors
// of the current model is embedded.
func (e *Embedding) Ensure(ctx context.Context) error {
	if _, err := e.Store.ActiveModel(ctx, triage.ModelEmbedder); triage.IsCode(err, triage.ENOTFOUND) {
		if err := e.Retrain(ctx, nil); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return e.EmbedMissing(ctx, nil)
}

// Retrain trains the embedder on the store's searchable documents, stores
// it as the active model, switches to it and re-embeds everything. With at
// least MinEmbedderPairs accepted suggestions (see Pairs) it is fine-tuned
// on them, and the stored model says how many (ModelInfo.Pairs). It does
// nothing when the embedder is not trained here or there are fewer than
// MinEmbedderCorpus documents.
func (e *Embedding) Retrain(ctx context.Context, progress Progress) error {
	if e.Train == nil {
		return nil
	}
	corpus, err := e.Indexer.Corpus(ctx)
	if err != nil {
		return err
	}
	if len(corpus) < MinEmbedderCorpus {
		e.log().Info("too few documents to train the local embedder yet", "documents", len(corpus), "need", MinEmbedderCorpus)
		return nil
	}
	pairs, err := e.Pairs(ctx)
	if err != nil {
		return err
	}
	if len(pairs) < MinEmbedderPairs {
		if len(pairs) > 0 {
			e.log().Info("too few accepted suggestions to fine-tune the local embedder yet", "pairs", len(pairs), "need", MinEmbedderPairs)
		}
		pairs = nil
	}
	start := time.Now()
	emb, err := e.Train(ctx, corpus, pairs, progress)
	if err != nil {
		return err
	}
	blob, err := emb.MarshalBinary()
	if err != nil {
		return err
	}
	rec := &triage.Model{ID: triage.NewID(), Kind: triage.ModelEmbedder, Version: emb.Model(), Blob: blob, CreatedAt: time.Now().UTC(),
		Info: triage.ModelInfo{Examples: len(corpus), Sources: []string{"store"}, FitSeconds: time.Since(start).Seconds(), Classes: []string{}, Pairs: len(pairs)}}
	if err := e.Store.Update(ctx, func(tx triage.Tx) error { return tx.SaveModel(ctx, rec) }); err != nil {
		return err
	}
	e.log().Info("local embedder trained", "model", emb.Model(), "documents", len(corpus), "pairs", len(pairs))
	return e.use(ctx, emb, len(pairs), progress)
}

// Use switches to an embedder and embeds whatever has no vectors of its
// model yet.
func (e *Embedding) Use(ctx context.Context, emb triage.Embedder, progress Progress) error {
	return e.use(ctx, emb, 0, progress)
}

func (e *Embedding) use(ctx context.Context, emb triage.Embedder, pairs int, progress Progress) error {
	if emb.Model() == e.Model() {
		return nil
	}
	e.setTuned(emb, pairs)
	if err := e.Indexer.SwitchModel(ctx); err != nil {
		return err
	}
	return e.EmbedMissing(ctx, progress)
}

// Follow switches to an embedder model made active elsewhere (another
// replica, the command line): its vectors are that process's to compute,
// so this one only loads them.
func (e *Embedding) Follow(ctx context.Context, rec *triage.Model) error {
	if e.Load == nil || rec.Kind != triage.ModelEmbedder || rec.Version == e.Model() {
		return nil
	}
	emb, err := e.Load(rec.Blob)
	if err != nil {
		return err
	}
	e.setTuned(emb, rec.Info.Pairs)
	return e.Indexer.SwitchModel(ctx)
}

// EmbedMissing embeds every searchable document without vectors of the
// current model.
func (e *Embedding) EmbedMissing(ctx context.Context, progress Progress) error {
	articles, tickets, err := e.Indexer.Missing(ctx)
	if err != nil {
		return err
	}
	err = eachOwner(articles, tickets, "embed", progress, func(kind, id string) error { return e.Indexer.Embed(ctx, kind, id) })
	if err == nil && len(articles)+len(tickets) > 0 {
		_, err = e.Indexer.CatchUp(ctx)
	}
	return err
}
