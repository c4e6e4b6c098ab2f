package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
)

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	body := `{"title":"发票抬头开错了","body":"需要重开发票"}`
	first := e.do("POST", "/v1/tickets", triage.RoleAgent, body, "Idempotency-Key: k-1")
	if first.Code != 201 || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v", first.Code, first.Header)
	}
	again := e.do("POST", "/v1/tickets", triage.RoleAgent, body, "Idempotency-Key: k-1")
	if again.Code != 201 || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("replay: %d %v\n%s\n%s", again.Code, again.Header, again.Body, first.Body)
	}
	other := e.do("POST", "/v1/tickets", triage.RoleAgent, `{"title":"另一个问题"}`, "Idempotency-Key: k-1")
	if other.Code != http.StatusUnprocessableEntity || other.errorBody(t).Code != triage.EMISMATCH {
		t.Fatalf("mismatch: %d %s", other.Code, other.Body)
	}
	// The same key on another route is another request too.
	if r := e.do("POST", "/v1/agents", triage.RoleAdmin, body, "Idempotency-Key: k-1"); r.Code == 201 {
		t.Fatalf("key reused across routes created something: %s", r.Body)
	}
	// Keys belong to the token that used them.
	if r := e.do("POST", "/v1/tickets", triage.RoleAdmin, body, "Idempotency-Key: k-1"); r.Code != 201 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another token's key: %d %v", r.Code, r.Header)
	}
	if r := e.do("POST", "/v1/tickets", triage.RoleAgent, body, "Idempotency-Key: "+strings.Repeat("x", 300)); r.Code != 400 || r.errorBody(t).Field != "Idempotency-Key" {
		t.Fatalf("long key: %d %s", r.Code, r.Body)
	}
	var n struct{ Items []triage.Ticket }
	e.do("GET", "/v1/tickets?q=%E5%8F%91%E7%A5%A8%E6%8A%AC%E5%A4%B4", triage.RoleViewer, "").json(t, &n)
	if len(n.Items) != 2 {
		t.Errorf("%d tickets with the title, want 2 (one per token)", len(n.Items))
	}
}

func TestIdempotencyConcurrent(t *testing.T) {
	e := newEnv(t)
	const n = 16
	var wg sync.WaitGroup
	bodies := make([]string, n)
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/v1/tickets", triage.RoleAgent, `{"title":"并发同一个键"}`, "Idempotency-Key: same")
			bodies[i], codes[i] = string(r.Body), r.Code
		}()
	}
	wg.Wait()
	for i := range n {
		if codes[i] != 201 || bodies[i] != bodies[0] {
			t.Fatalf("request %d: %d %s (first: %s)", i, codes[i], bodies[i], bodies[0])
		}
	}
	var list struct{ Items []triage.Ticket }
	e.do("GET", "/v1/tickets", triage.RoleViewer, "").json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("%d tickets for one key", len(list.Items))
	}
}

