package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/triagehq/triage/eval"
)

// TestReadmeSentimentFigures checks that the sentiment figures the README
// quotes are the table `triage eval sentiment` prints for the committed
// report of that run, and that the README's claim holds in it: ours is at
// least as good as the baseline.
func TestReadmeSentimentFigures(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "<!-- sentiment figures -->\n```\n")
	if !ok {
		t.Fatal("README.md has no sentiment figures block")
	}
	quoted, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatal("the sentiment figures block is not closed")
	}
	b, err := os.ReadFile("../../eval/sentiment/online_shopping_10cats.json")
	if err != nil {
		t.Fatal(err)
	}
	var r eval.SentimentReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := eval.WriteSentimentTable(&table, &r); err != nil {
		t.Fatal(err)
	}
	if quoted != table.String() {
		t.Errorf("README quotes\n%s\nbut the committed report prints\n%s", quoted, table.String())
	}
	ours, base := r.Row(eval.ScorerLexiconModel), r.Row(eval.ScorerBaseline)
	if ours == nil || base == nil {
		t.Fatalf("the report lacks ours or the baseline: %+v", r.Rows)
	}
	if ours.MacroF1 < base.MacroF1 || ours.Accuracy < base.Accuracy {
		t.Errorf("ours (macro-F1 %.4f, accuracy %.4f) is below the baseline (%.4f, %.4f)", ours.MacroF1, ours.Accuracy, base.MacroF1, base.Accuracy)
	}
}
