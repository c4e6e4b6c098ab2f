package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/triagehq/triage"
)

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	// Each case walks a fresh ticket through path, then tries to; want is
	// the status of that last move.
	cases := []struct {
		path    []triage.Status
		to      triage.Status
		want    int
		allowed []string
	}{
		{nil, triage.StatusOpen, 200, nil},
		{nil, triage.StatusPending, 200, nil},
		{nil, triage.StatusSolved, 200, nil},
		{nil, triage.StatusClosed, 409, []string{"open", "pending", "solved"}},
		{[]triage.Status{"open"}, triage.StatusNew, 409, []string{"pending", "solved"}},
		{[]triage.Status{"open"}, triage.StatusPending, 200, nil},
		{[]triage.Status{"open", "pending"}, triage.StatusOpen, 200, nil},
		{[]triage.Status{"open", "pending"}, triage.StatusClosed, 409, []string{"open", "solved"}},
		{[]triage.Status{"open", "solved"}, triage.StatusOpen, 200, nil}, // reopen
		{[]triage.Status{"open", "solved"}, triage.StatusClosed, 200, nil},
		{[]triage.Status{"open", "solved"}, triage.StatusPending, 409, []string{"open", "closed"}},
		{[]triage.Status{"open", "solved", "closed"}, triage.StatusOpen, 409, nil},
		{[]triage.Status{"open", "solved", "closed"}, triage.StatusSolved, 409, nil},
		{nil, "archived", 400, nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v→%s", c.path, c.to), func(t *testing.T) {
			tk := e.ticket("")
			for _, st := range c.path {
				r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"`+string(st)+`"}`, ifMatch(tk.Version))
				if r.Code != 200 {
					t.Fatalf("setup move to %s: %d %s", st, r.Code, r.Body)
				}
				r.json(t, tk)
			}
			r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"`+string(c.to)+`"}`, ifMatch(tk.Version))
			if r.Code != c.want {
				t.Fatalf("got %d, want %d: %s", r.Code, c.want, r.Body)
			}
			if c.want == 409 {
				d := r.errorBody(t)
				if d.Code != triage.ECONFLICT || d.Field != "status" || !slices.Equal(d.Allowed, c.allowed) && !(len(d.Allowed) == 0 && len(c.allowed) == 0) {
					t.Errorf("409 body = %+v, want allowed %v", d, c.allowed)
				}
			}
			if c.want == 200 {
				var got triage.Ticket
				r.json(t, &got)
				if got.Status != c.to {
					t.Errorf("status = %s, want %s", got.Status, c.to)
				}
				if solved := c.to == triage.StatusSolved || c.to == triage.StatusClosed; solved != (got.SolvedAt != nil) {
					t.Errorf("solved_at = %v for status %s", got.SolvedAt, got.Status)
				}
				if c.to == triage.StatusClosed && got.ClosedAt == nil {
					t.Error("closed_at not set")
				}
			}
		})
	}
}

