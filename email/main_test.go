package email_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/mail/mailtest"
	"github.com/triagehq/triage/segment"
)

// The tests build the application as the binary does (package app) on a
// real SQLite store, and, where mail must really travel, a real Dovecot
// (package mailtest): IMAP to fetch from, submission to send through,
// delivering to local mailboxes.

var (
	segOnce sync.Once
	segVal  *segment.Segmenter
	segErr  error
)

func sharedSegmenter(t testing.TB) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { segVal, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return segVal
}

const (
	supportAddr = "support@example.com"
	supportPass = "客服授权码-1"
)

// env is one application, optionally with a Dovecot it sends through.
type env struct {
	t    testing.TB
	app  *app.App
	mail *email.Service
	ctx  context.Context
	dove *mailtest.Server
}

type opts struct {
	dovecot     bool
	senderLimit int
	start       bool // start jobs and fetchers
}

func newEnv(t testing.TB, o opts) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background()}
	cfg := app.Config{DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t), Addr: "127.0.0.1:8080",
		SurveyURL: "http://triage.test/app/survey/", Log: slog.New(slog.DiscardHandler), SenderLimit: o.senderLimit,
		MailPoll: 200 * time.Millisecond}
	if o.dovecot {
		e.dove = mailtest.Start(t)
		e.dove.AddUser(supportAddr, supportPass)
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, e.dove.CertPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.MailCA = ca
		cfg.SMTPURL = "smtp://" + url.QueryEscape(supportAddr) + ":" + url.QueryEscape(supportPass) + "@" + e.dove.Host + ":" + strconv.Itoa(e.dove.SubmissionPort)
		cfg.MailFrom = "极光商城客服 <" + supportAddr + ">"
	}
	a, err := app.Open(e.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e.app, e.mail = a, a.Mail
	if o.start {
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := a.Start(ctx, nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cancel()
			sctx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
			defer c2()
			_ = a.Jobs.Stop(sctx)
		})
	}
	return e
}

// corpus reads a mail of package mail's corpus.
func corpus(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "mail", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// inbound posts a raw mail as an MTA would.
func (e *env) inbound(raw []byte) *email.Result {
	e.t.Helper()
	r, err := e.mail.Inbound(e.ctx, raw, "")
	if err != nil {
		e.t.Fatalf("Inbound: %v", err)
	}
	return r
}

func (e *env) ticket(id string) *triage.Ticket {
	e.t.Helper()
	tk, err := e.app.Desk.Ticket(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *env) comments(id string) []*triage.Comment {
	e.t.Helper()
	cs, err := e.app.Desk.Comments(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// waitFor polls cond until it holds.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailText is a plain UTF-8 mail.
func mailText(from, to, subject, messageID, body string, headers ...string) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n")
	if messageID != "" {
		b.WriteString("Message-ID: <" + messageID + ">\r\n")
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Date: Mon, 07 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	return []byte(b.String())
}
