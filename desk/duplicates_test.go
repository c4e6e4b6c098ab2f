package desk_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/segment"
)

var (
	segOnce sync.Once
	seg     *segment.Segmenter
	segErr  error
)

func segmenter(t *testing.T) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { seg, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return seg
}

func TestDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	now := time.Now()
	d := &desk.Duplicates{Store: e.store, Words: segmenter(t).Words, Now: func() time.Time { return now }}
	at := func(h float64) time.Time {
		return now.Add(time.Duration(h * float64(time.Hour))).UTC().Truncate(time.Microsecond)
	}
	mk := func(id string, created time.Time, status triage.Status, title, body string, r triage.Requester) {
		tk := &triage.Ticket{ID: id, Title: title, Body: body, Requester: r, Status: status, Priority: triage.P3, Channel: triage.ChannelWechat, CreatedAt: created, UpdatedAt: created}
		if err := e.store.Update(ctx, func(tx triage.Tx) error { return tx.CreateTicket(ctx, tk) }); err != nil {
			t.Fatal(err)
		}
	}
	chen := triage.Requester{Name: "陈女士", Phone: "13800138000", Email: "chen@example.com"}
	refund, refundBody := "退款一周了还没到账", "订单号2026111512345678，退款申请已通过，钱还没到银行卡。"
	mk("orig", at(-5), triage.StatusOpen, refund, refundBody, chen)
	mk("old", at(-80), triage.StatusOpen, refund, refundBody, chen)
	mk("done", at(-3), triage.StatusSolved, refund, refundBody, chen)
	mk("dup", at(0), triage.StatusNew, "退款还没到账", "订单号2026111512345678 的退款申请已通过一周了，钱还没到银行卡", triage.Requester{Phone: "13800138000"})
	mk("stranger", at(0), triage.StatusNew, refund, refundBody, triage.Requester{Phone: "13900000000"})
	mk("other-topic", at(0), triage.StatusNew, "发票抬头写错了", "请帮我重开增值税发票", chen)
	mk("by-mail", at(0), triage.StatusNew, refund+"！", refundBody, triage.Requester{Email: "CHEN@example.com"})
	mk("anonymous", at(0), triage.StatusNew, refund, refundBody, triage.Requester{Name: "匿名"})
	cases := []struct {
		id, want string
	}{
		{"dup", "orig"},     // reworded, same phone: linked to the open one, not the solved or the old one
		{"by-mail", "orig"}, // e-mail matches ignoring case
		{"stranger", ""},    // same words, another customer
		{"other-topic", ""}, // same customer, another problem
		{"anonymous", ""},   // nobody to match
		{"orig", ""},        // only older tickets count; "old" is outside the window
		{"missing", ""},     // a ticket gone by the time the job runs
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			l, err := d.Check(ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if l != nil {
				got = l.ToID
			}
			if got != c.want {
				t.Fatalf("linked to %q, want %q", got, c.want)
			}
		})
	}
	links, _ := e.desk.Links(ctx, "orig")
	if len(links) != 2 || links[0].Relation != triage.RelHasDuplicate {
		t.Fatalf("links of orig: %+v", links)
	}
	l := links[1]
	if l.TicketID != "dup" || l.Score < 0.6 || l.Score > 1 || !strings.Contains(l.Why.String(), "退款") || !strings.Contains(l.Why.String(), "phone") || l.Why[0].Code != triage.ReasonDuplicateSimilar {
		t.Errorf("link %+v", l.TicketLink)
	}
	hist, _ := e.desk.History(ctx, "dup")
	if len(hist) != 1 || hist[0].Field != "duplicate_of" || hist[0].New != "orig" {
		t.Errorf("history of dup: %+v", hist)
	}
	// Running again (a retried job) links nothing more.
	if l, err := d.Check(ctx, "dup"); err != nil || l != nil {
		t.Errorf("second check: %v %v", l, err)
	}
}

func TestSimilarity(t *testing.T) {
	d := &desk.Duplicates{Words: strings.Fields}
	for _, c := range []struct {
		a, b  string
		score float64
	}{
		{"a b c", "a b c", 1},
		{"a b c", "c b a a a", 1},
		{"a b", "c d", 0},
		{"a b c d", "a b e f", 2.0 / 6},
		{"", "a", 0},
	} {
		if got, _ := d.Similarity(c.a, c.b); got != c.score {
			t.Errorf("Similarity(%q, %q) = %v, want %v", c.a, c.b, got, c.score)
		}
	}
}
