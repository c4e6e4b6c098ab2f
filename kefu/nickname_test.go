package kefu_test

import (
	"strings"
	"testing"
	"time"
)

// TestNicknames: a customer's first message makes a ticket whose
// requester is their 微信 nickname (kf/customer/batchget, read by the sync
// job before the page's transaction); a customer without one keeps the
// default name; a customer already known is not looked up again.
func TestNicknames(t *testing.T) { stores(t, nicknames) }

func nicknames(t *testing.T, pg bool) {
	e := newEnv(t, opts{start: true, postgres: pg})
	const named, unnamed = "wmNick-customer-01", "wmNick-customer-02"
	e.fake.SetNickname(named, "王小明")
	if _, err := e.fake.Text(e.ctx, e.kf, named, "发票什么时候开？"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticket", 20*time.Second, func() bool { r := e.customer(named); return len(r) == 1 && r[0].TicketID != "" })
	if tk := e.ticket(e.customer(named)[0].TicketID); tk.Requester.Name != "王小明" {
		t.Fatalf("requester %q, want the nickname", tk.Requester.Name)
	}
	calls := e.fake.Calls("kf/customer/batchget")
	if calls != 1 {
		t.Fatalf("%d batchget calls for one new customer", calls)
	}
	if _, err := e.fake.Text(e.ctx, e.kf, unnamed, "快递到哪了"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second ticket", 20*time.Second, func() bool { r := e.customer(unnamed); return len(r) == 1 && r[0].TicketID != "" })
	if tk := e.ticket(e.customer(unnamed)[0].TicketID); !strings.HasPrefix(tk.Requester.Name, "微信客户 ") {
		t.Fatalf("requester %q, want the default name", tk.Requester.Name)
	}
	if _, err := e.fake.Text(e.ctx, e.kf, named, "还有，能开专票吗"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the comment", 20*time.Second, func() bool { return len(e.customer(named)) == 2 })
	if n := e.fake.Calls("kf/customer/batchget"); n != 2 {
		t.Fatalf("%d batchget calls, want 2: a known customer was looked up again", n)
	}
}
