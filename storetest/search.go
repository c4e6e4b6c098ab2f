package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Ticket search (TicketFilter.Terms), which needs a store opened with the
// segmenter's normalisation (segment.Normalize): the stores under test
// must be.
var searchTests = []test{
	{"in any script or width", testSearchNormalised},
	{"by relevance", testSearchRanks},
	{"pages by relevance", testSearchPagination},
	{"follows edits", testSearchFollowsEdits},
}

// testSearchNormalised: terms are normalised text, and so is what they
// are matched against, whatever script, width or case the ticket was
// written in; a term matches inside longer words.
func testSearchNormalised(t *testing.T, s triage.Store) {
	mk := func(id, title, body string, hour int) *triage.Ticket {
		tk := newTicket(id, base.Add(time.Duration(hour)*time.Hour))
		tk.Title, tk.Body = title, body
		return tk
	}
	createTickets(t, s,
		mk("traditional", "申請退貨三天了", "退貨單號已經填寫，還沒有人處理", 0),
		mk("simplified", "退货流程", "怎么申请退货", 1),
		mk("wristband", "手環連不上藍牙", "重啟也不行", 2),
		mk("full-width", "ＲＥＦＵＮＤ　ｐｌｅａｓｅ", "ＡＵＲ－Ｓ２音箱", 3),
		mk("unrelated", "发票抬头", "怎么改", 4),
	)
	for _, c := range []struct {
		terms []string
		want  []string
	}{
		{[]string{"退货"}, []string{"simplified", "traditional"}},
		{[]string{"手环"}, []string{"wristband"}},
		{[]string{"蓝牙"}, []string{"wristband"}},
		{[]string{"refund"}, []string{"full-width"}},
		{[]string{"aur-s2"}, []string{"full-width"}},
		{[]string{"退"}, []string{"simplified", "traditional"}},
		{[]string{"没有这个词"}, nil},
	} {
		got, _, err := s.Tickets(t.Context(), triage.TicketFilter{Terms: c.terms})
		if err != nil {
			t.Fatal(err)
		}
		g := ids(got)
		slices.Sort(g)
		if !slices.Equal(g, c.want) && !(len(g) == 0 && len(c.want) == 0) {
			t.Errorf("Terms %v found %v, want %v", c.terms, g, c.want)
		}
	}
}

