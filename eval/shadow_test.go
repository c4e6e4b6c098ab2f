package eval_test

import (
	"math"
	"testing"

	"github.com/triagehq/triage/eval"
)

// Reference values: the two-sided binomial test (scipy.stats.binomtest(k,
// n, 0.5).pvalue) for the exact test, and the chi-square survival with one
// degree of freedom of (|b-c|-1)²/(b+c) for the corrected one.
func TestMcNemar(t *testing.T) {
	tests := []struct {
		name        string
		b, c        int
		method      string
		p           float64
		significant bool
		better      string
	}{
		{"no discordant pairs", 0, 0, "exact", 1, false, ""},
		{"exact, even", 3, 3, "exact", 1, false, ""},
		{"exact, 1 vs 9", 1, 9, "exact", 0.021484375, true, "candidate"},
		{"exact, 0 vs 5", 0, 5, "exact", 0.0625, false, ""},
		{"exact, 8 vs 1", 8, 1, "exact", 0.0390625, true, "active"},
		{"chi2, 10 vs 20", 10, 20, "chi2", 0.100348, false, ""},
		{"chi2, 5 vs 25", 5, 25, "chi2", 0.000522575, true, "candidate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := eval.McNemarTest(tc.b, tc.c)
			if m.Method != tc.method || math.Abs(m.PValue-tc.p) > 1e-4*tc.p {
				t.Errorf("McNemarTest(%d, %d) = %s p=%g, want %s p=%g", tc.b, tc.c, m.Method, m.PValue, tc.method, tc.p)
			}
			if m.Significant != tc.significant || m.Better != tc.better {
				t.Errorf("McNemarTest(%d, %d): significant %v better %q, want %v %q", tc.b, tc.c, m.Significant, m.Better, tc.significant, tc.better)
			}
		})
	}
}
