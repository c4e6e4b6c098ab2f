package api_test

import (
	"net/http"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/automate"
)

// TestAutomationInput: a bad automation is a 400 naming the part at
// fault, never a 500; a good one is created, dry-run and listed.
func TestAutomationInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"unknown op", "/v1/automations", `{"name":"x","events":["ticket.created"],"conditions":[{"field":"title","op":"like","value":"a"}],"actions":[{"type":"add_tags","tags":["a"]}]}`, "conditions[0].op"},
		{"unknown event", "/v1/automations", `{"name":"x","events":["ticket.exploded"],"actions":[{"type":"add_tags","tags":["a"]}]}`, "events[0]"},
		{"team that does not exist", "/v1/automations", `{"name":"x","events":["ticket.created"],"actions":[{"type":"set_team","value":"nope"}]}`, "actions[0].value"},
		{"age of the wrong shape", "/v1/automations", `{"name":"x","kind":"time","age":{"after":"soon"},"actions":[{"type":"add_tags","tags":["a"]}]}`, "age.after"},
		{"actions not a list", "/v1/automations", `{"name":"x","events":["ticket.created"],"actions":{"type":"x"}}`, "actions"},
		{"dry run of nothing", "/v1/automations/dry-run", `{"limit":5}`, "automation"},
		{"dry run of a bad one", "/v1/automations/dry-run", `{"automation":{"name":"x","events":["ticket.created"],"actions":[]}}`, "automation.actions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", tc.path, triage.RoleAdmin, tc.body)
			if r.Code != http.StatusBadRequest {
				t.Fatalf("%d: %s", r.Code, r.Body)
			}
			if got := r.errorBody(t).Field; got != tc.field {
				t.Fatalf("field = %q, want %q (%s)", got, tc.field, r.Body)
			}
		})
	}
	if r := e.do("GET", "/v1/automations/log?limit=0", triage.RoleAdmin, ""); r.Code != 400 || r.errorBody(t).Field != "limit" {
		t.Fatalf("log?limit=0: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/automations/log?noop=maybe", triage.RoleAdmin, ""); r.Code != 400 || r.errorBody(t).Field != "noop" {
		t.Fatalf("log?noop=maybe: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/automations/log?noop=true", triage.RoleAdmin, ""); r.Code != 200 {
		t.Fatalf("log?noop=true: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/automations/log?automation_id=nope", triage.RoleAdmin, ""); r.Code != 400 || r.errorBody(t).Field != "automation_id" {
		t.Fatalf("log of nothing: %d %s", r.Code, r.Body)
	}

	a := e.mustCreate("POST", "/v1/automations", triage.RoleAdmin, automationFixture, &triage.Automation{}).(*triage.Automation)
	e.ticket(`{"title":"发票开错了","body":"请重开"}`)
	var dry automate.DryRunResult
	if r := e.do("POST", "/v1/automations/dry-run", triage.RoleAdmin, `{"automation_id":"`+a.ID+`","limit":10}`); r.Code != 200 {
		t.Fatalf("dry run: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &dry)
	}
	if dry.Fired < 1 || dry.Items[0].Title != "发票开错了" {
		t.Fatalf("dry run: %+v", dry)
	}
}
