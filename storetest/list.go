package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var listTests = []test{
	{"filters", testListFilters},
	{"pagination", testListPagination},
	{"page size limits", testListLimits},
	{"bad cursor", testListBadCursor},
	{"empty store", testListEmpty},
	{"count ignores cursor and limit", testCountTickets},
}

// filterFixtures are tickets that differ in every filtered field. The
// expected result of each filter is computed from them by a predicate, so
// the cases state the rule rather than a list of ids.
func filterFixtures() []*triage.Ticket {
	mk := func(i int, st triage.Status, p triage.Priority, cat, assignee, team string, tags []string,
		email, phone string, review bool, title, body string) *triage.Ticket {
		tk := newTicket(fmt.Sprintf("f-%02d", i), base.Add(time.Duration(i)*time.Hour))
		tk.Status, tk.Priority, tk.Category = st, p, cat
		tk.AssigneeID, tk.TeamID, tk.Tags = assignee, team, tags
		tk.Requester.Email, tk.Requester.Phone = email, phone
		tk.NeedsReview, tk.Title, tk.Body = review, title, body
		return tk
	}
	return []*triage.Ticket{
		mk(0, triage.StatusNew, triage.P1, "退款", "a1", "tA", []string{"refund", "vip"},
			"ZHANG@example.cn", "", true, "退款没有到账", "订单 A-1001 的退款 still PENDING"),
		mk(1, triage.StatusOpen, triage.P2, "物流", "a2", "tB", []string{"shipping"},
			"", "13800138000", false, "Where is my parcel", "快递三天没动"),
		mk(2, triage.StatusPending, triage.P3, "退款", "a1", "tA", nil,
			"li@example.cn", "", false, "100% 退款?", "全额退款什么时候到"),
		mk(3, triage.StatusSolved, triage.P4, "账户", "", "tA", []string{"account"},
			"", "", false, "无法登录", "password_reset 邮件收不到"),
		mk(4, triage.StatusClosed, triage.P3, "账户", "a2", "", []string{"account", "vip"},
			"zhang@example.cn", "", true, "改绑手机号", "旧手机号已停用"),
		mk(5, triage.StatusNew, triage.P2, "物流", "", "tB", []string{"shipping", "vip"},
			"", "13800138000", true, "REFUND for damaged item", "box arrived crushed"),
		mk(6, triage.StatusOpen, triage.P1, "退款", "a1", "tA", []string{"refund"},
			"wang@example.cn", "+86 139 0000 0000", false, "投诉：重复扣款", "passwordXreset 不是通配符"),
		mk(7, triage.StatusNew, triage.P4, "", "", "", []string{"vips"},
			"", "", false, "咨询发票", "发票抬头怎么改"),
	}
}

