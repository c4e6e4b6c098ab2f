package api_test

import (
	"net/http"
	"testing"

	"github.com/triagehq/triage"
)

// TestNotificationPrefs: a person's e-mail choices round-trip in the
// kinds' order without repeats; an unknown kind or no list is a 400
// naming mail; a token that is no person has no choices to make (409).
func TestNotificationPrefs(t *testing.T) {
	e := newEnv(t)
	var p triage.NotificationPrefs
	r := e.do("GET", "/v1/notifications/prefs", triage.RoleAgent, "")
	if r.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", r.Code, r.Body)
	}
	r.json(t, &p)
	if p.AgentID != e.agent.ID || len(p.Mail) != 0 {
		t.Fatalf("before choosing: %+v", p)
	}
	r = e.do("PUT", "/v1/notifications/prefs", triage.RoleAgent, `{"mail":["mention","assigned","mention"]}`)
	if r.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Code, r.Body)
	}
	e.do("GET", "/v1/notifications/prefs", triage.RoleAgent, "").json(t, &p)
	if len(p.Mail) != 2 || p.Mail[0] != triage.NotifyAssigned || p.Mail[1] != triage.NotifyMention {
		t.Fatalf("after choosing: %+v", p.Mail)
	}
	for _, tc := range []struct{ name, body string }{
		{"unknown kind", `{"mail":["assigned","weekly_digest"]}`},
		{"no list", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PUT", "/v1/notifications/prefs", triage.RoleAgent, tc.body)
			if r.Code != http.StatusBadRequest || r.errorBody(t).Field != "mail" {
				t.Fatalf("%d %s, want 400 naming mail", r.Code, r.Body)
			}
		})
	}
	if r := e.do("PUT", "/v1/notifications/prefs", triage.RoleViewer, `{"mail":[]}`); r.Code != http.StatusConflict {
		t.Errorf("a token that is no person: %d %s, want 409", r.Code, r.Body)
	}
}
