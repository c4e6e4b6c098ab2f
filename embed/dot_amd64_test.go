package embed

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDotAVX2MatchesLanes(t *testing.T) {
	if !avx2 {
		t.Skip("SKIP: no AVX2 on this processor; dot runs the Go lanes")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{32, 64, 384, 4096} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		if got, want := dotAVX2(&a[0], &b[0], n), dotLanes(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: AVX2 %v, Go lanes %v", n, got, want)
		}
	}
}
