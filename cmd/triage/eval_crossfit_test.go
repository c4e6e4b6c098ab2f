package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage/eval"
)

// TestEvalRetrieveCrossFit runs the README's `eval retrieve --cross-fit 2`
// on a small knowledge base: every query is scored once, by the fold
// whose embedder did not learn from it, the report says it was
// cross-fitted and which hybrid weight each fold chose, and compare refuses to set it against a run without
// folds.
func TestEvalRetrieveCrossFit(t *testing.T) {
	dir := t.TempDir()
	var arts, qs strings.Builder
	topics := []string{"花呗还款", "借呗额度", "银行卡解绑", "退款到账", "修改手机号", "账户冻结", "电子发票", "登录密码"}
	for i, topic := range topics {
		fmt.Fprintf(&arts, `{"id":"a%d","title":"%s怎么办","body":""}`+"\n", i, topic)
		for j, form := range []string{"请问%s", "%s在哪里弄", "我想问问%s的事"} {
			fmt.Fprintf(&qs, `{"id":"q%d-%d","text":"%s","relevant":["a%d"]}`+"\n", i, j, fmt.Sprintf(form, topic), i)
		}
	}
	articles, queries := filepath.Join(dir, "articles.jsonl"), filepath.Join(dir, "queries.jsonl")
	os.WriteFile(articles, []byte(arts.String()), 0o644)
	os.WriteFile(queries, []byte(qs.String()), 0o644)
	runRetrieve := func(t *testing.T, extra ...string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.json")
		var stdout, stderr bytes.Buffer
		args := append([]string{"eval", "retrieve", "--articles", articles, "--queries", queries, "--misses", "0", "--json", out}, extra...)
		if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		return out
	}
	crossed := runRetrieve(t, "--cross-fit", "2")
	b, err := os.ReadFile(crossed)
	if err != nil {
		t.Fatal(err)
	}
	var r eval.RetrieveReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.CrossFit != 2 || len(r.Modes) != 3 || len(r.VectorWeights) != 2 {
		t.Fatalf("cross_fit %d, %d modes, vector weights %v; want 2, 3 and one weight per fold", r.CrossFit, len(r.Modes), r.VectorWeights)
	}
	for _, w := range r.VectorWeights {
		if !slices.Contains(pairedWeights, w) {
			t.Errorf("vector weight %v is not one of %v", w, pairedWeights)
		}
	}
	for _, m := range r.Modes {
		if m.Queries != 3*len(topics) {
			t.Errorf("%s scored %d queries, want each of the %d once", m.Mode, m.Queries, 3*len(topics))
		}
	}
	plain := runRetrieve(t)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"eval", "compare", plain, crossed}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String()+stdout.String(), "cross_fit") {
		t.Errorf("compare of a plain and a cross-fitted run: exit %d, %s%s; want 2 naming cross_fit", code, stdout.String(), stderr.String())
	}
}
