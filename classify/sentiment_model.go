package classify

import (
	"context"
	"fmt"
	"math"

	"github.com/triagehq/triage"
)

// SentimentModel is a SentimentScorer that learns from labelled texts what
// the lexicon cannot list, without losing what it reads: the classifier's
// logistic regression over TF-IDF features of the text, stacked with the
// lexicon's score by a second, three-weight logistic regression fitted on
// texts the first did not train on. The lexicon knows negation, intensity
// and clause structure (不是很满意, 虽然…但是) from a handful of examples of
// each; the words learn the domain's own vocabulary (发霉, 掉色, 隔音) from
// thousands. It is immutable and safe for concurrent use.
type SentimentModel struct {
	model *Model
	lex   *Lexicon
	// stack weighs the model's log-odds of positive, the lexicon's score
	// and a bias.
	stack [3]float64
	// neutral is the half-width of the band around 0 in which the score
	// is neutral.
	neutral float64
}

var _ SentimentScorer = (*SentimentModel)(nil)

// StackHoldout is the share of the training examples (every fifth) the
// stacking weights are fitted on, after a model trained on the rest; the
// final model is then trained on all of them.
const StackHoldout = 5

// TrainSentiment fits a SentimentModel on examples labelled
// SentimentPositive or SentimentNegative. lex nil means the built-in
// lexicon; opts.Segmenter is required. A score within neutral of 0 is
// labelled neutral; 0 always picks the likelier polarity. It trains the
// classifier twice: on four fifths of the examples to fit the stacking
// weights on the last fifth, then on all of them.
func TrainSentiment(ctx context.Context, examples []Example, lex *Lexicon, neutral float64, opts TrainOptions) (*SentimentModel, error) {
	seg := opts.Segmenter
	if seg == nil {
		return nil, triage.Invalid("segmenter", "TrainSentiment needs a segmenter")
	}
	if neutral < 0 || neutral >= 1 {
		return nil, triage.Invalid("neutral", "the neutral band must be in [0, 1), got %v", neutral)
	}
	if lex == nil {
		lex = DefaultLexicon()
	}
	var fit, held []Example
	for i, e := range examples {
		if e.Label != SentimentPositive && e.Label != SentimentNegative {
			return nil, triage.Invalid(fmt.Sprintf("examples[%d].label", i), "label %q is neither %s nor %s", e.Label, SentimentPositive, SentimentNegative)
		}
		if i%StackHoldout == StackHoldout-1 {
			held = append(held, e)
		} else {
			fit = append(fit, e)
		}
	}
	if len(held) == 0 {
		return nil, triage.Invalid("examples", "need at least %d examples", StackHoldout)
	}
	if opts.Supervised == 0 {
		// The supervised IDF was chosen on topic categories; polarity
		// keeps the plain IDF its figures were measured with.
		opts.Supervised = -1
	}
	first, err := Train(ctx, fit, opts)
	if err != nil {
		return nil, err
	}
	s := &SentimentModel{model: first, lex: lex, neutral: neutral}
	x := make([][3]float64, len(held))
	y := make([]float64, len(held))
	for i, e := range held {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		text := seg.Normalize(e.Text)
		x[i] = s.features(text, seg.Words(text))
		if e.Label == SentimentPositive {
			y[i] = 1
		}
	}
	s.stack = fitStack(x, y)
	if s.model, err = Train(ctx, examples, opts); err != nil {
		return nil, err
	}
	return s, nil
}

// features are what the stack weighs: the model's log-odds of positive,
// the lexicon's score, 1.
func (s *SentimentModel) features(text string, words []string) [3]float64 {
	p := s.model.Predict(text)
	var pos, neg float64
	for _, c := range p.Classes {
		switch c.Value {
		case SentimentPositive:
			pos = c.Score
		case SentimentNegative:
			neg = c.Score
		}
	}
	const eps = 1e-9
	return [3]float64{math.Log((pos + eps) / (neg + eps)), s.lex.Sentiment(text, words).Score, 1}
}

// fitStack fits logistic-regression weights by Newton's method, with a
// small ridge so that separable data still converges.
func fitStack(x [][3]float64, y []float64) [3]float64 {
	w := [3]float64{1, 0, 0}
	const ridge = 1e-3
	for range 50 {
		var g [3]float64
		var h [3][3]float64
		for i, xi := range x {
			p := 1 / (1 + math.Exp(-(w[0]*xi[0] + w[1]*xi[1] + w[2]*xi[2])))
			for a := range 3 {
				g[a] += (p - y[i]) * xi[a]
				for b := range 3 {
					h[a][b] += p * (1 - p) * xi[a] * xi[b]
				}
			}
		}
		for a := range 3 {
			g[a] += ridge * w[a]
			h[a][a] += ridge
		}
		d, ok := solve3(h, g)
		if !ok {
			break
		}
		step := 0.0
		for a := range 3 {
			w[a] -= d[a]
			step = max(step, math.Abs(d[a]))
		}
		if step < 1e-8 {
			break
		}
	}
	return w
}

// solve3 solves h·d = g by Cramer's rule.
func solve3(h [3][3]float64, g [3]float64) ([3]float64, bool) {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
			m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
			m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	dh := det(h)
	if math.Abs(dh) < 1e-12 {
		return [3]float64{}, false
	}
	var d [3]float64
	for c := range 3 {
		m := h
		for r := range 3 {
			m[r][c] = g[r]
		}
		d[c] = det(m) / dh
	}
	return d, true
}

// Model returns the underlying classifier, for its version and labels.
func (s *SentimentModel) Model() *Model { return s.model }

// Stack returns the stacking weights: of the model's log-odds, of the
// lexicon's score, and the bias.
func (s *SentimentModel) Stack() [3]float64 { return s.stack }

// Sentiment scores text (normalised) whose words are words: Score is
// P(positive) − P(negative) of the stack. The evidence is the lexicon's:
// the model's weights are not phrases an agent can read.
func (s *SentimentModel) Sentiment(text string, words []string) SentimentResult {
	f := s.features(text, words)
	p := 1 / (1 + math.Exp(-(s.stack[0]*f[0] + s.stack[1]*f[1] + s.stack[2]*f[2])))
	r := SentimentResult{Score: 2*p - 1, Label: SentimentNeutral, Evidence: s.lex.Sentiment(text, words).Evidence}
	switch {
	case r.Score < -s.neutral || (s.neutral == 0 && r.Score < 0):
		r.Label = SentimentNegative
	case r.Score > s.neutral || (s.neutral == 0 && r.Score > 0):
		r.Label = SentimentPositive
	}
	return r
}
