package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
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
	// What the comments under the examples say they print, they print.
	for _, block := range blocks {
		for _, line := range strings.Split(block, "\n") {
			if want, ok := strings.CutPrefix(line, "# {"); ok && !strings.Contains(want, "…") {
				if !strings.Contains(string(b), "{"+want) {
					t.Errorf("the README says an example prints\n%s\nbut it did not:\n%s", "{"+want, b)
				}
			}
		}
	}
	for _, want := range []string{`"title":"退款一周了还没到账"`, `"code":"conflict"`, `"allowed":["open","solved"]`, `"status":"ready"`, "/v1/tickets/{id}/history",
		// What the comments around the examples say they print.
		"2026-10-08T08:00:00Z\n", "2026-10-08T09:00:00Z\n",
		// The dry run of a text in traditional characters: the rules in
		// simplified Chinese fire, and the category is the device's.
		`"rules": [` + "\n" + `    "监管投诉升级",` + "\n" + `    "订单号识别"` + "\n  ],\n" + `  "category": "设备使用与故障",` + "\n" + `  "priority": "P1",`,
		`"message":"url: 169.254.169.254 is a loopback, private, link-local or metadata address;`,
		// Files, mail and templates.
		`"content_type":"application/pdf"`, "attachment; filename*=", "nosniff", `{"status":"imported","created":true}`, `{"status":"duplicate"}`,
		// Rate limits: a public route refuses with the quota's headers.
		"HTTP/1.1 429 Too Many Requests\nRatelimit-Limit: 30\nRatelimit-Policy: 30;w=60\nRetry-After: ",
		// The help centre.
		"<title>发票怎么开 - 极光商城 帮助中心</title>", "\n303\n",
		`"forbidden"`, `{"status":"skipped","reason":"mail.auto_reply"}`, `"password_set":true`, `{"name":"ack","enabled":true,"version":1}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README examples printed no %s:\n%s", want, b)
		}
	}
}

// TestReadmeEvalExamples runs the README's `./bin/triage eval` examples
// as written, from a directory laid out like a clone after `make build`
// and `make run`: the real binary at ./bin/triage, the sample set in
// testdata/eval, and a demo store in ./data. They need nothing beside the
// repository, print what the text says, and draw no progress bar into a
// redirected stderr.
func TestReadmeEvalExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a demo store; skipped with -short")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("the README examples need jq")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, b := range shellBlocks(string(readme), "## Evaluation", "") {
		if strings.Contains(b, "./bin/triage eval") {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) == 0 {
		t.Fatal("no ./bin/triage eval example in the README")
	}
	// The demo store, as make run leaves it, stopped before the examples.
	clone, stop := demoClone(t)
	stop()

	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+strings.Join(blocks, "\n"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = clone, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("README eval examples failed: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		`{"test":24,"threshold":0.35,`,
		`{"mode":"lexical","queries":20,"recall@5":`,
		`{"closed":96,"fields":[{"field":"category","accuracy":`,
		"情感评估 sentiment: eval, 训练 train 40, 测试 test 16\n", "\nlexicon+model ", "\ntfidf+lr ", "ours (lexicon+model) − baseline (tfidf+lr): accuracy ",
		`{"tickets":150,"with_foreign_facts":0,"bad_citations":0}`,
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the eval examples printed no %s:\n%s", want, stdout.String())
		}
	}
	if stderr.Len() > 0 {
		t.Errorf("the eval examples wrote %d bytes on a stderr that is no terminal (progress bars?):\n%.300q", stderr.Len(), stderr.String())
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

// TestReadmeChannels: the README lists the channels a ticket may have,
// exactly those the service accepts.
func TestReadmeChannels(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range triage.Channels() {
		want = append(want, "`"+string(c)+"`")
	}
	if line := "channel` is one of " + strings.Join(want, ", "); !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), line) {
		t.Errorf("the README does not list the channels as %q", line)
	}
}

// TestReadmeFlags: every flag of triage serve is in the README, with the
// default the binary really has where the Configuration table gives one.
func TestReadmeFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c app.Config
	var level string
	serveFlags(fs, &c, &level)
	fs.VisitAll(func(f *flag.Flag) {
		t.Run(f.Name, func(t *testing.T) {
			if !strings.Contains(string(readme), "`--"+f.Name) {
				t.Errorf("--%s is not in the README", f.Name)
			}
		})
	})
	// The defaults the table states for the flags this package defines
	// from another package's constant.
	for name, want := range map[string]string{"close-solved-after": "`4d`", "paired-vector-weight": "2"} {
		row := "| `--" + name + "` | " + want + " |"
		if fs.Lookup(name).DefValue != strings.Trim(want, "`") || !strings.Contains(string(readme), row) {
			t.Errorf("--%s: default %q, README row %q", name, fs.Lookup(name).DefValue, row)
		}
	}
}

// TestReadmeBackupExamples runs the README's backup, verify and restore
// examples as written, from a directory laid out like a clone after make
// build and make run, while the service runs on ./data.
func TestReadmeBackupExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a demo store; skipped with -short")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, b := range shellBlocks(string(readme), "### Backups", "### Upgrades") {
		if strings.Contains(b, "./bin/triage backup") {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) == 0 {
		t.Fatal("no ./bin/triage backup example in the README")
	}
	clone, stop := demoClone(t)
	defer stop()

	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+strings.Join(blocks, "\n"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = clone, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("README backup examples failed: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"备份完成", "备份完好", "已恢复", "agents 11, articles 24,", "tickets 150; 0 blobs"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the backup examples printed no %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(clone, "data-restored", "triage.db")); err != nil {
		t.Errorf("the restore wrote no store: %v", err)
	}
}

// demoClone lays out a directory like a clone after make build and make
// run: the real binary at ./bin/triage, testdata, and the service running
// with the demo data on ./data. stop stops the service.
func demoClone(t *testing.T) (clone string, stop func()) {
	t.Helper()
	clone = t.TempDir()
	if err := os.MkdirAll(filepath.Join(clone, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	testdata, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(buildBinary(t), filepath.Join(clone, "bin", "triage")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testdata, filepath.Join(clone, "testdata")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(clone, "data"), "--log-level", "error"}, &out, &out)
	}()
	waitFor(t, &out, "url")
	var once sync.Once
	return clone, func() { once.Do(func() { cancel(); <-done }) }
}
