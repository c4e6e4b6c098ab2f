package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// KindSentiment is the kind of a sentiment report.
const KindSentiment = "sentiment"

// Sentiment scorers compared by SentimentEval, in the order of the table.
const (
	// ScorerLexicon is the built-in lexicon the service scores tickets
	// with: no training.
	ScorerLexicon = "lexicon"
	// ScorerLexiconModel is ours: classify.SentimentModel, the TF-IDF
	// logistic regression stacked with the lexicon's score, trained on the
	// train split.
	ScorerLexiconModel = "lexicon+model"
	// ScorerBaseline is the baseline: TF-IDF + logistic regression (the
	// classifier's own features and training, classify.Train) on the text
	// alone, trained on the same split.
	ScorerBaseline = "tfidf+lr"
)

// SentimentRow is one scorer's figures on the test split. A neutral label
// (the lexicon's, when it sees no polarity) counts as positive, "not
// negative", the reading priority gives it; Neutral says how many there
// were.
type SentimentRow struct {
	Scorer     string  `json:"scorer"`
	FitSeconds float64 `json:"fit_seconds"`
	Neutral    int     `json:"neutral"`
	F1Scores
}

// SentimentReport compares the sentiment scorers on one labelled split,
// computed in one run so that the figures are comparable.
type SentimentReport struct {
	Kind      string         `json:"kind"` // "sentiment"
	Name      string         `json:"name,omitempty"`
	Label     string         `json:"label"`
	TrainFile string         `json:"train_file,omitempty"`
	TestFile  string         `json:"test_file,omitempty"`
	Train     int            `json:"train"`
	Test      int            `json:"test"`
	Rows      []SentimentRow `json:"rows"`
}

// Row returns the row of a scorer, or nil.
func (r *SentimentReport) Row(scorer string) *SentimentRow {
	i := slices.IndexFunc(r.Rows, func(s SentimentRow) bool { return s.Scorer == scorer })
	if i < 0 {
		return nil
	}
	return &r.Rows[i]
}

// SentimentOptions configure SentimentEval.
type SentimentOptions struct {
	Label string
	// Train configures both trained scorers alike.
	Train classify.TrainOptions
	// Progress reports each stage as it advances.
	Progress func(stage string, done, total int)
}

// SentimentEval trains ours and the baseline on train and scores them,
// with the built-in lexicon, on test. Every label must be
// classify.SentimentPositive or classify.SentimentNegative.
func SentimentEval(ctx context.Context, seg triage.Segmenter, train, test []Labelled, o SentimentOptions) (*SentimentReport, error) {
	if len(train) == 0 {
		return nil, triage.Invalid("train", "the training set is empty")
	}
	if len(test) == 0 {
		return nil, triage.Invalid("test", "the test set is empty")
	}
	for _, set := range []struct {
		name string
		l    []Labelled
	}{{"train", train}, {"test", test}} {
		for i, l := range set.l {
			if l.Label != classify.SentimentPositive && l.Label != classify.SentimentNegative {
				return nil, triage.Invalid(set.name, "%s example %d: label %q is neither %s nor %s", set.name, i+1, l.Label, classify.SentimentPositive, classify.SentimentNegative)
			}
		}
	}
	progress := func(stage string) func(done, total int) {
		if o.Progress == nil {
			return nil
		}
		return func(done, total int) { o.Progress(stage, done, total) }
	}
	examples := make([]classify.Example, len(train))
	for i, l := range train {
		examples[i] = classify.Example{Text: l.Text, Label: l.Label}
	}
	gold := make([]string, len(test))
	for i, l := range test {
		gold[i] = l.Label
	}
	rep := &SentimentReport{Kind: KindSentiment, Label: o.Label, Train: len(train), Test: len(test)}
	score := func(scorer string, fit float64, sc classify.SentimentScorer) error {
		pred := make([]string, len(test))
		row := SentimentRow{Scorer: scorer, FitSeconds: round(fit, 1)}
		for i, l := range test {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			text := seg.Normalize(l.Text)
			switch pred[i] = sc.Sentiment(text, seg.Words(text)).Label; pred[i] {
			case classify.SentimentNeutral:
				row.Neutral++
				pred[i] = classify.SentimentPositive
			}
		}
		s, err := ScoreLabels(gold, pred)
		if err != nil {
			return err
		}
		row.F1Scores = roundF1(s)
		rep.Rows = append(rep.Rows, row)
		return nil
	}
	if err := score(ScorerLexicon, 0, classify.DefaultLexicon()); err != nil {
		return nil, err
	}

	opts := o.Train
	opts.Segmenter = seg
	opts.Progress = progress(ScorerLexiconModel)
	start := time.Now()
	ours, err := classify.TrainSentiment(ctx, examples, nil, 0, opts)
	if err != nil {
		return nil, err
	}
	if err := score(ScorerLexiconModel, time.Since(start).Seconds(), ours); err != nil {
		return nil, err
	}

	opts.Progress = progress(ScorerBaseline)
	if opts.Supervised == 0 {
		// The baseline is plain TF-IDF + logistic regression.
		opts.Supervised = -1
	}
	start = time.Now()
	base, err := classify.Train(ctx, examples, opts)
	if err != nil {
		return nil, err
	}
	if err := score(ScorerBaseline, time.Since(start).Seconds(), modelScorer{base}); err != nil {
		return nil, err
	}
	return rep, nil
}

