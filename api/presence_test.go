package api_test

import (
	"testing"

	"github.com/triagehq/triage"
)

func TestPresence(t *testing.T) {
	e := newEnv(t)
	var a triage.Agent
	r := e.do("POST", "/v1/presence/heartbeat", triage.RoleAgent, "")
	if r.Code != 200 {
		t.Fatalf("heartbeat: %d %s", r.Code, r.Body)
	}
	r.json(t, &a)
	if a.ID != e.agent.ID || a.Presence != triage.PresenceOnline || a.LastSeenAt == nil {
		t.Fatalf("after a heartbeat: %+v", a)
	}
	r = e.do("PUT", "/v1/presence", triage.RoleAgent, `{"presence":"away"}`)
	r.json(t, &a)
	if r.Code != 200 || a.Presence != triage.PresenceAway || a.PresenceOverride != triage.PresenceAway {
		t.Fatalf("choosing away: %d %s", r.Code, r.Body)
	}
	// Away: a new ticket in the agent's skill waits rather than going to them.
	tk := e.ticket(`{"title":"退款还没到账","body":"申请退款一周了","category":"支付与退款"}`)
	if got := e.getTicket(tk.ID); got.AssigneeID == e.agent.ID {
		t.Errorf("a ticket went to an agent who chose away")
	}
	// Back: the waiting ticket is routed to them.
	r = e.do("PUT", "/v1/presence", triage.RoleAgent, `{"presence":""}`)
	r.json(t, &a)
	if r.Code != 200 || a.Presence != triage.PresenceOnline {
		t.Fatalf("back to activity: %d %s", r.Code, r.Body)
	}
	if got := e.getTicket(tk.ID); got.AssigneeID != e.agent.ID {
		t.Errorf("the waiting ticket's assignee is %q after the agent came back, want %s", got.AssigneeID, e.agent.ID)
	}
	if r := e.do("PUT", "/v1/presence", triage.RoleAgent, `{"presence":"busy"}`); r.Code != 400 || r.errorBody(t).Field != "presence" {
		t.Errorf("presence busy: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/presence/heartbeat", triage.RoleViewer, ""); r.Code != 409 {
		t.Errorf("a token of no agent: %d, want 409", r.Code)
	}
}
