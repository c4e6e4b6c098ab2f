package eval

import (
	"math"
	"testing"
)

func TestRankingScores(t *testing.T) {
	// Hand-computed: DCG = Σ 1/log2(rank+1) over relevant hits, ideal DCG
	// over min(|relevant|, k) hits at the top.
	l2 := func(r float64) float64 { return 1 / math.Log2(r+1) }
	tests := []struct {
		name                  string
		ranked, relevant      [][]string
		k                     int
		r1, r5, r10, mrr, ndc float64
	}{
		{name: "first", ranked: [][]string{{"a", "x"}}, relevant: [][]string{{"a"}}, k: 10, r1: 1, r5: 1, r10: 1, mrr: 1, ndc: 1},
		{name: "third", ranked: [][]string{{"x", "y", "a"}}, relevant: [][]string{{"a"}}, k: 10, r5: 1, r10: 1, mrr: 1.0 / 3, ndc: 0.5},
		{
			// Two relevant at ranks 2 and 4: MRR counts the first only;
			// nDCG = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
			name: "several relevant", ranked: [][]string{{"x", "a", "y", "b"}}, relevant: [][]string{{"a", "b"}}, k: 10,
			r5: 1, r10: 1, mrr: 0.5, ndc: (l2(2) + l2(4)) / (l2(1) + l2(2)),
		},
		{
			// Relevant articles that tie for the top two places are both a
			// perfect ranking, in either order.
			name: "tied relevant on top", ranked: [][]string{{"b", "a", "x"}, {"a", "b", "x"}}, relevant: [][]string{{"a", "b"}, {"a", "b"}}, k: 10,
			r1: 1, r5: 1, r10: 1, mrr: 1, ndc: 1,
		},
		{
			// More relevant articles than k: the ideal DCG stops at k, so
			// a list of only relevant articles scores 1.
			name: "more relevant than k", ranked: [][]string{{"a", "b"}}, relevant: [][]string{{"a", "b", "c"}}, k: 2,
			r1: 1, r5: 1, r10: 1, mrr: 1, ndc: 1,
		},
		{name: "empty results", ranked: [][]string{{}}, relevant: [][]string{{"a"}}, k: 10},
		{
			name: "beyond k", ranked: [][]string{{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "a"}}, relevant: [][]string{{"a"}}, k: 10,
		},
		{
			// The cut-off applies to every metric: with k=3 a hit at rank
			// 4 counts for none, recall@5 included.
			name: "k smaller than 5", ranked: [][]string{{"x", "y", "z", "a"}}, relevant: [][]string{{"a"}}, k: 3,
		},
		{
			// Averages over queries: a hit at 1, a hit at 5, a miss.
			name: "mean over queries", ranked: [][]string{{"a"}, {"1", "2", "3", "4", "b"}, {"z"}}, relevant: [][]string{{"a"}, {"b"}, {"c"}}, k: 10,
			r1: 1.0 / 3, r5: 2.0 / 3, r10: 2.0 / 3, mrr: (1 + 0.2) / 3, ndc: (1 + l2(5)) / 3,
		},
		{name: "no queries", k: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r1, r5, r10, mrr, ndcg := RankingScores(tt.ranked, tt.relevant, tt.k)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"recall@1", r1, tt.r1}, {"recall@5", r5, tt.r5}, {"recall@10", r10, tt.r10}, {"mrr", mrr, tt.mrr}, {"ndcg", ndcg, tt.ndc}} {
				if math.Abs(c.got-c.want) > 1e-12 {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestMisses(t *testing.T) {
	qs := []Query{{ID: "q1", Text: "找到了", Relevant: []string{"a"}}, {ID: "q2", Text: "第七", Relevant: []string{"b"}},
		{ID: "q3", Text: "没有", Relevant: []string{"c"}}, {ID: "q0", Text: "也没有", Relevant: []string{"d"}}}
	ranked := [][]string{{"a"}, {"1", "2", "3", "4", "5", "6", "b"}, {"x", "y"}, {}}
	got := misses(qs, ranked, 5, 10)
	// Never found first (by id), then the deepest.
	want := []string{"q0", "q3", "q2"}
	if len(got) != len(want) {
		t.Fatalf("misses = %+v", got)
	}
	for i, m := range got {
		if m.QueryID != want[i] {
			t.Errorf("miss %d = %s, want %s", i, m.QueryID, want[i])
		}
	}
	if got[2].RelevantRank != 7 || len(got[2].Got) != 5 {
		t.Errorf("q2 = %+v, want rank 7 and the first 5 returned", got[2])
	}
	TitleMisses([]RetrievalScores{{Missed: got}}, []Article{{ID: "x", Title: "退款"}, {ID: "c", Body: "只有正文"}})
	if got[1].GotTitles[0] != "退款" || got[1].RelevantTitles[0] != "只有正文" {
		t.Errorf("titles = %v %v", got[1].GotTitles, got[1].RelevantTitles)
	}
	if m := misses(qs, ranked, 5, 1); len(m) != 1 || m[0].QueryID != "q0" {
		t.Errorf("keep 1 = %+v", m)
	}
}
