package classify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fitScale recovers the inverse temperature that generated the labels.
func TestFitScale(t *testing.T) {
	for _, beta := range []float64{0.5, 1, 3} {
		t.Run("", func(t *testing.T) {
			const n, k = 20000, 4
			r := rand.New(rand.NewPCG(1, 2))
			z := make([]float64, n*k)
			y := make([]int32, n)
			p := make([]float64, k)
			for i := range n {
				row := z[i*k : i*k+k]
				for c := range row {
					row[c] = r.NormFloat64()
				}
				copy(p, row)
				for c := range p {
					p[c] *= beta
				}
				softmax(p)
				u, acc := r.Float64(), 0.0
				y[i] = k - 1
				for c := range p {
					if acc += p[c]; u < acc {
						y[i] = int32(c)
						break
					}
				}
			}
			if got := fitScale(z, y, k); math.Abs(got-beta) > 0.08*beta {
				t.Errorf("fitted %v, want %v", got, beta)
			}
		})
	}
}
