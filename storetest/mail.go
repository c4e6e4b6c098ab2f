package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// The e-mail channel and attachments. Beyond the interface's comments:
//
//   - Mailboxes list by name, then id. A mailbox reads back with its
//     sealed password and PasswordSet true; a new one is at position zero
//     with no fetcher state whatever the caller's struct held. Two
//     mailboxes on the same host (ignoring ASCII case), user name and
//     folder are ECONFLICT. UpdateMailbox keeps the position and state
//     and gives them back in the caller's struct.
//   - SetMailboxPosition only moves forward within one UIDVALIDITY, and
//     jumps to any UID under a new one; SetMailboxState replaces the
//     error and keeps a time that is nil. Neither changes the version or
//     UpdatedAt.
//   - Inbound mail records are unique per (mailbox, Message-ID); the same
//     Message-ID in another mailbox, or outbound, is another record.
//     Records with a Key are unique by it. A Reason reads back whole (code,
//     arguments, text); an empty one and a nil To read back as nil and []. MailByMessageID and TicketMail list oldest
//     first (CreatedAt, then insertion); MailMessages newest first with
//     the ticket list's paging rules and filters on direction, statuses,
//     mailbox and ticket.
//   - Templates: PutMailTemplate with Version 0 inserts (ECONFLICT when
//     one exists), else it is versioned (ESTALE, ENOTFOUND);
//     DeleteMailTemplate is versioned.
//   - TicketByRef matches the last twelve characters of an id, ignoring
//     ASCII case; anything else is ENOTFOUND.
//   - PutBlob returns the hex SHA-256 and stores equal content once;
//     Blob reads it back byte for byte. AddAttachment takes Size from
//     the blob (EINVALID without one) and lists by CreatedAt, then
//     insertion. PruneBlobs removes only blobs older than the time that
//     no attachment and no mail record names; a blob whose transaction
//     rolled back is never readable.
//   - Change log: mailboxes create, update, delete (mailbox, id); mail
//     records, templates, positions, states, blobs and attachments log
//     nothing.
var mailTests = []test{
	{"mailbox crud", testMailboxCRUD},
	{"mailbox position", testMailboxPosition},
	{"mail records", testMailRecords},
	{"mail paging", testMailPaging},
	{"mail templates", testMailTemplates},
	{"ticket by ref", testTicketByRef},
	{"attachments", testAttachments},
	{"prune blobs", testPruneBlobs},
}

func newMailbox(id, name, folder string, created time.Time) *triage.Mailbox {
	return &triage.Mailbox{
		ID: id, Name: name, Address: "support@aurora.example", Host: "imap.exmail.qq.com", Port: 993, TLS: triage.MailTLSImplicit,
		Username: "support@aurora.example", PasswordSealed: "seal1.0badc0de.xyz", Folder: folder, After: triage.MailAfterSeen,
		TeamID: "team-1", Category: "支付与退款", Priority: triage.P2, Enabled: true, CreatedAt: created, UpdatedAt: created,
	}
}

func testMailboxCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, start := changesAfter(t, s, 0)
	a, b := newMailbox("mb-2", "售后邮箱", "INBOX", base.In(cst)), newMailbox("mb-1", "售后邮箱", "售后", base)
	a.Position = triage.MailPosition{UIDValidity: 9, UID: 9}
	a.LastError = "should not be stored"
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateMailbox(ctx, a); err != nil {
			return err
		}
		return tx.CreateMailbox(ctx, b)
	})
	if a.Version != 1 || a.Position != (triage.MailPosition{}) || a.LastError != "" || !a.PasswordSet {
		t.Fatalf("created mailbox = %+v", a)
	}
	got, err := s.Mailbox(ctx, "mb-2")
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordSealed != a.PasswordSealed {
		t.Errorf("PasswordSealed = %q", got.PasswordSealed)
	}
	sameJSON(t, "Mailbox", got, a)
	wantUTC(t, "Mailbox", got.CreatedAt, got.UpdatedAt)
	list, err := s.Mailboxes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "mb-1" || list[1].ID != "mb-2" {
		t.Fatalf("Mailboxes not by name then id: %v %v", list[0].ID, list[1].ID)
	}

	// Same host (any case), user and folder: taken.
	dup := newMailbox("mb-3", "重复", "INBOX", base)
	dup.Host = "IMAP.exmail.qq.com"
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateMailbox(ctx, dup) }), triage.ECONFLICT)

	update(t, s, func(tx triage.Tx) error {
		return tx.SetMailboxPosition(ctx, "mb-2", triage.MailPosition{UIDValidity: 7, UID: 42})
	})
	got.Name, got.Enabled, got.UpdatedAt = "售后邮箱（停用）", false, base.Add(time.Hour)
	got.Position = triage.MailPosition{}
	update(t, s, func(tx triage.Tx) error { return tx.UpdateMailbox(ctx, got) })
	if got.Version != 2 || got.Position.UID != 42 || got.Name != "售后邮箱（停用）" || got.CreatedAt != stored(base) {
		t.Fatalf("updated mailbox = %+v", got)
	}
	stale := *got
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateMailbox(ctx, &stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMailbox(ctx, "mb-2", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteMailbox(ctx, "mb-2", 2) })
	_, err = s.Mailbox(ctx, "mb-2")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMailbox(ctx, "mb-2", 2) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateMailbox(ctx, &triage.Mailbox{}) }), triage.EINVALID)

	got2, _ := changesAfter(t, s, start)
	want := []change{{"mailbox", "mb-2", "create"}, {"mailbox", "mb-1", "create"}, {"mailbox", "mb-2", "update"}, {"mailbox", "mb-2", "delete"}}
	if !slices.Equal(got2, want) {
		t.Errorf("changes = %v, want %v", got2, want)
	}
}

func testMailboxPosition(t *testing.T, s triage.Store) {
	ctx := t.Context()
	mb := newMailbox("mb-1", "客服", "INBOX", base)
	update(t, s, func(tx triage.Tx) error { return tx.CreateMailbox(ctx, mb) })
	set := func(p triage.MailPosition) {
		update(t, s, func(tx triage.Tx) error { return tx.SetMailboxPosition(ctx, "mb-1", p) })
	}
	pos := func() triage.MailPosition {
		m, err := s.Mailbox(ctx, "mb-1")
		if err != nil {
			t.Fatal(err)
		}
		if m.Version != 1 || m.UpdatedAt != stored(base) {
			t.Fatalf("a position or state write changed the version or UpdatedAt: %+v", m)
		}
		return m.Position
	}
	for _, step := range []struct {
		set, want triage.MailPosition
	}{
		{triage.MailPosition{UIDValidity: 100, UID: 5}, triage.MailPosition{UIDValidity: 100, UID: 5}},
		{triage.MailPosition{UIDValidity: 100, UID: 9}, triage.MailPosition{UIDValidity: 100, UID: 9}},
		{triage.MailPosition{UIDValidity: 100, UID: 7}, triage.MailPosition{UIDValidity: 100, UID: 9}}, // behind: ignored
		{triage.MailPosition{UIDValidity: 100, UID: 9}, triage.MailPosition{UIDValidity: 100, UID: 9}},
		{triage.MailPosition{UIDValidity: 4000000000, UID: 2}, triage.MailPosition{UIDValidity: 4000000000, UID: 2}}, // new validity, uint32 range
		{triage.MailPosition{UIDValidity: 4000000000, UID: 4294967295}, triage.MailPosition{UIDValidity: 4000000000, UID: 4294967295}},
	} {
		set(step.set)
		if got := pos(); got != step.want {
			t.Fatalf("after %+v: position %+v, want %+v", step.set, got, step.want)
		}
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.SetMailboxPosition(ctx, "nope", triage.MailPosition{UIDValidity: 1, UID: 1})
	}), triage.ENOTFOUND)

	at := base.Add(time.Minute).In(cst)
	update(t, s, func(tx triage.Tx) error {
		return tx.SetMailboxState(ctx, "mb-1", triage.MailboxState{Error: "auth_failed", ErrorAt: &at})
	})
	later := at.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error {
		return tx.SetMailboxState(ctx, "mb-1", triage.MailboxState{ImportAt: &later})
	})
	m, err := s.Mailbox(ctx, "mb-1")
	if err != nil {
		t.Fatal(err)
	}
	if m.LastError != "" || m.LastErrorAt == nil || !m.LastErrorAt.Equal(at) || m.LastImportAt == nil || !m.LastImportAt.Equal(later) {
		t.Fatalf("state = %q %v %v", m.LastError, m.LastErrorAt, m.LastImportAt)
	}
	wantUTC(t, "state", *m.LastErrorAt, *m.LastImportAt)
	pos()
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SetMailboxState(ctx, "nope", triage.MailboxState{}) }), triage.ENOTFOUND)
}

