package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

func TestTicketSort(t *testing.T) {
	e := newEnv(t)
	p4 := e.ticket(`{"title":"一","body":"小问题","priority":"P4"}`)
	p1 := e.ticket(`{"title":"二","body":"大问题","priority":"P1"}`)
	p3 := e.ticket(`{"title":"三","body":"中问题","priority":"P3"}`)
	// p4 changed last, so it is first by updated.
	if r := e.do("PATCH", "/v1/tickets/"+p4.ID, triage.RoleAgent, `{"status":"open"}`, ifMatch(p4.Version)); r.Code != 200 {
		t.Fatalf("patch: %d %s", r.Code, r.Body)
	}
	ids := func(q string) []string {
		t.Helper()
		r := e.do("GET", "/v1/tickets?"+q, triage.RoleAgent, "")
		if r.Code != 200 {
			t.Fatalf("GET ?%s: %d %s", q, r.Code, r.Body)
		}
		var l api.List[*triage.Ticket]
		r.json(t, &l)
		var out []string
		for _, x := range l.Items {
			out = append(out, x.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{p3.ID, p1.ID, p4.ID}},
		{"sort=created", []string{p3.ID, p1.ID, p4.ID}},
		{"sort=updated", []string{p4.ID, p3.ID, p1.ID}},
		{"sort=priority", []string{p1.ID, p3.ID, p4.ID}},
	} {
		t.Run(c.q, func(t *testing.T) {
			if got := ids(c.q); !slices.Equal(got, c.want) {
				t.Errorf("?%s = %v, want %v", c.q, got, c.want)
			}
		})
	}
	t.Run("pages by position", func(t *testing.T) {
		r := e.do("GET", "/v1/tickets?sort=priority&limit=2", triage.RoleAgent, "")
		var l api.List[*triage.Ticket]
		r.json(t, &l)
		if len(l.Items) != 2 || l.NextCursor == "" {
			t.Fatalf("first page = %d items, cursor %q", len(l.Items), l.NextCursor)
		}
		if got := ids("sort=priority&limit=2&cursor=" + url.QueryEscape(l.NextCursor)); !slices.Equal(got, []string{p4.ID}) {
			t.Errorf("second page = %v, want [%s]", got, p4.ID)
		}
		if r := e.do("GET", "/v1/tickets?sort=updated&cursor="+url.QueryEscape(l.NextCursor), triage.RoleAgent, ""); r.Code != 400 || r.errorBody(t).Field != "cursor" {
			t.Errorf("a priority cursor with sort=updated: %d %s", r.Code, r.Body)
		}
	})
	for _, q := range []string{"sort=oldest", "sort=priority&q=问题"} {
		t.Run(q, func(t *testing.T) {
			r := e.do("GET", "/v1/tickets?"+q, triage.RoleAgent, "")
			if r.Code != 400 || r.errorBody(t).Field != "sort" {
				t.Errorf("?%s: %d %s, want 400 naming sort", q, r.Code, r.Body)
			}
		})
	}
}

func TestBulkUpdate(t *testing.T) {
	e := newEnv(t)
	a := e.ticket(`{"title":"甲","body":"一","tags":["vip"]}`)
	b := e.ticket(`{"title":"乙","body":"二"}`)
	c := e.ticket(`{"title":"丙","body":"三"}`)
	// b changes after the caller saw it: the bulk action must not
	// overwrite it.
	if r := e.do("PATCH", "/v1/tickets/"+b.ID, triage.RoleAgent, `{"priority":"P1"}`, ifMatch(b.Version)); r.Code != 200 {
		t.Fatalf("patch: %d %s", r.Code, r.Body)
	}
	body := fmt.Sprintf(`{"tickets":[{"id":%q,"version":%d},{"id":%q,"version":%d},{"id":%q,"version":%d},{"id":"nope","version":1}],
		"status":"pending","priority":"P2","add_tags":["批量"],"remove_tags":["vip"]}`, a.ID, a.Version, b.ID, b.Version, c.ID, c.Version)
	r := e.do("POST", "/v1/tickets/bulk", triage.RoleAgent, body)
	if r.Code != 200 {
		t.Fatalf("bulk: %d %s", r.Code, r.Body)
	}
	var res api.BulkResult
	r.json(t, &res)
	if res.Updated != 2 || res.Failed != 2 || len(res.Items) != 4 {
		t.Fatalf("result = %+v, want 2 updated, 2 failed", res)
	}
	if it := res.Items[1]; it.OK || it.Error == nil || it.Error.Code != triage.ESTALE {
		t.Errorf("stale ticket b = %+v, want precondition_failed", it)
	}
	if it := res.Items[3]; it.OK || it.Error == nil || it.Error.Code != triage.ENOTFOUND {
		t.Errorf("unknown ticket = %+v, want not_found", it)
	}
	for _, id := range []string{a.ID, c.ID} {
		got := e.getTicket(id)
		if got.Status != triage.StatusPending || got.Priority != "P2" || !slices.Equal(got.Tags, []string{"批量"}) {
			t.Errorf("ticket %s = %s %s %v, want pending P2 [批量]", id, got.Status, got.Priority, got.Tags)
		}
	}
	if got := e.getTicket(b.ID); got.Priority != "P1" || got.Status == triage.StatusPending {
		t.Errorf("stale ticket b was changed: %s %s", got.Status, got.Priority)
	}
	for _, c := range []struct{ body, field string }{
		{`{"tickets":[],"status":"open"}`, "tickets"},
		{fmt.Sprintf(`{"tickets":[{"id":%q}],"status":"open"}`, a.ID), "tickets[0].version"},
		{fmt.Sprintf(`{"tickets":[{"id":%q,"version":9}]}`, a.ID), "tickets"},
	} {
		r := e.do("POST", "/v1/tickets/bulk", triage.RoleAgent, c.body)
		if r.Code != 400 || r.errorBody(t).Field != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, r.Code, r.Body, c.field)
		}
	}
	if r := e.do("POST", "/v1/tickets/bulk", triage.RoleViewer, body); r.Code != 403 {
		t.Errorf("viewer: %d, want 403", r.Code)
	}
}
