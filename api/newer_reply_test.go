package api_test

import (
	"net/http"
	"testing"

	"github.com/triagehq/triage"
)

// TestReplyOverNewerReply: a reply that says which comment it was written
// after is refused (412, reason ticket.newer_reply naming who) when
// another agent replied publicly since, and goes with force; one's own
// replies, internal notes and replies that say nothing are not held
// (issue 18, "sending over someone else's newer reply asks first").
func TestReplyOverNewerReply(t *testing.T) {
	e := newEnv(t)
	tk := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"退款没到账","body":"订单 2026120711 的退款一周了还没到","requester":{"name":"王先生","email":"wang@example.com"}}`, &triage.Ticket{}).(*triage.Ticket)
	path := "/v1/tickets/" + tk.ID + "/comments"
	other := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"孙丽","email":"sunli@example.com"}`, &triage.Agent{}).(*triage.Agent)
	tok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"sunli","role":"agent","agent_id":"`+other.ID+`"}`, &triage.Token{}).(*triage.Token)
	asOther := "Authorization: Bearer " + tok.Secret

	// 孙丽 answers while 李娜 (the agent token) is writing, having seen
	// no comment.
	var theirs triage.Comment
	if r := e.do("POST", path, "", `{"body":"您好，退款已加急。","public":true}`, asOther); r.Code != http.StatusCreated {
		t.Fatalf("孙丽's reply: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &theirs)
	}
	mine := `{"body":"您好，我来帮您查一下。","public":true,"written_after":""`
	r := e.do("POST", path, triage.RoleAgent, mine+`}`)
	if r.Code != http.StatusPreconditionFailed {
		t.Fatalf("a reply over a newer one: %d %s, want 412", r.Code, r.Body)
	}
	b := r.errorBody(t)
	if b.Code != triage.ESTALE || b.Field != "written_after" || b.Reason == nil || b.Reason.Code != triage.ReasonTicketNewerReply ||
		b.Reason.Args["author"] != other.ID || b.Reason.Args["comment_id"] != theirs.ID {
		t.Fatalf("the refusal: %+v reason %+v", b, b.Reason)
	}
	cs := comments(t, e, tk.ID)
	if len(cs) != 1 {
		t.Fatalf("the refused reply was stored: %d comments", len(cs))
	}
	for _, tc := range []struct {
		name, body string
		role       triage.Role
		want       int
	}{
		{"forced", mine + `,"force":true}`, triage.RoleAgent, http.StatusCreated},
		{"written after the newer reply", `{"body":"补充：预计明天到账。","public":true,"written_after":"` + theirs.ID + `"}`, triage.RoleAgent, http.StatusCreated},
		// Only one's own reply came since: not held.
		{"after one's own reply", `{"body":"还有什么可以帮您？","public":true,"written_after":"` + theirs.ID + `"}`, triage.RoleAgent, http.StatusCreated},
		{"an internal note", `{"body":"注意：孙丽已回复","public":false,"written_after":""}`, triage.RoleAgent, http.StatusCreated},
		{"without written_after", `{"body":"好的","public":true}`, triage.RoleAgent, http.StatusCreated},
		{"an unknown comment", `{"body":"好的","public":true,"written_after":"cmt_nosuch"}`, triage.RoleAgent, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", path, tc.role, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tc.want)
			}
			if tc.want == http.StatusBadRequest && r.errorBody(t).Field != "written_after" {
				t.Errorf("the 400 names %q", r.errorBody(t).Field)
			}
		})
	}
	if n := len(comments(t, e, tk.ID)); n != 6 {
		t.Errorf("comments stored: %d, want 6", n)
	}
}

func comments(t *testing.T, e *env, ticketID string) []triage.Comment {
	t.Helper()
	var l struct{ Items []triage.Comment }
	r := e.do("GET", "/v1/tickets/"+ticketID+"/comments", triage.RoleAdmin, "")
	r.json(t, &l)
	return l.Items
}

// TestMacroReplyOverNewerReply: a reply sent with a macro is held as a
// typed one is: written after a comment that another agent's public
// reply follows, it is refused (412, ticket.newer_reply) and the macro's
// changes are not made; with force, or written after that reply, it goes.
func TestMacroReplyOverNewerReply(t *testing.T) {
	e := newEnv(t)
	tk := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"退款没到账","body":"订单 2026120712 的退款还没到","requester":{"name":"李女士","email":"li@example.com"}}`, &triage.Ticket{}).(*triage.Ticket)
	m := e.mustCreate("POST", "/v1/macros", triage.RoleAdmin, `{"title":"退款说明","body":"{{requester.name}}您好，退款一般1-3个工作日原路到账。","actions":{"status":"pending"}}`, &triage.Macro{}).(*triage.Macro)
	other := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"孙丽","email":"sunli2@example.com"}`, &triage.Agent{}).(*triage.Agent)
	tok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"sunli2","role":"agent","agent_id":"`+other.ID+`"}`, &triage.Token{}).(*triage.Token)
	var theirs triage.Comment
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/comments", "", `{"body":"您好，退款已加急。","public":true}`, "Authorization: Bearer "+tok.Secret); r.Code != http.StatusCreated {
		t.Fatalf("孙丽's reply: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &theirs)
	}
	apply := "/v1/tickets/" + tk.ID + "/macros/" + m.ID + "/apply"
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"over the newer reply", `{"version":1,"written_after":""}`, http.StatusPreconditionFailed},
		{"forced", `{"version":1,"written_after":"","force":true}`, http.StatusOK},
		{"written after the newer reply", `{"version":1,"written_after":"` + theirs.ID + `"}`, http.StatusOK},
		{"an unknown comment", `{"version":1,"written_after":"cmt_nosuch"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(comments(t, e, tk.ID))
			r := e.do("POST", apply, triage.RoleAgent, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tc.want)
			}
			after := len(comments(t, e, tk.ID))
			if tc.want != http.StatusOK {
				if b := r.errorBody(t); b.Field != "written_after" {
					t.Errorf("the refusal names %q, want written_after", b.Field)
				}
				if after != before {
					t.Errorf("a refused macro reply was stored: %d comments, had %d", after, before)
				}
			}
			if tc.want == http.StatusPreconditionFailed {
				if b := r.errorBody(t); b.Reason == nil || b.Reason.Code != triage.ReasonTicketNewerReply || b.Reason.Args["author"] != other.ID {
					t.Errorf("the refusal's reason: %+v", b.Reason)
				}
				var now triage.Ticket
				e.do("GET", "/v1/tickets/"+tk.ID, triage.RoleAdmin, "").json(t, &now)
				if now.Status == triage.StatusPending {
					t.Error("the refused macro still set the ticket pending")
				}
			}
		})
	}
}
