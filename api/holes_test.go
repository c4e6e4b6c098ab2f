package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// TestDeleteAgentRevokesTokens: deleting an agent revokes every token tied
// to it in the same write, so a departed agent's credentials stop working
// at once; other tokens keep working, and the last admin token cannot go
// that way either.
func TestDeleteAgentRevokesTokens(t *testing.T) {
	e := newEnv(t)
	leaver := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"王磊"}`, &triage.Agent{}).(*triage.Agent)
	var tied []*triage.Token
	for _, role := range []triage.Role{triage.RoleAgent, triage.RoleViewer} {
		body := fmt.Sprintf(`{"name":"%s of 王磊","role":"%s","agent_id":"%s"}`, role, role, leaver.ID)
		tied = append(tied, e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, body, &triage.Token{}).(*triage.Token))
	}
	for _, tok := range tied {
		if r := e.do("GET", "/v1/me", "", "", "Authorization: Bearer "+tok.Secret); r.Code != 200 {
			t.Fatalf("token %s before deletion: %d %s", tok.Name, r.Code, r.Body)
		}
	}
	if r := e.do("DELETE", "/v1/agents/"+leaver.ID, triage.RoleAdmin, "", ifMatch(leaver.Version)); r.Code != 204 {
		t.Fatalf("delete agent: %d %s", r.Code, r.Body)
	}
	for _, tok := range tied {
		t.Run(tok.Name, func(t *testing.T) {
			if r := e.do("GET", "/v1/me", "", "", "Authorization: Bearer "+tok.Secret); r.Code != 401 {
				t.Errorf("token of a deleted agent: %d %s", r.Code, r.Body)
			}
			var got triage.Token
			e.do("GET", "/v1/tokens/"+tok.ID, triage.RoleAdmin, "").json(t, &got)
			if got.RevokedAt == nil {
				t.Errorf("token of a deleted agent is not marked revoked: %+v", got)
			}
		})
	}
	// Tokens of other agents and of nobody are untouched.
	for _, role := range []triage.Role{triage.RoleAgent, triage.RoleViewer, triage.RoleAdmin} {
		if r := e.do("GET", "/v1/me", role, ""); r.Code != 200 {
			t.Errorf("%s token after another agent's deletion: %d", role, r.Code)
		}
	}

	// An agent holding the only active admin token is not deleted.
	boss := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"陈静"}`, &triage.Agent{}).(*triage.Agent)
	bossTok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"boss","role":"admin","agent_id":"`+boss.ID+`"}`, &triage.Token{}).(*triage.Token)
	var me struct {
		TokenID string `json:"token_id"`
	}
	e.do("GET", "/v1/me", triage.RoleAdmin, "").json(t, &me)
	if r := e.do("DELETE", "/v1/tokens/"+me.TokenID, "", "", "Authorization: Bearer "+bossTok.Secret, `If-Match: "1"`); r.Code != 204 {
		t.Fatalf("revoke the first admin token: %d %s", r.Code, r.Body)
	}
	if r := e.do("DELETE", "/v1/agents/"+boss.ID, "", "", "Authorization: Bearer "+bossTok.Secret, ifMatch(boss.Version)); r.Code != 409 {
		t.Errorf("deleting the agent of the last admin token: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/me", "", "", "Authorization: Bearer "+bossTok.Secret); r.Code != 200 {
		t.Errorf("the last admin token after a refused deletion: %d", r.Code)
	}
}

// TestSuggestionsRefreshNeedsAWorker: recomputing suggestions writes a row
// and may call the LLM, so a viewer or an editor reads what is stored and
// only the roles that work tickets may pass refresh=true.
func TestSuggestionsRefreshNeedsAWorker(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	path := "/v1/tickets/" + tk.ID + "/suggestions"
	var first triage.Suggestions
	if r := e.do("GET", path, triage.RoleViewer, ""); r.Code != 200 {
		t.Fatalf("viewer reads suggestions: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &first)
	}
	for _, role := range []triage.Role{triage.RoleViewer, triage.RoleEditor} {
		t.Run(string(role), func(t *testing.T) {
			r := e.do("GET", path+"?refresh=true", role, "")
			if r.Code != 403 || r.errorBody(t).Field != "refresh" {
				t.Fatalf("%s refresh=true: %d %s", role, r.Code, r.Body)
			}
			var again triage.Suggestions
			e.do("GET", path, role, "").json(t, &again)
			if again.ID != first.ID {
				t.Errorf("a refused refresh recomputed the suggestions")
			}
		})
	}
	for _, role := range []triage.Role{triage.RoleAgent, triage.RoleAdmin} {
		t.Run(string(role), func(t *testing.T) {
			if r := e.do("GET", path+"?refresh=true", role, ""); r.Code != 200 {
				t.Fatalf("%s refresh=true: %d %s", role, r.Code, r.Body)
			}
		})
	}
}

// TestUIPolicyKeepsImagesHome: the UI's Content-Security-Policy lets
// images come from the service itself, data: and the page's own blob:
// URLs, never from another host, so an article's picture hosted elsewhere
// is not fetched by a staff browser.
func TestUIPolicyKeepsImagesHome(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/", "/app/inbox", "/assets/js/main.js", "/assets/app.css"} {
		t.Run(path, func(t *testing.T) {
			r := e.do("GET", path, "", "")
			if r.Code != 200 {
				t.Fatalf("%d", r.Code)
			}
			csp := r.Header.Get("Content-Security-Policy")
			var img []string
			for _, d := range strings.Split(csp, ";") {
				if f := strings.Fields(d); len(f) > 0 && f[0] == "img-src" {
					img = f[1:]
				}
			}
			slices.Sort(img)
			if strings.Join(img, " ") != "'self' blob: data:" {
				t.Errorf("img-src %q in %q; want only 'self', data: and blob:", img, csp)
			}
			if !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("no default-src 'self' in %q", csp)
			}
		})
	}
}

// TestClientRequestID: a client's X-Request-Id is kept when it is short
// and printable ASCII, and replaced by a fresh one otherwise, so nothing
// a client sends lands in the logs and error bodies unchecked.
func TestClientRequestID(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, id string
		kept     bool
	}{
		{"uuid", "5f0c6a1e-8d5b-4c1a-9a3e-2b7f1d9c0e42", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"65 characters", strings.Repeat("a", 65), false},
		{"a space", "abc def", false},
		{"a tab", "abc\tdef", false},
		{"non-ASCII", "请求编号", false},
		{"escape sequence", "\x1b[31mred", false},
		{"DEL", "abc\x7f", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", "/v1/tickets/nope", triage.RoleViewer, "", "X-Request-Id: "+c.id)
			got := r.Header.Get("X-Request-Id")
			if c.kept && got != c.id {
				t.Fatalf("a valid id %q became %q", c.id, got)
			}
			if !c.kept && (got == c.id || got == "" || len(got) > 64 || strings.ContainsFunc(got, func(r rune) bool { return r < 0x21 || r > 0x7e })) {
				t.Fatalf("an invalid id %q gave %q", c.id, got)
			}
			if d := r.errorBody(t); d.RequestID != got {
				t.Errorf("error body request_id %q, header %q", d.RequestID, got)
			}
		})
	}
}

// TestStrictJSONBodies: a key sent twice, or beside a case variant of
// itself, is a 400 naming it (encoding/json would take the last one
// silently), wherever it is nested; a body that is not application/json
// is a 415; valid bodies in application/json (with a UTF-8 charset or
// none) still pass.
func TestStrictJSONBodies(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, body, ctype string
		code              int
		field             string
	}{
		{"valid", `{"title":"退款"}`, "application/json", 201, ""},
		{"valid with charset", `{"title":"退款"}`, "application/json; charset=utf-8", 201, ""},
		{"valid, upper-case media type", `{"title":"退款"}`, "Application/JSON", 201, ""},
		{"duplicate key", `{"title":"退款","title":"改了"}`, "application/json", 400, "title"},
		{"case variant", `{"title":"退款","Title":"改了"}`, "application/json", 400, "Title"},
		{"case variant, upper first", `{"TITLE":"退款","title":"改了"}`, "application/json", 400, "title"},
		{"nested duplicate", `{"title":"退款","requester":{"name":"王","name":"李"}}`, "application/json", 400, "requester.name"},
		{"nested case variant", `{"title":"退款","requester":{"name":"王","Name":"李"}}`, "application/json", 400, "requester.Name"},
		{"duplicate in a map", `{"title":"退款","fields":{"order":"1","order":"2"}}`, "application/json", 400, "fields.order"},
		{"no content type", `{"title":"退款"}`, "", 415, "Content-Type"},
		{"form", `{"title":"退款"}`, "application/x-www-form-urlencoded", 415, "Content-Type"},
		{"text", `{"title":"退款"}`, "text/plain", 415, "Content-Type"},
		{"another charset", `{"title":"退款"}`, "application/json; charset=gbk", 415, "Content-Type"},
		{"garbage type", `{"title":"退款"}`, "(((", 415, "Content-Type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/v1/tickets", triage.RoleAgent, c.body, "Content-Type: "+c.ctype)
			if r.Code != c.code {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, c.code)
			}
			if c.code >= 400 {
				if d := r.errorBody(t); d.Field != c.field {
					t.Errorf("field %q, want %q: %s", d.Field, c.field, d.Message)
				}
			}
		})
	}
	// A PATCH is held to the same rules.
	tk := e.ticket("")
	if r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"priority":"P1","Priority":"P4"}`, ifMatch(tk.Version)); r.Code != 400 || r.errorBody(t).Field != "Priority" {
		t.Errorf("PATCH with a case variant: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"priority":"P1"}`, ifMatch(tk.Version), "Content-Type: text/plain"); r.Code != 415 {
		t.Errorf("PATCH as text/plain: %d %s", r.Code, r.Body)
	}
}