func TestConditionalRequests(t *testing.T) {
	e := newEnv(t)
	tk := e.ticket("")
	path := "/v1/tickets/" + tk.ID
	get := e.do("GET", path, triage.RoleViewer, "")
	tag := get.Header.Get("ETag")
	if tag != `"1"` {
		t.Fatalf("ETag = %q", tag)
	}
	cases := []struct {
		name    string
		method  string
		body    string
		headers []string
		want    int
	}{
		{"get if-none-match current", "GET", "", []string{"If-None-Match: " + tag}, 304},
		{"get if-none-match list", "GET", "", []string{`If-None-Match: "7", "1"`}, 304},
		{"get if-none-match old", "GET", "", []string{`If-None-Match: "0"`}, 200},
		{"patch without if-match", "PATCH", `{"priority":"P2"}`, nil, 428},
		// No entity tag of this resource matches: 412 (RFC 9110 13.1.1),
		// whatever the tag looks like.
		{"patch if-match that is no tag", "PATCH", `{"priority":"P2"}`, []string{"If-Match: one"}, 412},
		{"patch if-match of another tag", "PATCH", `{"priority":"P2"}`, []string{`If-Match: "stale-0"`}, 412},
		{"patch if-match list matching none", "PATCH", `{"priority":"P2"}`, []string{`If-Match: "a,b", "0"`}, 412},
		{"patch stale", "PATCH", `{"priority":"P2"}`, []string{`If-Match: "7"`}, 412},
		{"patch current", "PATCH", `{"priority":"P2"}`, []string{`If-Match: "1"`}, 200},
		{"patch now stale", "PATCH", `{"priority":"P1"}`, []string{`If-Match: "1"`}, 412},
		{"patch list holding the current", "PATCH", `{"priority":"P1"}`, []string{`If-Match: "stale-0", W/"x,y", "2"`}, 200},
		{"get old tag after change", "GET", "", []string{"If-None-Match: " + tag}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, path, triage.RoleAgent, c.body, c.headers...)
			if r.Code != c.want {
				t.Fatalf("%d, want %d: %s", r.Code, c.want, r.Body)
			}
			if c.want == 304 && len(r.Body) != 0 {
				t.Error("304 with a body")
			}
			if c.want >= 400 {
				r.errorBody(t)
			}
		})
	}
	// Lists carry an ETag too.
	l := e.do("GET", "/v1/tickets", triage.RoleViewer, "")
	if r := e.do("GET", "/v1/tickets", triage.RoleViewer, "", "If-None-Match: "+l.Header.Get("ETag")); r.Code != 304 {
		t.Errorf("list If-None-Match: %d", r.Code)
	}
	// DELETE needs If-Match as well.
	a := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"王芳"}`, &triage.Agent{}).(*triage.Agent)
	if r := e.do("DELETE", "/v1/agents/"+a.ID, triage.RoleAdmin, ""); r.Code != 428 {
		t.Errorf("delete without If-Match: %d", r.Code)
	}
	if r := e.do("DELETE", "/v1/agents/"+a.ID, triage.RoleAdmin, "", `If-Match: "2"`); r.Code != 412 {
		t.Errorf("stale delete: %d", r.Code)
	}
	if r := e.do("DELETE", "/v1/agents/"+a.ID, triage.RoleAdmin, "", `If-Match: "1"`); r.Code != 204 {
		t.Errorf("delete: %d %s", r.Code, r.Body)
	}
}

func TestErrorShapes(t *testing.T) {
	e := newEnv(t)
	big := `{"title":"大","body":"` + strings.Repeat("字", 100_000) + `"}`
	cases := []struct {
		name, method, path string
		role               triage.Role
		body               string
		status             int
		code, field        string
	}{
		{"not json", "POST", "/v1/tickets", triage.RoleAgent, `{"title":`, 400, "invalid", "body"},
		{"garbage", "POST", "/v1/tickets", triage.RoleAgent, `hello`, 400, "invalid", "body"},
		{"empty", "POST", "/v1/tickets", triage.RoleAgent, ``, 400, "invalid", "body"},
		{"array", "POST", "/v1/tickets", triage.RoleAgent, `[1]`, 400, "invalid", "body"},
		{"two values", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a"} {"title":"b"}`, 400, "invalid", "body"},
		{"unknown field", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","id":"x"}`, 400, "invalid", "id"},
		{"wrong type", "POST", "/v1/tickets", triage.RoleAgent, `{"title":7}`, 400, "invalid", "title"},
		{"nested wrong type", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","requester":{"phone":1}}`, 400, "invalid", "requester.phone"},
		{"missing title", "POST", "/v1/tickets", triage.RoleAgent, `{"body":"只有正文"}`, 400, "invalid", "title"},
		{"bad email", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","requester":{"email":"not-mail"}}`, 400, "invalid", "requester.email"},
		{"bad phone", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","requester":{"phone":"call me"}}`, 400, "invalid", "requester.phone"},
		{"bad channel", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","channel":"fax"}`, 400, "invalid", "channel"},
		{"bad priority", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","priority":"P0"}`, 400, "invalid", "priority"},
		{"bad tag", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","tags":["a b"]}`, 400, "invalid", "tags"},
		{"unknown assignee", "POST", "/v1/tickets", triage.RoleAgent, `{"title":"a","assignee_id":"nobody"}`, 400, "invalid", "assignee_id"},
		{"body too large", "POST", "/v1/rules/dry-run", triage.RoleAgent, big, 413, "too_large", ""},
		// Tickets and comments take files, so their bodies may be larger:
		// a text over its own limit is a 400 naming it.
		{"ticket body too long", "POST", "/v1/tickets", triage.RoleAgent, big, 400, "invalid", "body"},
		{"no route", "GET", "/v1/nothing", triage.RoleAgent, ``, 404, "not_found", ""},
		{"no ticket", "GET", "/v1/tickets/nope", triage.RoleAgent, ``, 404, "not_found", ""},
		{"wrong method", "PUT", "/v1/tickets", triage.RoleAgent, `{}`, 405, "method_not_allowed", ""},
		{"no token", "GET", "/v1/tickets", "", ``, 401, "unauthorized", ""},
		{"wrong role", "POST", "/v1/agents", triage.RoleViewer, `{"name":"x"}`, 403, "forbidden", ""},
		{"bad role", "POST", "/v1/tokens", triage.RoleAdmin, `{"name":"x","role":"root"}`, 400, "invalid", "role"},
		{"negative capacity", "POST", "/v1/agents", triage.RoleAdmin, `{"name":"x","capacity":-1}`, 400, "invalid", "capacity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.role, c.body)
			if r.Code != c.status {
				t.Fatalf("%d, want %d: %s", r.Code, c.status, r.Body)
			}
			d := r.errorBody(t)
			if d.Code != c.code || d.Field != c.field {
				t.Errorf("code %q field %q, want %q %q (%s)", d.Code, d.Field, c.code, c.field, d.Message)
			}
			if d.Field != "" && !strings.Contains(d.Message, d.Field) && !strings.Contains(d.Message, strings.Split(d.Field, ".")[0]) {
				t.Errorf("message %q does not name the field %q", d.Message, d.Field)
			}
			if d.RequestID == "" || d.RequestID != r.Header.Get("X-Request-Id") {
				t.Errorf("request id %q vs header %q", d.RequestID, r.Header.Get("X-Request-Id"))
			}
		})
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	var tok triage.Token
	r := e.do("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"集成","role":"agent"}`, "Idempotency-Key: tok-1")
	r.json(t, &tok)
	if r.Code != 201 || !strings.HasPrefix(tok.Secret, "trg_") {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	// A replay does not reveal the secret again: it was never stored.
	var replay triage.Token
	e.do("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"集成","role":"agent"}`, "Idempotency-Key: tok-1").json(t, &replay)
	if replay.ID != tok.ID || replay.Secret != "" {
		t.Errorf("replay = %+v", replay)
	}
	var list struct{ Items []json.RawMessage }
	e.do("GET", "/v1/tokens", triage.RoleAdmin, "").json(t, &list)
	for _, it := range list.Items {
		if strings.Contains(string(it), "secret") || strings.Contains(string(it), "hash") {
			t.Errorf("list leaks a secret: %s", it)
		}
	}
	e.tokens["new"] = tok.Secret
	if r := e.do("GET", "/v1/tickets", "new", ""); r.Code != 200 {
		t.Fatalf("new token: %d", r.Code)
	}
	if r := e.do("DELETE", "/v1/tokens/"+tok.ID, triage.RoleAdmin, "", `If-Match: "1"`); r.Code != 204 {
		t.Fatalf("revoke: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/tickets", "new", ""); r.Code != 401 || !strings.Contains(r.errorBody(t).Message, "revoked") {
		t.Errorf("revoked token: %d %s", r.Code, r.Body)
	}
	// The last admin token cannot be revoked.
	var me struct {
		TokenID string `json:"token_id"`
	}
	e.do("GET", "/v1/me", triage.RoleAdmin, "").json(t, &me)
	if r := e.do("DELETE", "/v1/tokens/"+me.TokenID, triage.RoleAdmin, "", `If-Match: "1"`); r.Code != 409 {
		t.Errorf("revoking the last admin: %d %s", r.Code, r.Body)
	}
	for _, bad := range []string{"Bearer", "Bearer trg_nope", "Basic abc", "bearer " + strings.Repeat("x", 10)} {
		r := e.do("GET", "/v1/tickets", "", "", "Authorization: "+bad)
		if r.Code != 401 || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: %d", bad, r.Code)
		}
	}
}

func TestAgentSelfService(t *testing.T) {
	e := newEnv(t)
	path := "/v1/agents/" + e.agent.ID
	if r := e.do("PATCH", path, triage.RoleAgent, `{"online":false}`, `If-Match: "1"`); r.Code != 200 {
		t.Fatalf("own online: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", path, triage.RoleAgent, `{"capacity":50}`, `If-Match: "2"`); r.Code != 403 {
		t.Errorf("own capacity: %d", r.Code)
	}
	other := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"赵强"}`, &triage.Agent{}).(*triage.Agent)
	if r := e.do("PATCH", "/v1/agents/"+other.ID, triage.RoleAgent, `{"online":true}`, `If-Match: "1"`); r.Code != 403 {
		t.Errorf("other's online: %d", r.Code)
	}
}

func TestTeams(t *testing.T) {
	e := newEnv(t)
	var team triage.Team
	r := e.do("POST", "/v1/teams", triage.RoleAdmin, fmt.Sprintf(`{"name":"支付结算组","members":["%s"],"lead_id":"%s","categories":["支付与退款"]}`, e.agent.ID, e.agent.ID))
	r.json(t, &team)
	if r.Code != 201 || team.LeadID != e.agent.ID {
		t.Fatalf("create team: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/teams", triage.RoleAdmin, `{"name":"x","members":["ghost"]}`); r.Code != 400 || r.errorBody(t).Field != "members" {
		t.Errorf("ghost member: %d %s", r.Code, r.Body)
	}
	if r := e.do("POST", "/v1/teams", triage.RoleAdmin, `{"name":"x","lead_id":"`+e.agent.ID+`"}`); r.Code != 400 || r.errorBody(t).Field != "lead_id" {
		t.Errorf("lead outside team: %d %s", r.Code, r.Body)
	}
	// Deleting an agent takes it off its teams.
	if r := e.do("DELETE", "/v1/agents/"+e.agent.ID, triage.RoleAdmin, "", `If-Match: "1"`); r.Code != 204 {
		t.Fatalf("delete agent: %d %s", r.Code, r.Body)
	}
	e.do("GET", "/v1/teams/"+team.ID, triage.RoleViewer, "").json(t, &team)
	if len(team.Members) != 0 || team.LeadID != "" {
		t.Errorf("team after agent deletion: %+v", team)
	}
	// A team with active tickets in its queue cannot go.
	// (The agent token went with its agent: an admin writes the ticket.)
	tk := e.mustCreate("POST", "/v1/tickets", triage.RoleAdmin, `{"title":"排队中","team_id":"`+team.ID+`"}`, &triage.Ticket{})
	if r := e.do("DELETE", "/v1/teams/"+team.ID, triage.RoleAdmin, "", fmt.Sprintf(`If-Match: "%d"`, team.Version)); r.Code != 409 {
		t.Errorf("delete busy team: %d %s", r.Code, r.Body)
	}
	_ = tk
}

// TestErrorsSayWhatIsValid: a refused value is answered with what would
// be accepted, not only with what is wrong.
func TestErrorsSayWhatIsValid(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, path, body, field string
		want                    []string
		allowed                 []string
	}{
		{"a phone of three digits", "/v1/tickets", `{"title":"a","requester":{"phone":"123"}}`, "requester.phone",
			[]string{`"123" is not a phone number`, "5 to 20 digits", "13800138000"}, nil},
		{"a channel not in the list", "/v1/tickets", `{"title":"a","channel":"app"}`, "channel",
			[]string{`"app" is not one of web, email, phone, wechat, api, other`, "tag"}, []string{"web", "email", "phone", "wechat", "api", "other"}},
		{"an address for a webhook", "/v1/webhooks", `{"url":"http://169.254.169.254/latest","events":["ticket.solved"]}`, "url",
			[]string{"url: 169.254.169.254 is a loopback, private, link-local or metadata address"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", c.path, triage.RoleAdmin, c.body)
			d := r.errorBody(t)
			if r.Code != 400 || d.Field != c.field {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			for _, w := range c.want {
				if !strings.Contains(d.Message, w) {
					t.Errorf("message %q does not say %q", d.Message, w)
				}
			}
			if c.allowed != nil && strings.Join(d.Allowed, ",") != strings.Join(c.allowed, ",") {
				t.Errorf("allowed %v, want %v", d.Allowed, c.allowed)
			}
		})
	}
}
