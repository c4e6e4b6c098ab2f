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
