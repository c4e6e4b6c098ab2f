package classify

import (
	"context"
	"math"
	"sync"
)

// vecBlock is the fixed block size of the parallel vector operations. Sums
// are reduced block by block in order, so a result does not depend on how
// many goroutines computed it.
const vecBlock = 1 << 15

// vecOps runs the dense vector arithmetic of L-BFGS on a few goroutines.
type vecOps struct {
	workers int
	partial []float64
}

func newVecOps(n, workers int) *vecOps {
	return &vecOps{workers: max(1, workers), partial: make([]float64, (n+vecBlock-1)/vecBlock)}
}

// each runs fn over the blocks of [0,n).
func (v *vecOps) each(n int, fn func(b, lo, hi int)) {
	nb := (n + vecBlock - 1) / vecBlock
	w := min(v.workers, nb)
	if w <= 1 {
		for b := range nb {
			fn(b, b*vecBlock, min(n, (b+1)*vecBlock))
		}
		return
	}
	var wg sync.WaitGroup
	for g := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := g; b < nb; b += w {
				fn(b, b*vecBlock, min(n, (b+1)*vecBlock))
			}
		}()
	}
	wg.Wait()
}

type float interface{ ~float32 | ~float64 }

func (v *vecOps) dot(x, y []float64) float64 { return dot(v, x, y) }

// dot is x·y, summed in float64 block by block. Four running sums break
// the chain of dependent additions that would otherwise bound the loop.
func dot[A, B float](v *vecOps, x []A, y []B) float64 {
	v.each(len(x), func(b, lo, hi int) {
		var s0, s1, s2, s3 float64
		i := lo
		for ; i+4 <= hi; i += 4 {
			s0 += float64(x[i]) * float64(y[i])
			s1 += float64(x[i+1]) * float64(y[i+1])
			s2 += float64(x[i+2]) * float64(y[i+2])
			s3 += float64(x[i+3]) * float64(y[i+3])
		}
		for ; i < hi; i++ {
			s0 += float64(x[i]) * float64(y[i])
		}
		v.partial[b] = (s0 + s1) + (s2 + s3)
	})
	s := 0.0
	for _, p := range v.partial[:(len(x)+vecBlock-1)/vecBlock] {
		s += p
	}
	return s
}

// axpy sets y += a*x.
func axpy[A float](v *vecOps, a float64, x []A, y []float64) {
	v.each(len(x), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			y[i] += a * float64(x[i])
		}
	})
}

// lincomb sets dst = x + a*y.
func (v *vecOps) lincomb(dst, x []float64, a float64, y []float64) {
	v.each(len(x), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = x[i] + a*y[i]
		}
	})
}

// scale sets x *= a.
func (v *vecOps) scale(a float64, x []float64) {
	v.each(len(x), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] *= a
		}
	})
}

// diff sets dst = x - y.
func diff[A float](v *vecOps, dst []A, x, y []float64) {
	v.each(len(x), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = A(x[i] - y[i])
		}
	})
}

// objectiveFunc returns f(x) and writes its gradient into grad.
type objectiveFunc func(x, grad []float64) (float64, error)

type lbfgsSettings struct {
	memory  int
	maxIter int
	// tol stops when the objective improved by less than tol (relative)
	// over the last few iterations.
	tol      float64
	progress func(iter int)
}

type lbfgsResult struct {
	f          float64
	iterations int
	evals      int
}

// minimizeLBFGS minimises a smooth convex function from x, in place, with
// limited-memory BFGS and a backtracking Armijo line search. Everything is
// computed in a fixed order, so the same input gives the same bits.
func minimizeLBFGS(ctx context.Context, fn objectiveFunc, x []float64, st lbfgsSettings, vo *vecOps) (lbfgsResult, error) {
	n := len(x)
	m := st.memory
	g := make([]float64, n)
	gNew := make([]float64, n)
	xNew := make([]float64, n)
	d := make([]float64, n)
	// The correction pairs are kept in float32: the two-loop recursion
	// reads all of them every iteration and is limited by memory
	// bandwidth, and their rounding (1e-7 relative) only perturbs the
	// curvature estimate, never the gradient.
	ss := make([][]float32, m)
	ys := make([][]float32, m)
	rho := make([]float64, m)
	alpha := make([]float64, m)
	for i := range m {
		ss[i] = make([]float32, n)
		ys[i] = make([]float32, n)
	}
	var res lbfgsResult
	f, err := fn(x, g)
	res.evals++
	if err != nil {
		return res, err
	}
	// A window of objective values makes the stopping test robust to one
	// iteration that happens to make little progress.
	const window = 5
	hist := []float64{f}
	stored, head := 0, 0
	for iter := 1; iter <= st.maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// d = -H·g by the two-loop recursion, newest pair first.
		copy(d, g)
		for k := range stored {
			j := (head - 1 - k + m) % m
			alpha[j] = rho[j] * dot(vo, ss[j], d)
			axpy(vo, -alpha[j], ys[j], d)
		}
		if stored > 0 {
			j := (head - 1 + m) % m
			vo.scale(1/(rho[j]*dot(vo, ys[j], ys[j])), d)
		}
		for k := stored - 1; k >= 0; k-- {
			j := (head - 1 - k + m) % m
			beta := rho[j] * dot(vo, ys[j], d)
			axpy(vo, alpha[j]-beta, ss[j], d)
		}
		vo.scale(-1, d)
		gd := vo.dot(g, d)
		if gd >= 0 {
			// Not a descent direction (numerical trouble): restart from
			// steepest descent.
			copy(d, g)
			vo.scale(-1, d)
			gd = vo.dot(g, d)
			stored, head = 0, 0
		}
		if gd == 0 {
			break
		}
		step := 1.0
		if stored == 0 {
			step = 1 / math.Sqrt(-gd)
		}
		var fNew float64
		accepted := false
		for range 30 {
			vo.lincomb(xNew, x, step, d)
			fNew, err = fn(xNew, gNew)
			res.evals++
			if err != nil {
				return res, err
			}
			if fNew <= f+1e-4*step*gd {
				accepted = true
				break
			}
			// Quadratic interpolation of the step, kept in a safe range.
			next := -gd * step * step / (2 * (fNew - f - gd*step))
			if math.IsNaN(next) || next < 0.1*step || next > 0.5*step {
				next = 0.5 * step
			}
			step = next
		}
		if !accepted {
			break
		}
		// The new pair goes into the oldest slot; if it is rejected, the
		// oldest pair is gone all the same.
		j := head
		if stored == m {
			stored--
		}
		diff(vo, ss[j], xNew, x)
		diff(vo, ys[j], gNew, g)
		if sy := dot(vo, ss[j], ys[j]); sy > 1e-12 {
			rho[j] = 1 / sy
			head = (head + 1) % m
			stored++
		}
		x, xNew = xNew, x
		g, gNew = gNew, g
		f = fNew
		res.iterations = iter
		if st.progress != nil {
			st.progress(iter)
		}
		hist = append(hist, f)
		if len(hist) > window {
			old := hist[len(hist)-1-window]
			if (old-f)/max(math.Abs(f), 1) < st.tol*window {
				break
			}
		}
	}
	res.f = f
	// x may now be the scratch buffer; the caller's slice must hold the
	// answer.
	if res.iterations%2 == 1 {
		copy(xNew, x)
	}
	return res, nil
}
