package kb

import (
	"math"
	"testing"

	"github.com/triagehq/triage"
)

func TestFuse(t *testing.T) {
	s := &Searcher{}
	lex := fold([]Hit{
		{OwnerID: "a", Chunk: 2, LexicalScore: 9},
		{OwnerID: "a", Chunk: 0, LexicalScore: 7}, // a's second chunk folds away
		{OwnerID: "b", LexicalScore: 5},
		{OwnerID: "c", LexicalScore: 1},
	}, func(h *Hit, r int) { h.LexicalRank = r })
	vec := fold([]Hit{
		{OwnerID: "c", Chunk: 1, VectorScore: 0.9},
		{OwnerID: "d", VectorScore: 0.8},
		{OwnerID: "a", Chunk: 3, VectorScore: 0.7},
	}, func(h *Hit, r int) { h.VectorRank = r })
	got := s.fuse(lex, vec)
	// Hand-computed, BM25 over the best (9) plus the cosine, weights 1:
	//   a: 9/9 + 0.7 = 1.7
	//   c: 1/9 + 0.9 = 1.0111
	//   d:       0.8 = 0.8   (vector only)
	//   b: 5/9       = 0.5556 (lexical only)
	want := []struct {
		id        string
		lex, vec  int
		fused     float64
		bestChunk int
	}{
		{"a", 1, 3, 1 + 0.7, 2},
		{"c", 3, 1, 1.0/9 + 0.9, 0},
		{"d", 0, 2, 0.8, 0},
		{"b", 2, 0, 5.0 / 9, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d hits: %+v", len(got), got)
	}
	for i, w := range want {
		t.Run(w.id, func(t *testing.T) {
			h := got[i]
			if h.OwnerID != w.id || h.LexicalRank != w.lex || h.VectorRank != w.vec || math.Abs(h.Fused-w.fused) > 1e-12 || h.Chunk != w.bestChunk {
				t.Errorf("hit %d = %+v, want %+v", i, h, w)
			}
		})
	}
	// Weights tilt the fusion: a light vector weight puts b above d, a
	// heavy one c above a.
	s.VectorWeight = 0.5
	got = s.fuse(lex, vec)
	if got[2].OwnerID != "b" || got[3].OwnerID != "d" {
		t.Errorf("light vector weight: order = %v %v %v %v", got[0].OwnerID, got[1].OwnerID, got[2].OwnerID, got[3].OwnerID)
	}
	s.VectorWeight = 5
	got = s.fuse(lex, vec)
	if got[0].OwnerID != "c" {
		t.Errorf("heavy vector weight: order = %v %v %v %v", got[0].OwnerID, got[1].OwnerID, got[2].OwnerID, got[3].OwnerID)
	}
}

func TestDocIDs(t *testing.T) {
	cases := []struct {
		kind, owner string
		chunk       int
		id          string
	}{
		{"article", "0193-a", 3, "article:0193-a#3"},
		{"article", "x", 0, "article:x#0"},
		{"ticket", "t-1", 0, "ticket:t-1"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if got := DocID(c.kind, c.owner, c.chunk); got != c.id {
				t.Errorf("DocID = %q", got)
			}
			owner, chunk := SplitDocID(c.id)
			if owner != c.owner || chunk != c.chunk {
				t.Errorf("SplitDocID = %q %d", owner, chunk)
			}
		})
	}
}

// tunedEmbedder says whether it was fine-tuned on pairs, as Embedding does.
type tunedEmbedder struct {
	triage.Embedder
	tuned bool
}

func (e tunedEmbedder) PairTuned() bool { return e.tuned }

func TestVectorWeight(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Searcher
		want float64
	}{
		{"default", Searcher{}, DefaultVectorWeight},
		{"configured", Searcher{VectorWeight: 2}, 2},
		{"tuned embedder: the paired weight", Searcher{VectorWeight: 2, PairedVectorWeight: 10, Embedder: tunedEmbedder{tuned: true}}, 10},
		{"untuned embedder: the configured weight", Searcher{VectorWeight: 2, PairedVectorWeight: 10, Embedder: tunedEmbedder{}}, 2},
		{"tuned, no paired weight: the configured one", Searcher{VectorWeight: 2, Embedder: tunedEmbedder{tuned: true}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.vectorWeight(); got != tc.want {
				t.Errorf("vector weight %g, want %g", got, tc.want)
			}
		})
	}
}
