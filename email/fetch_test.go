package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// addMailbox configures the test Dovecot's support mailbox through the
// channel, as an admin would.
func (e *env) addMailbox(after, moveTo, password string) *triage.Mailbox {
	e.t.Helper()
	mb, err := e.mail.CreateMailbox(e.ctx, triage.NewMailbox{Name: "客服邮箱", Address: supportAddr, Host: e.dove.Host, Port: e.dove.IMAPSPort,
		TLS: triage.MailTLSImplicit, Username: supportAddr, Password: password, After: after, MoveTo: moveTo}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return mb
}

func (e *env) countTickets() int {
	e.t.Helper()
	n, err := e.app.Store.CountTickets(e.ctx, triage.TicketFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestFetchFromIMAP: mail waiting in a real IMAP folder becomes tickets;
// the mailbox's position follows; each mail is marked seen after its
// commit; new mail arrives by IDLE; a reply lands on its ticket.
func TestFetchFromIMAP(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	for _, name := range []string{"qq-gbk-new.eml", "outlook-html-only.eml", "big5-taiwan.eml"} {
		e.dove.Deliver(supportAddr, "", corpus(t, name))
	}
	mb := e.addMailbox("", "", supportPass)
	waitFor(t, "three tickets", 30*time.Second, func() bool { return e.countTickets() == 3 })
	var stored *triage.Mailbox
	waitFor(t, "the position to reach UID 3", 10*time.Second, func() bool {
		stored, _ = e.app.Store.Mailbox(e.ctx, mb.ID)
		return stored.Position.UID == 3
	})
	if stored.Position.UIDValidity == 0 || stored.LastImportAt == nil || stored.LastError != "" {
		t.Errorf("mailbox state = %+v", stored)
	}
	waitFor(t, "the mails to be marked seen", 10*time.Second, func() bool {
		return strings.TrimSpace(e.dove.Doveadm("search", "-u", supportAddr, "mailbox", "INBOX", "unseen")) == ""
	})

	// IDLE: a reply to the first mail arrives while the fetcher waits.
	e.dove.Deliver(supportAddr, "", corpus(t, "qq-reply-quoted.eml"))
	var first []*triage.Ticket
	waitFor(t, "the reply to become a comment", 30*time.Second, func() bool {
		first, _, _ = e.app.Store.Tickets(e.ctx, triage.TicketFilter{RequesterID: "wangzhe@qq.com"})
		if len(first) != 1 {
			return false
		}
		cs, _ := e.app.Store.Comments(e.ctx, first[0].ID)
		return len(cs) == 1
	})
	if n := e.countTickets(); n != 3 {
		t.Errorf("%d tickets after the reply", n)
	}
}

// TestFetchAgainImportsNothingTwice: mail fetched a second time (a
// crash after the commit but before the flag, a folder whose UIDVALIDITY
// the fetcher no longer trusts, two fetchers) is found committed by its
// Message-ID and imports nothing twice; the position and flags catch up.
func TestFetchAgainImportsNothingTwice(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.Deliver(supportAddr, "", corpus(t, "qq-gbk-new.eml"))
	e.dove.Deliver(supportAddr, "", corpus(t, "foxmail-reply.eml"))
	mb := e.addMailbox("", "", supportPass)
	var m *triage.Mailbox
	waitFor(t, "two mails imported", 30*time.Second, func() bool {
		m, _ = e.app.Store.Mailbox(e.ctx, mb.ID)
		return m.Position.UID == 2
	})
	validity := m.Position.UIDValidity
	before := e.countTickets()
	// Undo the flags and forget the position: the fetcher, restarted by
	// a settings change, reads the folder as new and fetches both again.
	e.dove.Doveadm("flags", "remove", "-u", supportAddr, `\Seen`, "mailbox", "INBOX", "all")
	if err := e.app.Store.Update(e.ctx, func(tx triage.Tx) error {
		return tx.SetMailboxPosition(e.ctx, mb.ID, triage.MailPosition{UIDValidity: 1, UID: 0})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.mail.UpdateMailbox(e.ctx, mb.ID, 0, triage.MailboxUpdate{Name: triage.Some("客服邮箱（重连）")}); err != nil {
		t.Fatal(err)
	}
	e.dove.Deliver(supportAddr, "", corpus(t, "gmail-reply.eml"))
	waitFor(t, "the third mail", 30*time.Second, func() bool {
		m, _ = e.app.Store.Mailbox(e.ctx, mb.ID)
		return m.Position.UIDValidity == validity && m.Position.UID == 3
	})
	recs, _, err := e.app.Store.MailMessages(e.ctx, triage.MailFilter{Direction: triage.MailIn})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Errorf("%d inbound records for 3 mails", len(recs))
	}
	if after := e.countTickets(); after < before || after > before+1 {
		t.Errorf("tickets %d → %d after a re-fetch and one new mail", before, after)
	}
	waitFor(t, "every mail seen again", 10*time.Second, func() bool {
		return strings.TrimSpace(e.dove.Doveadm("search", "-u", supportAddr, "mailbox", "INBOX", "unseen")) == ""
	})
}

// TestFetchMoveAndErrors: imported mail is moved to the configured folder;
// a wrong password is shown on the mailbox in terms an admin can act on,
// and fetching resumes once it is fixed.
func TestFetchMoveAndErrors(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.CreateMailbox(supportAddr, "已处理")
	e.dove.Deliver(supportAddr, "", corpus(t, "qq-gbk-new.eml"))
	mb := e.addMailbox(triage.MailAfterMove, "已处理", "wrong password")
	waitFor(t, "the auth failure on the mailbox", 30*time.Second, func() bool {
		m, _ := e.app.Store.Mailbox(e.ctx, mb.ID)
		return strings.HasPrefix(m.LastError, "auth_failed")
	})
	res, err := e.mail.TestMailbox(e.ctx, mb.ID)
	if err != nil || res.IMAP.OK || res.IMAP.Kind != "auth_failed" || !strings.Contains(res.IMAP.Message, "授权码") || res.SMTP == nil || !res.SMTP.OK {
		t.Errorf("test button = %+v %v", res, err)
	}
	if _, err := e.mail.UpdateMailbox(e.ctx, mb.ID, 0, triage.MailboxUpdate{Password: triage.Some(supportPass)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the mail to be imported and moved", 30*time.Second, func() bool {
		return e.countTickets() == 1 && strings.Contains(e.dove.Doveadm("search", "-u", supportAddr, "mailbox", "已处理", "all"), " ")
	})
	if res, err := e.mail.TestMailbox(e.ctx, mb.ID); err != nil || !res.IMAP.OK {
		t.Errorf("test after the fix = %+v %v", res, err)
	}
	waitFor(t, "the error to clear", 10*time.Second, func() bool {
		m, _ := e.app.Store.Mailbox(e.ctx, mb.ID)
		return m.LastError == ""
	})
}
