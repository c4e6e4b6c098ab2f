package eval

import (
	"fmt"
	"strings"
	"testing"
)

// TestCrossFolds: every query lands in exactly one fold, the queries of
// one article share a fold (so no fold is scored by a model that learnt
// its article's paraphrases), the split is the same every time, and both
// folds get queries.
func TestCrossFolds(t *testing.T) {
	var qs []Query
	for a := range 40 {
		for q := range 3 {
			qs = append(qs, Query{ID: fmt.Sprintf("q%d-%d", a, q), Text: "问题", Relevant: []string{fmt.Sprintf("a%d", a)}})
		}
	}
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprint(n, " folds"), func(t *testing.T) {
			folds := CrossFolds(qs, n)
			again := CrossFolds(qs, n)
			if len(folds) != n {
				t.Fatalf("%d folds, want %d", len(folds), n)
			}
			foldOf := map[string]int{}
			total := 0
			for f, part := range folds {
				if len(part) == 0 {
					t.Errorf("fold %d is empty", f)
				}
				if len(again[f]) != len(part) {
					t.Errorf("fold %d has %d queries, then %d", f, len(part), len(again[f]))
				}
				for _, q := range part {
					total++
					a := q.Relevant[0]
					if g, ok := foldOf[a]; ok && g != f {
						t.Errorf("article %s has queries in folds %d and %d", a, g, f)
					}
					foldOf[a] = f
				}
			}
			if total != len(qs) {
				t.Errorf("%d queries in the folds, want %d", total, len(qs))
			}
		})
	}
}

// TestTrainingPairs: each query is paired with the indexed text of its
// first relevant article and grouped by it; a query whose article is not
// in the knowledge base is left out.
func TestTrainingPairs(t *testing.T) {
	articles := []Article{{ID: "a1", Title: "花呗怎么还款"}, {ID: "a2", Title: "退款", Body: "七天内退款"}}
	qs := []Query{
		{ID: "q1", Text: "花呗如何还钱", Relevant: []string{"a1"}},
		{ID: "q2", Text: "怎么退款", Relevant: []string{"a2", "a1"}},
		{ID: "q3", Text: "发票", Relevant: []string{"gone"}},
		{ID: "q4", Text: "无关", Relevant: nil},
	}
	got := TrainingPairs(qs, articles)
	if len(got) != 2 {
		t.Fatalf("%d pairs, want 2: %+v", len(got), got)
	}
	for i, want := range []struct{ a, group, in string }{{"花呗如何还钱", "a1", "花呗怎么还款"}, {"怎么退款", "a2", "七天内退款"}} {
		p := got[i]
		if p.A != want.a || p.Group != want.group || !strings.Contains(p.B, want.in) {
			t.Errorf("pair %d = %+v, want A %q, group %q, B with %q", i, p, want.a, want.group, want.in)
		}
	}
}
