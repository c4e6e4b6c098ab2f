package email_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/email"
)

// TestNewTicketFromGBKMail: a QQ邮箱 mail in GB18030, HTML and text,
// becomes a ticket triaged like any other, on channel email, its
// requester matched by address; the raw mail is kept for the original
// view.
func TestNewTicketFromGBKMail(t *testing.T) {
	e := newEnv(t, opts{})
	// A former ticket of the same customer knows their phone and tier.
	if _, err := e.app.Desk.CreateTicket(e.ctx, triage.NewTicket{Title: "上次的问题", Body: "已解决",
		Requester: triage.Requester{Name: "王喆", Email: "WangZhe@qq.com", Phone: "13800138000", Tier: "vip"}}, nil); err != nil {
		t.Fatal(err)
	}
	res := e.inbound(corpus(t, "qq-gbk-new.eml"))
	if res.Status != triage.MailImported || !res.Created {
		t.Fatalf("result = %+v", res)
	}
	tk := e.ticket(res.TicketID)
	if tk.Channel != triage.ChannelEmail || tk.Title != "扫地机器人一直没有发货" || !strings.Contains(tk.Body, "订单") {
		t.Errorf("ticket = %q %q %q", tk.Channel, tk.Title, tk.Body)
	}
	if tk.Requester.Email != "wangzhe@qq.com" || tk.Requester.Phone != "13800138000" || tk.Requester.Tier != "vip" || tk.Requester.Name == "" {
		t.Errorf("requester = %+v: not matched by address", tk.Requester)
	}
	if tk.Triage == nil || tk.Triage.Priority.Value == "" {
		t.Errorf("the mail was not triaged: %+v", tk.Triage)
	}
	rec, err := e.app.Store.MailMessage(e.ctx, res.MailID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.MessageID != "tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com" || rec.RawSHA256 == "" || rec.TicketID != tk.ID || rec.From != "wangzhe@qq.com" {
		t.Errorf("record = %+v", rec)
	}
	orig, err := e.mail.Original(e.ctx, res.MailID)
	if err != nil || orig.Subject != "扫地机器人一直没有发货" {
		t.Fatalf("original = %+v %v", orig, err)
	}
	// The same mail again (an MTA retry, a second fetch): nothing new.
	again := e.inbound(corpus(t, "qq-gbk-new.eml"))
	if again.Status != email.Duplicate || again.TicketID != tk.ID {
		t.Errorf("again = %+v", again)
	}
}

// TestThreading: a reply threads by In-Reply-To/References to what we
// sent or received, then by [#ref] from the ticket's requester; anything
// else is a new ticket. The quote is stripped; a solved ticket reopens;
// a closed one takes no more mail; a merged one hands it to its
// survivor.
func TestThreading(t *testing.T) {
	e := newEnv(t, opts{})
	first := e.inbound(corpus(t, "qq-gbk-new.eml"))
	tk := e.ticket(first.TicketID)
	ref := triage.TicketRef(tk.ID)

	// By References (the QQ reply's In-Reply-To names a mail of ours we
	// never recorded; its References holds the customer's first mail).
	reply := e.inbound(corpus(t, "qq-reply-quoted.eml"))
	if reply.TicketID != tk.ID || reply.Created || reply.CommentID == "" {
		t.Fatalf("the quoted reply did not thread: %+v", reply)
	}
	cs := e.comments(tk.ID)
	last := cs[len(cs)-1]
	if !last.FromRequester || !last.Public || strings.Contains(last.Body, "原始邮件") || strings.Contains(last.Body, "扫地机器人一直没有发货") {
		t.Errorf("reply comment = %q: the quote was not stripped", last.Body)
	}
	if last.Mail == nil || last.Mail.Direction != triage.MailIn || last.Mail.ID != reply.MailID {
		t.Errorf("the comment does not show the mail it came as: %+v", last.Mail)
	}

	// By [#ref] in the subject, from the requester: a comment; from
	// someone else: a new ticket (the reference is no credential).
	byRef := e.inbound(mailText("王喆 <wangzhe@qq.com>", "support@example.com", "回复：[#"+ref+"] 还有一个问题", "ref-1@qq.com", "发票也没收到。"))
	if byRef.TicketID != tk.ID {
		t.Errorf("[#ref] from the requester: %+v", byRef)
	}
	stranger := e.inbound(mailText("someone@evil.example", "support@example.com", "Re: [#"+ref+"] 我也要", "ref-2@evil.example", "把这个工单给我看看"))
	if stranger.TicketID == tk.ID || !stranger.Created {
		t.Errorf("[#ref] from a stranger threaded: %+v", stranger)
	}

	// A reply to a solved ticket reopens it.
	if _, err := e.app.Desk.UpdateTicket(e.ctx, tk.ID, 0, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	again := e.inbound(mailText("王喆 <wangzhe@qq.com>", "support@example.com", "Re: 扫地机器人", "reopen-1@qq.com", "还是没收到！",
		"In-Reply-To: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com>"))
	if again.TicketID != tk.ID {
		t.Fatalf("reply to a solved ticket: %+v", again)
	}
	if st := e.ticket(tk.ID).Status; st != triage.StatusOpen {
		t.Errorf("a requester's reply left the solved ticket %s", st)
	}

	// Closed is final: the next mail opens a new ticket.
	for _, st := range []triage.Status{triage.StatusSolved, triage.StatusClosed} {
		if _, err := e.app.Desk.UpdateTicket(e.ctx, tk.ID, 0, triage.TicketUpdate{Status: triage.Some(st)}); err != nil {
			t.Fatal(err)
		}
	}
	afterClose := e.inbound(mailText("王喆 <wangzhe@qq.com>", "support@example.com", "Re: 扫地机器人", "closed-1@qq.com", "又坏了",
		"In-Reply-To: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com>"))
	if afterClose.TicketID == tk.ID || !afterClose.Created {
		t.Errorf("mail to a closed ticket: %+v", afterClose)
	}

	// A merged ticket's mail goes to its survivor.
	dup := e.inbound(mailText("李雷 <lilei@163.com>", "support@example.com", "手环连不上", "dup-1@163.com", "蓝牙连不上"))
	keep := e.inbound(mailText("李雷 <lilei@163.com>", "support@example.com", "手环蓝牙", "keep-1@163.com", "手环的蓝牙连不上手机"))
	if _, err := e.app.Desk.Merge(e.ctx, dup.TicketID, 0, triage.Merge{Into: keep.TicketID}, nil); err != nil {
		t.Fatal(err)
	}
	toMerged := e.inbound(mailText("李雷 <lilei@163.com>", "support@example.com", "Re: 手环连不上", "dup-2@163.com", "试过重启了",
		"In-Reply-To: <dup-1@163.com>"))
	if toMerged.TicketID != keep.TicketID {
		t.Errorf("mail to a merged ticket went to %s, want the survivor %s", toMerged.TicketID, keep.TicketID)
	}
}

// TestNoise: auto-replies, bounces, bulk mail and our own mail never
// make a ticket; each is kept, skipped, with its reason.
func TestNoise(t *testing.T) {
	e := newEnv(t, opts{})
	if _, err := e.mail.CreateMailbox(e.ctx, triage.NewMailbox{Name: "客服", Address: "kefu@aurora.example", Host: "imap.example.com",
		Username: "kefu@aurora.example", Password: "x", Enabled: new(bool)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		raw    []byte
		reason triage.ReasonCode
	}{
		{"qq auto-reply", corpus(t, "autoreply-qq.eml"), triage.ReasonMailAutoReply},
		{"exchange out of office", corpus(t, "autoreply-exchange.eml"), triage.ReasonMailAutoReply},
		{"163 auto-reply", corpus(t, "autoreply-163.eml"), triage.ReasonMailAutoReply},
		{"postfix bounce", corpus(t, "bounce-postfix.eml"), triage.ReasonMailBounce},
		{"qq bounce", corpus(t, "bounce-qq-text.eml"), triage.ReasonMailBounce},
		{"newsletter", corpus(t, "bulk-newsletter.eml"), triage.ReasonMailBulk},
		{"our own mailbox", mailText("客服 <KEFU@aurora.example>", "kefu@aurora.example", "转发", "own-1@aurora.example", "内部转发"), triage.ReasonMailOwnAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.inbound(tc.raw)
			if res.Status != triage.MailSkipped || res.Reason == nil || res.Reason.Code != tc.reason || res.TicketID != "" {
				t.Fatalf("result = %+v, want skipped %s", res, tc.reason)
			}
			rec, err := e.app.Store.MailMessage(e.ctx, res.MailID)
			if err != nil || rec.RawSHA256 == "" || rec.Reason.Code != tc.reason {
				t.Fatalf("record = %+v %v", rec, err)
			}
		})
	}
	if n, err := e.app.Store.CountTickets(e.ctx, triage.TicketFilter{}); err != nil || n != 0 {
		t.Errorf("%d tickets from noise", n)
	}
	list, _, err := e.mail.Messages(e.ctx, triage.MailFilter{Status: []string{triage.MailSkipped}})
	if err != nil || len(list) != 7 {
		t.Errorf("admins see %d skipped mails, want 7 (%v)", len(list), err)
	}
}

// TestThrottle: a sender over the limit is throttled, never lost: the
// mail is kept as skipped, listed for admins, and an admin can import it.
func TestThrottle(t *testing.T) {
	e := newEnv(t, opts{senderLimit: 3})
	var results []*email.Result
	for i := range 5 {
		results = append(results, e.inbound(mailText("机器人 <robot@loop.example>", "support@example.com", "订单通知",
			"loop-"+string(rune('a'+i))+"@loop.example", "您的订单状态已更新")))
	}
	var throttled []*email.Result
	for _, r := range results {
		if r.Status == triage.MailSkipped && r.Reason.Code == triage.ReasonMailThrottled {
			throttled = append(throttled, r)
		}
	}
	if len(throttled) != 2 || results[0].Status != triage.MailImported {
		t.Fatalf("%d throttled of 5 at 3 a minute: %+v", len(throttled), results)
	}
	if throttled[0].Reason.Args["per_minute"] != 3.0 || throttled[0].Reason.Args["from"] != "robot@loop.example" {
		t.Errorf("reason args = %v", throttled[0].Reason.Args)
	}
	// Another sender is not held up.
	if r := e.inbound(mailText("陈女士 <chen@example.cn>", "support@example.com", "退款", "chen-1@example.cn", "退款没到账")); r.Status != triage.MailImported {
		t.Errorf("another sender: %+v", r)
	}
	rel, err := e.mail.Release(e.ctx, throttled[0].MailID)
	if err != nil || rel.Status != triage.MailImported || rel.TicketID == "" {
		t.Fatalf("Release = %+v %v", rel, err)
	}
	rec, _ := e.app.Store.MailMessage(e.ctx, throttled[0].MailID)
	if was, _ := rec.Reason.Args["was"].(triage.Reason); rec.Status != triage.MailImported || rec.Reason.Code != triage.ReasonMailReleased || was.Code != triage.ReasonMailThrottled {
		t.Errorf("released record = %+v %+v", rec, rec.Reason)
	}
	if _, err := e.mail.Release(e.ctx, throttled[0].MailID); !triage.IsCode(err, triage.ECONFLICT) {
		t.Errorf("releasing twice: %v", err)
	}
}

// TestMailboxHints: a mailbox's team takes its tickets, its category
// stands in when triage cannot decide, its priority when no signal speaks
// (low-urgency wording such as 请问 is a signal too, and keeps its P4).
func TestMailboxHints(t *testing.T) {
	e := newEnv(t, opts{})
	team, err := e.app.Desk.CreateTeam(e.ctx, triage.NewTeam{Name: "售后组"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	off := false
	mb, err := e.mail.CreateMailbox(e.ctx, triage.NewMailbox{Name: "售后", Address: "after-sales@aurora.example", Host: "imap.example.com",
		Username: "after-sales@aurora.example", Password: "x", TeamID: team.ID, Category: "售后维修", Priority: triage.P2, Enabled: &off}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := e.inbound(mailText("陈女士 <chen@example.cn>", "after-sales@aurora.example", "订单的事", "hint-1@example.cn", "你好，我的订单想改一下收货地址"))
	tk := e.ticket(res.TicketID)
	if tk.TeamID != team.ID || tk.Category != "售后维修" || tk.Priority != triage.P2 || tk.NeedsReview {
		t.Errorf("ticket from mailbox %s: team %q category %q priority %s review %v", mb.ID, tk.TeamID, tk.Category, tk.Priority, tk.NeedsReview)
	}
	// A threat still outranks the mailbox's priority.
	res = e.inbound(mailText("张先生 <zhang@example.cn>", "after-sales@aurora.example", "再不处理我就投诉", "hint-2@example.cn", "再不解决我就打12315投诉，还要找律师"))
	if tk := e.ticket(res.TicketID); tk.Priority != triage.P1 {
		t.Errorf("a threat in a mailbox with priority P2 got %s", tk.Priority)
	}
}

// TestAttachmentsAndInlineImages: a mail's files become the ticket's
// attachments; an inline cid: image is kept for the original view, where
// it becomes a data: URL.
func TestAttachmentsAndInlineImages(t *testing.T) {
	e := newEnv(t, opts{})
	res := e.inbound(corpus(t, "inline-image.eml"))
	tk := e.ticket(res.TicketID)
	var inline *triage.Attachment
	for _, a := range tk.Attachments {
		if a.Inline && a.ContentID != "" {
			inline = a
		}
	}
	if inline == nil || !strings.HasPrefix(inline.ContentType, "image/") {
		t.Fatalf("attachments = %+v", tk.Attachments)
	}
	orig, err := e.mail.Original(e.ctx, res.MailID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(orig.HTML, "cid:") || !strings.Contains(orig.HTML, "data:image/") || strings.Contains(strings.ToLower(orig.HTML), "<script") {
		t.Errorf("original HTML = %.300s", orig.HTML)
	}
	res = e.inbound(corpus(t, "attachments-chinese-names.eml"))
	tk = e.ticket(res.TicketID)
	names := []string{}
	for _, a := range tk.Attachments {
		names = append(names, a.Name)
	}
	if len(names) == 0 || !strings.ContainsAny(strings.Join(names, ""), "发票订单截图") {
		t.Errorf("attachment names = %v", names)
	}
}

// TestBounceMarksReplyFailed: a bounce of a reply we sent marks that
// reply's mail failed with the remote answer, and the ticket's history
// says so.
func TestBounceMarksReplyFailed(t *testing.T) {
	e := newEnv(t, opts{})
	res := e.inbound(mailText("陈女士 <chen@example.cn>", "support@example.com", "退款", "b-1@example.cn", "退款没到账"))
	now := time.Now()
	out := &triage.MailMessage{ID: triage.NewID(), Direction: triage.MailOut, Purpose: triage.MailReply, TicketID: res.TicketID,
		MessageID: "triage.20261207.abc@aurora.example", To: []string{"chen@example.cn"}, Status: triage.MailSent, SentAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := e.app.Store.Update(e.ctx, func(tx triage.Tx) error { return tx.AddMailMessage(e.ctx, out) }); err != nil {
		t.Fatal(err)
	}
	bounce := bytes.ReplaceAll(corpus(t, "bounce-postfix.eml"), []byte("t4k2.1733557800.a1b2c3@mail.example.com"), []byte(out.MessageID))
	if !bytes.Contains(bounce, []byte(out.MessageID)) {
		t.Fatal("the bounce fixture names no original Message-ID to replace")
	}
	if r := e.inbound(bounce); r.Reason == nil || r.Reason.Code != triage.ReasonMailBounce {
		t.Fatalf("bounce = %+v", r)
	}
	got, _ := e.app.Store.MailMessage(e.ctx, out.ID)
	if got.Status != triage.MailFailed || got.Reason.Code != triage.ReasonMailBounced || !strings.Contains(got.Error, "5.") {
		t.Errorf("bounced reply = %+v %+v", got, got.Reason)
	}
	hist, _ := e.app.Desk.History(e.ctx, res.TicketID)
	if h := hist[len(hist)-1]; h.Field != "mail" || h.New != triage.MailFailed {
		t.Errorf("history = %+v", h)
	}
}

// TestUnimportableMailIsKept: a mail the desk refuses is recorded as
// skipped with the reason instead of blocking its mailbox.
func TestUnimportableMailIsKept(t *testing.T) {
	e := newEnv(t, opts{})
	res := e.inbound(corpus(t, "broken-mime.eml"))
	if res.Status != triage.MailImported && res.Status != triage.MailSkipped {
		t.Fatalf("broken mail: %+v", res)
	}
	_, err := e.mail.Inbound(e.ctx, []byte("   \r\n"), "")
	if !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("an empty message: %v", err)
	}
}
