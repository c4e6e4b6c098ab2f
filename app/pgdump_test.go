package app_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestPgDumpRestore runs the README's PostgreSQL backup procedure: the
// demo store on PostgreSQL with an attachment, pg_dump while it is open,
// pg_restore into a new database, and a replica started there (with its
// own, empty data directory) finds every ticket, the attachment's content
// and the same search results.
func TestPgDumpRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data twice; skipped with -short")
	}
	for _, tool := range []string{"pg_dump", "pg_restore", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(pgtest.EnvRequired) == "1" {
				t.Fatalf("%s is not installed (postgresql-client)", tool)
			}
			t.Skipf("%s is not installed (postgresql-client)", tool)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var script string
	for _, b := range shellBlocksOf(string(readme)) {
		if strings.Contains(b, "pg_dump") {
			script = b
		}
	}
	if script == "" {
		t.Fatal("no pg_dump example in the README")
	}
	ctx := context.Background()
	admin := triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "test", Role: triage.RoleAdmin})
	src, dst := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	seg := sharedSegmenter(t)
	start := func(db string) *app.App { return openDemoWith(t, app.Config{DB: db, Segmenter: seg}) }
	m := start(src)
	photo := []byte("\x89PNG\r\n\x1a\n a photo of the broken screen")
	tk, err := m.Desk.CreateTicket(admin, triage.NewTicket{Title: "屏幕碎了", Body: "附上照片",
		Attachments: []triage.NewAttachment{{Name: "屏幕.png", ContentType: "image/png", Data: photo}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := ticketIDs(t, m)
	queries := []kb.Query{
		{Text: "退款多久到账", Kind: triage.DocArticle, Mode: kb.ModeLexical, K: 10},
		{Text: "快递显示签收但是没收到", Kind: triage.DocTicket, Mode: kb.ModeLexical, K: 10},
	}
	var before [][]string
	for _, q := range queries {
		before = append(before, topTen(t, m, q))
	}

	// The dump runs while the service is open on the source.
	var out bytes.Buffer
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir, cmd.Stdout, cmd.Stderr = t.TempDir(), &out, &out
	cmd.Env = append(os.Environ(), "SOURCE_DB="+src, "RESTORED_DB="+dst)
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's pg_dump and pg_restore: %v\n%s", err, out.String())
	}

	r := start(dst)
	if got := ticketIDs(t, r); !slices.Equal(got, all) {
		t.Fatalf("the restored database has %d tickets, the source %d", len(got), len(all))
	}
	atts, err := r.Store.Attachments(ctx, tk.ID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments after the restore: %v %v", atts, err)
	}
	if _, data, err := r.Desk.Attachment(ctx, atts[0].ID); err != nil || !bytes.Equal(data, photo) {
		t.Fatalf("the attachment's content after the restore: %q %v", data, err)
	}
	for i, q := range queries {
		if after := topTen(t, r, q); len(after) == 0 || !slices.Equal(after, before[i]) {
			t.Errorf("%q: top ten on the source %v, on the restored replica %v", q.Text, before[i], after)
		}
	}
}

// ticketIDs lists every ticket of a store, sorted.
func ticketIDs(t *testing.T, m *app.App) []string {
	t.Helper()
	var ids []string
	f := triage.TicketFilter{Limit: triage.MaxPageSize}
	for {
		page, next, err := m.Store.Tickets(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range page {
			ids = append(ids, tk.ID)
		}
		if next == "" {
			slices.Sort(ids)
			return ids
		}
		f.Cursor = next
	}
}

// shellBlocksOf returns the ```sh blocks of a Markdown text.
func shellBlocksOf(md string) []string {
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
