package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/eval"
)

// demoStore fills dir with the demo data the way serve --demo does, with
// every searchable document embedded, and closes it.
func demoStore(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, Demo: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.StartIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Embedding.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestEvalGateDrafts is the drafts part of the evaluation gate: on the
// demo data no draft states a fact found neither in its ticket nor in a
// published article it cites, no citation is misplaced, the hazard and the
// threats of the demo get their safety and escalation replies, and a
// ticket with nothing to go on gets a clarifying one.
func TestEvalGateDrafts(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: loads the demo data; make test runs it")
	}
	dir := t.TempDir()
	demoStore(t, dir)
	out := filepath.Join(t.TempDir(), "drafts.json")
	var stdout, stderr bytes.Buffer
	if err := evalRun(t.Context(), []string{"drafts", "--data", dir, "--json", out, "--html", out + ".html"}, &stdout, &stderr, &evalEnv{}); err != nil {
		t.Fatalf("triage eval drafts: %v\n%s", err, stderr.String())
	}
	d, err := eval.ReadReport(out)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Drafts
	if r == nil || r.Tickets == 0 {
		t.Fatalf("no drafts report in %s", out)
	}
	t.Logf("eval drafts on the demo: %d tickets, %d with a foreign fact, %d bad citations, modes %v, kinds %v", r.Tickets, r.WithForeignFacts, r.BadCitations, r.Modes, r.Kinds)
	if r.WithForeignFacts != 0 || r.BadCitations != 0 {
		for _, row := range r.Rows {
			if len(row.Foreign) > 0 || !row.CitationsValid {
				t.Errorf("%s: foreign %v, citations valid %v:\n%s", row.Title, row.Foreign, row.CitationsValid, row.Text)
			}
		}
	}
	want := map[string]string{
		"卖假货 要求退一赔三":     triage.DraftKindEscalation,
		"扫地机器人充电座冒烟":     triage.DraftKindSafety,
		"退货一个月了还不退款 要投诉": triage.DraftKindEscalation,
		"退款一周了还没到账":      triage.DraftKindNormal,
	}
	for _, row := range r.Rows {
		if k, ok := want[row.Title]; ok {
			delete(want, row.Title)
			if row.DraftKind != k {
				t.Errorf("%s: a %s draft, want %s:\n%s", row.Title, row.DraftKind, k, row.Text)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("demo tickets not in the report: %v", want)
	}

	// Tickets from a file, against the same store.
	file := filepath.Join(t.TempDir(), "tickets.jsonl")
	if err := os.WriteFile(file, []byte(`{"title":"在吗","body":"在吗"}`+"\n"+`{"title":"人呢？？","body":""}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if err := evalRun(t.Context(), []string{"drafts", "--data", dir, "--tickets", file}, &stdout, &stderr, &evalEnv{}); err != nil {
		t.Fatalf("triage eval drafts --tickets: %v\n%s", err, stderr.String())
	}
	d, err = eval.DecodeReport("stdout", stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if d.Drafts.Tickets != 2 || d.Drafts.Kinds[triage.DraftKindClarifying] != 2 || d.Drafts.Modes[triage.DraftTemplate] != 2 {
		t.Errorf("在吗 and 人呢？？: modes %v, kinds %v, want two clarifying templates", d.Drafts.Modes, d.Drafts.Kinds)
	}
	for _, row := range d.Drafts.Rows {
		if row.Sources != 0 {
			t.Errorf("%s: %d sources suggested, want none", row.Title, row.Sources)
		}
	}
}
