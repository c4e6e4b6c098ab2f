package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Train fits a model on examples. It is deterministic: the same examples
// and options give the same weights and Version on any number of cores.
//
// On small sets (see TrainOptions.CalibrationFolds) it first fits one
// model per cross-validation fold and scales the final model's scores by
// the temperature that makes the out-of-fold probabilities honest: the L2
// penalty, strong relative to a few hundred examples, otherwise leaves
// the probabilities too close to uniform for an abstain threshold.
func Train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, error) {
	start := time.Now()
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if len(examples) == 0 {
		return nil, triage.Invalid("examples", "no training examples")
	}
	sizes := map[string]int{}
	texts := make([]string, len(examples))
	for i, e := range examples {
		if e.Label == "" {
			return nil, triage.Invalid(fmt.Sprintf("examples[%d].label", i), "label is empty")
		}
		sizes[e.Label]++
		texts[i] = e.Text
	}
	if len(sizes) < 2 {
		return nil, triage.Invalid("examples", "need at least two classes, got %d", len(sizes))
	}
	labels := make([]string, 0, len(sizes))
	for l := range sizes {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	classOf := make(map[string]int32, len(labels))
	for c, l := range labels {
		classOf[l] = int32(c)
	}
	y := make([]int32, len(examples))
	for i, e := range examples {
		y[i] = classOf[e.Label]
	}
	folds := opts.CalibrationFolds
	if folds == 0 && len(examples) <= AutoCalibrateMax {
		folds = 5
	}
	if folds < 2 || folds > len(examples) {
		folds = 0
	}

	// With folds, each candidate supervised IDF weight is cross-validated
	// on the training set; the best by out-of-fold macro-F1 is kept, and
	// its out-of-fold scores fit the temperature.
	cands := []float64{opts.Supervised}
	if opts.Supervised == 0 {
		cands = []float64{-1}
		if folds > 0 {
			cands = []float64{-1, AutoSupervised}
		} else if len(examples) > AutoCalibrateMax {
			cands = []float64{LargeSetSupervised}
		}
	}
	if folds == 0 {
		cands = cands[:1]
	}
	// Progress: texts segmented, then MaxIter steps for each fit.
	total := len(examples) + (len(cands)*folds+1)*opts.MaxIter
	report := func(done int) {
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	feats, docs, err := segmentAll(ctx, opts.Segmenter, texts, opts.Features, opts.Workers, report)
	if err != nil {
		return nil, err
	}
	opts.Features = feats

	scale := 1.0
	var cv []CVScore
	if folds > 0 {
		var best []float64
		var bestCV CVScore
		for i, w := range cands {
			o := opts
			o.Supervised = w
			z, err := outOfFold(ctx, docs, y, len(labels), folds, o, func(fold, it int) {
				report(len(examples) + (i*folds+fold)*opts.MaxIter + it)
			})
			if err != nil {
				return nil, err
			}
			sc := CVScore{Supervised: w, MacroF1: macroF1(z, y, len(labels)), scale: fitScale(z, y, len(labels))}
			sc.LogLoss = logLoss(z, y, len(labels), sc.scale) / float64(len(y))
			cv = append(cv, sc)
			// A candidate must classify better without predicting worse
			// probabilities (out-of-fold log-loss once calibrated), and
			// its temperature must be found inside the bracket: on a
			// few dozen examples, raising class-specific features can
			// separate the folds perfectly, which leaves no temperature
			// to fit and the model sure of texts it knows nothing
			// about. Ties keep the earlier, simpler candidate.
			if best == nil || sc.MacroF1 > bestCV.MacroF1 && sc.LogLoss <= bestCV.LogLoss && sc.scale < 0.99*maxScale {
				best, bestCV, opts.Supervised = z, sc, w
			}
		}
		scale = bestCV.scale
	} else {
		opts.Supervised = cands[0]
	}
	m, res, err := fitLinear(ctx, docs, y, len(labels), opts, func(it int) {
		report(len(examples) + len(cands)*folds*opts.MaxIter + it)
	})
	if err != nil {
		return nil, err
	}
	report(total)
	m.labels = labels
	m.scale = scale
	m.info = ModelInfo{
		Examples:         len(examples),
		Classes:          len(labels),
		Features:         m.feat.Dim(),
		ClassSizes:       sizes,
		CreatedAt:        time.Now().UTC().Truncate(time.Second),
		Options:          opts,
		Iterations:       res.iterations,
		Evaluations:      res.evals,
		Loss:             res.f,
		Temperature:      1 / scale,
		CalibrationFolds: folds,
		CrossValidation:  cv,
		FitSeconds:       time.Since(start).Seconds(),
	}
	m.info.Options.Workers = 0
	m.info.Options.CalibrationFolds = folds
	m.version = m.contentHash()
	return m, nil
}

// fitLinear fits the vocabulary and the weights on docs. The returned
// model has no labels yet.
func fitLinear(ctx context.Context, docs []docText, y []int32, k int, opts TrainOptions, progress func(iter int)) (*Model, lbfgsResult, error) {
	feat, err := fitVocabulary(ctx, opts.Segmenter, docs, opts.Features, opts.Workers)
	if err != nil {
		return nil, lbfgsResult{}, err
	}
	x, err := feat.matrix(ctx, docs, opts.Workers)
	if err != nil {
		return nil, lbfgsResult{}, err
	}
	counts := make([]int, k)
	for _, c := range y {
		counts[c]++
	}
	if opts.Supervised > 0 {
		superviseIDF(feat, x, y, counts, opts.Supervised)
		if x, err = feat.matrix(ctx, docs, opts.Workers); err != nil {
			return nil, lbfgsResult{}, err
		}
	}
	sw := make([]float64, len(y))
	for i, c := range y {
		sw[i] = 1
		if opts.ClassWeight == ClassWeightBalanced {
			// Classes absent from a calibration fold get no weight
			// because they have no examples; the others share it.
			present := 0
			for _, n := range counts {
				if n > 0 {
					present++
				}
			}
			sw[i] = float64(len(y)) / float64(present*counts[c])
		}
	}
	dim := feat.Dim()
	obj := newSoftmaxObjective(x, dim, y, sw, k, 1/opts.C, opts.Workers)
	theta := make([]float64, dim*k+k)
	res, err := minimizeLBFGS(ctx, obj.eval, theta, lbfgsSettings{
		memory:   lbfgsMemory,
		maxIter:  opts.MaxIter,
		tol:      opts.Tol,
		progress: progress,
	}, newVecOps(len(theta), opts.Workers))
	if err != nil {
		return nil, res, err
	}
	m := &Model{feat: feat, weights: make([]float32, dim*k), bias: make([]float32, k), scale: 1}
	for i := range m.weights {
		m.weights[i] = float32(theta[i])
	}
	for c := range k {
		m.bias[c] = float32(theta[dim*k+c])
	}
	return m, res, nil
}

// superviseIDF scales the IDF of each feature by 1 + weight·s, s being one
// minus the normalised entropy of the feature's class distribution: the
// share of each class's texts that have the feature (smoothed), normalised
// over classes. A feature in one class only gets s near 1, one spread as
// the classes are gets 0. x is the matrix of the training texts, counts
// the texts per class.
func superviseIDF(f *Featurizer, x *csr, y []int32, counts []int, weight float64) {
	k, dim := len(counts), f.Dim()
	df := make([]float64, dim*k)
	for i, c := range y {
		for j := x.ptr[i]; j < x.ptr[i+1]; j++ {
			df[int(x.idx[j])*k+int(c)]++
		}
	}
	present := 0
	for _, n := range counts {
		if n > 0 {
			present++
		}
	}
	if present < 2 {
		return
	}
	q := make([]float64, k)
	for fi := range dim {
		sum := 0.0
		for c, n := range counts {
			q[c] = 0
			if n > 0 {
				q[c] = (df[fi*k+c] + 0.5) / (float64(n) + 1)
				sum += q[c]
			}
		}
		h := 0.0
		for _, v := range q {
			if v > 0 {
				p := v / sum
				h -= p * math.Log(p)
			}
		}
		s := max(0, 1-h/math.Log(float64(present)))
		f.idf[fi] = float32(float64(f.idf[fi]) * (1 + weight*s))
	}
}

// outOfFold returns the out-of-fold class scores of every training
// document (n×K): each fold's scores come from a model fitted on the other
// folds. Folds are stratified by class and shuffled with opts.Seed.
func outOfFold(ctx context.Context, docs []docText, y []int32, k, folds int, opts TrainOptions, progress func(fold, iter int)) ([]float64, error) {
	fold := make([]int, len(y))
	perm := rand.New(rand.NewPCG(uint64(opts.Seed), 0x7472696167650a)).Perm(len(y))
	next := make([]int, k)
	for _, i := range perm {
		fold[i] = next[y[i]] % folds
		next[y[i]]++
	}
	z := make([]float64, len(y)*k)
	for f := range folds {
		var trainDocs []docText
		var trainY []int32
		for i := range docs {
			if fold[i] != f {
				trainDocs = append(trainDocs, docs[i])
				trainY = append(trainY, y[i])
			}
		}
		m, _, err := fitLinear(ctx, trainDocs, trainY, k, opts, func(it int) { progress(f, it) })
		if err != nil {
			return nil, err
		}
		var v SparseVector
		for i := range docs {
			if fold[i] == f {
				m.feat.vectorize(docs[i], &v)
				m.decision(v, z[i*k:i*k+k])
			}
		}
	}
	return z, nil
}

// macroF1 is the macro-averaged F1 of the best-scoring class of each row
// of z (n×K) against y, over the classes present in y.
func macroF1(z []float64, y []int32, k int) float64 {
	tp, pred, gold := make([]int, k), make([]int, k), make([]int, k)
	for i, c := range y {
		row := z[i*k : i*k+k]
		p := 0
		for j := range row {
			if row[j] > row[p] {
				p = j
			}
		}
		pred[p]++
		gold[c]++
		if p == int(c) {
			tp[c]++
		}
	}
	sum, n := 0.0, 0
	for c := range k {
		if gold[c] == 0 {
			continue
		}
		n++
		if tp[c] > 0 {
			sum += 2 * float64(tp[c]) / float64(pred[c]+gold[c])
		}
	}
	return sum / float64(n)
}

// maxScale bounds the inverse temperature fitScale returns.
const maxScale = 20.0

// logLoss is Σ −log softmax(β·z_i)[y_i].
func logLoss(z []float64, y []int32, k int, beta float64) float64 {
	s := 0.0
	for i, c := range y {
		row := z[i*k : i*k+k]
		mx := slices.Max(row)
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(beta * (v - mx))
		}
		s += math.Log(sum) - beta*(row[c]-mx)
	}
	return s
}

// fitScale finds β > 0 minimising Σ −log softmax(β·z_i)[y_i]. The loss is
// convex in β, so a golden-section search over a generous bracket finds
// it; the bracket bounds keep a degenerate fold from producing an absurd
// temperature.
func fitScale(z []float64, y []int32, k int) float64 {
	nll := func(beta float64) float64 { return logLoss(z, y, k, beta) }
	lo, hi := 0.1, maxScale
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(a), nll(b)
	for range 60 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(b)
		}
	}
	return (lo + hi) / 2
}

