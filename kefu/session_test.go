package kefu_test

import (
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// TestSessionWithServicer: a session that a servicer answers in the
// 企业微信 client, or that one ended, refuses kf/send_msg (95018); the
// channel learns it from the session_status_change events and, when a
// change came without one, from kf/service_state/get after the first
// refused send, and refuses the agent's reply before it is stored, with
// a reason the UI translates (issue 22).
func TestSessionWithServicer(t *testing.T) { stores(t, sessionWithServicer) }

func sessionWithServicer(t *testing.T, pg bool) {
	e := newEnv(t, opts{start: true, postgres: pg})
	const user, servicer = "wmSessionCustomer-0001", "zhangsan"
	e.fake.AddServicer(e.kf, servicer)
	if _, err := e.fake.Text(e.ctx, e.kf, user, "订单 2026120755501 的退款怎么还没到账？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticket", 20*time.Second, func() bool { r := e.customer(user); return len(r) == 1 && r[0].TicketID != "" })
	ticketID := e.customer(user)[0].TicketID
	reason := func(want string) {
		t.Helper()
		st, err := e.wx.ReplyState(e.ctx, ticketID)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && (!st.CanSend || st.Reason != "") || want != "" && (st.CanSend || st.Reason != want) {
			t.Fatalf("reply state %+v, want reason %q", st, want)
		}
	}
	refused := func(want string) {
		t.Helper()
		sent := len(e.fake.Sent(e.kf, user))
		before, _ := e.app.Desk.Comments(e.ctx, ticketID)
		_, err := e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "您好，退款已加急。", Public: true}, nil)
		var te *triage.Error
		if !asError(err, &te) || te.Code != triage.ECONFLICT || te.Field != "wechat" || !slices.Contains(te.Allowed, want) {
			t.Fatalf("a reply in this session state: %v, want 409 naming %s", err, want)
		}
		after, _ := e.app.Desk.Comments(e.ctx, ticketID)
		if len(after) != len(before) || len(e.fake.Sent(e.kf, user)) != sent {
			t.Fatalf("the refused reply was stored or sent")
		}
	}
	reason("")

	// 1. 企业微信's routing queues the session and a servicer takes it in
	// the client: the event says so, and a reply is refused first.
	e.fake.Queue(e.kf, user)
	if d, err := e.fake.ServicerChange(e.ctx, e.kf, user, wechattest.ChangeTake, servicer, ""); err != nil || !d.OK() {
		t.Fatalf("the servicer takes the session: %v %+v", err, d)
	}
	waitFor(t, "the take recorded", 20*time.Second, func() bool { return e.customer(user)[0].Type == kefu.TypeSessionState })
	if st := e.fake.State(e.kf, user); st != wechat.StateServicer {
		t.Fatalf("the fake's session: %d", st)
	}
	reason(wechat.ReasonSessionServicer)
	refused(wechat.ReasonSessionServicer)

	// 2. The servicer ends it: still nothing goes out until the customer
	// writes again, then a reply is delivered.
	if _, err := e.fake.ServicerChange(e.ctx, e.kf, user, wechattest.ChangeEnd, servicer, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the end recorded", 20*time.Second, func() bool { return len(e.customer(user)) == 3 })
	reason(wechat.ReasonSessionEnded)
	refused(wechat.ReasonSessionEnded)
	if _, err := e.fake.Text(e.ctx, e.kf, user, "还在吗？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the customer's new message", 20*time.Second, func() bool { return len(e.customer(user)) == 4 })
	reason("")
	if _, err := e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "在的，退款今天到账。", Public: true}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply at the fake", 20*time.Second, func() bool { return len(e.fake.Sent(e.kf, user)) == 1 })

	// 3. The session goes to the queue with no event (as a trans by
	// another app would): the first reply is refused by 企业微信 with
	// 95018, the send job asks kf/service_state/get, and the next reply
	// is refused before it is stored.
	e.fake.Queue(e.kf, user)
	c, err := e.app.Desk.AddComment(e.ctx, ticketID, triage.NewComment{Body: "请问还有其他问题吗？", Public: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refused send recorded", 20*time.Second, func() bool {
		return slices.ContainsFunc(e.customer(user), func(r *triage.WeChatMessage) bool {
			return r.CommentID == c.ID && r.Status == triage.MailFailed
		}) && e.customer(user)[0].Type == kefu.TypeSessionState
	})
	reason(wechat.ReasonSessionServicer)
	refused(wechat.ReasonSessionServicer)
}
