package eval_test

import (
	"math"
	"testing"

	"github.com/triagehq/triage/eval"
)

// TestAbstainCurve: withholding the least confident share leaves the more
// accurate rest; the threshold is the lowest confidence answered.
func TestAbstainCurve(t *testing.T) {
	var outs []eval.ClassOutcome
	// Ten examples, confidence 0.1…1.0; the three least confident wrong.
	for i := 1; i <= 10; i++ {
		o := eval.ClassOutcome{Gold: "a", Predicted: "a", Confidence: float64(i) / 10}
		if i <= 3 {
			o.Predicted = "b"
		}
		outs = append(outs, o)
	}
	got := eval.AbstainCurve(outs, []float64{0, 0.1, 0.3, 0.5})
	want := []eval.CoveragePoint{
		{Threshold: 0, Coverage: 1, Accuracy: 0.7, Answered: 10},
		{Threshold: 0.2, Coverage: 0.9, Accuracy: 7.0 / 9, Answered: 9},
		{Threshold: 0.4, Coverage: 0.7, Accuracy: 1, Answered: 7},
		{Threshold: 0.6, Coverage: 0.5, Accuracy: 1, Answered: 5},
	}
	for i, w := range want {
		g := got[i]
		if math.Abs(g.Threshold-w.Threshold) > 1e-9 || math.Abs(g.Coverage-w.Coverage) > 1e-9 || math.Abs(g.Accuracy-w.Accuracy) > 1e-9 || g.Answered != w.Answered {
			t.Errorf("share %d: %+v, want %+v", i, g, w)
		}
	}
	if e := eval.AbstainCurve(nil, eval.AbstainShares()); len(e) != len(eval.AbstainShares()) || e[0].Answered != 0 {
		t.Errorf("empty: %+v", e)
	}
}
