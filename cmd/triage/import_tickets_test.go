package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/importer/importertest"
)

// `triage import tickets` against the data directory of a running server
// (the README's command): the server keeps answering while the import
// writes, sees the imported tickets, a bad line is named with its line
// number, and a second run imports nothing.
func TestImportTicketsBesideServe(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	var export bytes.Buffer
	if _, err := importertest.WriteZendesk(&export, importertest.Options{Tickets: 300, Seed: 7, Lines: true}); err != nil {
		t.Fatal(err)
	}
	// Line 3 is broken: the record is skipped and named, the rest kept.
	lines := strings.SplitAfter(export.String(), "\n")
	lines[2] = "{\"id\": 3, \"subject\": \"断了的一行\n"
	data := filepath.Join(files, "tickets.jsonl")
	mapping := filepath.Join(files, "mapping.json")
	if err := os.WriteFile(data, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapping, importertest.Mapping(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	t.Setenv("TRIAGE_ADMIN_TOKEN", testAdmin)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, &out, &logs) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	url := waitFor(t, &out, "url")

	// Agents keep working while the import writes.
	stop := make(chan struct{})
	created := make(chan int, 1)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				created <- n
				return
			default:
			}
			body := `{"title":"导入时的新工单","body":"请问发票什么时候开","requester":{"name":"李先生","email":"li@example.com"}}`
			req, _ := http.NewRequest("POST", url+"/v1/tickets", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testAdmin)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				created <- n
				return
			}
			resp.Body.Close()
			// Not blocked means answered, and answered 201: a write held
			// behind the import's transactions would run into the store's
			// busy timeout and fail. How long it took is logged, not
			// judged (timings belong in benchmarks).
			if resp.StatusCode != 201 {
				t.Errorf("creating a ticket during the import: %d", resp.StatusCode)
			} else {
				t.Logf("a ticket created during the import in %v", time.Since(start).Round(time.Millisecond))
			}
			n++
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var first, ferr bytes.Buffer
	args := []string{"import", "tickets", "--data", dir, "--format", "zendesk", "--mapping", mapping, data}
	code := run(context.Background(), args, &first, &ferr)
	close(stop)
	agents := <-created
	if code != 0 {
		t.Fatalf("import exited %d: %s\n%s", code, first.String(), ferr.String())
	}
	t.Logf("first import:\n%s", first.String())
	if agents == 0 {
		t.Error("no ticket was created during the import")
	}
	for _, want := range []string{
		"300 records from zendesk: 299 tickets imported",
		"0 already imported, 1 skipped",
		"skipped: line 3 (record 2): bad_line",
		"trained: category model",
		"backtest: ",
	} {
		if !strings.Contains(first.String(), want) {
			t.Errorf("first import's output lacks %q", want)
		}
	}

	var second bytes.Buffer
	if code := run(context.Background(), args, &second, &ferr); code != 0 {
		t.Fatalf("second import exited %d: %s", code, ferr.String())
	}
	if !strings.Contains(second.String(), ": 0 tickets imported with 0 comments, 299 already imported, 1 skipped") {
		t.Errorf("second import:\n%s", second.String())
	}

	// The server sees the imported tickets: a list and a search by the
	// text index its follower keeps.
	count := func() int {
		req, _ := http.NewRequest("GET", url+"/v1/tickets?status=closed&limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+testAdmin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	if count() == 0 {
		t.Error("the running server lists no closed ticket after the import")
	}
	if m := regexp.MustCompile(`(\d+) tickets/s`).FindStringSubmatch(first.String()); m == nil {
		t.Error("no import rate printed")
	}
}
