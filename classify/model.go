package classify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// Example is one labelled training text.
type Example struct {
	Text  string `json:"text"`
	Label string `json:"label"`
}

// Class weighting schemes for TrainOptions.ClassWeight.
const (
	// ClassWeightBalanced weighs each example by n/(classes·n_class), so
	// that every class counts the same in the loss; it raises recall of
	// small classes and so macro-F1 on skewed sets.
	ClassWeightBalanced = "balanced"
	// ClassWeightNone weighs all examples the same.
	ClassWeightNone = "none"
)

// TrainOptions configures Train. The zero value (plus a Segmenter) gives
// the tuned defaults.
type TrainOptions struct {
	// Segmenter supplies normalisation and words; required. It is not
	// saved with the model: give the same one to Load.
	Segmenter triage.Segmenter `json:"-"`
	Features  FeatureOptions   `json:"features"`
	// C is the inverse strength of the L2 penalty, as in scikit-learn's
	// LogisticRegression: the loss is Σ weight·log-loss + ‖W‖²/(2C).
	// 0 means DefaultC.
	C float64 `json:"c"`
	// ClassWeight is ClassWeightBalanced or ClassWeightNone; "" means
	// balanced.
	ClassWeight string `json:"class_weight"`
	// MaxIter bounds the L-BFGS iterations; 0 means 300.
	MaxIter int `json:"max_iter"`
	// Tol stops training when the loss improves by less than this
	// fraction per iteration (averaged over a few); 0 means 1e-4.
	Tol float64 `json:"tol"`
	// Seed is recorded for reproducibility; the optimiser itself is
	// deterministic, and so is everything else in training.
	Seed int64 `json:"seed"`
	// Workers bounds the goroutines used; 0 means GOMAXPROCS. The model
	// does not depend on it, to the last bit.
	Workers int `json:"-"`
	// Progress, if set, is called from one goroutine at a time as
	// training advances; done reaches total at the end. Documents
	// segmented count first, then optimiser iterations.
	Progress func(done, total int) `json:"-"`
}

// DefaultC is the L2 setting used when TrainOptions.C is 0.
const DefaultC = 30