// testSearchRanks: a search lists by relevance, as BM25 over the title and
// the body ranks: more of the query's terms, more often, in a shorter text,
// in the title rather than the body, a rarer term rather than a common
// one; equal scores newest first.
func testSearchRanks(t *testing.T, s triage.Store) {
	mk := func(id, title, body string, hour int) *triage.Ticket {
		tk := newTicket(id, base.Add(time.Duration(hour)*time.Hour))
		tk.Title, tk.Body = title, body
		return tk
	}
	// Titles of five characters and bodies of eight, so that each pair
	// below differs in one thing only.
	filler := "只是想问问别的事情麻烦看一下"
	createTickets(t, s,
		mk("both", "退款没到账", "麻烦尽快处理一下", 0),
		mk("refund-title", "退款没处理", "麻烦尽快处理一下", 1),
		mk("arrival-title", "钱还没到账", "麻烦尽快处理一下", 2),
		mk("twin-a", "问题没处理", "麻烦尽快退款一下", 3),
		mk("twin-b", "问题没处理", "麻烦尽快退款一下", 4),
		mk("refund-body-long", "问题没处理", "麻烦尽快退款一下"+filler, 5),
		mk("none", "发票没开好", "抬头写错了麻烦改", 6),
	)
	got, next, err := s.Tickets(t.Context(), triage.TicketFilter{Terms: []string{"退款", "到账"}})
	if err != nil {
		t.Fatal(err)
	}
	order := ids(got)
	if next != "" || len(order) != 6 || slices.Contains(order, "none") {
		t.Fatalf("found %v (next %q), want the six tickets with 退款 or 到账", order, next)
	}
	pos := func(id string) int { return slices.Index(order, id) }
	for _, c := range []struct{ better, worse, why string }{
		{"both", "arrival-title", "both terms beat one"},
		{"arrival-title", "refund-title", "the rarer term (到账, in two tickets) beats the common one (退款, in five)"},
		{"refund-title", "twin-b", "in the title beats in the body"},
		{"twin-a", "refund-body-long", "a short body beats a long one"},
		{"twin-b", "twin-a", "equal scores: the newer first"},
	} {
		if pos(c.better) > pos(c.worse) {
			t.Errorf("%s: %s should rank above %s in %v", c.why, c.better, c.worse, order)
		}
	}
	// Other filters narrow a search; the ranking stays.
	got, _, err = s.Tickets(t.Context(), triage.TicketFilter{Terms: []string{"退款", "到账"}, CreatedFrom: base.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got); !slices.Equal(g, slices.DeleteFunc(slices.Clone(order), func(id string) bool { return id == "both" })) {
		t.Errorf("with created_from: %v, want %v without both", g, order)
	}
}

// testSearchPagination walks a search page by page: every match once, in
// the order of the whole list, and a cursor of the other kind of list is
// refused.
func testSearchPagination(t *testing.T, s triage.Store) {
	ctx := t.Context()
	var all []*triage.Ticket
	for i := range 23 {
		// Scores repeat (every third ticket alike) and so do times, so
		// page boundaries fall inside ties.
		tk := newTicket(fmt.Sprintf("s-%02d", (i*7)%23), base.Add(time.Duration(i/4)*time.Minute))
		tk.Title = "退款" + fmt.Sprint(i%3)
		tk.Body = fmt.Sprintf("%s到账", []string{"", "退款", "退款退款"}[i%3])
		all = append(all, tk)
	}
	other := newTicket("s-none", base)
	other.Title, other.Body = "发票", "抬头"
	createTickets(t, s, append(all, other)...)
	f := triage.TicketFilter{Terms: []string{"退款"}}
	whole, next, err := s.Tickets(ctx, triage.TicketFilter{Terms: f.Terms, Limit: triage.MaxPageSize})
	if err != nil || next != "" || len(whole) != len(all) {
		t.Fatalf("the whole list: %d tickets, next %q, %v", len(whole), next, err)
	}
	var walked []string
	f.Limit = 4
	for range 10 {
		page, next, err := s.Tickets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, ids(page)...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if !slices.Equal(walked, ids(whole)) {
		t.Errorf("pages of 4:\n %v\nwant the whole list's order:\n %v", walked, ids(whole))
	}
	// A cursor belongs to its kind of list.
	_, plainNext, err := s.Tickets(ctx, triage.TicketFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Tickets(ctx, triage.TicketFilter{Terms: []string{"退款"}, Cursor: plainNext})
	wantCode(t, err, triage.EINVALID)
	_, searchNext, err := s.Tickets(ctx, triage.TicketFilter{Terms: []string{"退款"}, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Tickets(ctx, triage.TicketFilter{Cursor: searchNext})
	wantCode(t, err, triage.EINVALID)
	if n, err := s.CountTickets(ctx, triage.TicketFilter{Terms: []string{"退款"}, Cursor: searchNext}); err != nil || n != len(all) {
		t.Errorf("CountTickets of the search = %d, %v; want %d", n, err, len(all))
	}
}

// testSearchFollowsEdits: an update's new title is found and its old one
// is not; a public comment's words find its ticket (as the knowledge-base
// search finds a resolved ticket by its answer), an internal note's do
// not; moved comments are found on the ticket they moved to.
func testSearchFollowsEdits(t *testing.T, s triage.Store) {
	ctx := t.Context()
	tk := newTicket("t-1", base)
	tk.Title, tk.Body = "快递没到", "三天了"
	other := newTicket("t-2", base.Add(time.Hour))
	other.Title, other.Body = "别的问题", "无关"
	createTickets(t, s, tk, other)
	find := func(when string, want map[string][]string) {
		t.Helper()
		for term, ids0 := range want {
			got, _, err := s.Tickets(ctx, triage.TicketFilter{Terms: []string{term}})
			g := ids(got)
			slices.Sort(g)
			if err != nil || !slices.Equal(g, ids0) && !(len(g) == 0 && len(ids0) == 0) {
				t.Errorf("%s: %s finds %v, %v; want %v", when, term, g, err, ids0)
			}
		}
	}
	tk.Title = "發票抬頭寫錯"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTicket(ctx, tk) })
	find("after the edit", map[string][]string{"发票": {"t-1"}, "快递": nil})

	update(t, s, func(tx triage.Tx) error {
		for i, c := range []*triage.Comment{
			{ID: "c-1", TicketID: "t-1", AuthorID: "a-1", Body: "已為您重新開具電子發票", Public: true},
			{ID: "c-2", TicketID: "t-1", AuthorID: "a-1", Body: "内部备注：财务已审核", Public: false},
			{ID: "c-3", TicketID: "t-1", FromRequester: true, Body: "收到了，谢谢", Public: true},
		} {
			c.CreatedAt = base.Add(time.Duration(i+1) * time.Minute)
			if err := tx.AddComment(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	find("after the comments", map[string][]string{"电子发票": {"t-1"}, "谢谢": {"t-1"}, "财务": nil})

	update(t, s, func(tx triage.Tx) error {
		_, err := tx.MoveComments(ctx, "t-1", "t-2")
		return err
	})
	find("after moving the comments", map[string][]string{"电子发票": {"t-2"}, "谢谢": {"t-2"}, "发票": {"t-1", "t-2"}, "财务": nil})
}