func testListFilters(t *testing.T, s triage.Store) {
	ctx := t.Context()
	fixtures := filterFixtures()
	createTickets(t, s, fixtures...)

	hasTag := func(tag string) func(*triage.Ticket) bool {
		return func(tk *triage.Ticket) bool { return slices.Contains(tk.Tags, tag) }
	}
	contains := func(q string) func(*triage.Ticket) bool {
		return func(tk *triage.Ticket) bool {
			q := strings.ToLower(q)
			return strings.Contains(strings.ToLower(tk.Title), q) || strings.Contains(strings.ToLower(tk.Body), q)
		}
	}
	and := func(ps ...func(*triage.Ticket) bool) func(*triage.Ticket) bool {
		return func(tk *triage.Ticket) bool {
			for _, p := range ps {
				if !p(tk) {
					return false
				}
			}
			return true
		}
	}
	status := func(sts ...triage.Status) func(*triage.Ticket) bool {
		return func(tk *triage.Ticket) bool { return slices.Contains(sts, tk.Status) }
	}
	from, to := base.Add(2*time.Hour), base.Add(5*time.Hour)
	created := func(tk *triage.Ticket) bool { return !tk.CreatedAt.Before(from) && tk.CreatedAt.Before(to) }

	cases := []struct {
		name  string
		f     triage.TicketFilter
		match func(*triage.Ticket) bool
	}{
		{"one status", triage.TicketFilter{Status: []triage.Status{triage.StatusNew}}, status(triage.StatusNew)},
		{"several statuses", triage.TicketFilter{Status: []triage.Status{triage.StatusOpen, triage.StatusPending}},
			status(triage.StatusOpen, triage.StatusPending)},
		{"assignee", triage.TicketFilter{AssigneeID: "a1"},
			func(tk *triage.Ticket) bool { return tk.AssigneeID == "a1" }},
		{"unassigned", triage.TicketFilter{Unassigned: true},
			func(tk *triage.Ticket) bool { return tk.AssigneeID == "" }},
		{"any of several teams", triage.TicketFilter{TeamIDs: []string{"tB", "tA"}},
			func(tk *triage.Ticket) bool { return tk.TeamID == "tA" || tk.TeamID == "tB" }},
		{"team", triage.TicketFilter{TeamID: "tB"},
			func(tk *triage.Ticket) bool { return tk.TeamID == "tB" }},
		{"category", triage.TicketFilter{Category: "退款"},
			func(tk *triage.Ticket) bool { return tk.Category == "退款" }},
		{"priority", triage.TicketFilter{Priority: triage.P1},
			func(tk *triage.Ticket) bool { return tk.Priority == triage.P1 }},
		{"tag is exact", triage.TicketFilter{Tag: "vip"}, hasTag("vip")},
		{"requester e-mail ignores case", triage.TicketFilter{RequesterID: "zhang@example.cn"},
			func(tk *triage.Ticket) bool { return strings.EqualFold(tk.Requester.Email, "zhang@example.cn") }},
		{"requester phone", triage.TicketFilter{RequesterID: "13800138000"},
			func(tk *triage.Ticket) bool { return tk.Requester.Phone == "13800138000" }},
		{"needs review", triage.TicketFilter{NeedsReview: ptr(true)},
			func(tk *triage.Ticket) bool { return tk.NeedsReview }},
		{"does not need review", triage.TicketFilter{NeedsReview: ptr(false)},
			func(tk *triage.Ticket) bool { return !tk.NeedsReview }},
		{"created from", triage.TicketFilter{CreatedFrom: from},
			func(tk *triage.Ticket) bool { return !tk.CreatedAt.Before(from) }},
		{"created before", triage.TicketFilter{CreatedTo: to},
			func(tk *triage.Ticket) bool { return tk.CreatedAt.Before(to) }},
		{"created range in another zone", triage.TicketFilter{CreatedFrom: from.In(cst), CreatedTo: to.In(cst)}, created},
		{"text in Chinese", triage.TicketFilter{Terms: []string{"退款"}}, contains("退款")},
		{"text ignores Latin case", triage.TicketFilter{Terms: []string{"refund"}}, contains("refund")},
		{"text in body ignores case", triage.TicketFilter{Terms: []string{"pending"}}, contains("pending")},
		{"text percent is literal", triage.TicketFilter{Terms: []string{"100%"}}, contains("100%")},
		{"text underscore is literal", triage.TicketFilter{Terms: []string{"password_reset"}}, contains("password_reset")},
		{"any term", triage.TicketFilter{Terms: []string{"发票", "快递"}}, func(tk *triage.Ticket) bool { return contains("发票")(tk) || contains("快递")(tk) }},
		{"only empty terms", triage.TicketFilter{Terms: []string{""}}, func(*triage.Ticket) bool { return false }},
		{"statuses and tag", triage.TicketFilter{Status: []triage.Status{triage.StatusNew, triage.StatusOpen}, Tag: "vip"},
			and(status(triage.StatusNew, triage.StatusOpen), hasTag("vip"))},
		{"assignee, category and priority", triage.TicketFilter{AssigneeID: "a1", Category: "退款", Priority: triage.P1},
			func(tk *triage.Ticket) bool {
				return tk.AssigneeID == "a1" && tk.Category == "退款" && tk.Priority == triage.P1
			}},
		{"unassigned in a team", triage.TicketFilter{Unassigned: true, TeamID: "tB"},
			func(tk *triage.Ticket) bool { return tk.AssigneeID == "" && tk.TeamID == "tB" }},
		{"team, review and text", triage.TicketFilter{TeamID: "tA", NeedsReview: ptr(false), Terms: []string{"退款"}},
			and(func(tk *triage.Ticket) bool { return tk.TeamID == "tA" && !tk.NeedsReview }, contains("退款"))},
		{"requester and created range", triage.TicketFilter{RequesterID: "ZHANG@EXAMPLE.CN", CreatedFrom: base.Add(time.Hour)},
			func(tk *triage.Ticket) bool {
				return strings.EqualFold(tk.Requester.Email, "zhang@example.cn") && !tk.CreatedAt.Before(base.Add(time.Hour))
			}},
		{"nothing matches", triage.TicketFilter{Tag: "vip", Category: "物流", Status: []triage.Status{triage.StatusClosed}},
			func(*triage.Ticket) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var wantIDs []string
			for _, tk := range slices.Backward(fixtures) { // newest first
				if tc.match(tk) {
					wantIDs = append(wantIDs, tk.ID)
				}
			}
			if tc.name != "nothing matches" && tc.name != "only empty terms" && (len(wantIDs) == 0 || len(wantIDs) == len(fixtures)) {
				t.Fatalf("fixture problem: the filter should match some tickets but not all; matches %d", len(wantIDs))
			}
			got, next, err := s.Tickets(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Errorf("Tickets returned a nil slice, want an empty one")
			}
			gotIDs := ids(got)
			if len(tc.f.Terms) > 0 {
				// A search lists by relevance (testSearchRanks): here
				// only what it finds counts.
				slices.Sort(gotIDs)
				slices.Sort(wantIDs)
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("Tickets(%+v) = %v, want %v", tc.f, gotIDs, wantIDs)
			}
			if next != "" {
				t.Errorf("next cursor = %q on the only page", next)
			}
			n, err := s.CountTickets(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(wantIDs) {
				t.Errorf("CountTickets(%+v) = %d, want %d (as many as Tickets lists)", tc.f, n, len(wantIDs))
			}
		})
	}
}

