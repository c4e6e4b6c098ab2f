package main

import (
	"context"
	"strings"
	"testing"
)

// TestEvalClassifyCurve: with --curve, eval classify prints the abstain
// curve on stderr (one line per share withheld) and keeps stdout for the
// JSON report; without it, on a stderr that is no terminal, stderr stays
// empty.
func TestEvalClassifyCurve(t *testing.T) {
	args := []string{"eval", "classify", "--train", "../../testdata/eval/train.jsonl", "--test", "../../testdata/eval/dev.jsonl"}
	var out, errOut syncBuffer
	if code := run(context.Background(), append(args, "--curve"), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2+8 || !strings.Contains(lines[0], "macro-F1") || !strings.HasPrefix(lines[1], "abstain  coverage") {
		t.Fatalf("stderr:\n%s", errOut.String())
	}
	if !strings.Contains(out.String(), `"abstain_curve"`) {
		t.Errorf("the report has no abstain_curve")
	}
	var quiet syncBuffer
	if code := run(context.Background(), args, &syncBuffer{}, &quiet); code != 0 || quiet.String() != "" {
		t.Errorf("without --curve: exit %d, stderr %q", code, quiet.String())
	}
}
