package helpcentre_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/helpcentre"
)

// TestDeflectionCameBack: each deflection that can name its customer is
// taken back by a ticket from the same contact within 24 hours, and only
// then: a bot answer to +86 138-0013-8000 followed by a ticket from
// 13800138000 (the same phone, written otherwise), a 解决了 followed by a
// ticket 25 hours later (not taken back), a bot answer followed by a
// ticket from someone else (not taken back), and a ticket written before
// the deflection (not taken back).
func TestDeflectionCameBack(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) triage.Store) {
		p := newPortal(t, open(t), nil)
		ctx := t.Context()
		start := p.now
		ticket := func(after time.Duration, r triage.Requester) {
			t.Helper()
			p.now = start.Add(after)
			if _, err := p.desk.CreateTicket(ctx, triage.NewTicket{Title: "退款还是没到", Body: "还是没到", Channel: triage.ChannelWeb, Requester: r}, nil); err != nil {
				t.Fatal(err)
			}
		}
		// A ticket before anything: it takes nothing back.
		ticket(0, triage.Requester{Email: "early@example.com"})
		p.now = start.Add(time.Minute)
		for _, customer := range []string{"+86 138-0013-8000", "someone@example.com", "early@example.com"} {
			a, err := p.svc.Answer(ctx, helpcentre.AnswerRequest{Question: "退款多久能到账？", Customer: customer})
			if err != nil || a.Handover {
				t.Fatalf("answer for %s: %+v %v", customer, a, err)
			}
		}
		s1, _ := p.formFields(t)
		p.get(t, "/help/new/suggest?q="+url.QueryEscape("退款多久")+"&session="+s1+"&email=slow@example.com")
		p.post(t, "/help/new/solved", url.Values{"session": {s1}, "article": {p.public}, "solved": {"yes"}, "email": {"slow@example.com"}})

		ticket(3*time.Hour, triage.Requester{Phone: "13800138000"})
		ticket(25*time.Hour+2*time.Minute, triage.Requester{Email: "slow@example.com"})
		ticket(4*time.Hour, triage.Requester{Email: "other@example.com"})

		rep, err := p.svc.Deflection(ctx, start.Add(-time.Hour), start.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Total
		if got.BotAnswers != 3 || got.Solved != 1 || got.Deflected != 4 || got.CameBack != 1 || got.Net != 3 {
			t.Errorf("total = %+v, want 3 bot answers and 1 解决了 deflected, 1 came back (the phone), net 3", got)
		}
	})
}

// TestContactKeyPhone: a phone is one contact however it is written.
func TestContactKeyPhone(t *testing.T) {
	want := triage.ContactKey("13800138000")
	for _, p := range []string{"+86 138-0013-8000", "0086 13800138000", "138 0013 8000", "+8613800138000"} {
		if got := triage.ContactKey(p); got != want {
			t.Errorf("ContactKey(%q) differs from 13800138000's", p)
		}
	}
	if triage.ContactKey("13900139000") == want || triage.ContactKey("") != "" {
		t.Error("different or empty numbers")
	}
}
