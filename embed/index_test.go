package embed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/triagehq/triage"
)

func randomUnit(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	normalize(v)
	return v
}

// bruteForce is the obviously right answer the index must agree with: the
// float32 dot product with each vector as the index holds it, in float16.
func bruteForce(ids []string, vecs [][]float32, q []float32, k int, filter func(string) bool) []Hit {
	var all []Hit
	for i, v := range vecs {
		if filter == nil || filter(ids[i]) {
			held := make([]float32, len(v))
			for j, f := range v {
				held[j] = fromHalf(toHalf(f))
			}
			all = append(all, Hit{ids[i], dot(q, held)})
		}
	}
	slices.SortStableFunc(all, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

func TestIndexMatchesBruteForce(t *testing.T) {
	for _, n := range []int{0, 1, 10, 500, parallelMin + 123} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			idx := NewIndex(32)
			var ids []string
			var vecs [][]float32
			for i := range n {
				id := fmt.Sprintf("doc-%d", i)
				v := randomUnit(rng, 32)
				ids, vecs = append(ids, id), append(vecs, v)
				if err := idx.Add(id, v); err != nil {
					t.Fatal(err)
				}
			}
			even := func(id string) bool { return len(id)%2 == 0 }
			for _, filter := range []func(string) bool{nil, even} {
				for _, k := range []int{1, 5, 100} {
					q := randomUnit(rng, 32)
					got, err := idx.Search(q, k, filter)
					if err != nil {
						t.Fatal(err)
					}
					want := bruteForce(ids, vecs, q, k, filter)
					if len(got) != len(want) {
						t.Fatalf("k=%d: %d hits, want %d", k, len(got), len(want))
					}
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("k=%d hit %d = %+v, want %+v", k, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

func TestIndexAddRemove(t *testing.T) {
	idx := NewIndex(2)
	add := func(id string, v ...float32) {
		t.Helper()
		if err := idx.Add(id, v); err != nil {
			t.Fatal(err)
		}
	}
	add("a", 1, 0)
	add("b", 0, 1)
	add("c", 0.6, 0.8)
	add("a", 0, -1) // replaces
	if idx.Len() != 3 {
		t.Fatalf("Len %d, want 3", idx.Len())
	}
	top := func() []string {
		hits, err := idx.Search([]float32{1, 0}, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if got := top(); !slices.Equal(got, []string{"c", "a", "b"}) { // a and b tie at 0: insertion order
		t.Errorf("after replace: %v", got)
	}
	if !idx.Remove("b") || idx.Remove("b") || idx.Remove("zz") {
		t.Error("Remove reports wrongly")
	}
	if got := top(); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("after remove: %v", got)
	}
	if err := idx.Add("d", []float32{1, 0, 0}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("Add with wrong dim: %v", err)
	}
	if _, err := idx.Search([]float32{1}, 3, nil); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("Search with wrong dim: %v", err)
	}
	if hits, _ := idx.Search([]float32{1, 0}, 0, nil); len(hits) != 0 {
		t.Errorf("k=0 gave %v", hits)
	}
}

// TestIndexConcurrent is for -race: searches, adds and removes at once.
func TestIndexConcurrent(t *testing.T) {
	idx := NewIndex(16)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range parallelMin + 10 {
		if err := idx.Add(fmt.Sprint(i), randomUnit(rng, 16)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 2))
			for i := range 50 {
				switch i % 3 {
				case 0:
					_ = idx.Add(fmt.Sprintf("g%d-%d", g, i), randomUnit(r, 16))
				case 1:
					idx.Remove(fmt.Sprint(r.IntN(parallelMin)))
				default:
					if _, err := idx.Search(randomUnit(r, 16), 10, func(string) bool { return true }); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkIndexSearch is the figure the design asks for: top-10 over
// 20,000 vectors of 384 dimensions.
func BenchmarkIndexSearch(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	idx := NewIndex(384)
	for i := range 20000 {
		if err := idx.Add(fmt.Sprint(i), randomUnit(rng, 384)); err != nil {
			b.Fatal(err)
		}
	}
	q := randomUnit(rng, 384)
	for b.Loop() {
		if _, err := idx.Search(q, 10, nil); err != nil {
			b.Fatal(err)
		}
	}
}
