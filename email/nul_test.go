package email_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestNULInMailOnBothStores: a raw mail with NUL characters (in the
// subject, a sender's name, the text and HTML bodies, a file's name, the
// Message-ID) is imported the same way on both stores, whichever way it
// came (POST /v1/mail/inbound and `triage mail deliver` call Inbound, an
// IMAP fetch the same import): the NULs are dropped from every text the
// ticket keeps, the raw mail is kept byte for byte, and nothing is lost
// or answered with a 500. Before, PostgreSQL refused the mail's texts
// (SQLite kept them), so the same mail made a ticket on one store and
// failed on the other.
func TestNULInMailOnBothStores(t *testing.T) {
	const boundary = "b1"
	raw := []byte("From: \"王\x00哲\" <wangzhe@qq.com>\r\nTo: support@example.com\r\nSubject: 退款\x00没到账\r\n" +
		"Message-ID: <nul\x00-1@qq.com>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=" + boundary + "\r\n\r\n" +
		"--" + boundary + "\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n" +
		"--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n订单\x00号 123，退款一周没到。\r\n" +
		"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>订单\x00号 123，退款一周没到。</p>\r\n--b2--\r\n" +
		"--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=\"单\x00据.txt\"\r\n\r\n附件\x00内容\r\n" +
		"--" + boundary + "--\r\n")
	for _, st := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), DB: st.db(t), MemIndex: true, Segmenter: sharedSegmenter(t),
				Addr: "127.0.0.1:8080", Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			res, err := a.Mail.Inbound(ctx, raw, "")
			if err != nil {
				t.Fatalf("a mail with NULs: %v", err)
			}
			if res.Status != triage.MailImported || !res.Created || res.TicketID == "" {
				t.Fatalf("a mail with NULs: %+v", res)
			}
			tk, err := a.Desk.Ticket(ctx, res.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Title != "退款没到账" || tk.Requester.Name != "王哲" || tk.Body != "订单号 123，退款一周没到。" {
				t.Errorf("ticket: title %q requester %q body %q", tk.Title, tk.Requester.Name, tk.Body)
			}
			rec, err := a.Store.MailMessage(ctx, res.MailID)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{rec.Subject, rec.MessageID, rec.From} {
				if strings.ContainsRune(s, 0) {
					t.Errorf("the mail's record keeps a NUL: %q", s)
				}
			}
			atts, err := a.Store.Attachments(ctx, res.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			if len(atts) != 1 || atts[0].Name != "单据.txt" {
				t.Errorf("attachments: %+v", atts)
			}
			// The same mail again is the same mail: a duplicate, not a
			// second ticket.
			again, err := a.Mail.Inbound(ctx, raw, "")
			if err != nil || again.Status != "duplicate" {
				t.Errorf("the same mail again: %+v, %v", again, err)
			}
		})
	}
}