// testListPagination walks 120 tickets page by page. Groups of seven share a
// created_at, and ids are not in creation order, so page boundaries fall
// inside groups and only the (created_at, id) key keeps pages apart.
func testListPagination(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = 120
	var all []*triage.Ticket
	for i := range n {
		tk := newTicket(fmt.Sprintf("p-%03d", (i*37)%n), base.Add(time.Duration(i/7)*time.Minute))
		if i%2 == 0 {
			tk.Status = triage.StatusOpen
		}
		all = append(all, tk)
	}
	createTickets(t, s, all...)
	newestFirst := func(a, b *triage.Ticket) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	}
	slices.SortFunc(all, newestFirst)

	for _, tc := range []struct {
		name   string
		filter triage.TicketFilter
		want   []string
	}{
		{"limit 11", triage.TicketFilter{Limit: 11}, ids(all)},
		{"limit 7", triage.TicketFilter{Limit: 7}, ids(all)},
		{"limit divides the total", triage.TicketFilter{Limit: 40}, ids(all)},
		{"limit 1", triage.TicketFilter{Limit: 1}, ids(all)},
		{"with a filter", triage.TicketFilter{Limit: 9, Status: []triage.Status{triage.StatusOpen}},
			ids(slices.DeleteFunc(slices.Clone(all), func(tk *triage.Ticket) bool { return tk.Status != triage.StatusOpen }))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			var got []string
			seen := map[string]bool{}
			for page := 0; ; page++ {
				if page > n {
					t.Fatalf("more than %d pages: the cursor does not advance", n)
				}
				ts, next, err := s.Tickets(ctx, f)
				if err != nil {
					t.Fatalf("page %d: %v", page, err)
				}
				if len(ts) == 0 && page > 0 {
					t.Fatalf("page %d is empty: the cursor before it promised more", page)
				}
				if len(ts) > f.Limit {
					t.Fatalf("page %d has %d tickets, limit %d", page, len(ts), f.Limit)
				}
				for _, tk := range ts {
					if seen[tk.ID] {
						t.Fatalf("page %d repeats %s", page, tk.ID)
					}
					seen[tk.ID] = true
					got = append(got, tk.ID)
				}
				if next == "" {
					break
				}
				if len(ts) != f.Limit {
					t.Fatalf("page %d has %d tickets but a next cursor; only the last page may be short", page, len(ts))
				}
				f.Cursor = next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages gave %d tickets in this order:\n%v\nwant %d:\n%v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
}

func testListLimits(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = triage.MaxPageSize + 10
	var all []*triage.Ticket
	for i := range n {
		all = append(all, newTicket(fmt.Sprintf("l-%03d", i), base.Add(time.Duration(i)*time.Second)))
	}
	createTickets(t, s, all...)
	for _, tc := range []struct {
		name  string
		limit int
		want  int
	}{
		{"zero means the default", 0, triage.DefaultPageSize},
		{"negative means the default", -5, triage.DefaultPageSize},
		{"above the maximum is capped", 10 * triage.MaxPageSize, triage.MaxPageSize},
		{"the maximum", triage.MaxPageSize, triage.MaxPageSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := s.Tickets(ctx, triage.TicketFilter{Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("Limit %d gave %d tickets, want %d", tc.limit, len(got), tc.want)
			}
			if next == "" {
				t.Errorf("no next cursor with %d tickets left", n-len(got))
			}
		})
	}
}

func testListBadCursor(t *testing.T, s triage.Store) {
	createTickets(t, s, newTicket("t-1", base))
	for _, c := range []string{"not a cursor", "e30", "!!!"} {
		_, _, err := s.Tickets(t.Context(), triage.TicketFilter{Cursor: c})
		wantCode(t, err, triage.EINVALID)
	}
}

func testListEmpty(t *testing.T, s triage.Store) {
	got, next, err := s.Tickets(t.Context(), triage.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 || next != "" {
		t.Errorf("Tickets on an empty store = %#v, %q; want an empty slice and no cursor", got, next)
	}
	if n, err := s.CountTickets(t.Context(), triage.TicketFilter{}); err != nil || n != 0 {
		t.Errorf("CountTickets on an empty store = %d, %v; want 0", n, err)
	}
}

// testCountTickets checks that a count covers every page: Cursor and Limit,
// which only a list needs, are ignored, even a cursor that does not decode.
func testCountTickets(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = triage.MaxPageSize + 15
	var all []*triage.Ticket
	for i := range n {
		tk := newTicket(fmt.Sprintf("c-%03d", i), base.Add(time.Duration(i)*time.Second))
		if i%3 == 0 {
			tk.Status = triage.StatusOpen
		}
		all = append(all, tk)
	}
	createTickets(t, s, all...)
	open := 0
	for _, tk := range all {
		if tk.Status == triage.StatusOpen {
			open++
		}
	}
	_, cursor, err := s.Tickets(ctx, triage.TicketFilter{Limit: 10})
	if err != nil || cursor == "" {
		t.Fatalf("Tickets: cursor %q, %v; want a next cursor", cursor, err)
	}
	openOnly := []triage.Status{triage.StatusOpen}
	for _, tc := range []struct {
		name string
		f    triage.TicketFilter
		want int
	}{
		{"no filter", triage.TicketFilter{}, n},
		{"more than a page", triage.TicketFilter{Limit: 5}, n},
		{"negative limit", triage.TicketFilter{Limit: -1}, n},
		{"a cursor", triage.TicketFilter{Cursor: cursor, Limit: 10}, n},
		{"a cursor that does not decode", triage.TicketFilter{Cursor: "not a cursor"}, n},
		{"a filter with cursor and limit", triage.TicketFilter{Status: openOnly, Cursor: cursor, Limit: 1}, open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CountTickets(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("CountTickets = %d, want %d", got, tc.want)
			}
		})
	}
	t.Run("in a transaction", func(t *testing.T) {
		update(t, s, func(tx triage.Tx) error {
			if err := tx.CreateTicket(ctx, newTicket("c-new", base)); err != nil {
				return err
			}
			got, err := tx.CountTickets(ctx, triage.TicketFilter{})
			if err != nil {
				return err
			}
			if got != n+1 {
				t.Errorf("tx.CountTickets = %d, want %d with the transaction's own ticket", got, n+1)
			}
			return nil
		})
	})
}