func newMail(id, dir, mailbox, messageID string, created time.Time) *triage.MailMessage {
	m := &triage.MailMessage{ID: id, Direction: dir, MailboxID: mailbox, MessageID: messageID, From: "chen@example.cn",
		Subject: "退款没到账", Status: triage.MailImported, CreatedAt: created, UpdatedAt: created}
	if dir == triage.MailOut {
		m.Status, m.Purpose, m.To = triage.MailQueued, triage.MailReply, []string{"chen@example.cn"}
	}
	return m
}

func testMailRecords(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, start := changesAfter(t, s, 0)
	tk := newTicket("t-1", base)
	createTickets(t, s, tk)
	in := newMail("m-1", triage.MailIn, "mb-1", "abc@qq.com", base.In(cst))
	in.TicketID = "t-1"
	in.Reason = &triage.Reason{} // an empty reason is no reason
	out := newMail("m-2", triage.MailOut, "", "triage.1@aurora.example", base.Add(time.Second))
	out.TicketID, out.Key = "t-1", "event-1"
	other := newMail("m-3", triage.MailIn, "mb-2", "abc@qq.com", base.Add(2*time.Second))
	throttled := triage.NewReason(triage.ReasonMailThrottled, "robot@loop.example", 10)
	other.Reason = &throttled
	other.Status = triage.MailSkipped
	update(t, s, func(tx triage.Tx) error {
		for _, m := range []*triage.MailMessage{in, out, other} {
			if err := tx.AddMailMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if in.Reason != nil || in.To == nil {
		t.Errorf("AddMailMessage did not normalise: reason %v to %v", in.Reason, in.To)
	}
	got, err := s.MailMessage(ctx, "m-3")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MailMessage", got, other)
	if got, err := s.InboundMail(ctx, "mb-1", "abc@qq.com"); err != nil || got.ID != "m-1" {
		t.Fatalf("InboundMail = %v, %v", got, err)
	}
	_, err = s.InboundMail(ctx, "mb-3", "abc@qq.com")
	wantCode(t, err, triage.ENOTFOUND)
	if got, err := s.MailByKey(ctx, "event-1"); err != nil || got.ID != "m-2" {
		t.Fatalf("MailByKey = %v, %v", got, err)
	}
	_, err = s.MailByKey(ctx, "")
	wantCode(t, err, triage.ENOTFOUND)

	// Once per mailbox and Message-ID; once per key.
	again := newMail("m-4", triage.MailIn, "mb-1", "abc@qq.com", base)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddMailMessage(ctx, again) }), triage.ECONFLICT)
	twice := newMail("m-5", triage.MailOut, "", "triage.2@aurora.example", base)
	twice.Key = "event-1"
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddMailMessage(ctx, twice) }), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddMailMessage(ctx, &triage.MailMessage{ID: "m-6", Direction: "sideways"})
	}), triage.EINVALID)

	byID, err := s.MailByMessageID(ctx, []string{"abc@qq.com", "triage.1@aurora.example", "nothing@x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := mailIDs(byID); !slices.Equal(got, []string{"m-1", "m-2", "m-3"}) {
		t.Errorf("MailByMessageID = %v", got)
	}
	if none, err := s.MailByMessageID(ctx, nil); err != nil || none == nil || len(none) != 0 {
		t.Errorf("MailByMessageID(nil) = %v, %v", none, err)
	}
	ticket, err := s.TicketMail(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := mailIDs(ticket); !slices.Equal(got, []string{"m-1", "m-2"}) {
		t.Errorf("TicketMail = %v", got)
	}
	if none, err := s.TicketMail(ctx, ""); err != nil || len(none) != 0 {
		t.Errorf("TicketMail(\"\") = %v, %v", mailIDs(none), err)
	}

	sent := base.Add(time.Minute)
	out.Status, out.Attempts, out.SentAt, out.UpdatedAt = triage.MailFailed, 3, &sent, sent
	rejected := triage.NewReason(triage.ReasonMailRejected)
	out.Reason, out.Error = &rejected, "550 5.1.1 mailbox unavailable"
	out.CommentID = "c-1"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateMailMessage(ctx, out) })
	got, err = s.MailMessage(ctx, "m-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "updated MailMessage", got, out)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.UpdateMailMessage(ctx, &triage.MailMessage{ID: "nope"})
	}), triage.ENOTFOUND)
	_, err = s.MailMessage(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)

	if got, _ := changesAfter(t, s, start); len(got) != 1 || got[0] != (change{"ticket", "t-1", "create"}) {
		t.Errorf("mail records logged changes: %v", got)
	}
}

