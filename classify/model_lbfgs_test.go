package classify

import (
	"context"
	"math"
	"testing"
)

// minimizeLBFGS finds the minimum of an ill-conditioned quadratic
// ½xᵀAx − bᵀx with A = D + uuᵀ, whose answer Sherman-Morrison gives, over
// more than one vector block and on any number of workers.
func TestMinimizeLBFGS(t *testing.T) {
	const n = 2*vecBlock + 123
	dg, u, b := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		dg[i] = 0.01 + float64(i%97)     // condition number ~10⁴
		u[i] = math.Sin(float64(i)) / 30 // a dense coupling
		b[i] = math.Cos(float64(i) * 0.37)
	}
	// x* = D⁻¹b − D⁻¹u (uᵀD⁻¹b)/(1 + uᵀD⁻¹u)
	var ub, uu float64
	for i := range n {
		ub += u[i] * b[i] / dg[i]
		uu += u[i] * u[i] / dg[i]
	}
	want := make([]float64, n)
	for i := range n {
		want[i] = b[i]/dg[i] - u[i]/dg[i]*ub/(1+uu)
	}
	fn := func(x, grad []float64) (float64, error) {
		ux := 0.0
		for i := range n {
			ux += u[i] * x[i]
		}
		f := 0.0
		for i := range n {
			grad[i] = dg[i]*x[i] + u[i]*ux - b[i]
			f += 0.5*dg[i]*x[i]*x[i] - b[i]*x[i]
		}
		return f + 0.5*ux*ux, nil
	}
	var first []float64
	for _, workers := range []int{1, 2, 5} {
		x := make([]float64, n)
		res, err := minimizeLBFGS(context.Background(), fn, x, lbfgsSettings{memory: lbfgsMemory, maxIter: 2000, tol: 1e-14}, newVecOps(n, workers))
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i := range n {
			worst = max(worst, math.Abs(x[i]-want[i])/(1+math.Abs(want[i])))
		}
		if worst > 1e-4 {
			t.Errorf("workers=%d: worst relative error %g after %d iterations", workers, worst, res.iterations)
		}
		if first == nil {
			first = x
			continue
		}
		for i := range n {
			if x[i] != first[i] {
				t.Fatalf("workers=%d: x[%d] = %v, with one worker %v", workers, i, x[i], first[i])
			}
		}
	}
}
