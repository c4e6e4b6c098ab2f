package api_test

import (
	"net/http"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// TestWorkflowSettings: the settings start as the service's defaults
// (review on, 4d); an admin changes them, a bad value is a 400 naming the
// field, other roles only read them, every change is in the audit trail
// with who made it, and the automations' built-in rule shows the new time.
func TestWorkflowSettings(t *testing.T) {
	e := newEnv(t)
	get := func() api.WorkflowSettingsView {
		t.Helper()
		var v api.WorkflowSettingsView
		r := e.do("GET", "/v1/settings/workflow", triage.RoleAgent, "")
		if r.Code != 200 {
			t.Fatalf("GET: %d %s", r.Code, r.Body)
		}
		r.json(t, &v)
		return v
	}
	if v := get(); !v.KBReview || v.CloseSolvedAfter != "4d" || v.Version != 0 || len(v.Changes) != 0 {
		t.Fatalf("defaults: %+v", v)
	}
	for _, tc := range []struct {
		name, body string
		role       triage.Role
		code       int
		field      string
	}{
		{"a time that is none", `{"close_solved_after":"soon"}`, triage.RoleAdmin, http.StatusBadRequest, "close_solved_after"},
		{"null review", `{"kb_review":null}`, triage.RoleAdmin, http.StatusBadRequest, "kb_review"},
		{"an editor may not", `{"kb_review":false}`, triage.RoleEditor, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PATCH", "/v1/settings/workflow", tc.role, tc.body, "If-Match: *")
			if r.Code != tc.code {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tc.code)
			}
			if tc.field != "" && r.errorBody(t).Field != tc.field {
				t.Errorf("field %q, want %q", r.errorBody(t).Field, tc.field)
			}
		})
	}
	r := e.do("PATCH", "/v1/settings/workflow", triage.RoleAdmin, `{"close_solved_after":"36h","kb_review":false}`, "If-Match: *")
	if r.Code != 200 {
		t.Fatalf("PATCH: %d %s", r.Code, r.Body)
	}
	v := get()
	if v.KBReview || v.CloseSolvedAfter != "36h" || v.Version != 1 || v.UpdatedByName != "first admin" || len(v.Changes) != 2 {
		t.Fatalf("after the change: %+v", v)
	}
	got := map[string][2]string{}
	for _, c := range v.Changes {
		got[c.Setting] = [2]string{c.From, c.To}
		if c.ActorName != "first admin" {
			t.Errorf("change %+v by %q, want admin", c.SettingChange, c.ActorName)
		}
	}
	if got["kb_review"] != [2]string{"true", "false"} || got["close_solved_after"] != [2]string{"4d", "36h"} {
		t.Errorf("audit trail: %v", got)
	}
	// A stale version is refused; the same value again records nothing.
	if r := e.do("PATCH", "/v1/settings/workflow", triage.RoleAdmin, `{"kb_review":true}`, `If-Match: "7"`); r.Code != http.StatusPreconditionFailed {
		t.Errorf("stale If-Match: %d %s", r.Code, r.Body)
	}
	e.do("PATCH", "/v1/settings/workflow", triage.RoleAdmin, `{"close_solved_after":"36h"}`, "If-Match: *")
	if v := get(); len(v.Changes) != 2 || v.Version != 1 {
		t.Errorf("an unchanged save: %+v", v)
	}
	var tpl api.AutomationTemplates
	e.do("GET", "/v1/automations/templates", triage.RoleAdmin, "").json(t, &tpl)
	if len(tpl.Builtin) != 1 || tpl.Builtin[0].After != "36h" || !tpl.Builtin[0].Enabled || tpl.Builtin[0].UpdatedBy == "" {
		t.Errorf("built-in rule: %+v", tpl.Builtin)
	}
}
