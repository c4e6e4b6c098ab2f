package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/triagehq/triage/api"
)

// Exit codes of `triage mail deliver`, as an MTA's pipe reads them
// (sysexits.h): Postfix and Exim retry a temporary failure later and
// bounce the others.
const (
	exitDataErr  = 65 // EX_DATAERR: the service refused the message itself
	exitNoPerm   = 77 // EX_NOPERM: the token is wrong or may not deliver
	exitTempFail = 75 // EX_TEMPFAIL: the service is down or busy; try later
	exitConfig   = 78 // EX_CONFIG: TRIAGE_TOKEN or --url missing
)

// exitError ends a command with a particular exit code.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// mailCmd runs `triage mail <subcommand>`.
func mailCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, _ := lookup("mail")
	if _, rest, err := group(c, args, stdout, stderr); err != nil {
		return err
	} else {
		args = rest
	}
	return mailDeliver(ctx, args, stdin, stdout, stderr)
}

// mailDeliver reads one message on stdin and posts it to the service's
// /v1/mail/inbound with the token in TRIAGE_TOKEN (a token of role mail):
// the command for a Postfix or Exim pipe. It prints the result as JSON.
func mailDeliver(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("mail deliver", "[flags] < message.eml",
		"Post one message read on stdin to the service's /v1/mail/inbound with the token in TRIAGE_TOKEN\n"+
			"(role mail), for a Postfix or Exim pipe. Exits 0 when delivered, 75 when the service is down or\n"+
			"busy (the MTA tries again later), 65 when it refused the message, 77 for a bad token.")
	base := fs.String("url", "http://127.0.0.1:8080", "the triage service's URL")
	mailbox := fs.String("mailbox", "", "the mailbox whose team and hints apply (default: the one the mail was sent to)")
	timeout := fs.Duration("timeout", time.Minute, "how long to wait for the service")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	token := os.Getenv("TRIAGE_TOKEN")
	if token == "" {
		return &exitError{exitConfig, "TRIAGE_TOKEN is not set: create a token of role mail (POST /v1/tokens {\"name\":\"postfix\",\"role\":\"mail\"}) and put it in the pipe's environment"}
	}
	raw, err := io.ReadAll(io.LimitReader(stdin, api.MaxMailBytes+1))
	if err != nil {
		return &exitError{exitTempFail, "reading the message: " + err.Error()}
	}
	if len(raw) > api.MaxMailBytes {
		return &exitError{exitDataErr, fmt.Sprintf("the message is over %d bytes", api.MaxMailBytes)}
	}
	u := strings.TrimRight(*base, "/") + "/v1/mail/inbound"
	if *mailbox != "" {
		u += "?mailbox=" + url.QueryEscape(*mailbox)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		return &exitError{exitConfig, "--url: " + err.Error()}
	}
	req.Header.Set("Content-Type", "message/rfc822")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return &exitError{exitTempFail, "the service cannot be reached: " + err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusOK:
		fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &exitError{exitNoPerm, "the service refused the token: " + errorMessage(body)}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &exitError{exitTempFail, fmt.Sprintf("the service answered %d: %s", resp.StatusCode, errorMessage(body))}
	default:
		return &exitError{exitDataErr, fmt.Sprintf("the service refused the message (%d): %s", resp.StatusCode, errorMessage(body))}
	}
}

func errorMessage(body []byte) string {
	var e api.ErrorBody
	if err := json.Unmarshal(body, &e); err == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	return strings.TrimSpace(string(body))
}
