package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestReadmeExamples runs every shell example of README.md that talks to
// the service ($TRIAGE), exactly as written and in order, against a fresh
// demo store, in one shell session so that variables set by one example
// carry to the next.
func TestReadmeExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service with demo data; skipped with -short")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README examples need %s", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, b := range shellBlocks(string(readme), "", "") {
		// The block that sets the two variables is the test's to set.
		if strings.Contains(b, "$TRIAGE") && !strings.Contains(b, "export TRIAGE=") {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) < 5 {
		t.Fatalf("found %d shell blocks that use $TRIAGE", len(blocks))
	}
	t.Setenv("TRIAGE_ADMIN_TOKEN", testAdmin)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"}, &out, &out)
	}()
	url := waitFor(t, &out, "url")
	defer func() { cancel(); <-done }()

	script := "set -euo pipefail\n" + strings.Join(blocks, "\n")
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "TRIAGE="+url, "TOKEN="+testAdmin)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README examples failed: %v\n%s", err, b)
	}
	for _, want := range []string{`"title":"退款一周了还没到账"`, `"code":"conflict"`, `"allowed":["open","solved"]`, `"status":"ready"`, "/v1/tickets/{id}/history",
		// What the comments around the examples say they print.
		"2026-10-08T08:00:00Z\n", "2026-10-08T09:00:00Z\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README examples printed no %s:\n%s", want, b)
		}
	}
}

// shellBlocks returns the ```sh blocks of md between two headings.
func shellBlocks(md, from, to string) []string {
	if i := strings.Index(md, from); from != "" && i >= 0 {
		md = md[i:]
	}
	if i := strings.Index(md, to); to != "" && i >= 0 {
		md = md[:i]
	}
	var blocks []string
	for {
		i := strings.Index(md, "```sh\n")
		if i < 0 {
			return blocks
		}
		md = md[i+len("```sh\n"):]
		j := strings.Index(md, "```")
		if j < 0 {
			return blocks
		}
		blocks = append(blocks, md[:j])
		md = md[j+3:]
	}
}
