package kefu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
)

// TestBotFirst: with the channel's bot on, the help centre's answer API
// answers a new session on WeChat first (kf/send_msg, through the send
// job), and hands the session over with kf/service_state/trans when the
// customer asks for a person (to the queue, state 2) or when the answer
// hands over (a complaint: to the channel's servicer, state 3); the
// tickets are made as without the bot, and every bot answer is in the
// deflection report.
func TestBotFirst(t *testing.T) { stores(t, botFirst) }

func botFirst(t *testing.T, pg bool) {
	e := newEnv(t, opts{start: true, postgres: pg})
	art, err := e.app.KB.CreateArticle(e.ctx, triage.NewArticle{Title: "退款多久到账", Body: "退款审核通过后原路退回，一般 1-3 个工作日到账。",
		Category: "退款", Visibility: triage.ArticlePublic}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.KB.UpdateArticle(e.ctx, art.ID, art.Version, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the article indexed", 20*time.Second, func() bool {
		hits, _ := e.app.Searcher.Search(e.ctx, kb.Query{Text: "退款多久到账", Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: 5})
		return len(hits) > 0
	})
	if e.channel, err = e.wx.UpdateChannel(e.ctx, e.channel.ID, e.channel.Version, triage.WeChatChannelUpdate{Bot: triage.Some(true)}); err != nil {
		t.Fatal(err)
	}

	// 1. A new session: the bot answers from the article.
	const alice = "wmBot-customer-alice"
	if _, err := e.fake.Text(e.ctx, e.kf, alice, "退款多久到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bot's answer at the fake", 30*time.Second, func() bool { return len(e.fake.Sent(e.kf, alice)) == 1 })
	sent := e.fake.Sent(e.kf, alice)[0]
	t.Logf("bot answered: %q", sent.Text)
	if sent.Type != wechat.MsgText || !strings.Contains(sent.Text, "1-3 个工作日") || !strings.Contains(sent.Text, "/help/articles/"+art.ID) {
		t.Fatalf("the bot's answer %+v: not the article's fact with its link", sent)
	}
	recs := e.customer(alice)
	ticketID := recs[len(recs)-1].TicketID
	waitFor(t, "the answer recorded sent", 10*time.Second, func() bool {
		for _, r := range e.customer(alice) {
			if r.Type == kefu.TypeBot && r.Status == triage.MailSent {
				return true
			}
		}
		return false
	})
	cs, _ := e.app.Desk.Comments(e.ctx, ticketID)
	if len(cs) != 1 || cs[0].Public || cs[0].Body != sent.Text || cs[0].WeChat == nil {
		t.Fatalf("the ticket should hold the bot's answer as a note with its delivery: %+v", cs)
	}
	if tk := e.ticket(ticketID); tk.FirstResponseAt != nil {
		t.Errorf("the bot's answer counted as the ticket's first response")
	}

	// 2. The customer asks for a person: handed to the queue, no bot text.
	if _, err := e.fake.Text(e.ctx, e.kf, alice, "转人工"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session in the queue", 30*time.Second, func() bool { return e.fake.State(e.kf, alice) == wechat.StateQueued })
	waitFor(t, "the handover recorded", 10*time.Second, func() bool {
		r := e.customer(alice)[0]
		return r.Type == kefu.TypeHandover && r.Status == triage.MailSent && r.TicketID == ticketID
	})
	if n := len(e.fake.Sent(e.kf, alice)); n != 1 {
		t.Fatalf("%d messages sent to a customer who asked for a person", n)
	}
	// Once handed over, the bot stays out of the session.
	if _, err := e.fake.Text(e.ctx, e.kf, alice, "退款多久到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the third message on the ticket", 20*time.Second, func() bool { return len(e.customer(alice)) == 5 })
	time.Sleep(2 * time.Second) // time enough for a bot job, had one been queued
	if n := len(e.fake.Sent(e.kf, alice)); n != 1 {
		t.Fatalf("the bot answered after the handover: %d sent", n)
	}

	// 3. A complaint: the answer API hands over, to the channel's servicer.
	e.fake.AddServicer(e.kf, "zhangsan")
	if e.channel, err = e.wx.UpdateChannel(e.ctx, e.channel.ID, e.channel.Version, triage.WeChatChannelUpdate{BotServicer: triage.Some("zhangsan")}); err != nil {
		t.Fatal(err)
	}
	const bob = "wmBot-customer-bob"
	if _, err := e.fake.Text(e.ctx, e.kf, bob, "退款太慢了我要投诉"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session with the servicer", 30*time.Second, func() bool { return e.fake.State(e.kf, bob) == wechat.StateServicer })
	waitFor(t, "the handover recorded", 10*time.Second, func() bool { return e.customer(bob)[0].Type == kefu.TypeHandover })
	h := e.customer(bob)[0]
	if h.Reason == nil || h.Reason.Code != triage.ReasonWeChatHandover || len(e.fake.Sent(e.kf, bob)) != 0 || h.TicketID == "" {
		t.Fatalf("the complaint's handover: %+v, %d sent", h, len(e.fake.Sent(e.kf, bob)))
	}
	if tk := e.ticket(h.TicketID); tk.TeamID != e.team.ID {
		t.Errorf("the handed-over ticket is not with the account's team: %s", tk.TeamID)
	}
	// An agent's reply from here would be refused by 企业微信 (95018):
	// it is refused first, with the reason the UI translates.
	if st, err := e.wx.ReplyState(e.ctx, h.TicketID); err != nil || st.CanSend || st.Reason != wechat.ReasonSessionServicer {
		t.Fatalf("reply state after the handover to a servicer: %+v %v", st, err)
	}

	// 4. A servicer 企业微信 does not know: the queue instead.
	if e.channel, err = e.wx.UpdateChannel(e.ctx, e.channel.ID, e.channel.Version, triage.WeChatChannelUpdate{BotServicer: triage.Some("lisi")}); err != nil {
		t.Fatal(err)
	}
	const carol = "wmBot-customer-carol"
	if _, err := e.fake.Text(e.ctx, e.kf, carol, "东西是坏的，我要投诉"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session in the queue", 30*time.Second, func() bool { return e.fake.State(e.kf, carol) == wechat.StateQueued })

	// 5. Once an agent has replied, the bot stays out.
	const dave = "wmBot-customer-dave"
	if _, err := e.fake.Text(e.ctx, e.kf, dave, "退款多久到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bot's answer to dave", 30*time.Second, func() bool { return len(e.fake.Sent(e.kf, dave)) == 1 })
	daveTicket := e.customer(dave)[0].TicketID
	if _, err := e.app.Desk.AddComment(e.ctx, daveTicket, triage.NewComment{Body: "您好，我是客服小李，已为您查询。", Public: true}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the agent's reply to dave", 30*time.Second, func() bool { return len(e.fake.Sent(e.kf, dave)) == 2 })
	if _, err := e.fake.Text(e.ctx, e.kf, dave, "退款多久到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "dave's second message", 20*time.Second, func() bool {
		n := 0
		for _, r := range e.customer(dave) {
			if r.Direction == triage.MailIn {
				n++
			}
		}
		return n == 2
	})
	time.Sleep(2 * time.Second)
	if n := len(e.fake.Sent(e.kf, dave)); n != 2 {
		t.Fatalf("the bot answered after an agent: %d sent", n)
	}

	// 6. A greeting alone: no answer and no hand-over; the question
	// after it is answered.
	const eve = "wmBot-customer-eve"
	if _, err := e.fake.Text(e.ctx, e.kf, eve, "你好"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "eve's ticket", 20*time.Second, func() bool { r := e.customer(eve); return len(r) == 1 && r[0].TicketID != "" })
	time.Sleep(2 * time.Second)
	if n, st := len(e.fake.Sent(e.kf, eve)), e.fake.State(e.kf, eve); n != 0 || st != wechat.StateUntreated {
		t.Fatalf("after a greeting: %d sent, session state %d", n, st)
	}
	e.fake.Clock.Advance(time.Minute)
	if _, err := e.fake.Text(e.ctx, e.kf, eve, "退款多久到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bot's answer to eve", 30*time.Second, func() bool { return len(e.fake.Sent(e.kf, eve)) == 1 })

	// Every bot answer is in the deflection report: three answers, two
	// handovers (the complaints); asking for a person asks no bot.
	d, err := e.app.Help.Deflection(e.ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deflection: bot_answers %d bot_handovers %d", d.Total.BotAnswers, d.Total.BotHandovers)
	if d.Total.BotAnswers != 3 || d.Total.BotHandovers != 2 {
		t.Fatalf("deflection total %+v", d.Total)
	}
}
