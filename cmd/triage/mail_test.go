package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// TestMailDeliver runs `triage mail deliver` as Postfix's pipe would:
// the message on stdin, the token in TRIAGE_TOKEN, and an exit code the
// MTA understands for each outcome.
func TestMailDeliver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service; skipped with -short")
	}
	t.Setenv("TRIAGE_ADMIN_TOKEN", testAdmin)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"}, &out, &out)
	}()
	url := waitFor(t, &out, "url")
	defer func() { cancel(); <-done }()
	var tok struct{ Secret string }
	if code := apiJSON(t, "POST", url+"/v1/tokens", `{"name":"postfix","role":"mail"}`, &tok); code != 201 {
		t.Fatalf("token: %d", code)
	}
	raw := "From: 陈女士 <chen@example.cn>\r\nTo: support@aurora.example\r\nSubject: =?UTF-8?B?6YCA5qy+5rKh5Yiw6LSm?=\r\nMessage-ID: <pipe-1@example.cn>\r\n\r\n退款一周了还没到账\r\n"
	deliver := func(stdin string, args ...string) (string, int) {
		var stdout strings.Builder
		err := mailCmd(context.Background(), append([]string{"deliver", "--url", url}, args...), strings.NewReader(stdin), &stdout, io.Discard)
		var ee *exitError
		switch {
		case err == nil:
			return stdout.String(), 0
		case errors.As(err, &ee):
			return ee.msg, ee.code
		}
		t.Fatalf("mail deliver: %v", err)
		return "", -1
	}

	t.Setenv("TRIAGE_TOKEN", tok.Secret)
	got, code := deliver(raw)
	var res struct {
		Status  string
		Created bool
	}
	if code != 0 || json.Unmarshal([]byte(got), &res) != nil || res.Status != "imported" || !res.Created {
		t.Fatalf("delivery: %d %q", code, got)
	}
	if got, code := deliver(raw); code != 0 || !strings.Contains(got, `"duplicate"`) {
		t.Errorf("the MTA's retry: %d %q", code, got)
	}
	if _, code := deliver("   "); code != exitDataErr {
		t.Errorf("an empty message: exit %d, want %d", code, exitDataErr)
	}
	if _, code := deliver(raw, "--mailbox", "nope"); code != exitDataErr {
		t.Errorf("an unknown mailbox: exit %d, want %d", code, exitDataErr)
	}
	t.Setenv("TRIAGE_TOKEN", "trg_not_a_token_of_this_service_000000")
	if _, code := deliver(raw); code != exitNoPerm {
		t.Errorf("a wrong token: exit %d, want %d", code, exitNoPerm)
	}
	t.Setenv("TRIAGE_TOKEN", "")
	if _, code := deliver(raw); code != exitConfig {
		t.Errorf("no token: exit %d, want %d", code, exitConfig)
	}
	// The service down: the MTA keeps the mail and tries again later.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("TRIAGE_TOKEN", tok.Secret)
	var stdout strings.Builder
	err = mailCmd(context.Background(), []string{"deliver", "--url", down}, strings.NewReader(raw), &stdout, io.Discard)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitTempFail {
		t.Errorf("the service down: %v, want exit %d", err, exitTempFail)
	}
	if code := run(context.Background(), []string{"mail"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("triage mail without a subcommand: exit %d", code)
	}
}
