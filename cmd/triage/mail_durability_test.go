package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triagehq/triage/mail/mailtest"
)

// startMailServer runs the binary on dataDir with the extra arguments
// and returns it with its base URL.
func startMailServer(t *testing.T, bin, dataDir string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"}, args...)...)
	cmd.Env = append(os.Environ(), "TRIAGE_ADMIN_TOKEN="+testAdmin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return nil, ""
}

func apiJSON(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// countTickets is the number of tickets the service holds.
func countTickets(t *testing.T, client *http.Client, url string) int {
	n := 0
	for _, found := range listTitles(t, client, url) {
		n += len(found)
	}
	return n
}

// TestKillMidMailImport fills a real IMAP mailbox with 300 mails, lets
// the real binary import them, kills it with SIGKILL a third of the way
// and again two thirds of the way, restarts it on the same data, and
// finds every mail imported exactly once: as one ticket each, one
// inbound record each, the mailbox's position at the last UID and every
// mail marked seen on the server.
func TestKillMidMailImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	dove := mailtest.Start(t)
	const user, pass = "support@aurora.example", "授权码-kill"
	dove.AddUser(user, pass)
	const n = 300
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = fmt.Appendf(nil, "From: 客户%04d <c%04d@example.cn>\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <kill-%04d@example.cn>\r\n"+
			"Date: Mon, 07 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n订单 %d 的退款还没到账，请尽快处理。\r\n",
			i, i, user, b64(fmt.Sprintf("邮件耐久 %04d", i)), i, 2026120700000+i)
	}
	dove.DeliverMany(user, raws)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, dove.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, url := startMailServer(t, bin, data, "--mail-ca", ca)
	var mb struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"name":"耐久测试","address":%q,"host":%q,"port":%d,"username":%q,"password":%q}`, user, dove.Host, dove.IMAPSPort, user, pass)
	if code := apiJSON(t, "POST", url+"/v1/mailboxes", body, &mb); code != 201 {
		t.Fatalf("create mailbox: %d", code)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	kills := 0
	for _, at := range []int{n / 3, 2 * n / 3} {
		deadline := time.Now().Add(3 * time.Minute)
		for countTickets(t, client, url) < at {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d tickets after 3 minutes", at)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		kills++
		cmd, url = startMailServer(t, bin, data, "--mail-ca", ca)
		t.Logf("killed with SIGKILL after %d or more tickets; %d found after the restart", at, countTickets(t, client, url))
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var m struct {
			Position struct {
				UID uint32 `json:"uid"`
			} `json:"position"`
		}
		apiJSON(t, "GET", url+"/v1/mailboxes/"+mb.ID, "", &m)
		if m.Position.UID == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("position at UID %d of %d after 3 minutes", m.Position.UID, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	titles := listTitles(t, client, url)
	for i := range n {
		title := fmt.Sprintf("邮件耐久 %04d", i)
		if len(titles[title]) != 1 {
			t.Errorf("%q stored %d times", title, len(titles[title]))
		}
	}
	if len(titles) != n {
		t.Errorf("%d distinct tickets, want %d", len(titles), n)
	}
	var recs struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
	total := 0
	for cursor := ""; ; {
		apiJSON(t, "GET", url+"/v1/mail/messages?direction=in&limit=200&cursor="+cursor, "", &recs)
		total += len(recs.Items)
		if cursor = recs.NextCursor; cursor == "" {
			break
		}
	}
	if total != n {
		t.Errorf("%d inbound mail records, want %d", total, n)
	}
	deadline = time.Now().Add(30 * time.Second)
	for strings.TrimSpace(dove.Doveadm("search", "-u", user, "mailbox", "INBOX", "unseen")) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("mails left unseen on the server after the restarts")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d mails imported across %d SIGKILLs: each once, position at UID %d, all seen", n, kills, n)
}
