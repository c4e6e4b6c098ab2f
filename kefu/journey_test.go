package kefu_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

func photo(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJourney is the journey against the fake 企业微信, through
// the real callback route and the job queue:
//
//  1. a customer writes a text and a photo: one ticket, triaged, in the
//     team of the 客服账号, the photo attached;
//  2. the agent's public reply arrives at the fake addressed to that
//     customer, and the comment shows it sent;
//  3. the ticket is solved; the customer writes again: the same ticket
//     reopens with the message as a comment;
//  4. 49 hours later a reply is refused before it is stored or sent, with
//     a 409 naming the window.
func TestJourney(t *testing.T) { stores(t, journey) }

func journey(t *testing.T, pg bool) {
	e := newEnv(t, opts{start: true, postgres: pg})
	if err := e.fake.VerifyCallback(e.ctx); err != nil {
		t.Fatalf("URL verification of the callback: %v", err)
	}
	const user = "wmAbCdEf-customer-0001"

	// 1. Text, then a photo, as one goes.
	if _, err := e.fake.Text(e.ctx, e.kf, user, "你好"); err != nil {
		t.Fatal(err)
	}
	w, err := e.fake.Text(e.ctx, e.kf, user, "订单 2026120712345 申请退款一周了还没到账，能帮忙查一下吗？")
	if err != nil {
		t.Fatal(err)
	}
	if !w.Delivery.OK() {
		t.Fatalf("notification answered %d: %v", w.Delivery.Status, w.Delivery.Err)
	}
	pic := photo(t)
	if _, err := e.fake.Image(e.ctx, e.kf, user, "退款截图.png", pic); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three records", 20*time.Second, func() bool { return len(e.customer(user)) == 3 })
	recs := e.customer(user)
	ticketID := recs[0].TicketID
	for _, r := range recs {
		if r.TicketID != ticketID || r.CommentID != "" || r.Status != triage.MailImported {
			t.Fatalf("the three messages are not one ticket's first message: %+v", r)
		}
	}
	tk := e.ticket(ticketID)
	t.Logf("ticket %s %q team=%s category=%q priority=%s", tk.ID, tk.Title, tk.TeamID, tk.Category, tk.Priority)
	if tk.Channel != triage.ChannelWechat || tk.TeamID != e.team.ID || tk.Triage == nil {
		t.Fatalf("ticket not triaged into the account's team: channel %s team %s triage %v", tk.Channel, tk.TeamID, tk.Triage)
	}
	if tk.Title != "订单 2026120712345 申请退款一周了还没到账，能帮忙查一下吗？" {
		t.Errorf("title %q: not the first meaningful message", tk.Title)
	}
	if !strings.Contains(tk.Body, "你好") || !strings.Contains(tk.Body, "[图片]") {
		t.Errorf("body %q", tk.Body)
	}
	waitFor(t, "the photo attached", 20*time.Second, func() bool {
		atts, _ := e.app.Store.Attachments(e.ctx, ticketID)
		return len(atts) == 1
	})
	atts, _ := e.app.Store.Attachments(e.ctx, ticketID)
	blob, _ := e.app.Store.Blob(e.ctx, atts[0].SHA256)
	if atts[0].ContentType != "image/png" || !bytes.Equal(blob, pic) {
		t.Fatalf("attachment %+v: not the photo", atts[0])
	}

	// 2. The agent replies.
	c, err := e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "您好，已为您加急处理退款，预计 1-3 个工作日到账。", Public: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.WeChat == nil || c.WeChat.Status != triage.MailQueued {
		t.Fatalf("the reply's WeChat state: %+v", c.WeChat)
	}
	waitFor(t, "the reply at the fake", 20*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 1 })
	sent := e.fake.Sent(e.kf, user)[0]
	if sent.ExternalUserID != user || sent.Type != wechat.MsgText || sent.Text != c.Body {
		t.Fatalf("sent %+v", sent)
	}
	waitFor(t, "the reply recorded sent", 10*time.Second, func() bool {
		cs, _ := e.app.Desk.Comments(e.ctx, ticketID)
		i := slices.IndexFunc(cs, func(x *triage.Comment) bool { return x.ID == c.ID })
		return i >= 0 && cs[i].WeChat != nil && cs[i].WeChat.Status == triage.MailSent
	})

	// 3. Solved; the customer writes again.
	tk = e.ticket(ticketID)
	if _, err := e.app.Desk.UpdateTicket(e.ctx, ticketID, tk.Version, triage.TicketUpdate{Status: triage.Opt[triage.Status]{Set: true, V: triage.StatusSolved}}); err != nil {
		t.Fatal(err)
	}
	// Solving sends the satisfaction survey's link (welcome_test.go).
	waitFor(t, "the survey link at the fake", 20*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 2 })
	e.fake.Clock.Advance(2 * time.Hour)
	if _, err := e.fake.Text(e.ctx, e.kf, user, "还是没有收到退款"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new message recorded", 20*time.Second, func() bool { return len(e.customer(user)) == 6 })
	again := e.customer(user)[0]
	if again.TicketID != ticketID || again.CommentID == "" {
		t.Fatalf("the message after solving: %+v", again)
	}
	if tk = e.ticket(ticketID); tk.Status != triage.StatusOpen {
		t.Fatalf("status after the customer wrote again: %s", tk.Status)
	}

	// 4. 49 hours later.
	e.fake.Clock.Advance(49 * time.Hour)
	st, err := e.wx.ReplyState(e.ctx, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	if st.CanSend || st.Reason != wechat.ReasonWindowClosed {
		t.Fatalf("reply state after 49 h: %+v", st)
	}
	before, _ := e.app.Desk.Comments(e.ctx, ticketID)
	_, err = e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "请问还需要帮助吗？", Public: true}, nil)
	var te *triage.Error
	if !asError(err, &te) || te.Code != triage.ECONFLICT || te.Field != "wechat" || !slices.Contains(te.Allowed, wechat.ReasonWindowClosed) {
		t.Fatalf("a reply after 48 h: %v", err)
	}
	t.Logf("refused: %s", te.Message)
	after, _ := e.app.Desk.Comments(e.ctx, ticketID)
	if len(after) != len(before) || len(e.fake.Sent(e.kf, user)) != 2 {
		t.Fatalf("the refused reply was stored (%d → %d comments) or sent (%d)", len(before), len(after), len(e.fake.Sent(e.kf, user)))
	}
	// An internal note is still fine.
	if _, err := e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "客户微信已超48小时，改为电话联系", Public: false}, nil); err != nil {
		t.Fatal(err)
	}
}
