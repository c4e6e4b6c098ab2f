package bleve

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// searchNear must find what a binary search finds, wherever its guess
// lands: postings bunched at either end, spread evenly, empty, and numbers
// before, between, after and on every posting.
func TestSearchNear(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name string
		gen  func(n int) []int32
	}{
		{"empty", func(int) []int32 { return nil }},
		{"even", func(n int) []int32 {
			var out []int32
			for d := 0; d < n; d += 3 {
				out = append(out, int32(d))
			}
			return out
		}},
		{"low", func(n int) []int32 {
			var out []int32
			for d := range n / 10 {
				out = append(out, int32(d))
			}
			return out
		}},
		{"high", func(n int) []int32 {
			var out []int32
			for d := n - n/10; d < n; d++ {
				out = append(out, int32(d))
			}
			return out
		}},
		{"random", func(n int) []int32 {
			var out []int32
			for d := range n {
				if rng.IntN(7) == 0 {
					out = append(out, int32(d))
				}
			}
			return out
		}},
	} {
		for _, n := range []int{1, 2, 10, 1000, 100_000} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, n), func(t *testing.T) {
				docs := tc.gen(n)
				for d := int32(0); d <= int32(n); d += max(1, int32(n/5000)) {
					want, _ := slices.BinarySearch(docs, d)
					if got := searchNear(docs, d, n); got != want {
						t.Fatalf("searchNear(%d) = %d, want %d", d, got, want)
					}
				}
			})
		}
	}
}