func mailIDs(ms []*triage.MailMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testMailPaging(t *testing.T, s triage.Store) {
	ctx := t.Context()
	var all []*triage.MailMessage
	update(t, s, func(tx triage.Tx) error {
		for i := range 7 {
			dir, mb := triage.MailIn, "mb-1"
			if i%3 == 2 {
				dir, mb = triage.MailOut, ""
			}
			m := newMail(fmt.Sprintf("m-%d", i), dir, mb, fmt.Sprintf("id-%d@x", i), base.Add(time.Duration(i/2)*time.Minute))
			if i == 4 {
				m.Status = triage.MailSkipped
			}
			if err := tx.AddMailMessage(ctx, m); err != nil {
				return err
			}
			all = append(all, m)
		}
		return nil
	})
	var seen []string
	cursor := ""
	for {
		page, next, err := s.MailMessages(ctx, triage.MailFilter{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, mailIDs(page)...)
		if next == "" {
			if len(page) > 3 {
				t.Fatalf("page of %d", len(page))
			}
			break
		}
		cursor = next
	}
	if want := []string{"m-6", "m-5", "m-4", "m-3", "m-2", "m-1", "m-0"}; !slices.Equal(seen, want) {
		t.Errorf("MailMessages pages = %v, want %v", seen, want)
	}
	in, _, err := s.MailMessages(ctx, triage.MailFilter{Direction: triage.MailIn, Status: []string{triage.MailSkipped, "other"}, MailboxID: "mb-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := mailIDs(in); !slices.Equal(got, []string{"m-4"}) {
		t.Errorf("filtered = %v", got)
	}
	_, _, err = s.MailMessages(ctx, triage.MailFilter{Cursor: "garbage"})
	wantCode(t, err, triage.EINVALID)
	none, next, err := s.MailMessages(ctx, triage.MailFilter{TicketID: "nope"})
	if err != nil || none == nil || len(none) != 0 || next != "" {
		t.Errorf("no match = %v %q %v", none, next, err)
	}
}

func testMailTemplates(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, err := s.MailTemplate(ctx, triage.MailReply)
	wantCode(t, err, triage.ENOTFOUND)
	tpl := &triage.MailTemplate{Name: triage.MailAck, Subject: "已收到：{{ticket.title}}", Body: "您好", Enabled: true, UpdatedAt: base.In(cst)}
	update(t, s, func(tx triage.Tx) error { return tx.PutMailTemplate(ctx, tpl) })
	if tpl.Version != 1 {
		t.Fatalf("Version = %d", tpl.Version)
	}
	got, err := s.MailTemplate(ctx, triage.MailAck)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "MailTemplate", got, tpl)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutMailTemplate(ctx, &triage.MailTemplate{Name: triage.MailAck, Subject: "x", Body: "y"})
	}), triage.ECONFLICT)
	got.Body, got.Enabled = "您好，我们已收到", false
	update(t, s, func(tx triage.Tx) error { return tx.PutMailTemplate(ctx, got) })
	if got.Version != 2 {
		t.Fatalf("Version = %d", got.Version)
	}
	old := *got
	old.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.PutMailTemplate(ctx, &old) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutMailTemplate(ctx, &triage.MailTemplate{Name: triage.MailSurvey, Version: 3})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMailTemplate(ctx, triage.MailAck, 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteMailTemplate(ctx, triage.MailAck, 2) })
	_, err = s.MailTemplate(ctx, triage.MailAck)
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteMailTemplate(ctx, triage.MailAck, 2) }), triage.ENOTFOUND)
}

