package embed

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vector instructions and the Go loop add the same products in the same
// order: the same bits, so a search ranks the same on every machine.
func TestDotSameBitsEverywhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 384, 1536} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		m := n &^ 31
		want := dotLanes(a[:m], b[:m])
		for i := m; i < n; i++ {
			want += float32(a[i] * b[i])
		}
		if got := dot(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: dot %v, the Go lanes %v", n, got, want)
		}
		var exact float64
		for i := range a {
			exact += float64(a[i]) * float64(b[i])
		}
		if got := float64(dot(a, b)); math.Abs(got-exact) > 1e-4*math.Max(1, math.Abs(exact)) {
			t.Errorf("n=%d: dot %v, exact %v", n, got, exact)
		}
	}
}
