package eval

import (
	"context"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// ClassifyOptions configure a classification run.
type ClassifyOptions struct {
	// Label names the field being predicted, for the report.
	Label string
	// Threshold is the confidence under which triage abstains and leaves
	// the ticket to a person.
	Threshold float64
	Train     classify.TrainOptions
	// Examples is how many texts each most-confused pair shows; 0 shows
	// none (the CI baselines keep no text of the evaluation sets).
	Examples int
	// Progress reports each stage ("train", "predict") as it advances.
	Progress func(stage string, done, total int)
}

// ClassifyReport is the result of training on one file and scoring another.
// Field names match ../shared/peers/sklearn_classify.py where both report
// the same thing, so the two can be set side by side.
type ClassifyReport struct {
	Kind             string  `json:"kind"` // "classify"
	Name             string  `json:"name,omitempty"`
	Label            string  `json:"label"`
	TrainFile        string  `json:"train_file,omitempty"`
	TestFile         string  `json:"test_file,omitempty"`
	Train            int     `json:"train"`
	Test             int     `json:"test"`
	ModelVersion     string  `json:"model_version"`
	FitSeconds       float64 `json:"fit_seconds"`
	PredictPerSecond float64 `json:"predict_per_second"`
	Threshold        float64 `json:"threshold"`
	AbstainRate      float64 `json:"abstain_rate"`
	AccuracyAnswered float64 `json:"accuracy_answered"`
	// Sample says how the sets were cut down, when they were.
	Sample *Sample `json:"sample,omitempty"`
	ClassificationScores
	// Outcomes keeps every prediction, for the report's examples; it is
	// not part of the JSON summary.
	Outcomes []ClassOutcome `json:"-"`
	Texts    []string       `json:"-"`
}

// Classify trains the service's classifier on train with the service's own
// segmenter and scores it on test.
func Classify(ctx context.Context, seg triage.Segmenter, train, test []Labelled, o ClassifyOptions) (*ClassifyReport, error) {
	if len(train) == 0 {
		return nil, triage.Invalid("train", "the training set is empty")
	}
	if len(test) == 0 {
		return nil, triage.Invalid("test", "the test set is empty")
	}
	if err := checkThreshold(o.Threshold); err != nil {
		return nil, err
	}
	examples := make([]classify.Example, len(train))
	for i, l := range train {
		examples[i] = classify.Example{Text: l.Text, Label: l.Label}
	}
	opts := o.Train
	opts.Segmenter = seg
	if o.Progress != nil {
		opts.Progress = func(done, total int) { o.Progress("train", done, total) }
	}
	start := time.Now()
	m, err := classify.Train(ctx, examples, opts)
	if err != nil {
		return nil, err
	}
	fit := time.Since(start).Seconds()

	texts := make([]string, len(test))
	for i, l := range test {
		texts[i] = l.Text
	}
	start = time.Now()
	preds, err := m.PredictBatch(ctx, texts)
	if err != nil {
		return nil, err
	}
	predictSeconds := time.Since(start).Seconds()
	if o.Progress != nil {
		o.Progress("predict", len(test), len(test))
	}
	outcomes := make([]ClassOutcome, len(test))
	for i, p := range preds {
		ranked := make([]string, len(p.Classes))
		for j, c := range p.Classes {
			ranked[j] = c.Value
		}
		outcomes[i] = ClassOutcome{Gold: test[i].Label, Predicted: p.Label, Confidence: p.Probability, Ranked: ranked}
	}
	scores, err := ScoreClassification(outcomes, o.Threshold)
	if err != nil {
		return nil, err
	}
	AttachExamples(scores.MostConfused, outcomes, texts, o.Examples)
	r := &ClassifyReport{
		Kind: "classify", Label: o.Label, Train: len(train), Test: len(test), ModelVersion: m.Version(),
		FitSeconds: round(fit, 3), Threshold: o.Threshold,
		AbstainRate: scores.Abstain.AbstainRate, AccuracyAnswered: scores.Abstain.AnsweredAccuracy,
		ClassificationScores: scores, Outcomes: outcomes, Texts: texts,
	}
	if predictSeconds > 0 {
		r.PredictPerSecond = round(float64(len(test))/predictSeconds, 1)
	}
	return r, nil
}

// Sample records a fixed-seed sample: how many examples the full files had.
type Sample struct {
	Seed uint64 `json:"seed"`
	// TrainOf and TestOf (QueriesOf for retrieval) are the sizes of the
	// full files; the report's own counts are the sample's.
	TrainOf   int `json:"train_of,omitempty"`
	TestOf    int `json:"test_of,omitempty"`
	QueriesOf int `json:"queries_of,omitempty"`
}

// PairExamples is how many texts each most-confused pair shows by
// default, and ExampleRunes how much of each.
const (
	PairExamples = 3
	ExampleRunes = 160
)

// AttachExamples fills each pair's Examples with up to n of the texts it
// counts, first in test order, shortened to ExampleRunes.
func AttachExamples(pairs []ConfusedPair, outcomes []ClassOutcome, texts []string, n int) {
	for i := range pairs {
		p := &pairs[i]
		for j, o := range outcomes {
			if len(p.Examples) == n {
				break
			}
			if o.Gold == p.Gold && o.Predicted == p.Predicted && j < len(texts) {
				p.Examples = append(p.Examples, Shorten(texts[j], ExampleRunes))
			}
		}
	}
}

// Shorten cuts s to at most n runes with an ellipsis, on one line.
func Shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
