package email_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

// agentCtx acts as an agent, as an API request with the agent's token.
func (e *env) agentCtx() (context.Context, *triage.Agent) {
	e.t.Helper()
	a, err := e.app.Desk.CreateAgent(e.ctx, triage.NewAgent{Name: "周婷", Email: "zhouting@aurora.example"}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return triage.NewContextWithPrincipal(e.ctx, &triage.Principal{TokenID: "tok", AgentID: a.ID, Role: triage.RoleAgent}), a
}

// inbox reads what a Dovecot user has received, parsed.
func inbox(t testing.TB, s *mailtest.Server, user, pass string) []*mail.Message {
	t.Helper()
	f, err := mail.NewFetcher(mail.IMAPConfig{Host: s.Host, Port: s.IMAPSPort, TLS: mail.TLSImplicit, Username: user, Password: pass,
		TLSConfig: s.TLSConfig(), Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out []*mail.Message
	if _, err := f.Once(context.Background(), mail.Position{}, func(_ context.Context, m *mail.Message, _ mail.Position) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// mailOf waits for a mail record to leave the queue.
func (e *env) mailOf(id string) *triage.MailMessage {
	e.t.Helper()
	var rec *triage.MailMessage
	waitFor(e.t, "mail "+id+" to be sent or failed", 30*time.Second, func() bool {
		var err error
		rec, err = e.app.Store.MailMessage(e.ctx, id)
		return err == nil && rec.Status != triage.MailQueued
	})
	return rec
}

// TestReplyIsMailedThreaded: an agent's public reply with a file goes out
// through the real submission server into the customer's mailbox,
// threaded under their mail, [#ref] in a Chinese subject, text and HTML,
// the file attached; the customer's answer lands on the same ticket with
// the quote stripped.
func TestReplyIsMailedThreaded(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.AddUser("wangzhe@qq.com", "pw")
	res := e.inbound(corpus(t, "qq-gbk-new.eml"))
	ctx, agent := e.agentCtx()
	c, err := e.app.Desk.AddComment(ctx, res.TicketID, triage.NewComment{Body: "王先生您好：\n\n您的订单已发货，快递单号 SF1234567890。", Public: true,
		Attachments: []triage.NewAttachment{{Name: "发货单.pdf", Data: []byte("%PDF-1.4 发货单")}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail == nil || c.Mail.Status != triage.MailQueued {
		t.Fatalf("the reply's mail is not queued with it: %+v", c.Mail)
	}
	rec := e.mailOf(c.Mail.ID)
	if rec.Status != triage.MailSent || rec.SentAt == nil || rec.Attempts != 1 {
		t.Fatalf("reply mail = %+v %+v", rec, rec.Reason)
	}
	got := inbox(t, e.dove, "wangzhe@qq.com", "pw")
	if len(got) != 1 {
		t.Fatalf("%d mails in the customer's inbox", len(got))
	}
	m := got[0]
	ref := triage.TicketRef(res.TicketID)
	switch {
	case m.MessageID != rec.MessageID:
		t.Errorf("Message-ID %q, recorded %q", m.MessageID, rec.MessageID)
	case m.TicketRef != ref || !strings.Contains(m.Subject, "扫地机器人一直没有发货"):
		t.Errorf("subject %q, want [#%s] and the title", m.Subject, ref)
	case !slices.Contains(m.InReplyTo, "tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com") || !slices.Contains(m.References, "tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com"):
		t.Errorf("thread headers: In-Reply-To %v References %v", m.InReplyTo, m.References)
	case !strings.Contains(m.Text, "SF1234567890") || !strings.Contains(m.HTML, "SF1234567890") || !strings.Contains(m.FullText, agent.Name):
		t.Errorf("body: text %q html %q", m.Text, m.HTML)
	case len(m.Attachments) != 1 || m.Attachments[0].Filename != "发货单.pdf":
		t.Errorf("attachments = %+v", m.Attachments)
	case m.From.Email != supportAddr || m.Auto != "":
		t.Errorf("from %v auto %q", m.From, m.Auto)
	}

	// The customer answers from their client, quoting our mail.
	answer := mailText("王喆 <wangzhe@qq.com>", supportAddr, "回复："+m.Subject, "tencent_answer_1@qq.com",
		"收到了，谢谢！\r\n\r\n------------------ 原始邮件 ------------------\r\n发件人: \"极光商城客服\" <support@example.com>\r\n"+
			"发送时间: 2026年12月7日(星期一) 上午10:00\r\n\r\n王先生您好：您的订单已发货，快递单号 SF1234567890。",
		"In-Reply-To: <"+rec.MessageID+">", "References: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com> <"+rec.MessageID+">")
	back := e.inbound(answer)
	if back.TicketID != res.TicketID || back.Created {
		t.Fatalf("the answer did not thread: %+v", back)
	}
	cs := e.comments(res.TicketID)
	last := cs[len(cs)-1]
	if strings.TrimSpace(last.Body) != "收到了，谢谢！" {
		t.Errorf("answer comment = %q, want the quote stripped", last.Body)
	}
}

// TestSendFailures: a 5xx is a permanent failure with the server's
// answer, on the comment and in the ticket's history; a 4xx is retried
// until the attempts run out; an internal note or a WeChat ticket sends
// nothing; no outbound server: failed at once, said plainly.
func TestSendFailures(t *testing.T) {
	e := newEnv(t, opts{dovecot: true})
	ctx, _ := e.agentCtx()
	send := e.mail.Jobs()[0].Handler
	run := func(rec *triage.MailMessage) error {
		args, _ := json.Marshal(email.SendArgs{MailID: rec.ID})
		return send(e.ctx, args)
	}
	newTicket := func(addr string, ch triage.Channel) *triage.Ticket {
		tk, err := e.app.Desk.CreateTicket(ctx, triage.NewTicket{Title: "问题", Body: "内容", Channel: ch, Requester: triage.Requester{Email: addr}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	reply := func(tk *triage.Ticket) *triage.Comment {
		c, err := e.app.Desk.AddComment(ctx, tk.ID, triage.NewComment{Body: "您好", Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	rejected := newTicket("reject-me@example.cn", triage.ChannelEmail)
	c := reply(rejected)
	if err := run(c.Mail); err != nil {
		t.Fatalf("a permanent failure is done, not retried: %v", err)
	}
	rec, _ := e.app.Store.MailMessage(e.ctx, c.Mail.ID)
	if rec.Status != triage.MailFailed || rec.Reason.Code != triage.ReasonMailRejected || !strings.Contains(rec.Error, "550") {
		t.Errorf("rejected = %+v %+v", rec, rec.Reason)
	}
	hist, _ := e.app.Desk.History(e.ctx, rejected.ID)
	if h := hist[len(hist)-1]; h.Field != "mail" || len(h.Why) != 1 || h.Why[0].Code != triage.ReasonMailFailed || !strings.Contains(h.Why[0].Text, "550") {
		t.Errorf("ticket history does not show the failure: %+v", h)
	}
	if err := run(rec); err != nil {
		t.Errorf("a failed mail's job again: %v", err)
	}

	deferred := newTicket("defer-me@example.cn", triage.ChannelWeb)
	c = reply(deferred)
	for i := 1; i < email.MaxSendAttempts; i++ {
		if err := run(c.Mail); err == nil {
			t.Fatalf("attempt %d of a deferred mail did not ask for a retry", i)
		}
	}
	if err := run(c.Mail); err != nil {
		t.Fatalf("the last attempt: %v", err)
	}
	rec, _ = e.app.Store.MailMessage(e.ctx, c.Mail.ID)
	if rec.Status != triage.MailFailed || rec.Reason.Code != triage.ReasonMailGaveUp || rec.Attempts != email.MaxSendAttempts || !strings.Contains(rec.Error, "451") {
		t.Errorf("deferred = %+v %+v", rec, rec.Reason)
	}

	if c, err := e.app.Desk.AddComment(ctx, rejected.ID, triage.NewComment{Body: "内部备注"}, nil); err != nil || c.Mail != nil {
		t.Errorf("a note was queued: %+v %v", c, err)
	}
	if c := reply(newTicket("wx@example.cn", triage.ChannelWechat)); c.Mail != nil {
		t.Errorf("a WeChat customer's reply went to mail: %+v", c.Mail)
	}

	// Without an outbound server, an e-mail customer's reply fails at
	// once, saying why.
	e.mail.Sender = nil
	c = reply(newTicket("chen@example.cn", triage.ChannelEmail))
	if c.Mail == nil || c.Mail.Status != triage.MailFailed || c.Mail.Reason.Code != triage.ReasonMailNotConfigured {
		t.Errorf("no server: %+v", c.Mail)
	}
}

var surveyLink = regexp.MustCompile(`http://triage\.test/app/survey/(csat_[a-z2-7]+)`)

// TestSurveyIsMailed: solving a ticket mails the survey link; the survey
// shows sent only once the server took it; the customer's rating
// arrives through the link.
func TestSurveyIsMailed(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.AddUser("chen@example.cn", "pw")
	res := e.inbound(mailText("陈女士 <chen@example.cn>", supportAddr, "退款没到账", "s-1@example.cn", "退款一周了还没到账"))
	if _, err := e.app.Desk.UpdateTicket(e.ctx, res.TicketID, 0, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the survey mail to be sent", 30*time.Second, func() bool {
		st, err := e.app.SLA.TicketSurvey(e.ctx, res.TicketID)
		return err == nil && st.Mail != nil && st.Mail.Status == triage.MailSent
	})
	got := inbox(t, e.dove, "chen@example.cn", "pw")
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	m := got[0]
	sm := surveyLink.FindStringSubmatch(m.Text)
	if sm == nil || m.Auto == "" || !strings.Contains(m.Subject, "评分") || !strings.Contains(m.HTML, `<a href="http://triage.test/app/survey/`) {
		t.Fatalf("survey mail: subject %q auto %q text %q", m.Subject, m.Auto, m.Text)
	}
	if !slices.Contains(m.InReplyTo, "s-1@example.cn") {
		t.Errorf("the survey is not threaded under the customer's mail: %v", m.InReplyTo)
	}
	view, err := e.app.SLA.AnswerSurvey(e.ctx, sm[1], triage.SurveyAnswer{Rating: 5, Comment: "很满意"})
	if err != nil || view.Rating != 5 {
		t.Fatalf("answer = %+v %v", view, err)
	}
	// The survey mail's own auto-reply (an out-of-office) makes nothing.
	ooo := mailText("陈女士 <chen@example.cn>", supportAddr, "自动回复: "+m.Subject, "ooo-1@example.cn", "我正在休假", "Auto-Submitted: auto-replied",
		"In-Reply-To: <"+m.MessageID+">")
	if r := e.inbound(ooo); r.Status != triage.MailSkipped {
		t.Errorf("an auto-reply to the survey: %+v", r)
	}
}

// TestAcknowledgement: with the acknowledgement on, a new ticket by mail
// gets one (marked automatic, so the customer's robot does not answer);
// a reply to a ticket does not.
func TestAcknowledgement(t *testing.T) {
	e := newEnv(t, opts{dovecot: true, start: true})
	e.dove.AddUser("chen@example.cn", "pw")
	if _, err := e.mail.UpdateTemplate(e.ctx, triage.MailAck, 0, triage.MailTemplateUpdate{Enabled: triage.Some(true)}); err != nil {
		t.Fatal(err)
	}
	res := e.inbound(mailText("陈女士 <chen@example.cn>", supportAddr, "发票开错了", "ack-1@example.cn", "发票抬头写错了"))
	e.inbound(mailText("陈女士 <chen@example.cn>", supportAddr, "Re: 发票开错了", "ack-2@example.cn", "补充：税号也错了", "In-Reply-To: <ack-1@example.cn>"))
	e.dove.WaitRelayed(1, 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	got := inbox(t, e.dove, "chen@example.cn", "pw")
	if len(got) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(got))
	}
	if m := got[0]; m.Auto != mail.AutoReply || m.TicketRef != triage.TicketRef(res.TicketID) || !strings.Contains(m.Text, "已收到") {
		t.Errorf("acknowledgement: auto %q ref %q text %q", m.Auto, m.TicketRef, m.Text)
	}
}