// softmaxObjective is the weighted multinomial log-loss with an L2 penalty
// on the weights (not the biases). Parameters are the feature-major
// weights followed by the K biases.
type softmaxObjective struct {
	x       *csr
	xt      *csr // the transpose, for the gradient by feature
	y       []int32
	sw      []float64
	k       int
	dim     int
	lambda  float64
	workers int
	resid   []float64 // n×K: weight·(p − onehot)
	// w32 is the weights rounded to float32 for the forward pass, which
	// gathers one weight row per non-zero feature: half the bytes make
	// it a third faster, and the rounding (1e-7 relative) is far below
	// the stopping tolerance.
	w32    []float32
	blockF []float64 // per document block: loss, then K bias gradients
	blockR []float64 // per feature block: penalty
}

const (
	docBlock  = 512
	featBlock = 4096
)

func newSoftmaxObjective(x *csr, dim int, y []int32, sw []float64, k int, lambda float64, workers int) *softmaxObjective {
	n := len(y)
	return &softmaxObjective{
		x: x, xt: transpose(x, dim), y: y, sw: sw, k: k, dim: dim, lambda: lambda, workers: workers,
		resid:  make([]float64, n*k),
		w32:    make([]float32, dim*k),
		blockF: make([]float64, ((n+docBlock-1)/docBlock)*(k+1)),
		blockR: make([]float64, (dim+featBlock-1)/featBlock),
	}
}