func TestCommentsAndFirstResponse(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	post := func(role triage.Role, body string) int {
		t.Helper()
		return e.do("POST", "/v1/tickets/"+tk.ID+"/comments", role, body).Code
	}
	if c := post(triage.RoleAgent, `{"body":"内部备注：先查一下支付渠道","public":false}`); c != 201 {
		t.Fatalf("note: %d", c)
	}
	if got := e.getTicket(tk.ID); got.FirstResponseAt != nil || got.Status != triage.StatusNew {
		t.Fatalf("an internal note set first response or status: %+v", got)
	}
	if c := post(triage.RoleAgent, `{"body":"您好，退款已经加急处理。","public":true}`); c != 201 {
		t.Fatalf("reply: %d", c)
	}
	got := e.getTicket(tk.ID)
	if got.FirstResponseAt == nil || got.Status != triage.StatusOpen {
		t.Fatalf("first public reply: first_response_at=%v status=%s", got.FirstResponseAt, got.Status)
	}
	first := *got.FirstResponseAt
	if c := post(triage.RoleAgent, `{"body":"再补充一句","public":true}`); c != 201 {
		t.Fatalf("second reply: %d", c)
	}
	if got := e.getTicket(tk.ID); !got.FirstResponseAt.Equal(first) {
		t.Errorf("second reply moved first_response_at from %v to %v", first, got.FirstResponseAt)
	}
	// The requester answers a pending ticket: it comes back to open.
	got = e.getTicket(tk.ID)
	if r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"pending"}`, ifMatch(got.Version)); r.Code != 200 {
		t.Fatalf("pending: %d %s", r.Code, r.Body)
	}
	if c := post(triage.RoleAgent, `{"body":"还是没收到","from_requester":true}`); c != 201 {
		t.Fatalf("requester message: %d", c)
	}
	if got := e.getTicket(tk.ID); got.Status != triage.StatusOpen {
		t.Errorf("requester reply left status %s", got.Status)
	}
	var list struct{ Items []triage.Comment }
	e.do("GET", "/v1/tickets/"+tk.ID+"/comments", triage.RoleViewer, "").json(t, &list)
	if len(list.Items) != 4 || list.Items[0].Public || !list.Items[3].FromRequester || list.Items[1].AuthorID != e.agent.ID {
		t.Errorf("comments = %+v", list.Items)
	}
	if c := post(triage.RoleViewer, `{"body":"x"}`); c != http.StatusForbidden {
		t.Errorf("viewer comment: %d", c)
	}
	if c := post(triage.RoleAgent, `{"body":"  "}`); c != http.StatusBadRequest {
		t.Errorf("empty comment: %d", c)
	}
}

func TestHistory(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"priority":"P1","category":"支付与退款","tags":["VIP","退款"],"assignee_id":"`+e.agent.ID+`","note":"客户是大客户"}`, ifMatch(tk.Version))
	if r.Code != 200 {
		t.Fatalf("patch: %d %s", r.Code, r.Body)
	}
	var h struct{ Items []triage.HistoryEntry }
	e.do("GET", "/v1/tickets/"+tk.ID+"/history", triage.RoleViewer, "").json(t, &h)
	want := map[string][2]string{
		"status":      {"", "new"},
		"priority":    {"P3", "P1"},
		"category":    {"", "支付与退款"},
		"tags":        {"", "vip,退款"},
		"assignee_id": {"", e.agent.ID},
	}
	for _, it := range h.Items {
		w, ok := want[it.Field]
		if !ok {
			continue
		}
		if it.Old != w[0] || it.New != w[1] {
			t.Errorf("%s: %q → %q, want %q → %q", it.Field, it.Old, it.New, w[0], w[1])
		}
		if it.Actor == "" || it.At.IsZero() {
			t.Errorf("%s: missing actor or time: %+v", it.Field, it)
		}
		if it.Field == "priority" && (it.Note != "客户是大客户" || it.Actor != "agent:"+e.agent.ID) {
			t.Errorf("priority entry = %+v", it)
		}
		delete(want, it.Field)
	}
	if len(want) > 0 {
		t.Errorf("history lacks %v; got %+v", want, h.Items)
	}
	// A PATCH that changes nothing records nothing and keeps the version.
	got := e.getTicket(tk.ID)
	r = e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"priority":"P1"}`, ifMatch(got.Version))
	var after triage.Ticket
	r.json(t, &after)
	if after.Version != got.Version {
		t.Errorf("no-op patch bumped version %d → %d", got.Version, after.Version)
	}
	if r := e.do("GET", "/v1/tickets/nope/history", triage.RoleViewer, ""); r.Code != 404 {
		t.Errorf("history of a missing ticket: %d", r.Code)
	}
}

func TestListTickets(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.ticket(fmt.Sprintf(`{"title":"问题 %d","body":"内容 %d","tags":["t%d"],"priority":"P%d"}`, i, i, i%2, 1+i%4))
	}
	var page struct {
		Items      []triage.Ticket
		NextCursor string `json:"next_cursor"`
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		r := e.do("GET", "/v1/tickets?limit=3&cursor="+cursor, triage.RoleViewer, "")
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		page.NextCursor = ""
		r.json(t, &page)
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Fatalf("ticket %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d tickets, want 7", len(seen))
	}
	cases := []struct {
		query string
		want  int
		code  int
	}{
		{"tag=t1", 3, 200},
		{"priority=P1", 2, 200},
		{"tag=t0&priority=P1", 2, 200},
		{"q=3", 1, 200},
		{"q=%E9%97%AE%E9%A2%98%203", 7, 200}, // q=问题 3: any word may match
		{"status=new,open", 7, 200},
		{"status=closed", 0, 200},
		{"assignee=none", 7, 200},
		{"stauts=open", 0, 400},
		{"limit=0", 0, 400},
		{"priority=P9", 0, 400},
		{"status=bogus", 0, 400},
		{"created_from=yesterday", 0, 400},
		{"cursor=%%%", 0, 400},
		{"cursor=bm90LWEtY3Vyc29y", 0, 400},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := e.do("GET", "/v1/tickets?"+c.query, triage.RoleViewer, "")
			if r.Code != c.code {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if c.code != 200 {
				if d := r.errorBody(t); d.Field == "" {
					t.Errorf("400 without a field: %+v", d)
				}
				return
			}
			var p struct{ Items []triage.Ticket }
			r.json(t, &p)
			if len(p.Items) != c.want {
				t.Errorf("%d tickets, want %d", len(p.Items), c.want)
			}
		})
	}
}

func TestTicketEventsAreEnqueued(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	steps := []struct {
		status triage.Status
		event  string
	}{
		{"open", triage.EventTicketUpdated.String()},
		{"solved", triage.EventTicketSolved.String()},
		{"open", triage.EventTicketReopened.String()},
		{"solved", triage.EventTicketSolved.String()},
		{"closed", triage.EventTicketClosed.String()},
	}
	for _, s := range steps {
		r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"`+string(s.status)+`"}`, ifMatch(tk.Version))
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", s.status, r.Code, r.Body)
		}
		r.json(t, tk)
	}
	// A failed write enqueues nothing.
	e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"open"}`, ifMatch(tk.Version))
	var kinds []string
	for _, j := range e.queued() {
		var ev triage.TicketEvent
		if err := json.Unmarshal(j.Args, &ev); err != nil || ev.TicketID != tk.ID && ev.TicketID != "" {
			continue
		}
		if ev.TicketID == tk.ID {
			kinds = append(kinds, j.Kind)
		}
	}
	want := []string{triage.EventTicketCreated.String()}
	for _, s := range steps {
		want = append(want, s.event)
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
}

// TestTicketSearch: q finds tickets in any script or width, as the KB
// search would, best first, combined with the other filters and paged.
func TestTicketSearch(t *testing.T) {
	e := newEnv(t)
	mk := func(title, body, extra string) string {
		return e.ticket(fmt.Sprintf(`{"title":%q,"body":%q%s}`, title, body, extra)).ID
	}
	trad := mk("申請退貨三天了", "退貨單號已經填寫，還沒有人處理", "")
	simp := mk("退货流程", "怎么申请退货", `,"priority":"P1"`)
	band := mk("手環連不上藍牙", "重啟也不行", "")
	mk("发票抬头写错", "怎么改", "")
	type page struct {
		Items      []triage.Ticket
		NextCursor string `json:"next_cursor"`
	}
	list := func(q string) page {
		t.Helper()
		r := e.do("GET", "/v1/tickets?"+q, triage.RoleViewer, "")
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", q, r.Code, r.Body)
		}
		var p page
		r.json(t, &p)
		return p
	}
	idsOf := func(p page) []string {
		var out []string
		for _, it := range p.Items {
			out = append(out, it.ID)
		}
		return out
	}
	sameSet := func(q string, want ...string) {
		t.Helper()
		got := idsOf(list(q))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s found %v, want %v", q, got, want)
		}
	}
	sameSet("q="+url.QueryEscape("退货"), trad, simp)
	sameSet("q="+url.QueryEscape("退貨"), trad, simp)
	sameSet("q="+url.QueryEscape("手环"), band)
	sameSet("q="+url.QueryEscape("手环 蓝牙"), band)
	sameSet("q="+url.QueryEscape("退货")+"&priority=P1", simp)
	// Best first: the ticket with every word of the query (申请, 退货,
	// 三天) before the one with two of them.
	if got := idsOf(list("q=" + url.QueryEscape("申请退货三天"))); len(got) != 2 || got[0] != trad {
		t.Errorf("申请退货三天: %v, want %s first", got, trad)
	}
	// Paged by relevance: one at a time, each once.
	p := list("q=" + url.QueryEscape("退货") + "&limit=1")
	first := idsOf(p)
	if p.NextCursor == "" || len(first) != 1 {
		t.Fatalf("first page: %+v", p)
	}
	p2 := list("q=" + url.QueryEscape("退货") + "&limit=1&cursor=" + p.NextCursor)
	if second := idsOf(p2); len(second) != 1 || second[0] == first[0] || p2.NextCursor != "" {
		t.Errorf("second page: %v after %v, next %q", second, first, p2.NextCursor)
	}
	// A search's cursor does not page a plain list.
	if r := e.do("GET", "/v1/tickets?limit=1&cursor="+p.NextCursor, triage.RoleViewer, ""); r.Code != 400 || r.errorBody(t).Field != "cursor" {
		t.Errorf("a search cursor on a plain list: %d %s", r.Code, r.Body)
	}
}