// TestNULRejectedOnEveryStore: a NUL character in any text of a JSON body
// is a 400 naming the field, before a store sees it; PostgreSQL cannot
// store one and SQLite would, so the answer no longer depends on the store.
func TestNULRejectedOnEveryStore(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, path, body, field string
	}{
		{"title", "/v1/tickets", `{"title":"退款\u0000没到"}`, "title"},
		{"nested", "/v1/tickets", `{"title":"退款","requester":{"name":"王\u0000"}}`, "requester.name"},
		{"in a list", "/v1/tickets", `{"title":"退款","tags":["ok","x\u0000"]}`, "tags[1]"},
		{"in a map", "/v1/tickets", `{"title":"退款","fields":{"order":"\u0000"}}`, "fields.order"},
		{"an article", "/v1/articles", `{"title":"退款说明","body":"a\u0000b"}`, "body"},
		{"an agent", "/v1/agents", `{"name":"\u0000"}`, "name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", c.path, triage.RoleAdmin, c.body)
			if r.Code != 400 {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if d := r.errorBody(t); d.Field != c.field || !strings.Contains(d.Message, "NUL") {
				t.Errorf("field %q message %q, want field %q naming NUL", d.Field, d.Message, c.field)
			}
		})
	}
}

// TestSurveyIsTheRequesters: a new survey link is mailed to the requester
// and never shown to staff (the answer holds no token nor URL); the agent
// assigned to the ticket cannot ask for one, and nobody can for a
// requester on the staff; every new link is in the ticket's history with
// its reason; a staff token or a signed-in staff session cannot answer a
// survey, whatever the link. Before, POST /v1/tickets/{id}/csat answered
// the link itself to whoever asked, and a session cookie could rate.
func TestSurveyIsTheRequesters(t *testing.T) {
	e := newEnv(t)
	e.app.SLA.Mailer = mailsEveryone{}
	tk := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"退款没到账","requester":{"name":"王先生","email":"wang@example.com"},"assignee_id":"`+e.agent.ID+`"}`, &triage.Ticket{}).(*triage.Ticket)
	if tk.AssigneeID != e.agent.ID {
		t.Fatalf("ticket not assigned to the agent: %+v", tk)
	}
	if r := e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAdmin, `{"status":"solved"}`, "If-Match: *"); r.Code != 200 {
		t.Fatalf("solve: %d %s", r.Code, r.Body)
	}
	csat := "/v1/tickets/" + tk.ID + "/csat"
	if r := e.do("POST", csat, triage.RoleAgent, ""); r.Code != 403 {
		t.Fatalf("the assignee took a link to its own survey: %d %s", r.Code, r.Body)
	}
	for range 2 {
		r := e.do("POST", csat, triage.RoleAdmin, "")
		if r.Code != http.StatusAccepted {
			t.Fatalf("admin has a link mailed: %d %s", r.Code, r.Body)
		}
		var got map[string]any
		r.json(t, &got)
		if strings.Contains(string(r.Body), "csat_") || got["token"] != nil || got["url"] != nil || got["status"] != "open" {
			t.Fatalf("the answer shows the link to staff: %s", r.Body)
		}
	}
	link := e.mailedSurvey(tk.ID)
	token := link[strings.LastIndexByte(link, '/')+1:]
	var hist struct{ Items []triage.HistoryEntry }
	e.do("GET", "/v1/tickets/"+tk.ID+"/history", triage.RoleViewer, "").json(t, &hist)
	var me struct {
		TokenID string `json:"token_id"`
	}
	e.do("GET", "/v1/me", triage.RoleAdmin, "").json(t, &me)
	var issued []triage.HistoryEntry
	for _, h := range hist.Items {
		if h.Field == "csat_link" {
			issued = append(issued, h)
		}
	}
	if len(issued) != 2 || issued[0].Actor != "token:"+me.TokenID || issued[1].New != "issued" || len(issued[1].Why) != 1 ||
		issued[1].Why[0].Code != triage.ReasonCSATLinkReissued || issued[1].Why[0].Args["to"] != "wang@example.com" {
		t.Errorf("history of the issued links: %+v", issued)
	}
	// With a staff token or a staff session, the link takes no answer.
	for _, role := range []triage.Role{triage.RoleAgent, triage.RoleViewer} {
		if r := e.do("POST", "/v1/csat/"+token, role, `{"rating":5}`); r.Code != 403 {
			t.Errorf("%s answered a survey: %d %s", role, r.Code, r.Body)
		}
	}
	s := e.session(e.agent.ID)
	if r := e.as(s, true, "POST", "/v1/csat/"+token, `{"rating":5}`); r.Code != 403 {
		t.Errorf("a signed-in agent answered a survey: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/csat/"+token, "", `{"rating":5}`); r.Code != 200 {
		t.Errorf("the customer's answer: %d %s", r.Code, r.Body)
	}

	// A requester on the staff (the assignee's own address): no link.
	own := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"测试","requester":{"email":"LINA@example.com"},"assignee_id":"`+e.agent.ID+`"}`, &triage.Ticket{}).(*triage.Ticket)
	if r := e.do("PATCH", "/v1/tickets/"+own.ID, triage.RoleAdmin, `{"status":"solved"}`, "If-Match: *"); r.Code != 200 {
		t.Fatalf("solve: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/tickets/"+own.ID+"/csat", triage.RoleAdmin, ""); r.Code != 409 || r.errorBody(t).Field != "requester.email" {
		t.Errorf("a link for a requester on the staff: %d %s", r.Code, r.Body)
	}
	// Without outbound mail no link is made: it could reach nobody but
	// staff.
	e.app.SLA.Mailer = e.app.Mail
	other := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"发票","requester":{"email":"zhao@example.com"}}`, &triage.Ticket{}).(*triage.Ticket)
	e.do("PATCH", "/v1/tickets/"+other.ID, triage.RoleAdmin, `{"status":"solved"}`, "If-Match: *")
	if r := e.do("POST", "/v1/tickets/"+other.ID+"/csat", triage.RoleAdmin, ""); r.Code != 409 || !strings.Contains(r.errorBody(t).Message, "--smtp-url") {
		t.Errorf("a link without outbound mail: %d %s", r.Code, r.Body)
	}
}
