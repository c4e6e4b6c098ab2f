package embed

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// A query's features, counted by sorting, are the training path's counted
// by a map and weighed: the same hashes, weights and order, so a query
// embeds as it did.
func TestFeaturesAsCountsWeighed(t *testing.T) {
	trained, err := Train(context.Background(), testCorpus, LocalOptions{Segmenter: pairSegmenter{}, Dim: 64, LSADim: 16})
	if err != nil {
		t.Fatal(err)
	}
	texts := append(slices.Clone(testCorpus), "", "！！", "花呗花呗花呗 还款 还款", strings.Repeat("退款什么时候到账，", 30), "ABC abc 123 一二三")
	for _, e := range []*Local{NewLocal(LocalOptions{Segmenter: pairSegmenter{}}), NewLocal(LocalOptions{}), trained} {
		for _, text := range texts {
			want := weigh(e.ex.counts(text), e.lookup)
			got := e.ex.features(text, e.lookup)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %q: features %v, weighed counts %v", e.Model(), text, got, want)
			}
		}
	}
}