func (o TrainOptions) withDefaults() TrainOptions {
	o.Features = o.Features.withDefaults()
	if o.C == 0 {
		o.C = DefaultC
	}
	if o.ClassWeight == "" {
		o.ClassWeight = ClassWeightBalanced
	}
	if o.MaxIter == 0 {
		o.MaxIter = 300
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

func (o TrainOptions) validate() error {
	switch {
	case o.Segmenter == nil:
		return triage.Invalid("segmenter", "a segmenter is required")
	case !(o.C > 0) || math.IsInf(o.C, 0):
		return triage.Invalid("c", "C must be a positive number, got %v", o.C)
	case o.ClassWeight != ClassWeightBalanced && o.ClassWeight != ClassWeightNone:
		return triage.Invalid("class_weight", "class weight must be %q or %q, got %q", ClassWeightBalanced, ClassWeightNone, o.ClassWeight)
	case o.MaxIter < 0:
		return triage.Invalid("max_iter", "max_iter must not be negative")
	case !(o.Tol > 0):
		return triage.Invalid("tol", "tol must be positive")
	}
	return o.Features.validate()
}

// ModelInfo describes how a model was trained.
type ModelInfo struct {
	Examples   int                `json:"examples"`
	Classes    int                `json:"classes"`
	Features   int                `json:"features"`
	ClassSizes map[string]int     `json:"class_sizes"`
	CreatedAt  time.Time          `json:"created_at"`
	Options    TrainOptions       `json:"options"`
	Iterations int                `json:"iterations"`
	Loss       float64            `json:"loss"`
	FitSeconds float64            `json:"fit_seconds"`
	Extra      map[string]float64 `json:"extra,omitempty"`
}

// Model is a trained classifier. It is immutable and safe for concurrent
// use once built by Train or Load.
type Model struct {
	feat   *Featurizer
	labels []string
	// weights is feature-major: the K class weights of feature f are
	// weights[f*K:(f+1)*K], so scoring a sparse vector reads one short
	// contiguous row per non-zero feature.
	weights []float32
	bias    []float32
	info    ModelInfo
	version string
	scores  sync.Pool // *[]float64 of length K
}

// Labels returns the classes, sorted.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// Info returns the training metadata.
func (m *Model) Info() ModelInfo { return m.info }

// Version is a short hash of the model's content: two models with the same
// vocabulary, weights and options have the same version.
func (m *Model) Version() string { return m.version }

// Featurizer returns the model's feature map.
func (m *Model) Featurizer() *Featurizer { return m.feat }

// SetSegmenter gives a loaded model its segmenter. It must normalise and
// cut words like the one the model was trained with.
func (m *Model) SetSegmenter(seg triage.Segmenter) { m.feat.seg = seg }

// Prediction is the model's answer for one text.
type Prediction struct {
	Label       string  `json:"label"`
	Probability float64 `json:"probability"`
	// Classes holds every class with its probability, best first; ties
	// keep the label order.
	Classes []triage.Scored `json:"classes"`
}

// Top returns the n best classes (fewer if the model has fewer).
func (p Prediction) Top(n int) []triage.Scored {
	return p.Classes[:min(n, len(p.Classes))]
}

// Predict classifies one text.
func (m *Model) Predict(text string) Prediction {
	if m.feat.seg == nil {
		panic("classify: model has no segmenter; use Load or SetSegmenter after UnmarshalBinary")
	}
	v := m.feat.Transform(text)
	k := len(m.labels)
	zp, _ := m.scores.Get().(*[]float64)
	if zp == nil {
		z := make([]float64, k)
		zp = &z
	}
	z := *zp
	m.decision(v, z)
	softmax(z)
	p := Prediction{Classes: make([]triage.Scored, k)}
	for c, l := range m.labels {
		p.Classes[c] = triage.Scored{Value: l, Score: z[c]}
	}
	m.scores.Put(zp)
	slices.SortStableFunc(p.Classes, func(a, b triage.Scored) int { return cmp.Compare(b.Score, a.Score) })
	p.Label, p.Probability = p.Classes[0].Value, p.Classes[0].Score
	return p
}

// decision writes the class scores of v into z.
func (m *Model) decision(v SparseVector, z []float64) {
	k := len(z)
	for c := range z {
		z[c] = float64(m.bias[c])
	}
	for i, f := range v.Index {
		x := v.Value[i]
		row := m.weights[int(f)*k : int(f)*k+k]
		for c, w := range row {
			z[c] += float64(x * w)
		}
	}
}

// softmax turns scores into probabilities in place.
func softmax(z []float64) {
	mx := slices.Max(z)
	s := 0.0
	for c := range z {
		z[c] = math.Exp(z[c] - mx)
		s += z[c]
	}
	for c := range z {
		z[c] /= s
	}
}

// PredictBatch classifies texts on all cores, in order.
func (m *Model) PredictBatch(ctx context.Context, texts []string) ([]Prediction, error) {
	out := make([]Prediction, len(texts))
	err := parallelBlocks(ctx, len(texts), 16, 0, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = m.Predict(texts[i])
		}
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Train fits a model on examples. It is deterministic: the same examples
// and options give the same weights and Version on any number of cores.
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

	total := len(examples) + opts.MaxIter
	report := func(done int) {
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	feat, docs, err := fitFeaturizer(ctx, opts.Segmenter, texts, opts.Features, opts.Workers, report)
	if err != nil {
		return nil, err
	}
	x, err := feat.matrix(ctx, docs, opts.Workers)
	if err != nil {
		return nil, err
	}
	docs = nil

	k := len(labels)
	sw := make([]float64, len(y))
	for i, c := range y {
		sw[i] = 1
		if opts.ClassWeight == ClassWeightBalanced {
			sw[i] = float64(len(y)) / float64(k*sizes[labels[c]])
		}
	}
	obj := newSoftmaxObjective(x, feat.Dim(), y, sw, k, 1/opts.C, opts.Workers)
	theta := make([]float64, feat.Dim()*k+k)
	vo := newVecOps(len(theta), opts.Workers)
	res, err := minimizeLBFGS(ctx, obj.eval, theta, lbfgsSettings{
		memory:   10,
		maxIter:  opts.MaxIter,
		tol:      opts.Tol,
		progress: func(it int) { report(len(examples) + it) },
	}, vo)
	if err != nil {
		return nil, err
	}
	report(total)

	m := &Model{feat: feat, labels: labels, weights: make([]float32, feat.Dim()*k), bias: make([]float32, k)}
	for i := range m.weights {
		m.weights[i] = float32(theta[i])
	}
	for c := range k {
		m.bias[c] = float32(theta[feat.Dim()*k+c])
	}
	m.info = ModelInfo{
		Examples:   len(examples),
		Classes:    k,
		Features:   feat.Dim(),
		ClassSizes: sizes,
		CreatedAt:  time.Now().UTC().Truncate(time.Second),
		Options:    opts,
		Iterations: res.iterations,
		Loss:       res.f,
		FitSeconds: time.Since(start).Seconds(),
	}
	m.info.Options.Workers = 0
	m.info.Options.Features = feat.Options()
	m.version = m.contentHash()
	return m, nil
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
	blockF  []float64 // per document block: loss, then K bias gradients
	blockR  []float64 // per feature block: penalty
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
		blockF: make([]float64, ((n+docBlock-1)/docBlock)*(k+1)),
		blockR: make([]float64, (dim+featBlock-1)/featBlock),
	}
}

func (o *softmaxObjective) eval(theta, grad []float64) (float64, error) {
	ctx := context.Background()
	k, n := o.k, len(o.y)
	w, b := theta[:o.dim*k], theta[o.dim*k:]
	_ = parallelBlocks(ctx, n, docBlock, o.workers, func(lo, hi int) {
		bf := o.blockF[(lo/docBlock)*(k+1) : (lo/docBlock+1)*(k+1)]
		clear(bf)
		for i := lo; i < hi; i++ {
			z := o.resid[i*k : i*k+k]
			copy(z, b)
			for j := o.x.ptr[i]; j < o.x.ptr[i+1]; j++ {
				xv := float64(o.x.val[j])
				row := w[int(o.x.idx[j])*k : int(o.x.idx[j])*k+k]
				for c, wc := range row {
					z[c] += xv * wc
				}
			}
			mx := slices.Max(z)
			s := 0.0
			for c := range z {
				z[c] = math.Exp(z[c] - mx)
				s += z[c]
			}
			yi := o.y[i]
			// log-loss = log Σ exp(z) − z_y, computed from the shifted z.
			bf[0] += o.sw[i] * (math.Log(s) - math.Log(z[yi]))
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
