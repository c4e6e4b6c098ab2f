package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triagehq/triage/eval"
)

// TestEvalDeflect runs `triage eval deflect` on the small committed set:
// the report's rates are shares of the queries, the false-answer rate is
// the shown articles that were not relevant, and the curve shows fewer
// articles as the threshold rises.
func TestEvalDeflect(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deflect.json")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"eval", "deflect", "--articles", "../../testdata/eval/articles.jsonl",
		"--queries", "../../testdata/eval/queries.jsonl", "--json", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "false-answer rate") {
		t.Errorf("no summary line: %q", stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r eval.DeflectReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != "deflect" || r.Queries != 20 || r.Articles != 12 || len(r.Curve) == 0 {
		t.Fatalf("report = %+v", r)
	}
	if r.At.AnsweredRate > r.At.ShownRate || r.Curve[0].ShownRate != 1 {
		t.Errorf("at threshold %+v, curve[0] %+v", r.At, r.Curve[0])
	}
	for i := 1; i < len(r.Curve); i++ {
		if r.Curve[i].ShownRate > r.Curve[i-1].ShownRate {
			t.Errorf("shown rate rises with the threshold: %+v", r.Curve)
		}
	}
	if code := run(t.Context(), []string{"eval", "deflect", "--articles", "../../testdata/eval/articles.jsonl",
		"--queries", "../../testdata/eval/queries.jsonl", "--threshold", "2"}, &stdout, &stderr); code != 2 {
		t.Errorf("--threshold 2: exit %d, want 2", code)
	}
}
