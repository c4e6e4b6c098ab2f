package kefu_test

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestReopenWindow: a message within reopen_hours of the solve reopens
// the customer's ticket; one after it starts a new ticket; so does one
// after the ticket was closed.
func TestReopenWindow(t *testing.T) {
	e := newEnv(t, opts{start: true})
	const user = "wm-reopen-customer"
	write := func(text string) *triage.WeChatMessage {
		t.Helper()
		w, err := e.fake.Text(e.ctx, e.kf, user, text)
		if err != nil {
			t.Fatal(err)
		}
		var rec *triage.WeChatMessage
		waitFor(t, "the message recorded", 20*time.Second, func() bool {
			for _, r := range e.customer(user) {
				if r.MsgID == w.MsgID {
					rec = r
					return true
				}
			}
			return false
		})
		return rec
	}
	setStatus := func(id string, st triage.Status) {
		t.Helper()
		tk := e.ticket(id)
		if _, err := e.app.Desk.UpdateTicket(e.ctx, id, tk.Version, triage.TicketUpdate{Status: triage.Opt[triage.Status]{Set: true, V: st}}); err != nil {
			t.Fatal(err)
		}
	}
	first := write("耳机左边没有声音，订单 2026120755501")
	setStatus(first.TicketID, triage.StatusSolved)

	e.fake.Clock.Advance(time.Duration(e.channel.ReopenHours-1) * time.Hour)
	within := write("还是没有声音")
	if within.TicketID != first.TicketID || within.CommentID == "" || e.ticket(first.TicketID).Status != triage.StatusOpen {
		t.Fatalf("within the window: %+v, status %s", within, e.ticket(first.TicketID).Status)
	}

	setStatus(first.TicketID, triage.StatusSolved)
	e.fake.Clock.Advance(time.Duration(e.channel.ReopenHours+1) * time.Hour)
	after := write("新问题：我想开发票")
	if after.TicketID == first.TicketID || after.CommentID != "" {
		t.Fatalf("after the window: %+v (the old ticket is %s)", after, first.TicketID)
	}
	if tk := e.ticket(after.TicketID); tk.Title != "新问题：我想开发票" || e.ticket(first.TicketID).Status != triage.StatusSolved {
		t.Fatalf("the new ticket %q; the old one %s", tk.Title, e.ticket(first.TicketID).Status)
	}

	setStatus(after.TicketID, triage.StatusSolved)
	setStatus(after.TicketID, triage.StatusClosed)
	closed := write("发票收到了吗？")
	if closed.TicketID == after.TicketID || closed.TicketID == first.TicketID {
		t.Fatalf("after a closed ticket: %+v", closed)
	}
	t.Logf("within %dh: comment on %s; after: new ticket %s; after closed: new ticket %s", e.channel.ReopenHours, first.TicketID, after.TicketID, closed.TicketID)
}
