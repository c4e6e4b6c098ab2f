package classify

import (
	"context"

	"github.com/triagehq/triage"
)

// SentimentModel is a SentimentScorer that learns from labelled texts what
// the lexicon cannot list, without losing what it reads: a logistic
// regression over the classifier's TF-IDF features of the text plus the
// lexicon's verdict on it, given to the model as a cue word. The lexicon
// knows negation, intensity and clause structure (不是很满意, 虽然…但是)
// from a handful of examples of each; the words learn the domain's own
// vocabulary (发霉, 掉色, 隔音) from thousands. It is immutable and safe for
// concurrent use.
type SentimentModel struct {
	model *Model
	lex   *Lexicon
	// neutral is the half-width of the band around 0 in which the score
	// is neutral.
	neutral float64
}

var _ SentimentScorer = (*SentimentModel)(nil)

// sentimentCue turns the lexicon's score into a word the featurizer keeps
// whole (Latin letters only, so the segmenter neither splits nor drops it).
// Five bands rather than the raw score: the features are word counts.
func sentimentCue(r SentimentResult) string {
	switch {
	case r.Score <= -0.4:
		return "lexstrongneg"
	case r.Label == SentimentNegative:
		return "lexneg"
	case r.Score >= 0.4:
		return "lexstrongpos"
	case r.Label == SentimentPositive:
		return "lexpos"
	}
	return "lexneutral"
}

// cued is text followed by the lexicon's cue for it.
func cued(lex *Lexicon, seg triage.Segmenter, text string) (string, SentimentResult) {
	n := seg.Normalize(text)
	r := lex.Sentiment(n, seg.Words(n))
	return text + "\n" + sentimentCue(r), r
}

// TrainSentiment fits a SentimentModel on examples labelled
// SentimentPositive or SentimentNegative (or any two or more labels; the
// score is P(positive) − P(negative)). lex nil means the built-in lexicon;
// opts.Segmenter is required. A score within neutral of 0 is labelled
// neutral; 0 always picks the likelier polarity.
func TrainSentiment(ctx context.Context, examples []Example, lex *Lexicon, neutral float64, opts TrainOptions) (*SentimentModel, error) {
	if opts.Segmenter == nil {
		return nil, triage.Invalid("segmenter", "TrainSentiment needs a segmenter")
	}
	if neutral < 0 || neutral >= 1 {
		return nil, triage.Invalid("neutral", "the neutral band must be in [0, 1), got %v", neutral)
	}
	if lex == nil {
		lex = DefaultLexicon()
	}
	with := make([]Example, len(examples))
	for i, e := range examples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		with[i] = Example{Label: e.Label}
		with[i].Text, _ = cued(lex, opts.Segmenter, e.Text)
	}
	m, err := Train(ctx, with, opts)
	if err != nil {
		return nil, err
	}
	return &SentimentModel{model: m, lex: lex, neutral: neutral}, nil
}

// Model returns the underlying classifier, for its version and labels.
func (s *SentimentModel) Model() *Model { return s.model }

// Sentiment scores text (normalised) whose words are words. The evidence is
// the lexicon's: the model's weights are not phrases an agent can read.
func (s *SentimentModel) Sentiment(text string, words []string) SentimentResult {
	lr := s.lex.Sentiment(text, words)
	p := s.model.Predict(text + "\n" + sentimentCue(lr))
	var pos, neg float64
	for _, c := range p.Classes {
		switch c.Value {
		case SentimentPositive:
			pos = c.Score
		case SentimentNegative:
			neg = c.Score
		}
	}
	r := SentimentResult{Score: pos - neg, Label: SentimentNeutral, Evidence: lr.Evidence}
	switch {
	case r.Score < -s.neutral || (s.neutral == 0 && r.Score < 0):
		r.Label = SentimentNegative
	case r.Score > s.neutral || (s.neutral == 0 && r.Score > 0):
		r.Label = SentimentPositive
	}
	return r
}
