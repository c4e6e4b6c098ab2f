package kefu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
)

// TestWelcomeAndSurvey: a customer opening the chat gets the channel's
// welcome through kf/send_msg_on_event with the enter_session's
// welcome_code (and none when 企业微信 gives no code, i.e. a welcome is
// configured in its admin); when their ticket is solved, the satisfaction
// survey's link arrives as a text by kf/send_msg, and the link opens the
// survey.
func TestWelcomeAndSurvey(t *testing.T) { stores(t, welcomeAndSurvey) }

func welcomeAndSurvey(t *testing.T, pg bool) {
	e := newEnv(t, opts{start: true, postgres: pg})
	const hello = "您好，欢迎咨询极光商城售后！请直接描述您的问题。"
	var err error
	if e.channel, err = e.wx.UpdateChannel(e.ctx, e.channel.ID, e.channel.Version, triage.WeChatChannelUpdate{Welcome: triage.Some(hello)}); err != nil {
		t.Fatal(err)
	}
	const user = "wmWelcome-customer-01"
	code, d, err := e.fake.EnterSession(e.ctx, e.kf, user, "0", "")
	if err != nil || !d.OK() || code == "" {
		t.Fatalf("enter_session: code %q, %+v, %v", code, d, err)
	}
	waitFor(t, "the welcome at the fake", 20*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 1 })
	if w := e.fake.Sent(e.kf, user)[0]; w.Code != code || w.Text != hello || w.Type != wechat.MsgText {
		t.Fatalf("welcome %+v", w)
	}
	waitFor(t, "the welcome recorded", 10*time.Second, func() bool {
		r := e.customer(user)[0]
		return r.Type == kefu.TypeWelcome && r.Status == triage.MailSent
	})

	// A code that expired before the read (the read waits pause_seconds):
	// a failed welcome, not retried.
	const late = "wmWelcome-customer-03"
	if _, _, err := e.fake.EnterSession(e.ctx, e.kf, late, "0", ""); err != nil {
		t.Fatal(err)
	}
	e.fake.Clock.Advance(21 * time.Second)
	waitFor(t, "the late welcome recorded", 20*time.Second, func() bool {
		r := e.customer(late)
		return len(r) == 2 && r[0].Type == kefu.TypeWelcome
	})
	if r := e.customer(late)[0]; r.Status != triage.MailFailed || r.Error == "" || len(e.fake.Sent(e.kf, late)) != 0 {
		t.Fatalf("a welcome with an expired code: %+v", r)
	}

	// A welcome configured in 企业微信's admin: no code, nothing from us.
	e.fake.SetNativeWelcome(true)
	const other = "wmWelcome-customer-02"
	if code, _, err := e.fake.EnterSession(e.ctx, e.kf, other, "0", ""); err != nil || code != "" {
		t.Fatalf("enter_session with a native welcome: code %q, %v", code, err)
	}
	waitFor(t, "the event recorded", 20*time.Second, func() bool { return len(e.customer(other)) == 1 })

	// The customer writes, the agent answers and solves: the survey link.
	if _, err := e.fake.Text(e.ctx, e.kf, user, "耳机左边没有声音，能换货吗？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticket", 20*time.Second, func() bool { return e.customer(user)[0].TicketID != "" })
	id := e.customer(user)[0].TicketID
	if _, err := e.app.Desk.AddComment(e.ctx, id, triage.NewComment{Body: "可以换货，已为您登记。", Public: true}, nil); err != nil {
		t.Fatal(err)
	}
	tk := e.ticket(id)
	if _, err := e.app.Desk.UpdateTicket(e.ctx, id, tk.Version, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the survey link at the fake", 30*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 3 })
	s := e.fake.Sent(e.kf, user)[2]
	t.Logf("survey text: %q", s.Text)
	i := strings.Index(s.Text, "http")
	if s.Type != wechat.MsgText || s.Code != "" || i < 0 || !strings.Contains(s.Text, "评分") {
		t.Fatalf("survey message %+v", s)
	}
	// The link's token opens the survey of that ticket.
	token := s.Text[strings.LastIndex(s.Text, "/")+1:]
	view, err := e.app.SLA.PublicSurvey(e.ctx, token)
	if err != nil {
		t.Fatalf("the link's token %q: %v", token, err)
	}
	if view.TicketTitle != tk.Title {
		t.Fatalf("the link opens the survey of %q, not of %q", view.TicketTitle, tk.Title)
	}
	recs := e.customer(user)
	if recs[0].Type != kefu.TypeSurvey || recs[0].TicketID != id {
		t.Fatalf("the survey's record: %+v", recs[0])
	}
}
