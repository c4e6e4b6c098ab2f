package eval

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/triagehq/triage"
)

const eps = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) <= eps }

func TestScoreLabels(t *testing.T) {
	tests := []struct {
		name           string
		gold, pred     []string
		acc, macro, wt float64
		per            map[string]ClassScore
	}{
		{
			// Numbers from scikit-learn 1.x (accuracy_score, f1_score and
			// classification_report with zero_division=0):
			// 鸟 and 鱼 are gold but never predicted, 虫 is predicted but
			// never gold, so the macro average runs over five labels.
			name: "sklearn",
			gold: []string{"猫", "猫", "猫", "狗", "狗", "鸟", "鸟", "鱼"},
			pred: []string{"猫", "猫", "狗", "狗", "猫", "猫", "狗", "虫"},
			acc:  0.375, macro: 0.1942857142857143, wt: 0.3142857142857143,
			per: map[string]ClassScore{
				"狗": {Precision: 0.3333333333333333, Recall: 0.5, F1: 0.4, Support: 2, Predicted: 3},
				"猫": {Precision: 0.5, Recall: 0.6666666666666666, F1: 0.5714285714285715, Support: 3, Predicted: 4},
				"虫": {Support: 0, Predicted: 1},
				"鱼": {Support: 1},
				"鸟": {Support: 2},
			},
		},
		{
			name: "perfect",
			gold: []string{"a", "b", "b"},
			pred: []string{"a", "b", "b"},
			acc:  1, macro: 1, wt: 1,
			per: map[string]ClassScore{
				"a": {Precision: 1, Recall: 1, F1: 1, Support: 1, Predicted: 1},
				"b": {Precision: 1, Recall: 1, F1: 1, Support: 2, Predicted: 2},
			},
		},
		{
			// A class that is never predicted scores 0 and still counts in
			// the macro average: (2/3 + 0) / 2.
			name: "class never predicted",
			gold: []string{"a", "a", "b"},
			pred: []string{"a", "a", "a"},
			acc:  2.0 / 3, macro: 0.4, wt: 0.5333333333333333,
			per: map[string]ClassScore{
				"a": {Precision: 2.0 / 3, Recall: 1, F1: 0.8, Support: 2, Predicted: 3},
				"b": {Support: 1},
			},
		},
		{
			name: "all wrong",
			gold: []string{"a", "b"},
			pred: []string{"b", "a"},
			acc:  0, macro: 0, wt: 0,
			per: map[string]ClassScore{
				"a": {Support: 1, Predicted: 1},
				"b": {Support: 1, Predicted: 1},
			},
		},
		{
			name: "empty",
			per:  map[string]ClassScore{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScoreLabels(tt.gold, tt.pred)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.Accuracy, tt.acc) || !near(got.MacroF1, tt.macro) || !near(got.WeightedF1, tt.wt) {
				t.Errorf("accuracy, macro, weighted = %v, %v, %v; want %v, %v, %v", got.Accuracy, got.MacroF1, got.WeightedF1, tt.acc, tt.macro, tt.wt)
			}
			if len(got.PerClass) != len(tt.per) {
				t.Fatalf("per-class labels %v, want %v", got.PerClass, tt.per)
			}
			for l, w := range tt.per {
				g := got.PerClass[l]
				if !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) || g.Support != w.Support || g.Predicted != w.Predicted {
					t.Errorf("%s: got %+v, want %+v", l, g, w)
				}
			}
		})
	}
}

