package embed

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// pairCorpus mentions two names of one product (花呗 and its nickname 蚂蚁)
// and a bank in the same contexts, so that without pairs nothing says
// which two of the three are one thing.
var pairCorpus = []string{
	"花呗怎么还款", "蚂蚁怎么还款", "银行怎么还款",
	"花呗额度怎么提升", "蚂蚁额度怎么提升", "银行额度怎么提升",
	"花呗账单在哪里看", "蚂蚁账单在哪里看", "银行账单在哪里看",
	"花呗逾期了怎么办", "蚂蚁逾期了怎么办", "银行逾期了怎么办",
	"花呗可以分期吗", "蚂蚁可以分期吗", "银行可以分期吗",
	"银行卡怎么还款", "银行卡额度怎么提升", "银行卡账单在哪里看", "银行卡可以分期吗",
}

// TestTrainPairs: pairs that say 花呗 and 蚂蚁 are one thing teach the
// latent part so, and a question the pairs never showed (逾期) finds its
// paraphrase under the other name ahead of the bank's same question. It
// also checks that the fine-tuned model is deterministic and survives a
// round trip through MarshalBinary.
func TestTrainPairs(t *testing.T) {
	ctx := context.Background()
	// In a batch, 花呗怎么还款 must find 蚂蚁怎么还款 and not 银行卡怎么还款:
	// the shared context cannot tell them apart, only the names can.
	var pairs []Pair
	for _, x := range []string{"怎么还款", "额度怎么提升", "账单在哪里看", "可以分期吗"} {
		pairs = append(pairs, Pair{A: "花呗" + x, B: "蚂蚁" + x, Group: "huabei" + x}, Pair{A: "银行" + x, B: "银行卡" + x, Group: "bank" + x})
	}
	query, same, other := "花呗逾期了怎么办", "蚂蚁逾期了怎么办", "银行逾期了怎么办"
	margin := func(e *Local) float64 {
		v, err := e.Embed(ctx, []string{query, same, other})
		if err != nil {
			t.Fatal(err)
		}
		return cos(v[0], v[1]) - cos(v[0], v[2])
	}
	for _, tc := range []struct {
		name  string
		pairs []Pair
		want  func(m float64) bool
		says  string
	}{
		{"without pairs", nil, func(m float64) bool { return m <= 0 }, "the two names are not yet known to be one"},
		{"with pairs", pairs, func(m float64) bool { return m > 0.02 }, "the nickname's question should come first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stages []string
			opts := LocalOptions{Segmenter: charSegmenter{}, LSADim: 16, Pairs: tc.pairs, PairEpochs: 30,
				Progress: func(stage string, _, _ int) {
					if len(stages) == 0 || stages[len(stages)-1] != stage {
						stages = append(stages, stage)
					}
				}}
			e, err := Train(ctx, pairCorpus, opts)
			if err != nil {
				t.Fatal(err)
			}
			m := margin(e)
			t.Logf("cos(%s, %s) - cos(%s, %s) = %.3f", query, same, query, other, m)
			if !tc.want(m) {
				t.Errorf("margin %.3f: %s", m, tc.says)
			}
			wantStages := []string{"features", "svd"}
			if tc.pairs != nil {
				wantStages = append(wantStages, "pairs")
				if e.opts.HashWeight != 0.6 {
					t.Errorf("hash weight %v, want 0.6 for a pair-tuned model", e.opts.HashWeight)
				}
			}
			if !slices.Equal(stages, wantStages) {
				t.Errorf("progress stages %v, want %v", stages, wantStages)
			}
			again, err := Train(ctx, pairCorpus, opts)
			if err != nil {
				t.Fatal(err)
			}
			if again.Model() != e.Model() {
				t.Errorf("training is not deterministic: %q then %q", e.Model(), again.Model())
			}
			blob, err := e.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			loaded := NewLocal(LocalOptions{Segmenter: charSegmenter{}})
			if err := loaded.UnmarshalBinary(blob); err != nil {
				t.Fatal(err)
			}
			if loaded.Model() != e.Model() || margin(loaded) != m {
				t.Errorf("loaded model %q margin %.3f, want %q %.3f", loaded.Model(), margin(loaded), e.Model(), m)
			}
		})
	}
}

// TestTrainPairsCancelled: fine-tuning gives up with the context.
func TestTrainPairsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opts := LocalOptions{Segmenter: pairSegmenter{}, Dim: 64, LSADim: 16, Pairs: []Pair{{A: "花呗怎么还款", B: "蚂蚁怎么还款"}, {A: "花呗可以分期吗", B: "蚂蚁可以分期吗"}},
		Progress: func(stage string, _, _ int) {
			if stage == "pairs" {
				cancel()
			}
		}}
	if _, err := Train(ctx, pairCorpus, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("Train with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestSoftmaxMasked: a masked entry (a same-group text, not a negative)
// gets no probability, and the rest sum to one.
func TestSoftmaxMasked(t *testing.T) {
	s := []float64{1, 2, 3}
	softmaxMasked(s, 0, func(j int) bool { return j == 2 })
	if s[2] != 0 || s[0] <= 0 || s[1] <= s[0] || s[0]+s[1] < 0.999999 || s[0]+s[1] > 1.000001 {
		t.Errorf("softmax %v", s)
	}
}
