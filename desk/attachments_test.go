package desk_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 100)...)

func TestSniffContentType(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	for _, tc := range []struct {
		name, declared string
		data           []byte
		want           string
	}{
		{"截图.png", "image/png", pngBytes, "image/png"},
		{"截图.png", "", pngBytes, "image/png"},
		{"photo.txt", "text/plain", pngBytes, "image/png"},
		{"invoice.pdf", "application/octet-stream", []byte("%PDF-1.7\n"), "application/pdf"},
		// HTML and SVG are never served as themselves, whatever their name.
		{"cute.png", "image/png", []byte("<html><script>alert(1)</script></html>"), "application/octet-stream"},
		{"page.html", "text/html", []byte("<!DOCTYPE html><html><body>hi"), "application/octet-stream"},
		{"logo.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "text/plain"},
		{"订单.xlsx", "application/octet-stream", zip, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"files.zip", "", zip, "application/zip"},
		{"订单.csv", "text/csv", []byte("订单号,金额\n1,2\n"), "text/csv"},
		{"说明.txt", "", []byte("您好"), "text/plain"},
		{"old.doc", "application/msword", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0}, "application/msword"},
		{"a.exe", "application/x-msdownload", []byte("MZ\x90\x00"), "application/octet-stream"},
	} {
		t.Run(tc.name+" "+tc.want, func(t *testing.T) {
			if got := desk.SniffContentType(tc.name, tc.declared, tc.data); got != tc.want {
				t.Errorf("SniffContentType(%q, %q) = %q, want %q", tc.name, tc.declared, got, tc.want)
			}
		})
	}
}

