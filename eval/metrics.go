// Package eval scores the classifier and the retrieval on labelled data:
// the metrics themselves (this file: pure functions over gold labels and
// predictions), the runners that produce predictions from JSON Lines sets,
// and the JSON and HTML reports that set our figures beside the peer
// scripts' in ../shared/peers.
//
// Classification metrics follow scikit-learn's definitions and JSON field
// names (accuracy, macro_f1, weighted_f1, per_class with precision, recall,
// f1, support) so the two can be compared number for number.
package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/triagehq/triage"
)

// ClassOutcome is one labelled example as the classifier saw it.
type ClassOutcome struct {
	Gold      string `json:"gold"`
	Predicted string `json:"predicted"`
	// Confidence is the model's probability for Predicted, in [0,1].
	Confidence float64 `json:"confidence"`
	// Ranked lists candidate labels best first (Ranked[0] is normally
	// Predicted); only top-k accuracy reads it. Empty means Predicted
	// alone.
	Ranked []string `json:"ranked,omitempty"`
}

// ClassScore is one class's row of the per-class table, with
// scikit-learn's classification_report semantics and zero_division=0.
type ClassScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // gold examples of the class
	Predicted int     `json:"predicted"`
}

// F1Scores are the label-agreement scores of a set of predictions.
type F1Scores struct {
	Accuracy   float64               `json:"accuracy"`
	MacroF1    float64               `json:"macro_f1"`
	WeightedF1 float64               `json:"weighted_f1"`
	PerClass   map[string]ClassScore `json:"per_class"`
}

// Confusion is a confusion matrix: Counts[i][j] is how many examples of
// gold label Labels[i] were predicted as Labels[j]. Labels are the sorted
// union of gold and predicted labels.
type Confusion struct {
	Labels []string `json:"labels"`
	Counts [][]int  `json:"counts"`
}

