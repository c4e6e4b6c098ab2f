package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The evaluation gate: `make test` scores every shared set (dev splits)
// with `triage eval` and fails when a headline metric (macro_f1, recall@5,
// ndcg@10) drops more than gateMaxDrop below the committed baseline in
// eval/baseline. README.md ("Evaluation") says why the tolerance is what it
// is and how the sets are sampled to keep the gate under three minutes.
//
//	TRIAGE_EVAL_UPDATE=1   write the baselines instead (make eval-baseline)
//	TRIAGE_SHARED=DIR      the shared directory (default: ../shared beside the repository)
//	TRIAGE_SHARED_REQUIRED=1   fail, not skip, when the data is missing (CI)

// gateMaxDrop is the tolerance. The runs are deterministic, so it is not
// there for noise: it is the size of change the gate lets through without
// a deliberate new baseline.
const gateMaxDrop = "0.01"

// gateSeed fixes the samples; it is the data's own build seed.
const gateSeed = "20261123"

// gateSet is one evaluation of the gate: its name (the baseline's file
// name) and the eval arguments, given the set's directory.
type gateSet struct {
	name string
	args func(dir string) []string
}

func gateSets() []gateSet {
	classify := func(sampleTrain, sampleTest string) func(string) []string {
		return func(dir string) []string {
			return []string{"classify", "--train", filepath.Join(dir, "train.jsonl"), "--test", filepath.Join(dir, "dev.jsonl"),
				"--sample-train", sampleTrain, "--sample-test", sampleTest, "--seed", gateSeed, "--examples", "0"}
		}
	}
	retrieve := func(sample string) func(string) []string {
		return func(dir string) []string {
			return []string{"retrieve", "--articles", filepath.Join(dir, "articles.jsonl"), "--queries", filepath.Join(dir, "queries.dev.jsonl"),
				"--mode", "all", "--sample-queries", sample, "--seed", gateSeed, "--misses", "0"}
		}
	}
	// Samples, where a whole set would cost more than its share of three
	// minutes; the rest run whole (0).
	return []gateSet{
		{"taidi2020_messages", classify("0", "0")},
		{"smp2017_intent", classify("0", "0")},
		{"online_shopping_10cats", classify("6000", "2000")},
		{"taidi2020_replies", retrieve("300")},
		{"baoxianzhidao_kb", retrieve("600")},
		{"bq_similar", retrieve("1000")},
		{"afqmc_similar", retrieve("1000")},
	}
}

// repoRoot is the directory with go.mod above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func TestEvalGate(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: the evaluation gate takes minutes; make test runs it")
	}
	root := repoRoot(t)
	shared := os.Getenv("TRIAGE_SHARED")
	if shared == "" {
		shared = filepath.Join(root, "..", "shared")
	}
	data := filepath.Join(shared, "data")
	missing := func(what string) {
		if os.Getenv("TRIAGE_SHARED_REQUIRED") == "1" {
			t.Fatalf("TRIAGE_SHARED_REQUIRED=1 but %s is missing", what)
		}
		t.Skipf("SKIP: %s (the shared evaluation data beside the repository) is missing; the evaluation gate did not run", what)
	}
	if _, err := os.Stat(data); err != nil {
		missing(data)
	}
	// Relative paths, so the baselines name the files the same way on
	// every machine.
	t.Chdir(root)
	if rel, err := filepath.Rel(root, data); err == nil {
		data = rel
	}
	update := os.Getenv("TRIAGE_EVAL_UPDATE") == "1"
	out := filepath.Join(os.TempDir(), "triage-eval-gate")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	env := &evalEnv{}
	start := time.Now()
	var reports []string
	for _, g := range gateSets() {
		t.Run(g.name, func(t *testing.T) {
			dir := filepath.Join(data, g.name)
			if _, err := os.Stat(dir); err != nil {
				missing(dir)
			}
			report := filepath.Join(out, g.name+".json")
			setStart := time.Now()
			var stdout, stderr bytes.Buffer
			if err := evalRun(t.Context(), append(g.args(dir), "--json", report), &stdout, &stderr, env); err != nil {
				t.Fatalf("triage eval %s: %v\n%s", strings.Join(g.args(dir), " "), err, stderr.String())
			}
			reports = append(reports, report)
			baseline := filepath.Join(root, "eval", "baseline", g.name+".json")
			if update {
				b, err := os.ReadFile(report)
				if err == nil {
					err = os.WriteFile(baseline, b, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: baseline written in %.1fs", g.name, time.Since(setStart).Seconds())
				return
			}
			if _, err := os.Stat(baseline); err != nil {
				t.Fatalf("no baseline %s: run make eval-baseline and commit it", baseline)
			}
			stdout.Reset()
			err := evalRun(t.Context(), []string{"compare", baseline, report, "--max-drop", gateMaxDrop}, &stdout, &stderr, env)
			var reg *regressionError
			switch {
			case errors.As(err, &reg):
				t.Errorf("%s regressed against %s (report of this run: %s):\n%s\nIf the drop is intended, run make eval-baseline and commit the baselines with the reason.",
					g.name, baseline, report, headlines(stdout.String()))
			case err != nil:
				t.Fatalf("compare: %v", err)
			default:
				t.Logf("%s: %.1fs, %s", g.name, time.Since(setStart).Seconds(), headlines(stdout.String()))
			}
		})
	}
	if len(reports) == len(gateSets()) {
		// One page of every set, for a person to look at after a failure.
		var stdout, stderr bytes.Buffer
		args := append([]string{"merge", "--json", filepath.Join(out, "suite.json"), "--html", filepath.Join(out, "suite.html")}, reports...)
		if err := evalRun(t.Context(), args, &stdout, &stderr, env); err != nil {
			t.Errorf("merge: %v", err)
		}
	}
	t.Logf("evaluation gate: %d sets in %.0fs; reports in %s", len(reports), time.Since(start).Seconds(), out)
}

// headlines keeps the compare table's header, headline rows and verdict.
func headlines(table string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimRight(table, "\n"), "\n") {
		if i == 0 || strings.HasPrefix(line, "*") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "ok") {
			fmt.Fprintln(&b, line)
		}
	}
	return b.String()
}