func TestLengthMismatch(t *testing.T) {
	gold, pred := []string{"a", "b"}, []string{"a"}
	for name, err := range map[string]error{
		"accuracy":  second(Accuracy(gold, pred)),
		"labels":    second(ScoreLabels(gold, pred)),
		"confusion": second(ConfusionMatrix(gold, pred)),
	} {
		t.Run(name, func(t *testing.T) {
			var e *triage.Error
			if !asError(err, &e) || e.Code != triage.EINVALID || e.Field != "predicted" {
				t.Fatalf("got %v, want an EINVALID error on field predicted", err)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func asError(err error, target **triage.Error) bool { return errors.As(err, target) }

func TestConfusionAndMostConfused(t *testing.T) {
	gold := []string{"猫", "猫", "猫", "狗", "狗", "鸟", "鸟", "鱼"}
	pred := []string{"猫", "猫", "狗", "狗", "猫", "猫", "狗", "虫"}
	c, err := ConfusionMatrix(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn's confusion_matrix with labels=sorted(set(gold)|set(pred)).
	want := Confusion{
		Labels: []string{"狗", "猫", "虫", "鱼", "鸟"},
		Counts: [][]int{
			{1, 1, 0, 0, 0},
			{1, 2, 0, 0, 0},
			{0, 0, 0, 0, 0},
			{0, 0, 1, 0, 0},
			{1, 1, 0, 0, 0},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("confusion = %+v, want %+v", c, want)
	}
	// Every off-diagonal cell is 1: ties break by gold, then predicted.
	got := MostConfused(c, 3)
	wantPairs := []ConfusedPair{
		{Gold: "狗", Predicted: "猫", Count: 1, Share: 0.5},
		{Gold: "猫", Predicted: "狗", Count: 1, Share: 1.0 / 3},
		{Gold: "鱼", Predicted: "虫", Count: 1, Share: 1},
	}
	if !reflect.DeepEqual(got, wantPairs) {
		t.Fatalf("most confused = %+v, want %+v", got, wantPairs)
	}
	more := MostConfused(Confusion{Labels: []string{"a", "b"}, Counts: [][]int{{0, 1}, {3, 0}}}, 10)
	if len(more) != 2 || more[0].Gold != "b" || more[0].Count != 3 {
		t.Fatalf("most confused by count = %+v", more)
	}
}

func TestTopKAccuracy(t *testing.T) {
	outcomes := []ClassOutcome{
		{Gold: "a", Predicted: "a", Ranked: []string{"a", "b", "c"}},
		{Gold: "c", Predicted: "a", Ranked: []string{"a", "b", "c", "d"}},
		{Gold: "d", Predicted: "a", Ranked: []string{"a", "b", "c", "d"}},
		{Gold: "b", Predicted: "b"}, // no ranking: the prediction alone
	}
	tests := []struct {
		k    int
		want float64
	}{{1, 0.5}, {3, 0.75}, {4, 1}, {0, 0}}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			if got := TopKAccuracy(outcomes, tt.k); !near(got, tt.want) {
				t.Errorf("top-%d = %v, want %v", tt.k, got, tt.want)
			}
		})
	}
	if TopKAccuracy(nil, 3) != 0 {
		t.Error("top-k of nothing should be 0")
	}
}

func TestAbstainAndCoverage(t *testing.T) {
	outcomes := []ClassOutcome{
		{Gold: "a", Predicted: "a", Confidence: 0.9},
		{Gold: "a", Predicted: "b", Confidence: 0.6},
		{Gold: "b", Predicted: "b", Confidence: 0.5}, // exactly at 0.5: answered
		{Gold: "b", Predicted: "a", Confidence: 0.3},
	}
	tests := []struct {
		threshold float64
		want      AbstainScore
	}{
		{0, AbstainScore{Threshold: 0, AbstainRate: 0, Answered: 4, AnsweredAccuracy: 0.5}},
		{0.5, AbstainScore{Threshold: 0.5, AbstainRate: 0.25, Answered: 3, AnsweredAccuracy: 2.0 / 3}},
		{0.7, AbstainScore{Threshold: 0.7, AbstainRate: 0.75, Answered: 1, AnsweredAccuracy: 1}},
		{0.95, AbstainScore{Threshold: 0.95, AbstainRate: 1, Answered: 0, AnsweredAccuracy: 0}},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			got := AbstainAt(outcomes, tt.threshold)
			if got.Answered != tt.want.Answered || !near(got.AbstainRate, tt.want.AbstainRate) || !near(got.AnsweredAccuracy, tt.want.AnsweredAccuracy) {
				t.Errorf("AbstainAt(%v) = %+v, want %+v", tt.threshold, got, tt.want)
			}
		})
	}
	curve := CoverageCurve(outcomes, []float64{0, 0.5, 0.95})
	want := []CoveragePoint{{0, 1, 0.5, 4}, {0.5, 0.75, 2.0 / 3, 3}, {0.95, 0, 0, 0}}
	for i := range want {
		if curve[i].Answered != want[i].Answered || !near(curve[i].Coverage, want[i].Coverage) || !near(curve[i].Accuracy, want[i].Accuracy) {
			t.Errorf("curve[%d] = %+v, want %+v", i, curve[i], want[i])
		}
	}
	if c := CoverageCurve(nil, []float64{0}); c[0].Coverage != 0 || c[0].Answered != 0 {
		t.Errorf("coverage of nothing = %+v", c[0])
	}
}

func TestCalibrate(t *testing.T) {
	outcomes := []ClassOutcome{
		{Gold: "a", Predicted: "a", Confidence: 0.95},
		{Gold: "a", Predicted: "b", Confidence: 0.95},
		{Gold: "a", Predicted: "a", Confidence: 1},   // 1 falls in the last bin
		{Gold: "a", Predicted: "a", Confidence: 0.1}, // a bin includes its lower edge
		{Gold: "a", Predicted: "b", Confidence: 0.15},
	}
	c := Calibrate(outcomes, 10)
	if len(c.Bins) != 10 {
		t.Fatalf("%d bins", len(c.Bins))
	}
	// Last bin: 3 examples, accuracy 2/3, mean confidence 0.9667.
	// Bin [0.1,0.2): 2 examples, accuracy 1/2, mean confidence 0.125.
	last, b1 := c.Bins[9], c.Bins[1]
	if last.Count != 3 || !near(last.Accuracy, 2.0/3) || !near(last.MeanConfidence, 2.9/3) {
		t.Errorf("last bin = %+v", last)
	}
	if b1.Count != 2 || !near(b1.Accuracy, 0.5) || !near(b1.MeanConfidence, 0.125) || !near(b1.Lower, 0.1) || !near(b1.Upper, 0.2) {
		t.Errorf("bin 1 = %+v", b1)
	}
	want := 3.0/5*math.Abs(2.0/3-2.9/3) + 2.0/5*math.Abs(0.5-0.125)
	if !near(c.ECE, want) {
		t.Errorf("ECE = %v, want %v", c.ECE, want)
	}
	perfect := Calibrate([]ClassOutcome{{Gold: "a", Predicted: "a", Confidence: 1}, {Gold: "a", Predicted: "b", Confidence: 0}}, 10)
	if perfect.ECE != 0 {
		t.Errorf("ECE of a calibrated set = %v", perfect.ECE)
	}
	if Calibrate(nil, 10).ECE != 0 {
		t.Error("ECE of nothing should be 0")
	}
}

func TestScoreClassification(t *testing.T) {
	outcomes := []ClassOutcome{
		{Gold: "退款", Predicted: "退款", Confidence: 0.9, Ranked: []string{"退款", "物流", "账户"}},
		{Gold: "物流", Predicted: "退款", Confidence: 0.4, Ranked: []string{"退款", "物流", "账户"}},
		{Gold: "账户", Predicted: "账户", Confidence: 0.7, Ranked: []string{"账户", "退款", "物流"}},
	}
	s, err := ScoreClassification(outcomes, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if s.Examples != 3 || s.Top3Accuracy != 1 || s.Abstain.Answered != 2 || len(s.Coverage) != 20 || len(s.Calibration.Bins) != CalibrationBins {
		t.Errorf("scores = %+v", s)
	}
	// The JSON names must match the peer scripts'.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accuracy", "macro_f1", "weighted_f1", "per_class", "top3_accuracy", "confusion", "calibration"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	row, _ := m["per_class"].(map[string]any)["退款"].(map[string]any)
	for _, k := range []string{"precision", "recall", "f1", "support"} {
		if _, ok := row[k]; !ok {
			t.Errorf("per_class row lacks %q: %v", k, row)
		}
	}

	bad := []struct {
		name      string
		outcomes  []ClassOutcome
		threshold float64
		field     string
	}{
		{"threshold above 1", outcomes, 1.5, "threshold"},
		{"threshold NaN", outcomes, math.NaN(), "threshold"},
		{"confidence", []ClassOutcome{{Gold: "a", Predicted: "a", Confidence: -0.1}}, 0.5, "outcomes[0].confidence"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScoreClassification(tt.outcomes, tt.threshold)
			var e *triage.Error
			if !asError(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}
