package embed

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// csr is a sparse matrix in compressed sparse row form.
type csr struct {
	rows, cols int
	ptr        []int
	col        []int32
	val        []float64
}

// workers is how many goroutines the dense-sparse products use; the
// service runs on small machines, and two already halve training time.
const workers = 2

// parallel runs f over [0, n) split into contiguous blocks, one per
// worker; f learns its worker number so it can keep private results.
func parallel(n int, f func(lo, hi int)) { parallelW(n, func(_, lo, hi int) { f(lo, hi) }) }

func parallelW(n int, f func(w, lo, hi int)) {
	w := min(workers, n)
	if w <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for g := range w {
		lo, hi := g*n/w, (g+1)*n/w
		wg.Go(func() { f(g, lo, hi) })
	}
	wg.Wait()
}

// mul returns A·B for dense B (cols × l, row-major).
func (a *csr) mul(b []float64, l int) []float64 {
	out := make([]float64, a.rows*l)
	parallel(a.rows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := out[i*l : (i+1)*l]
			for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
				v := a.val[p]
				br := b[int(a.col[p])*l : int(a.col[p]+1)*l]
				for c, x := range br {
					o[c] += v * x
				}
			}
		}
	})
	return out
}

// tmul returns Aᵀ·Q for dense Q (rows × l). Workers split the columns of
// the result, not the rows of A, so that they never write the same cell.
func (a *csr) tmul(q []float64, l int) []float64 {
	out := make([]float64, a.cols*l)
	parallel(l, func(lo, hi int) {
		for i := 0; i < a.rows; i++ {
			qr := q[i*l+lo : i*l+hi]
			for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
				v := a.val[p]
				o := out[int(a.col[p])*l+lo : int(a.col[p])*l+hi]
				for c, x := range qr {
					o[c] += v * x
				}
			}
		}
	})
	return out
}

// gram returns YᵀY for dense Y (n × l).
func gram(y []float64, n, l int) []float64 {
	parts := make([][]float64, workers)
	parallelW(n, func(w, lo, hi int) {
		g := make([]float64, l*l)
		for i := lo; i < hi; i++ {
			r := y[i*l : (i+1)*l]
			for a, x := range r {
				if x == 0 {
					continue
				}
				ga := g[a*l : (a+1)*l]
				for b := a; b < l; b++ {
					ga[b] += x * r[b]
				}
			}
		}
		parts[w] = g
	})
	g := make([]float64, l*l)
	for _, p := range parts {
		for i, x := range p {
			g[i] += x
		}
	}
	for a := range l {
		for b := a + 1; b < l; b++ {
			g[b*l+a] = g[a*l+b]
		}
	}
	return g
}

// symEigen returns the eigenvalues of the symmetric l×l matrix a, largest
// first, and the eigenvectors as the columns of a row-major matrix. Cyclic
// Jacobi: slow for big matrices, exact and simple for the few hundred rows
// the randomised SVD leaves.
func symEigen(a []float64, l int) ([]float64, []float64) {
	a = slices.Clone(a)
	v := make([]float64, l*l)
	for i := range l {
		v[i*l+i] = 1
	}
	for sweep := 0; sweep < 60; sweep++ {
		var off, diag float64
		for p := range l {
			diag += a[p*l+p] * a[p*l+p]
			for q := p + 1; q < l; q++ {
				off += a[p*l+q] * a[p*l+q]
			}
		}
		if off <= 1e-22*diag || off == 0 {
			break
		}
		for p := 0; p < l; p++ {
			for q := p + 1; q < l; q++ {
				apq := a[p*l+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				app, aqq := a[p*l+p], a[q*l+q]
				theta := (aqq - app) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range l {
					akp, akq := a[k*l+p], a[k*l+q]
					a[k*l+p] = c*akp - s*akq
					a[k*l+q] = s*akp + c*akq
				}
				for k := range l {
					apk, aqk := a[p*l+k], a[q*l+k]
					a[p*l+k] = c*apk - s*aqk
					a[q*l+k] = s*apk + c*aqk
				}
				for k := range l {
					vkp, vkq := v[k*l+p], v[k*l+q]
					v[k*l+p] = c*vkp - s*vkq
					v[k*l+q] = s*vkp + c*vkq
				}
			}
		}
	}
	idx := make([]int, l)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		switch {
		case a[x*l+x] > a[y*l+y]:
			return -1
		case a[x*l+x] < a[y*l+y]:
			return 1
		}
		return 0
	})
	vals := make([]float64, l)
	vecs := make([]float64, l*l)
	for j, i := range idx {
		vals[j] = a[i*l+i]
		for k := range l {
			vecs[k*l+j] = v[k*l+i]
		}
	}
	return vals, vecs
}

