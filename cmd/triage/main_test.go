package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// secretRE matches a token secret.
var secretRE = regexp.MustCompile(`trg_[a-z2-7]{20,}`)

func waitFor(t *testing.T, out *syncBuffer, re string) string {
	t.Helper()
	// Loading the demo data takes seconds, and a minute and more on two
	// cores that other builds share: this only bounds a hang.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(out.String()); re == "url" && m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s in output:\n%s", re, out.String())
	return ""
}

func TestRunUsage(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"bogus"}, nil, 2, "unknown command"},
		{[]string{"serve", "--no-such-flag"}, nil, 2, "flag provided but not defined"},
		// Nothing listens on port 1: the error names the database, never
		// its password.
		{[]string{"serve", "--db", "postgres://u:secret@127.0.0.1:1/x", "--data", "DATA"}, nil, 1, "postgres://…@127.0.0.1:1/x: the database is unavailable"},
		{[]string{"migrate", "--db", "postgres://u:secret@127.0.0.1:1/x"}, nil, 1, "postgres://…@127.0.0.1:1/x: the database is unavailable"},
		{[]string{"serve", "--db", "mysql://u:secret@db/x", "--data", "DATA"}, nil, 2, "does not parse"},
		{[]string{"serve", "--data", "DATA", "--log-level", "loud"}, nil, 2, "log-level"},
		{[]string{"serve", "--data", "DATA", "--addr", "127.0.0.1:0"}, map[string]string{"TRIAGE_ADMIN_TOKEN": "short"}, 2, "TRIAGE_ADMIN_TOKEN"},
		{[]string{"migrate", "--data", "DATA"}, nil, 0, "schema at version"},
		{[]string{"version"}, nil, 0, "triage"},
		{[]string{"help"}, nil, 0, "Commands:"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			for i, a := range c.args {
				c.args[i] = strings.ReplaceAll(a, "DATA", dir)
			}
			var out, errOut syncBuffer
			code := run(context.Background(), c.args, &out, &errOut)
			if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
				t.Errorf("exit %d, want %d; output %q, want %q", code, c.code, out.String()+errOut.String(), c.want)
			}
			if strings.Contains(errOut.String(), "u:secret") || strings.Contains(errOut.String(), ":secret@") {
				t.Errorf("a database password was printed: %s", errOut.String())
			}
		})
	}
}

// TestServeShutsDownGracefully starts the service in-process, checks the
// first-start token is printed once, and that cancelling (what SIGTERM
// does) lets an in-flight request finish before the process returns.
func TestServeShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, &out, &logs) }()
	url := waitFor(t, &out, "url")
	if !strings.Contains(out.String(), "Admin token (shown only this once") {
		t.Fatalf("no admin token printed:\n%s", out.String())
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(url + p)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p, resp, err)
		}
		resp.Body.Close()
	}
	// A slow client is mid-request when shutdown starts: its request must
	// complete.
	pr, pw := io.Pipe()
	token := strings.Fields(out.String()[strings.Index(out.String(), "trg_"):])[0]
	req, _ := http.NewRequest("POST", url+"/v1/tickets", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	result := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			result <- -1
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	_, _ = pw.Write([]byte(`{"title":"关机时`))
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	_, _ = pw.Write([]byte(`还在处理的请求"}`))
	pw.Close()
	if code := <-result; code != 201 {
		t.Errorf("in-flight request got %d during shutdown", code)
	}
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d: %s", code, logs.String())
	}
	// A second start on the same data prints no new token.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var out2 syncBuffer
	go func() {
		done <- run(ctx2, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, &out2, io.Discard)
	}()
	waitFor(t, &out2, "url")
	cancel2()
	<-done
	if secretRE.MatchString(out2.String()) {
		t.Errorf("second start printed a token:\n%s", out2.String())
	}
	if !strings.Contains(out2.String(), "token create --role admin") {
		t.Errorf("second start says nothing of how to sign in:\n%s", out2.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token reached the log")
	}
}