// ConfusedPair is one off-diagonal cell of a confusion matrix.
type ConfusedPair struct {
	Gold      string `json:"gold"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
	// Share is Count over the gold label's support.
	Share float64 `json:"share"`
	// Examples are a few of the texts behind the cell, in test-set order,
	// so a reader can see why the two classes are mixed up.
	Examples []string `json:"examples,omitempty"`
}

// AbstainScore says what happens when predictions under a confidence
// threshold are withheld (sent to a person instead).
type AbstainScore struct {
	Threshold float64 `json:"threshold"`
	// AbstainRate is the fraction of examples withheld.
	AbstainRate float64 `json:"abstain_rate"`
	Answered    int     `json:"answered"`
	// AnsweredAccuracy is the accuracy on the rest; 0 when none is left.
	AnsweredAccuracy float64 `json:"answered_accuracy"`
}

// CoveragePoint is one point of the coverage-vs-accuracy curve.
type CoveragePoint struct {
	Threshold float64 `json:"threshold"`
	Coverage  float64 `json:"coverage"`
	Accuracy  float64 `json:"accuracy"`
	Answered  int     `json:"answered"`
}

// ReliabilityBin is one row of a reliability table.
type ReliabilityBin struct {
	// Lower and Upper bound the confidences of the bin; a bin includes
	// its lower bound, and the last one also 1.
	Lower          float64 `json:"lower"`
	Upper          float64 `json:"upper"`
	Count          int     `json:"count"`
	Accuracy       float64 `json:"accuracy"`
	MeanConfidence float64 `json:"mean_confidence"`
}

// Calibration is the expected calibration error with its reliability
// table.
type Calibration struct {
	// ECE is Σ_bins (count/N)·|accuracy − mean confidence|.
	ECE  float64          `json:"ece"`
	Bins []ReliabilityBin `json:"bins"`
}

// ClassificationScores gathers every classification metric of one run.
type ClassificationScores struct {
	Examples int `json:"examples"`
	F1Scores
	Top3Accuracy float64         `json:"top3_accuracy"`
	Abstain      AbstainScore    `json:"abstain"`
	Coverage     []CoveragePoint `json:"coverage"`
	// AbstainCurve is the trade-off by share withheld: the least
	// confident AbstainShares of the examples go to a person, and
	// Threshold is the confidence the rest reach.
	AbstainCurve []CoveragePoint `json:"abstain_curve"`
	Calibration  Calibration     `json:"calibration"`
	Confusion    Confusion       `json:"confusion"`
	MostConfused []ConfusedPair  `json:"most_confused"`
}

// CalibrationBins is the number of equal-width bins of the reliability
// table.
const CalibrationBins = 10

// ScoreClassification computes every metric. threshold is the abstain
// threshold reported in Abstain; the coverage curve spans 0, 0.05, …, 0.95.
func ScoreClassification(outcomes []ClassOutcome, threshold float64) (ClassificationScores, error) {
	if err := checkThreshold(threshold); err != nil {
		return ClassificationScores{}, err
	}
	for i, o := range outcomes {
		if !(o.Confidence >= 0 && o.Confidence <= 1) {
			return ClassificationScores{}, triage.Invalid(fmt.Sprintf("outcomes[%d].confidence", i), "confidence must be in [0,1], got %v", o.Confidence)
		}
	}
	gold, pred := split(outcomes)
	f1, _ := ScoreLabels(gold, pred)
	conf, _ := ConfusionMatrix(gold, pred)
	thresholds := make([]float64, 20)
	for i := range thresholds {
		thresholds[i] = float64(i) / 20
	}
	return ClassificationScores{
		Examples:     len(outcomes),
		F1Scores:     f1,
		Top3Accuracy: TopKAccuracy(outcomes, 3),
		Abstain:      AbstainAt(outcomes, threshold),
		Coverage:     CoverageCurve(outcomes, thresholds),
		AbstainCurve: AbstainCurve(outcomes, AbstainShares()),
		Calibration:  Calibrate(outcomes, CalibrationBins),
		Confusion:    conf,
		MostConfused: MostConfused(conf, 10),
	}, nil
}

func checkThreshold(t float64) error {
	if !(t >= 0 && t <= 1) {
		return triage.Invalid("threshold", "threshold must be in [0,1], got %v", t)
	}
	return nil
}

func split(outcomes []ClassOutcome) (gold, pred []string) {
	gold = make([]string, len(outcomes))
	pred = make([]string, len(outcomes))
	for i, o := range outcomes {
		gold[i], pred[i] = o.Gold, o.Predicted
	}
	return gold, pred
}

func checkLengths(gold, pred []string) error {
	if len(gold) != len(pred) {
		return triage.Invalid("predicted", "%d predictions for %d gold labels", len(pred), len(gold))
	}
	return nil
}

// Accuracy is the fraction of predictions equal to the gold label; 0 for
// no examples.
func Accuracy(gold, pred []string) (float64, error) {
	if err := checkLengths(gold, pred); err != nil {
		return 0, err
	}
	if len(gold) == 0 {
		return 0, nil
	}
	right := 0
	for i := range gold {
		if gold[i] == pred[i] {
			right++
		}
	}
	return float64(right) / float64(len(gold)), nil
}

// ScoreLabels computes accuracy, macro and weighted F1 and the per-class
// table like scikit-learn with zero_division=0: the macro average runs over
// the union of gold and predicted labels, so a label predicted but never
// gold counts as an F1 of 0, and the weighted average weighs by support.
func ScoreLabels(gold, pred []string) (F1Scores, error) {
	acc, err := Accuracy(gold, pred)
	if err != nil {
		return F1Scores{}, err
	}
	per := map[string]ClassScore{}
	tp := map[string]int{}
	for i := range gold {
		g := per[gold[i]]
		g.Support++
		per[gold[i]] = g
		p := per[pred[i]]
		p.Predicted++
		per[pred[i]] = p
		if gold[i] == pred[i] {
			tp[gold[i]]++
		}
	}
	out := F1Scores{Accuracy: acc, PerClass: per}
	if len(per) == 0 {
		return out, nil
	}
	for l, s := range per {
		t := float64(tp[l])
		s.Precision = ratio(t, float64(s.Predicted))
		s.Recall = ratio(t, float64(s.Support))
		// 2tp/(2tp+fp+fn) equals the harmonic mean of precision and
		// recall and is 0, not undefined, when both are 0.
		s.F1 = ratio(2*t, float64(s.Predicted+s.Support))
		per[l] = s
	}
	// Sum in label order so the result does not depend on map order.
	labels := sortedKeys(per)
	for _, l := range labels {
		s := per[l]
		out.MacroF1 += s.F1
		out.WeightedF1 += s.F1 * float64(s.Support)
	}
	out.MacroF1 /= float64(len(labels))
	out.WeightedF1 = ratio(out.WeightedF1, float64(len(gold)))
	return out, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// ConfusionMatrix counts gold × predicted labels.
func ConfusionMatrix(gold, pred []string) (Confusion, error) {
	if err := checkLengths(gold, pred); err != nil {
		return Confusion{}, err
	}
	set := map[string]int{}
	for i := range gold {
		set[gold[i]], set[pred[i]] = 0, 0
	}
	c := Confusion{Labels: sortedKeys(set), Counts: make([][]int, len(set))}
	for i, l := range c.Labels {
		set[l] = i
		c.Counts[i] = make([]int, len(set))
	}
	for i := range gold {
		c.Counts[set[gold[i]]][set[pred[i]]]++
	}
	return c, nil
}

// MostConfused returns up to n off-diagonal cells, most frequent first
// (ties by gold, then predicted label).
func MostConfused(c Confusion, n int) []ConfusedPair {
	var out []ConfusedPair
	for i, row := range c.Counts {
		support := 0
		for _, x := range row {
			support += x
		}
		for j, x := range row {
			if i != j && x > 0 {
				out = append(out, ConfusedPair{Gold: c.Labels[i], Predicted: c.Labels[j], Count: x, Share: ratio(float64(x), float64(support))})
			}
		}
	}
	slices.SortFunc(out, func(a, b ConfusedPair) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Gold, b.Gold), cmp.Compare(a.Predicted, b.Predicted))
	})
	return out[:min(n, len(out))]
}

// TopKAccuracy is the fraction of examples whose gold label is among the
// first k ranked labels (Predicted alone when Ranked is empty).
func TopKAccuracy(outcomes []ClassOutcome, k int) float64 {
	if len(outcomes) == 0 {
		return 0
	}
	hit := 0
	for _, o := range outcomes {
		ranked := o.Ranked
		if len(ranked) == 0 {
			ranked = []string{o.Predicted}
		}
		if slices.Contains(ranked[:min(k, len(ranked))], o.Gold) {
			hit++
		}
	}
	return float64(hit) / float64(len(outcomes))
}

// AbstainAt withholds every prediction whose confidence is below
// threshold and scores the rest.
func AbstainAt(outcomes []ClassOutcome, threshold float64) AbstainScore {
	s := AbstainScore{Threshold: threshold}
	right := 0
	for _, o := range outcomes {
		if o.Confidence >= threshold {
			s.Answered++
			if o.Gold == o.Predicted {
				right++
			}
		}
	}
	s.AnsweredAccuracy = ratio(float64(right), float64(s.Answered))
	if len(outcomes) > 0 {
		s.AbstainRate = 1 - float64(s.Answered)/float64(len(outcomes))
	}
	return s
}

// CoverageCurve scores AbstainAt at each threshold: how much is answered
// and how accurately, as the threshold rises.
func CoverageCurve(outcomes []ClassOutcome, thresholds []float64) []CoveragePoint {
	out := make([]CoveragePoint, len(thresholds))
	for i, t := range thresholds {
		a := AbstainAt(outcomes, t)
		out[i] = CoveragePoint{Threshold: t, Coverage: 1 - a.AbstainRate, Accuracy: a.AnsweredAccuracy, Answered: a.Answered}
		if len(outcomes) == 0 {
			out[i].Coverage = 0
		}
	}
	return out
}

// AbstainShares are the shares withheld on the abstain curve.
func AbstainShares() []float64 { return []float64{0, 0.02, 0.05, 0.08, 0.10, 0.15, 0.20, 0.30} }

// AbstainCurve withholds the least confident share of the examples, for
// each share, and scores the rest: how accurate the service is when it
// leaves that much to people. Threshold is the lowest confidence answered
// (ties at the cut are answered together, so Coverage may exceed 1 −
// share a little).
func AbstainCurve(outcomes []ClassOutcome, shares []float64) []CoveragePoint {
	conf := make([]float64, len(outcomes))
	for i, o := range outcomes {
		conf[i] = o.Confidence
	}
	slices.Sort(conf)
	out := make([]CoveragePoint, 0, len(shares))
	for _, sh := range shares {
		if len(conf) == 0 {
			out = append(out, CoveragePoint{})
			continue
		}
		cut := min(int(math.Floor(sh*float64(len(conf))+1e-9)), len(conf)-1)
		t := conf[cut]
		if sh == 0 {
			t = 0
		}
		a := AbstainAt(outcomes, t)
		out = append(out, CoveragePoint{Threshold: t, Coverage: 1 - a.AbstainRate, Accuracy: a.AnsweredAccuracy, Answered: a.Answered})
	}
	return out
}

// Calibrate bins predictions by confidence into bins equal-width bins over
// [0,1] and returns the expected calibration error. Confidences outside
// [0,1] are clamped.
func Calibrate(outcomes []ClassOutcome, bins int) Calibration {
	bins = max(bins, 1)
	c := Calibration{Bins: make([]ReliabilityBin, bins)}
	right := make([]int, bins)
	sum := make([]float64, bins)
	for _, o := range outcomes {
		p := math.Min(math.Max(o.Confidence, 0), 1)
		if math.IsNaN(o.Confidence) {
			p = 0
		}
		b := min(int(p*float64(bins)), bins-1)
		c.Bins[b].Count++
		sum[b] += p
		if o.Gold == o.Predicted {
			right[b]++
		}
	}
	for b := range c.Bins {
		bin := &c.Bins[b]
		bin.Lower, bin.Upper = float64(b)/float64(bins), float64(b+1)/float64(bins)
		if bin.Count == 0 {
			continue
		}
		bin.Accuracy = float64(right[b]) / float64(bin.Count)
		bin.MeanConfidence = sum[b] / float64(bin.Count)
		c.ECE += float64(bin.Count) / float64(len(outcomes)) * math.Abs(bin.Accuracy-bin.MeanConfidence)
	}
	return c
}
