package suggest

import (
	"slices"
	"testing"

	"github.com/triagehq/triage"
)

func TestRelevantCutOff(t *testing.T) {
	s := &Service{MinRelevance: DefaultMinRelevance}
	in := []triage.Source{
		{N: 1, ID: "a", VectorRank: 1, Relevance: 0.31},
		{N: 2, ID: "b", VectorRank: 2, Relevance: 0.04},
		{N: 3, ID: "c", LexicalRank: 1},
		{N: 4, ID: "d", VectorRank: 3, Relevance: 0.12},
	}
	var ids []string
	var ns []int
	for _, x := range s.relevant(in) {
		ids, ns = append(ids, x.ID), append(ns, x.N)
	}
	if !slices.Equal(ids, []string{"a", "d"}) || !slices.Equal(ns, []int{1, 2}) {
		t.Errorf("kept %v numbered %v, want [a d] numbered [1 2]", ids, ns)
	}
	// Without vectors there is no figure to cut on.
	words := []triage.Source{{N: 1, ID: "a", LexicalRank: 1}, {N: 2, ID: "b", LexicalRank: 2}}
	if got := s.relevant(words); len(got) != 2 {
		t.Errorf("without vector scores kept %d of 2", len(got))
	}
	if got := (&Service{}).relevant(in); len(got) != 4 {
		t.Errorf("without a cut-off kept %d of 4", len(got))
	}
}
