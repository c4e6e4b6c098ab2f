package kb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// namedEmbedder is a trainable embedder whose stored form is its name.
type namedEmbedder struct{ name string }

func (e namedEmbedder) Model() string                  { return e.name }
func (e namedEmbedder) Dim() int                       { return 2 }
func (e namedEmbedder) MarshalBinary() ([]byte, error) { return []byte(e.name), nil }
func (e namedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = []float32{1, 0}
	}
	return out, nil
}

// load reads a namedEmbedder back; "broken" does not load.
func load(blob []byte) (triage.Embedder, error) {
	if string(blob) == "broken" {
		return nil, errors.New("truncated model")
	}
	return namedEmbedder{string(blob)}, nil
}

func saveEmbedder(t *testing.T, s *kb.Service, name string) *triage.Model {
	t.Helper()
	rec := &triage.Model{ID: triage.NewID(), Kind: triage.ModelEmbedder, Version: name, Blob: []byte(name), CreatedAt: time.Now()}
	if err := s.Store.Update(system, func(tx triage.Tx) error { return tx.SaveModel(system, rec) }); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestEmbeddingOpen(t *testing.T) {
	untrained := namedEmbedder{"untrained"}
	for _, tc := range []struct {
		name   string
		stored string // "" for no stored model
		load   bool
		want   string
	}{
		{"no trained model: the untrained one", "", true, "untrained"},
		{"a trained model: that one", "local:trained", true, "local:trained"},
		{"a model that does not load: the untrained one until the next training", "broken", true, "untrained"},
		{"an embedder not trained here ignores stored models", "local:trained", false, "untrained"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			if tc.stored != "" {
				saveEmbedder(t, s, tc.stored)
			}
			e := &kb.Embedding{Store: s.Store}
			if tc.load {
				e.Load = load
			}
			if err := e.Open(system, untrained); err != nil {
				t.Fatal(err)
			}
			if e.Model() != tc.want || e.Current().Model() != tc.want {
				t.Fatalf("in use %s, want %s", e.Model(), tc.want)
			}
		})
	}
}

func TestEmbeddingFollow(t *testing.T) {
	s := newService(t)
	e := &kb.Embedding{Store: s.Store, Load: load}
	e.Indexer = &kb.Indexer{Store: s.Store, Embedder: e.Current}
	e.Set(namedEmbedder{"local:a"})
	for _, tc := range []struct {
		name  string
		rec   *triage.Model
		want  string
		err   bool
		tuned bool
	}{
		{"the model in use", &triage.Model{Kind: triage.ModelEmbedder, Version: "local:a", Blob: []byte("local:a")}, "local:a", false, false},
		{"a classifier is not the embedder's", &triage.Model{Kind: triage.ModelCategory, Version: "c", Blob: []byte("c")}, "local:a", false, false},
		{"a model activated elsewhere", &triage.Model{Kind: triage.ModelEmbedder, Version: "local:b", Blob: []byte("local:b")}, "local:b", false, false},
		{"one that does not load keeps the current", &triage.Model{Kind: triage.ModelEmbedder, Version: "local:c", Blob: []byte("broken")}, "local:b", true, false},
		{"a pair-tuned model activated elsewhere", &triage.Model{Kind: triage.ModelEmbedder, Version: "local:d", Blob: []byte("local:d"), Info: triage.ModelInfo{Pairs: 30}}, "local:d", false, true},
		{"then an untuned one", &triage.Model{Kind: triage.ModelEmbedder, Version: "local:e", Blob: []byte("local:e")}, "local:e", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.Follow(system, tc.rec)
			if (err != nil) != tc.err || e.Model() != tc.want || e.PairTuned() != tc.tuned {
				t.Fatalf("err %v, in use %s tuned %t, want %s tuned %t", err, e.Model(), e.PairTuned(), tc.want, tc.tuned)
			}
		})
	}
}

func TestEmbeddingRetrain(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	a := mustCreate(t, s, ed, triage.NewArticle{Title: "退款多久到账", Body: "原路退回，一般三到五个工作日。"})
	mustUpdate(t, s, ed, a, status(triage.ArticlePublished))
	trained := 0
	e := &kb.Embedding{Store: s.Store, Load: load,
		Train: func(context.Context, []string, []kb.Pair, kb.Progress) (kb.TrainedEmbedder, error) {
			trained++
			return namedEmbedder{"local:new"}, nil
		}}
	e.Indexer = &kb.Indexer{Store: s.Store, Embedder: e.Current}
	e.Set(namedEmbedder{"untrained"})
	t.Run("too few documents", func(t *testing.T) {
		if err := e.Retrain(system, nil); err != nil || trained != 0 || e.Model() != "untrained" {
			t.Fatalf("err %v, trained %d times, in use %s: %d document is fewer than %d", err, trained, e.Model(), 1, kb.MinEmbedderCorpus)
		}
	})
	t.Run("nothing to train", func(t *testing.T) {
		e := &kb.Embedding{Store: s.Store}
		e.Set(namedEmbedder{"openai:text-embedding-3-small"})
		if err := e.Retrain(system, nil); err != nil || e.Model() != "openai:text-embedding-3-small" {
			t.Fatalf("err %v, in use %s", err, e.Model())
		}
	})
}