// orthonormalize returns an orthonormal basis of the columns of Y (n × l)
// by modified Gram-Schmidt, run twice so that rounding does not leave the
// basis skewed. Columns with no weight left (a corpus smaller than the
// sketch) become zero instead of amplified noise.
func orthonormalize(y []float64, n, l int) []float64 {
	// Work on the transpose so that each column is contiguous.
	t := make([]float64, l*n)
	for i := range n {
		for j := range l {
			t[j*n+i] = y[i*l+j]
		}
	}
	norms := make([]float64, l)
	for j := range l {
		norms[j] = math.Sqrt(dot64(t[j*n:(j+1)*n], t[j*n:(j+1)*n]))
	}
	for range 2 {
		for j := range l {
			cj := t[j*n : (j+1)*n]
			for p := range j {
				cp := t[p*n : (p+1)*n]
				if r := dot64(cp, cj); r != 0 {
					for i, x := range cp {
						cj[i] -= r * x
					}
				}
			}
			nv := math.Sqrt(dot64(cj, cj))
			if nv <= 1e-10*norms[j] || nv == 0 {
				clear(cj)
				continue
			}
			for i := range cj {
				cj[i] /= nv
			}
		}
	}
	for i := range n {
		for j := range l {
			y[i*l+j] = t[j*n+i]
		}
	}
	return y
}

func dot64(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

// denseMul returns A (n × l) · B (l × m).
func denseMul(a []float64, n, l int, b []float64, m int) []float64 {
	out := make([]float64, n*m)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := out[i*m : (i+1)*m]
			for k, x := range a[i*l : (i+1)*l] {
				if x == 0 {
					continue
				}
				for j, y := range b[k*m : (k+1)*m] {
					o[j] += x * y
				}
			}
		}
	})
	return out
}

// randomizedSVD returns the top k right singular vectors of A (as a
// cols × k row-major matrix) and the singular values, by the randomised
// range finder of Halko, Martinsson and Tropp with power iterations.
func randomizedSVD(ctx context.Context, a *csr, k, oversample, iters int, seed uint64, progress func(done, total int)) ([]float64, []float64, error) {
	l := min(k+oversample, a.rows, a.cols)
	k = min(k, l)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	omega := make([]float64, a.cols*l)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	steps := 2 + 2*iters
	y := orthonormalize(a.mul(omega, l), a.rows, l)
	progress(1, steps)
	for it := range iters {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		z := a.tmul(y, l)
		progress(2+2*it, steps)
		y = orthonormalize(a.mul(z, l), a.rows, l)
		progress(3+2*it, steps)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// A ≈ Q Qᵀ A; the right singular vectors of QᵀA are those of A.
	z := a.tmul(y, l) // (QᵀA)ᵀ, cols × l
	vals, w := symEigen(gram(z, a.cols, l), l)
	sigma := make([]float64, k)
	wk := make([]float64, l*k)
	for j := range k {
		s := math.Sqrt(max(vals[j], 0))
		sigma[j] = s
		if s == 0 {
			continue
		}
		for i := range l {
			wk[i*k+j] = w[i*l+j] / s
		}
	}
	progress(steps, steps)
	return denseMul(z, a.cols, l, wk, k), sigma, nil
}
