package api_test

import (
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

func TestSavedViews(t *testing.T) {
	e := newEnv(t)
	var v triage.SavedView
	e.mustCreate("POST", "/v1/views", triage.RoleAgent, `{"name":"紧急","query":"?priority=P1&sort=sla_due&status=new,open"}`, &v)
	if v.ID == "" || v.AgentID != e.agent.ID || v.Query != "priority=P1&sort=sla_due&status=new%2Copen" {
		t.Fatalf("saved = %+v", v)
	}
	var again triage.SavedView
	e.mustCreate("POST", "/v1/views", triage.RoleAgent, `{"name":"紧急","query":"priority=P1&sort=updated"}`, &again)
	if again.ID != v.ID {
		t.Errorf("saving the name again made a new view %s, want %s replaced", again.ID, v.ID)
	}
	r := e.do("GET", "/v1/views", triage.RoleAgent, "")
	var l api.List[*triage.SavedView]
	r.json(t, &l)
	if len(l.Items) != 1 || l.Items[0].Query != "priority=P1&sort=updated" {
		t.Fatalf("views = %s", r.Body)
	}
	// Another caller sees none of them and cannot delete them.
	var none api.List[*triage.SavedView]
	if r := e.do("GET", "/v1/views", triage.RoleViewer, ""); r.Code != 200 {
		t.Errorf("viewer's views: %d %s", r.Code, r.Body)
	} else if r.json(t, &none); none.Items == nil || len(none.Items) != 0 {
		t.Errorf("viewer's views = %s, want an empty list", r.Body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"name":"x","query":"sort=oldest"}`, "sort"},
		{`{"name":"x","query":"stauts=open"}`, "query"},
		{`{"name":"x","query":"cursor=abc"}`, "query"},
		{`{"name":"x","query":"priority=P9"}`, "priority"},
		{`{"name":"","query":"priority=P1"}`, "name"},
		{`{"name":"x","query":"q=退款&sort=priority"}`, "sort"},
	} {
		r := e.do("POST", "/v1/views", triage.RoleAgent, c.body)
		if r.Code != 400 || r.errorBody(t).Field != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, r.Code, r.Body, c.field)
		}
	}
	if r := e.do("POST", "/v1/views", triage.RoleViewer, `{"name":"x","query":""}`); r.Code != 409 {
		t.Errorf("a token of no agent saving a view: %d %s, want 409", r.Code, r.Body)
	}
	if r := e.do("DELETE", "/v1/views/"+v.ID, triage.RoleAgent, ""); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	if r := e.do("DELETE", "/v1/views/"+v.ID, triage.RoleAgent, ""); r.Code != 404 {
		t.Errorf("delete again: %d, want 404", r.Code)
	}
}
