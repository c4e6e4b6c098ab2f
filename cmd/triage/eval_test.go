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
		{"retrieve one fold", []string{"retrieve", "--articles", articles, "--queries", queries, "--cross-fit", "1"}, "cross-fit"},
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

// TestEvalCompareRefusesDifferentRuns: reports of different sets,
// samples, seeds or settings do not compare. compare refuses them (exit 2,
// naming each difference) rather than say "ok", and with --allow-mismatch
// prints the deltas under a warning for each difference and gives no
// verdict. The same run found under another path still compares.
func TestEvalCompareRefusesDifferentRuns(t *testing.T) {
	edit := func(t *testing.T, path string, change func(r map[string]any)) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		change(r)
		out := filepath.Join(t.TempDir(), filepath.Base(path))
		b, _ = json.Marshal(r)
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	modes := func(r map[string]any, f func(m map[string]any)) {
		for _, m := range r["modes"].([]any) {
			f(m.(map[string]any))
		}
	}
	retrieve, classify := "../../eval/baseline/bq_similar.json", "../../eval/baseline/smp2017_intent.json"
	cases := []struct {
		name, base string
		change     func(r map[string]any)
		want       []string // every difference named; none: it compares
	}{
		{"a 300-query sample against 1,000", retrieve, func(r map[string]any) {
			modes(r, func(m map[string]any) { m["queries"] = 300 })
		}, []string{"lexical.queries: base 1000, new 300", "hybrid.queries: base 1000, new 300"}},
		{"another seed", retrieve, func(r map[string]any) {
			r["sample"].(map[string]any)["seed"] = 7
		}, []string{"sample.seed: base 20261123, new 7"}},
		{"the whole file against a sample", retrieve, func(r map[string]any) {
			delete(r, "sample")
			modes(r, func(m map[string]any) { m["queries"] = 3909 })
		}, []string{"sample: base (none), new whole files", "sample.seed: base 20261123, new (none)", "vector.queries: base 1000, new 3909"}},
		{"another set", retrieve, func(r map[string]any) {
			r["name"], r["queries_file"] = "afqmc_similar", "../shared/data/afqmc_similar/queries.dev.jsonl"
		}, []string{"name: base bq_similar, new afqmc_similar", "queries_file: base bq_similar/queries.dev.jsonl, new afqmc_similar/queries.dev.jsonl"}},
		{"another abstain threshold", classify, func(r map[string]any) { r["threshold"] = 0.5 + 0.25 }, []string{"threshold: base"}},
		{"another test split", classify, func(r map[string]any) {
			r["test_file"], r["test"] = "../shared/data/smp2017_intent/test.jsonl", 500
		}, []string{"test_file: base smp2017_intent/dev.jsonl, new smp2017_intent/test.jsonl", "test: base 424, new 500"}},
		{"the same run under another path", retrieve, func(r map[string]any) {
			r["queries_file"], r["articles_file"] = "/srv/data/bq_similar/queries.dev.jsonl", "/srv/data/bq_similar/articles.jsonl"
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nw := edit(t, c.base, c.change)
			var out, errOut bytes.Buffer
			code := run(t.Context(), []string{"eval", "compare", c.base, nw}, &out, &errOut)
			if c.want == nil {
				if code != 0 || !strings.Contains(out.String(), "ok: no headline metric") {
					t.Fatalf("exit %d, want 0 and ok:\n%s%s", code, out.String(), errOut.String())
				}
				return
			}
			if code != 2 || strings.Contains(out.String(), "ok") {
				t.Fatalf("exit %d, want 2 and no verdict:\n%s%s", code, out.String(), errOut.String())
			}
			for _, w := range c.want {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("the refusal does not name %q:\n%s", w, errOut.String())
				}
			}
			out.Reset()
			errOut.Reset()
			code = run(t.Context(), []string{"eval", "compare", "--allow-mismatch", c.base, nw}, &out, &errOut)
			if code != 0 || !strings.Contains(out.String(), "warning: the runs differ") || strings.Contains(out.String(), "ok:") || !strings.Contains(out.String(), "not a verdict") {
				t.Errorf("--allow-mismatch: exit %d:\n%s%s", code, out.String(), errOut.String())
			}
		})
	}
}