func TestAttachmentsWithTicketAndComment(t *testing.T) {
	e := newEnv(t)
	ctx := as(t.Context(), "a1")
	tk, err := e.desk.CreateTicket(ctx, triage.NewTicket{Title: "屏幕碎了", Body: "见截图",
		Attachments: []triage.NewAttachment{{Name: `C:\Users\陈\截图.png`, ContentType: "application/octet-stream", Data: pngBytes}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 || tk.Attachments[0].Name != "截图.png" || tk.Attachments[0].ContentType != "image/png" || tk.Attachments[0].Size != int64(len(pngBytes)) {
		t.Fatalf("created ticket's attachments = %+v", tk.Attachments)
	}
	c, err := e.desk.AddComment(ctx, tk.ID, triage.NewComment{Public: true,
		Attachments: []triage.NewAttachment{{Name: "发票.pdf", Data: []byte("%PDF-1.4 发票")}}}, nil)
	if err != nil {
		t.Fatalf("a comment with only a file: %v", err)
	}
	if len(c.Attachments) != 1 || c.Attachments[0].CommentID != c.ID {
		t.Fatalf("comment attachments = %+v", c.Attachments)
	}
	got, err := e.desk.Ticket(t.Context(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].ID != tk.Attachments[0].ID {
		t.Errorf("Ticket lists %d attachments, want only the first message's", len(got.Attachments))
	}
	cs, err := e.desk.Comments(t.Context(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Attachments) != 1 || cs[0].Attachments[0].Name != "发票.pdf" {
		t.Fatalf("Comments = %+v", cs)
	}
	a, data, err := e.desk.Attachment(t.Context(), cs[0].Attachments[0].ID)
	if err != nil || a.ContentType != "application/pdf" || string(data) != "%PDF-1.4 发票" {
		t.Fatalf("Attachment = %+v %q %v", a, data, err)
	}
}

func TestAttachmentLimits(t *testing.T) {
	e := newEnv(t)
	ctx := as(t.Context(), "a1")
	tk := e.ticket("问题", "内容", "")
	many := make([]triage.NewAttachment, triage.MaxAttachments+1)
	for i := range many {
		many[i] = triage.NewAttachment{Name: "a.txt", Data: []byte("x")}
	}
	big := bytes.Repeat([]byte("x"), triage.MaxAttachmentBytes+1)
	half := bytes.Repeat([]byte("x"), triage.MaxAttachmentBytes)
	for _, tc := range []struct {
		name  string
		files []triage.NewAttachment
		code  string
		field string
	}{
		{"too many", many, triage.EINVALID, "attachments"},
		{"empty file", []triage.NewAttachment{{Name: "a.txt"}}, triage.EINVALID, "attachments[0].data"},
		{"no name", []triage.NewAttachment{{Name: " / ", Data: []byte("x")}}, triage.EINVALID, "attachments[0].name"},
		{"file too large", []triage.NewAttachment{{Name: "a.bin", Data: big}}, triage.ETOOLARGE, "attachments[0]"},
		{"total too large", []triage.NewAttachment{{Name: "a", Data: half}, {Name: "b", Data: half}, {Name: "c", Data: []byte("x")}}, triage.ETOOLARGE, "attachments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.desk.AddComment(ctx, tk.ID, triage.NewComment{Body: "附件", Public: true, Attachments: tc.files}, nil)
			var te *triage.Error
			if !errorsAs(err, &te) || te.Code != tc.code || te.Field != tc.field {
				t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
	if _, err := e.desk.AddComment(ctx, tk.ID, triage.NewComment{Body: "  "}, nil); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("an empty comment without files: %v", err)
	}
}

func TestCleanFileName(t *testing.T) {
	long := strings.Repeat("长", 300) + ".pdf"
	for in, want := range map[string]string{
		"../../etc/passwd":     "passwd",
		`C:\Users\a\报价单.xlsx`:  "报价单.xlsx",
		".bashrc":              "bashrc",
		"a\x00b\r\nc.txt":      "abc.txt",
		`say "hi".txt`:         "say hi.txt",
		"":                     "",
		"/":                    "",
		"\xff\xfe坏.txt":        "坏.txt",
		long:                   strings.Repeat("长", triage.MaxAttachmentNameRunes-4) + ".pdf",
		"正常的文件名 (1).docx":      "正常的文件名 (1).docx",
		"..":                   "",
		"dir/sub/截 图 2026.png": "截 图 2026.png",
	} {
		if got := triage.CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// recordingOutbox is an Outbox that records what it is given and writes
// a record in the transaction, as the mail channel does.
type recordingOutbox struct {
	replies []string
}

func (o *recordingOutbox) Reply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c *triage.Comment, atts []*triage.Attachment) error {
	o.replies = append(o.replies, c.ID)
	now := time.Now()
	return tx.AddMailMessage(ctx, &triage.MailMessage{ID: triage.NewID(), Direction: triage.MailOut, Purpose: triage.MailReply,
		MessageID: "x." + c.ID + "@test", TicketID: t.ID, CommentID: c.ID, Status: triage.MailQueued, CreatedAt: now, UpdatedAt: now})
}

func TestOutboxHearsPublicRepliesOnly(t *testing.T) {
	e := newEnv(t)
	out := &recordingOutbox{}
	e.desk.Outbox = out
	ctx := as(t.Context(), "a1")
	tk := e.ticket("问题", "内容", "")
	reply, err := e.desk.AddComment(ctx, tk.ID, triage.NewComment{Body: "您好，已处理", Public: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Mail == nil || reply.Mail.Status != triage.MailQueued {
		t.Errorf("the reply's answer does not show its queued mail: %+v", reply.Mail)
	}
	if _, err := e.desk.AddComment(ctx, tk.ID, triage.NewComment{Body: "内部备注"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.AddComment(t.Context(), tk.ID, triage.NewComment{Body: "客户来信", FromRequester: true}, nil); err != nil {
		t.Fatal(err)
	}
	if len(out.replies) != 1 || out.replies[0] != reply.ID {
		t.Fatalf("outbox heard %v, want only the public reply %s", out.replies, reply.ID)
	}
	cs, _ := e.desk.Comments(t.Context(), tk.ID)
	if cs[0].Mail == nil || cs[1].Mail != nil || cs[2].Mail != nil {
		t.Errorf("Comments' mail = %v %v %v", cs[0].Mail, cs[1].Mail, cs[2].Mail)
	}
}

// hintIntake decides nothing, as triage does for a text it cannot place.
type hintIntake struct{ source string }

func (h hintIntake) Triage(_ context.Context, _ triage.Tx, t *triage.Ticket, _ triage.Manual) (*triage.TriageRecord, []*triage.HistoryEntry, error) {
	return &triage.TriageRecord{Priority: triage.Decision{Value: string(t.Priority), Source: h.source}}, nil, nil
}

func TestCreateTicketTxHints(t *testing.T) {
	for _, tc := range []struct {
		name, source string
		in           triage.NewTicket
		wantCat      string
		wantPri      triage.Priority
	}{
		{"triage undecided", "default", triage.NewTicket{Title: "你好", Body: "在吗"}, "售后", triage.P2},
		{"a signal spoke", "keyword", triage.NewTicket{Title: "你好", Body: "在吗"}, "售后", triage.P3},
		{"set by hand", "default", triage.NewTicket{Title: "你好", Body: "在吗", Category: "物流", Priority: triage.P4}, "物流", triage.P4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.desk.Intake = hintIntake{tc.source}
			var tk *triage.Ticket
			err := e.store.Update(t.Context(), func(tx triage.Tx) error {
				var err error
				tk, err = e.desk.CreateTicketTx(t.Context(), tx, tc.in, desk.Hints{Category: "售后", Priority: triage.P2})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if tk.Category != tc.wantCat || tk.Priority != tc.wantPri || tk.NeedsReview {
				t.Errorf("category %q priority %s needs_review %v, want %q %s false", tk.Category, tk.Priority, tk.NeedsReview, tc.wantCat, tc.wantPri)
			}
		})
	}
	e := newEnv(t)
	err := e.store.Update(t.Context(), func(tx triage.Tx) error {
		_, err := e.desk.CreateTicketTx(t.Context(), tx, triage.NewTicket{Title: "x"}, desk.Hints{Priority: "P9"})
		return err
	})
	if !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("a bad hinted priority: %v", err)
	}
}

func errorsAs(err error, target **triage.Error) bool { return errors.As(err, target) }
