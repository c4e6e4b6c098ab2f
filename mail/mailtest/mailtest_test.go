package mailtest

import (
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHarness checks the harness with the standard library's SMTP client:
// a message submitted with STARTTLS and AUTH is relayed and lands in the
// recipient's maildir, and Deliver puts one there directly.
func TestHarness(t *testing.T) {
	s := Start(t)
	s.AddUser("support@example.com", "s3cret")
	s.AddUser("customer@example.com", "pw")

	c, err := smtp.Dial(net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(s.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "support@example.com", "s3cret", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("support@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("customer@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	msg := "From: support@example.com\r\nTo: customer@example.com\r\nSubject: harness\r\nMessage-ID: <h1@example.com>\r\n\r\nhello\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()

	env := s.WaitRelayed(1, 10*time.Second)
	if env[0].From != "support@example.com" || len(env[0].To) != 1 || env[0].To[0] != "customer@example.com" {
		t.Errorf("relayed envelope %+v", env[0])
	}
	if !strings.Contains(string(env[0].Data), "Message-ID: <h1@example.com>") {
		t.Errorf("relayed data lost the Message-ID:\n%s", env[0].Data)
	}
	s.Deliver("customer@example.com", "", []byte("From: x@example.net\r\nSubject: direct\r\n\r\nbody\r\n"))
	files, _ := filepath.Glob(filepath.Join(s.Dir, "mail", "customer@example.com", "Maildir", "new", "*"))
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(s.Dir, "mail", "customer@example.com", "new", "*"))
	}
	if len(files) != 2 {
		t.Fatalf("%d messages in the maildir, want 2\n%s", len(files), s.Logs())
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}

	// Wrong password: the submission service refuses.
	c2, err := smtp.Dial(net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.StartTLS(s.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c2.Auth(smtp.PlainAuth("", "support@example.com", "wrong", "127.0.0.1")); err == nil {
		t.Error("a wrong password was accepted")
	}
}