// modelScorer reads a plain classifier trained on sentiment labels as a
// scorer: its label, and P(positive) − P(negative).
type modelScorer struct{ m *classify.Model }

func (s modelScorer) Sentiment(text string, _ []string) classify.SentimentResult {
	p := s.m.Predict(text)
	r := classify.SentimentResult{Label: p.Label}
	for _, c := range p.Classes {
		switch c.Value {
		case classify.SentimentPositive:
			r.Score += c.Score
		case classify.SentimentNegative:
			r.Score -= c.Score
		}
	}
	return r
}

func roundF1(s F1Scores) F1Scores {
	s.Accuracy, s.MacroF1, s.WeightedF1 = round(s.Accuracy, 4), round(s.MacroF1, 4), round(s.WeightedF1, 4)
	for l, c := range s.PerClass {
		c.Precision, c.Recall, c.F1 = round(c.Precision, 4), round(c.Recall, 4), round(c.F1, 4)
		s.PerClass[l] = c
	}
	return s
}

// WriteSentimentTable prints the report as a table, one row per scorer and
// class, Chinese first.
func WriteSentimentTable(w io.Writer, r *SentimentReport) error {
	if _, err := fmt.Fprintf(w, "情感评估 sentiment: %s, 训练 train %d, 测试 test %d\n", r.Name, r.Train, r.Test); err != nil {
		return err
	}
	fmt.Fprintf(w, "%-14s %8s %8s  %-9s %9s %7s %7s %7s\n", "scorer", "accuracy", "macro-F1", "class", "precision", "recall", "F1", "support")
	for _, row := range r.Rows {
		first := true
		for _, l := range sortedKeys(row.PerClass) {
			c := row.PerClass[l]
			name, acc, macro := "", "", ""
			if first {
				name, acc, macro = row.Scorer, fmt.Sprintf("%.4f", row.Accuracy), fmt.Sprintf("%.4f", row.MacroF1)
				first = false
			}
			fmt.Fprintf(w, "%-14s %8s %8s  %-9s %9.4f %7.4f %7.4f %7d\n", name, acc, macro, l, c.Precision, c.Recall, c.F1, c.Support)
		}
	}
	if ours, base := r.Row(ScorerLexiconModel), r.Row(ScorerBaseline); ours != nil && base != nil {
		_, err := fmt.Fprintf(w, "ours (%s) − baseline (%s): accuracy %+.4f, macro-F1 %+.4f\n",
			ScorerLexiconModel, ScorerBaseline, ours.Accuracy-base.Accuracy, ours.MacroF1-base.MacroF1)
		return err
	}
	return nil
}