func (o *softmaxObjective) eval(theta, grad []float64) (float64, error) {
	ctx := context.Background()
	k, n := o.k, len(o.y)
	w, b := theta[:o.dim*k], theta[o.dim*k:]
	_ = parallelBlocks(ctx, len(w), vecBlock, o.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o.w32[i] = float32(w[i])
		}
	}, nil)
	_ = parallelBlocks(ctx, n, docBlock, o.workers, func(lo, hi int) {
		bf := o.blockF[(lo/docBlock)*(k+1) : (lo/docBlock+1)*(k+1)]
		clear(bf)
		for i := lo; i < hi; i++ {
			z := o.resid[i*k : i*k+k]
			copy(z, b)
			for j := o.x.ptr[i]; j < o.x.ptr[i+1]; j++ {
				xv := o.x.val[j]
				row := o.w32[int(o.x.idx[j])*k : int(o.x.idx[j])*k+k]
				for c, wc := range row {
					z[c] += float64(xv * wc)
				}
			}
			mx := slices.Max(z)
			yi := o.y[i]
			zy := z[yi] - mx
			s := 0.0
			for c := range z {
				z[c] = math.Exp(z[c] - mx)
				s += z[c]
			}
			// log-loss = log Σ exp(z) − z_y, from the shifted z (exp of a
			// far-behind z_y may underflow to 0, its logarithm must not).
			bf[0] += o.sw[i] * (math.Log(s) - zy)
			for c := range z {
				z[c] = o.sw[i] * z[c] / s
			}
			z[yi] -= o.sw[i]
			for c := range z {
				bf[1+c] += z[c]
			}
		}
	}, nil)
	_ = parallelBlocks(ctx, o.dim, featBlock, o.workers, func(lo, hi int) {
		pen := 0.0
		for f := lo; f < hi; f++ {
			g := grad[f*k : f*k+k]
			wf := w[f*k : f*k+k]
			for c := range g {
				g[c] = o.lambda * wf[c]
				pen += wf[c] * wf[c]
			}
			for j := o.xt.ptr[f]; j < o.xt.ptr[f+1]; j++ {
				xv := float64(o.xt.val[j])
				r := o.resid[int(o.xt.idx[j])*k : int(o.xt.idx[j])*k+k]
				for c := range g {
					g[c] += xv * r[c]
				}
			}
		}
		o.blockR[lo/featBlock] = pen
	}, nil)
	loss := 0.0
	gb := grad[o.dim*k:]
	clear(gb)
	for blk := 0; blk*(k+1) < len(o.blockF); blk++ {
		bf := o.blockF[blk*(k+1) : (blk+1)*(k+1)]
		loss += bf[0]
		for c := range gb {
			gb[c] += bf[1+c]
		}
	}
	pen := 0.0
	for _, p := range o.blockR {
		pen += p
	}
	loss += 0.5 * o.lambda * pen
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, errors.New("classify: training diverged")
	}
	return loss, nil
}

// transpose returns the column-compressed form of x, rows in order within
// each column.
func transpose(x *csr, dim int) *csr {
	t := &csr{ptr: make([]int, dim+1), idx: make([]int32, len(x.idx)), val: make([]float32, len(x.val))}
	for _, f := range x.idx {
		t.ptr[f+1]++
	}
	for f := range dim {
		t.ptr[f+1] += t.ptr[f]
	}
	next := slices.Clone(t.ptr[:dim])
	for i := 0; i+1 < len(x.ptr); i++ {
		for j := x.ptr[i]; j < x.ptr[i+1]; j++ {
			f := x.idx[j]
			t.idx[next[f]] = int32(i)
			t.val[next[f]] = x.val[j]
			next[f]++
		}
	}
	return t
}
