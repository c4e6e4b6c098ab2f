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

// doctor returns a copy of a report file with every headline metric
// (macro_f1, recall@5, ndcg@10) lowered by drop, written to dir.
func doctor(t *testing.T, path, dir string, drop float64) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if f, ok := x.(float64); ok && eval.IsHeadline(k) {
					v[k] = f - drop
					n++
				} else if k != "per_class" {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	if n == 0 {
		t.Fatalf("%s has no headline metric", path)
	}
	out := filepath.Join(dir, filepath.Base(path))
	b, _ = json.Marshal(v)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGateRefusesRegressions feeds compare, as the gate calls it, each
// committed baseline against a doctored copy of itself: a drop just over
// the gate's tolerance must fail (exit 1), a drop at the tolerance must
// pass, so the gate can fail and fails for the right size of change.
func TestGateRefusesRegressions(t *testing.T) {
	baselines, err := filepath.Glob(filepath.Join("..", "..", "eval", "baseline", "*.json"))
	if err != nil || len(baselines) == 0 {
		t.Fatalf("no committed baselines: %v", err)
	}
	for _, base := range baselines {
		t.Run(filepath.Base(base), func(t *testing.T) {
			for _, tc := range []struct {
				name string
				drop float64
				code int
			}{
				{"identical", 0, 0},
				{"at the tolerance", 0.01, 0},
				{"just over the tolerance", 0.0101, 1},
				{"a real regression", 0.05, 1},
			} {
				t.Run(tc.name, func(t *testing.T) {
					nw := doctor(t, base, t.TempDir(), tc.drop)
					var stdout, stderr bytes.Buffer
					code := run(t.Context(), []string{"eval", "compare", base, nw, "--max-drop", gateMaxDrop}, &stdout, &stderr)
					if code != tc.code {
						t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, stdout.String(), stderr.String())
					}
					if tc.code == 1 && !strings.Contains(stdout.String(), "FAIL") {
						t.Errorf("a failing compare should say FAIL:\n%s", stdout.String())
					}
				})
			}
		})
	}
}

func TestEvalCompareBadInput(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join("..", "..", "eval", "baseline", "taidi2020_messages.json")
	other := filepath.Join("..", "..", "eval", "baseline", "bq_similar.json")
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte("{\"kind\":\"classify\",\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"one file", []string{base}, "usage"},
		{"missing file", []string{base, filepath.Join(dir, "none.json")}, "none.json"},
		{"broken JSON", []string{base, broken}, "broken.json"},
		{"different kinds", []string{base, other}, "cannot compare"},
		{"negative tolerance", []string{base, base, "--max-drop", "-1"}, "max-drop"},
		{"unknown flag", []string{base, base, "--nope"}, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"eval", "compare"}, tc.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestEvalBadDataNamesFileAndLine: a broken line of a data file is bad
// input (exit 2) and the message says which file and line to fix.
func TestEvalBadDataNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "train.jsonl")
	os.WriteFile(good, []byte(`{"id":"1","text":"退款","category":"a"}`+"\n"+`{"id":"2","text":"发票","category":"b"}`+"\n"), 0o644)
	bad := filepath.Join(dir, "test.jsonl")
	os.WriteFile(bad, []byte(`{"id":"1","text":"退款","category":"a"}`+"\n"+`{"id":"2","text":`+"\n"), 0o644)
	articles := filepath.Join(dir, "articles.jsonl")
	os.WriteFile(articles, []byte(`{"id":"a1","title":"退款","body":"七天内退款"}`+"\n"), 0o644)
	queries := filepath.Join(dir, "queries.jsonl")
	os.WriteFile(queries, []byte(`{"id":"q1","text":"怎么退款","relevant":["a1"]}`+"\n"+`{"id":"q2","text":"发票","relevant":"a1"}`+"\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"classify test line 2", []string{"classify", "--train", good, "--test", bad}, "test.jsonl:2"},
		{"classify without --test", []string{"classify", "--train", good}, "--test"},
		{"retrieve queries line 2", []string{"retrieve", "--articles", articles, "--queries", queries}, "queries.jsonl:2"},
		{"retrieve bad mode", []string{"retrieve", "--articles", articles, "--queries", queries, "--mode", "psychic"}, "mode"},
		{"unknown kind", []string{"guess"}, "guess"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"eval"}, tc.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}
