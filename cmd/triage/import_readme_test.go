package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeImportSection returns the README's "Importing history" section.
func readmeImportSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "\n## Importing history\n")
	if start < 0 {
		t.Fatal("README has no Importing history section")
	}
	s = s[start+1:]
	if end := strings.Index(s[3:], "\n## "); end >= 0 {
		s = s[:end+3]
	}
	return s
}

// The README's import commands run as written (from the repository root,
// with a fresh data directory), the Zendesk sample prints what the README
// shows, a second run imports nothing, --json holds every skip, and an
// export cut short says where to resume.
func TestReadmeImportExamples(t *testing.T) {
	sec := readmeImportSection(t)
	dir := t.TempDir()
	var cmds [][]string
	for _, line := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(line, "triage import tickets ") {
			continue
		}
		args := strings.Fields(line)[1:]
		for i, a := range args {
			switch {
			case a == "./data":
				args[i] = dir
			case strings.HasPrefix(a, "importer/testdata/"):
				args[i] = "../../" + a
			}
		}
		cmds = append(cmds, args)
	}
	if len(cmds) != 5 {
		t.Fatalf("found %d import commands in the README, want one per format (5)", len(cmds))
	}
	var outputs []string
	for _, args := range cmds {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 {
			t.Fatalf("%v exited %d: %s%s", args, code, out.String(), errb.String())
		}
		outputs = append(outputs, strings.ReplaceAll(out.String(), "../../importer/", "importer/"))
	}
	// The README's output block of the first run, but for the rate.
	_, block, _ := strings.Cut(sec, "The first run of the Zendesk sample prints:\n\n```\n")
	block, _, _ = strings.Cut(block, "```")
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		want, _, _ := strings.Cut(line, "…")
		if !strings.Contains(outputs[0], want) {
			t.Errorf("the first import's output lacks the README's %q:\n%s", want, outputs[0])
		}
	}
	for i, o := range outputs {
		if strings.Contains(o, " 0 tickets imported") {
			t.Errorf("README command %d imported nothing:\n%s", i, o)
		}
	}

	// Again: nothing new, and the summary as JSON.
	summary := filepath.Join(t.TempDir(), "summary.json")
	args := append([]string{}, cmds[0]...)
	args = append(args[:len(args)-1], "--json", summary, args[len(args)-1])
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("second run exited %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), ": 0 tickets imported with 0 comments, 6 already imported, 1 skipped") {
		t.Errorf("second run:\n%s", out.String())
	}
	var js struct {
		Import struct {
			Skipped []struct {
				Line   int `json:"line"`
				Reason struct {
					Code string `json:"code"`
				} `json:"reason"`
			} `json:"skipped"`
		} `json:"import"`
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &js); err != nil || len(js.Import.Skipped) != 1 || js.Import.Skipped[0].Line != 116 || js.Import.Skipped[0].Reason.Code != "deleted" {
		t.Errorf("--json summary (%v): %s", err, b)
	}

	// An export cut short: what was read is kept, and the error says where
	// to resume.
	full, err := os.ReadFile("../../importer/testdata/zendesk_tickets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.json")
	if err := os.WriteFile(cut, []byte("["+strings.ReplaceAll(strings.TrimSpace(string(full)), "\n", ",")[:len(full)/2]), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code := run(context.Background(), []string{"import", "tickets", "--data", t.TempDir(), "--format", "zendesk", "--no-train", cut}, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "resume with --start-at") {
		t.Errorf("a cut export: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