func testTicketByRef(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newTicket("0193f2a4-7b1c-7d2e-8f3a-1b2c3d4e5f60", base), newTicket("0193f2a4-7b1c-7d2e-8f3a-aaaaaaaaaaaa", base)
	createTickets(t, s, a, b)
	for _, ref := range []string{"1b2c3d4e5f60", "1B2C3D4E5F60"} {
		got, err := s.TicketByRef(ctx, ref)
		if err != nil || got.ID != a.ID {
			t.Fatalf("TicketByRef(%q) = %v, %v", ref, got, err)
		}
	}
	if got := triage.TicketRef(a.ID); got != "1b2c3d4e5f60" {
		t.Errorf("TicketRef = %q", got)
	}
	for _, ref := range []string{"", "5f60", "0193f2a4", "bbbbbbbbbbbb", "%", "1b2c3d4e5f6_"} {
		_, err := s.TicketByRef(ctx, ref)
		wantCode(t, err, triage.ENOTFOUND)
	}
}

func testAttachments(t *testing.T, s triage.Store) {
	ctx := t.Context()
	_, start := changesAfter(t, s, 0)
	createTickets(t, s, newTicket("t-1", base))
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 255}, 1000)...)
	pdf := []byte("%PDF-1.4 发票")
	var shaPNG, shaPDF, again string
	a1 := &triage.Attachment{ID: "a-1", TicketID: "t-1", Name: "截图.png", ContentType: "image/png", Size: 1, CreatedAt: base.In(cst)}
	a2 := &triage.Attachment{ID: "a-2", TicketID: "t-1", CommentID: "c-1", Name: "发票.pdf", ContentType: "application/pdf", CreatedAt: base}
	a3 := &triage.Attachment{ID: "a-3", TicketID: "t-1", CommentID: "c-1", Name: "image001.png", ContentType: "image/png", ContentID: "img1@qq.com", Inline: true, CreatedAt: base}
	update(t, s, func(tx triage.Tx) error {
		var err error
		if shaPNG, err = tx.PutBlob(ctx, png); err != nil {
			return err
		}
		if shaPDF, err = tx.PutBlob(ctx, pdf); err != nil {
			return err
		}
		if again, err = tx.PutBlob(ctx, png); err != nil {
			return err
		}
		a1.SHA256, a2.SHA256, a3.SHA256 = shaPNG, shaPDF, shaPNG
		for _, a := range []*triage.Attachment{a1, a2, a3} {
			if err := tx.AddAttachment(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if shaPNG != triage.BlobSHA256(png) || again != shaPNG || !triage.ValidBlobKey(shaPDF) {
		t.Fatalf("PutBlob keys %q %q %q", shaPNG, again, shaPDF)
	}
	if a1.Size != int64(len(png)) || a2.Size != int64(len(pdf)) {
		t.Errorf("sizes = %d %d, want the blobs'", a1.Size, a2.Size)
	}
	list, err := s.Attachments(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Attachments", list, []*triage.Attachment{a1, a2, a3})
	wantUTC(t, "Attachments", list[0].CreatedAt)
	got, err := s.Attachment(ctx, "a-3")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Attachment", got, a3)
	b, err := s.Blob(ctx, shaPNG)
	if err != nil || !bytes.Equal(b, png) {
		t.Fatalf("Blob = %d bytes, %v", len(b), err)
	}
	if none, err := s.Attachments(ctx, "nope"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("Attachments(nope) = %v, %v", none, err)
	}
	_, err = s.Attachment(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, key := range []string{triage.BlobSHA256([]byte("never stored")), "../../etc/passwd", ""} {
		_, err = s.Blob(ctx, key)
		wantCode(t, err, triage.ENOTFOUND)
	}

	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddAttachment(ctx, &triage.Attachment{ID: "a-4", TicketID: "t-1", Name: "x", SHA256: triage.BlobSHA256([]byte("never stored"))})
	}), triage.EINVALID)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddAttachment(ctx, &triage.Attachment{ID: "a-4", TicketID: "nope", Name: "x", SHA256: shaPDF})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddAttachment(ctx, &triage.Attachment{ID: "a-1", TicketID: "t-1", Name: "x", SHA256: shaPDF})
	}), triage.ECONFLICT)

	// A blob whose transaction rolled back is not there.
	lost := []byte("回滚的附件")
	errRollback := errors.New("roll back")
	err = s.Update(ctx, func(tx triage.Tx) error {
		if _, err := tx.PutBlob(ctx, lost); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	_, err = s.Blob(ctx, triage.BlobSHA256(lost))
	wantCode(t, err, triage.ENOTFOUND)

	if got, _ := changesAfter(t, s, start); len(got) != 1 {
		t.Errorf("attachments logged changes: %v", got)
	}
}

func testPruneBlobs(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	kept, raw, orphan := []byte("附件"), []byte("From: a@b\r\n\r\nhi"), []byte("没人用的")
	var shaKept, shaRaw, shaOrphan string
	update(t, s, func(tx triage.Tx) error {
		var err error
		if shaKept, err = tx.PutBlob(ctx, kept); err != nil {
			return err
		}
		if shaRaw, err = tx.PutBlob(ctx, raw); err != nil {
			return err
		}
		if shaOrphan, err = tx.PutBlob(ctx, orphan); err != nil {
			return err
		}
		if err := tx.AddAttachment(ctx, &triage.Attachment{ID: "a-1", TicketID: "t-1", Name: "a.txt", SHA256: shaKept, CreatedAt: base}); err != nil {
			return err
		}
		m := newMail("m-1", triage.MailIn, "", "x@y", base)
		m.RawSHA256 = shaRaw
		return tx.AddMailMessage(ctx, m)
	})
	// Lost from a rolled-back transaction: whatever it left behind goes.
	_ = s.Update(ctx, func(tx triage.Tx) error {
		if _, err := tx.PutBlob(ctx, []byte("rolled back")); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	prune := func(before time.Time) int {
		var n int
		update(t, s, func(tx triage.Tx) error {
			var err error
			n, err = tx.PruneBlobs(ctx, before)
			return err
		})
		return n
	}
	if n := prune(time.Now().Add(-time.Hour)); n != 0 {
		t.Errorf("PruneBlobs before an hour ago removed %d: the blobs are new", n)
	}
	if n := prune(time.Now().Add(time.Hour)); n < 1 {
		t.Errorf("PruneBlobs removed %d, want the orphan at least", n)
	}
	for _, sha := range []string{shaKept, shaRaw} {
		if _, err := s.Blob(ctx, sha); err != nil {
			t.Errorf("a referenced blob was pruned: %v", err)
		}
	}
	_, err := s.Blob(ctx, shaOrphan)
	wantCode(t, err, triage.ENOTFOUND)
	if n := prune(time.Now().Add(time.Hour)); n != 0 {
		t.Errorf("a second prune removed %d", n)
	}
}
