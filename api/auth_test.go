package api_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

const testPassword = "极光商城-客服-2026"

// signedIn is a browser's state after a sign-in: its cookies and the CSRF
// token the page echoes.
type signedIn struct {
	api.SignedIn
	cookie string // the Cookie header the browser sends
	header http.Header
}

// withAccount gives an agent an account with role and testPassword, once.
func (e *env) withAccount(agentID string, role triage.Role) {
	e.t.Helper()
	if r := e.do("GET", "/v1/agents/"+agentID+"/account", triage.RoleAdmin, ""); r.Code == http.StatusOK {
		return
	}
	r := e.do("PATCH", "/v1/agents/"+agentID+"/account", triage.RoleAdmin, `{"role":"`+string(role)+`","password":"`+testPassword+`"}`, "If-Match: *")
	if r.Code != http.StatusOK {
		e.t.Fatalf("give %s an account: %d %s", agentID, r.Code, r.Body)
	}
}

// login posts a sign-in and returns the response.
func (e *env) login(email, password string, headers ...string) resp {
	e.t.Helper()
	return e.do("POST", "/v1/auth/login", "", `{"email":"`+email+`","password":"`+password+`"}`, headers...)
}

// session signs an agent in (giving it an agent account first).
func (e *env) session(agentID string) *signedIn {
	e.t.Helper()
	e.withAccount(agentID, triage.RoleAgent)
	var a triage.Agent
	e.do("GET", "/v1/agents/"+agentID, triage.RoleAdmin, "").json(e.t, &a)
	r := e.login(a.Email, testPassword)
	if r.Code != http.StatusOK {
		e.t.Fatalf("sign in as %s: %d %s", a.Email, r.Code, r.Body)
	}
	s := &signedIn{header: r.Header}
	r.json(e.t, &s.SignedIn)
	var parts []string
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	s.cookie = strings.Join(parts, "; ")
	return s
}

// as makes a request with the session's cookie (and, when csrf, its token).
func (e *env) as(s *signedIn, csrf bool, method, path, body string, headers ...string) resp {
	e.t.Helper()
	headers = append(headers, "Cookie: "+s.cookie)
	if csrf {
		headers = append(headers, api.CSRFHeader+": "+s.CSRFToken)
	}
	return e.do(method, path, "", body, headers...)
}

func TestLoginSessionCookieAndCSRF(t *testing.T) {
	e := newEnv(t)
	s := e.session(e.agent.ID)
	cookies := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: s.header}).Cookies() {
		cookies[c.Name] = c
	}
	sc, cc := cookies[api.SessionCookie], cookies[api.CSRFCookie]
	if sc == nil || cc == nil {
		t.Fatalf("cookies = %v, want %s and %s", s.header.Values("Set-Cookie"), api.SessionCookie, api.CSRFCookie)
	}
	if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != "/" {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain http", sc)
	}
	if cc.HttpOnly || cc.Value != s.CSRFToken {
		t.Errorf("CSRF cookie %+v: want readable by the page and equal to the token in the body", cc)
	}
	if s.Role != triage.RoleAgent || s.Agent == nil || s.Agent.ID != e.agent.ID || strings.Contains(string(e.login(e.agent.Email, testPassword).Body), sc.Value) {
		t.Errorf("signed in as %+v; the body must name the agent and role, never the secret", s.SignedIn)
	}

	if left := time.Until(s.ExpiresAt); left < 12*time.Hour-time.Minute || left > 12*time.Hour || !sc.Expires.Equal(s.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("session expires in %v (cookie %v), want 12 hours", left, sc.Expires)
	}
	var me api.Me
	if r := e.as(s, false, "GET", "/v1/me", ""); r.Code != http.StatusOK {
		t.Fatalf("GET /v1/me with the cookie: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &me)
	}
	if me.Role != triage.RoleAgent || me.Agent == nil || me.Agent.ID != e.agent.ID {
		t.Errorf("me = %+v", me)
	}

	body := `{"title":"会话创建的工单","body":"用 cookie 登录后创建"}`
	for _, tc := range []struct {
		name    string
		headers []string
		csrf    bool
		want    int
	}{
		{"no CSRF token", nil, false, http.StatusForbidden},
		{"wrong CSRF token", []string{api.CSRFHeader + ": " + strings.Repeat("0", 32)}, false, http.StatusForbidden},
		{"CSRF token of the session", nil, true, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.as(s, tc.csrf, "POST", "/v1/tickets", body, tc.headers...)
			if r.Code != tc.want {
				t.Fatalf("POST /v1/tickets: %d %s, want %d", r.Code, r.Body, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(string(r.Body), api.CSRFHeader) {
				t.Errorf("refusal does not name %s: %s", api.CSRFHeader, r.Body)
			}
		})
	}
	// The ticket is the agent's work: the history names the agent.
	var list api.List[triage.Ticket]
	e.do("GET", "/v1/tickets?limit=1", triage.RoleAdmin, "").json(t, &list)
	var hist api.List[triage.HistoryEntry]
	e.do("GET", "/v1/tickets/"+list.Items[0].ID+"/history", triage.RoleAdmin, "").json(t, &hist)
	if len(hist.Items) == 0 || hist.Items[0].Actor != "agent:"+e.agent.ID {
		t.Errorf("history of the session's ticket: %+v, want actor agent:%s", hist.Items, e.agent.ID)
	}
	// Tokens work as before, with no CSRF token.
	if r := e.do("POST", "/v1/tickets", triage.RoleAgent, body); r.Code != http.StatusCreated {
		t.Errorf("token write: %d %s", r.Code, r.Body)
	}

	// Logout ends the session and clears the cookies.
	if r := e.as(s, false, "POST", "/v1/auth/logout", ""); r.Code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d, want 403", r.Code)
	}
	r := e.as(s, true, "POST", "/v1/auth/logout", "")
	if r.Code != http.StatusOK || strings.Contains(string(r.Body), "end_session_url") || !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), api.SessionCookie+"=;") {
		t.Fatalf("logout: %d %v", r.Code, r.Header.Values("Set-Cookie"))
	}
	if r := e.as(s, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("GET /v1/me after logout: %d, want 401", r.Code)
	}
}

func TestLoginSecureCookieOverTLS(t *testing.T) {
	e := newEnv(t)
	e.withAccount(e.agent.ID, triage.RoleAgent)
	req := httptest.NewRequest("POST", "https://triage.example/v1/auth/login", strings.NewReader(`{"email":"`+e.agent.Email+`","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s over https is not Secure", c.Name)
		}
	}
}

func TestLoginRefusals(t *testing.T) {
	e := newEnv(t)
	e.withAccount(e.agent.ID, triage.RoleAgent)
	noPassword := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"赵磊","email":"zhaolei@example.com"}`, &triage.Agent{}).(*triage.Agent)
	if r := e.do("PATCH", "/v1/agents/"+noPassword.ID+"/account", triage.RoleAdmin, `{"role":"viewer"}`, "If-Match: *"); r.Code != http.StatusOK {
		t.Fatalf("account without password: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		name, body, ctype string
		want              int
		field             string
	}{
		{"wrong password", `{"email":"lina@example.com","password":"不对的密码不对的"}`, "", 401, "password"},
		{"unknown e-mail", `{"email":"nobody@example.com","password":"不对的密码不对的"}`, "", 401, "password"},
		{"account without a password", `{"email":"zhaolei@example.com","password":"随便什么密码都不行"}`, "", 401, "password"},
		{"no e-mail", `{"password":"x"}`, "", 400, "email"},
		{"no password", `{"email":"lina@example.com"}`, "", 400, "password"},
		{"unknown field", `{"email":"lina@example.com","password":"x","remember":true}`, "", 400, "remember"},
		{"not JSON", `email=lina@example.com&password=x`, "application/x-www-form-urlencoded", 400, "Content-Type"},
		{"text/plain (a cross-site form)", `{"email":"lina@example.com","password":"` + testPassword + `"}`, "text/plain", 400, "Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.ctype != "" {
				headers = append(headers, "Content-Type: "+tc.ctype)
			}
			r := e.do("POST", "/v1/auth/login", "", tc.body, headers...)
			var body api.ErrorBody
			r.json(t, &body)
			if r.Code != tc.want || body.Error.Field != tc.field {
				t.Fatalf("%d %s, want %d on field %s", r.Code, r.Body, tc.want, tc.field)
			}
			if tc.want == 401 && body.Error.Message != "the e-mail address or the password is wrong" {
				t.Errorf("message %q tells more than that the pair is wrong", body.Error.Message)
			}
			if strings.Contains(string(r.Body), testPassword) || strings.Contains(string(r.Body), "不对的密码") {
				t.Errorf("the answer repeats the password: %s", r.Body)
			}
		})
	}
}

// clock is a settable time for the lockouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	e.withAccount(e.agent.ID, triage.RoleAgent)
	c := &clock{t: time.Now()}
	e.rebuild(func(cfg *api.Config) { cfg.Accounts.Now = c.now })
	wrong := "错误的密码错误的密码"
	for i := range 5 {
		if r := e.login(e.agent.Email, wrong); r.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s, want 401", i+1, r.Code, r.Body)
		}
	}
	// The sixth failure locks the account for a minute...
	if r := e.login(e.agent.Email, wrong); r.Code != http.StatusUnauthorized {
		t.Fatalf("sixth failure: %d %s", r.Code, r.Body)
	}
	// ...so that even the right password is refused, without a guess
	// being checked, with a Retry-After.
	for _, email := range []string{e.agent.Email, strings.ToUpper(e.agent.Email)} {
		r := e.login(email, testPassword)
		if r.Code != http.StatusTooManyRequests {
			t.Fatalf("locked account %s: %d %s, want 429", email, r.Code, r.Body)
		}
		after, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || after < 1 || after > 60 {
			t.Errorf("Retry-After = %q, want 1-60 seconds", r.Header.Get("Retry-After"))
		}
	}
	// Another account from the same address is not locked.
	other := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"孙丽","email":"sunli@example.com"}`, &triage.Agent{}).(*triage.Agent)
	e.withAccount(other.ID, triage.RoleViewer)
	if r := e.login("sunli@example.com", testPassword); r.Code != http.StatusOK {
		t.Errorf("another account: %d %s", r.Code, r.Body)
	}
	c.add(61 * time.Second)
	if r := e.login(e.agent.Email, testPassword); r.Code != http.StatusOK {
		t.Fatalf("after the lockout: %d %s", r.Code, r.Body)
	}
	// A success starts the count again: five more failures are allowed.
	for i := range 5 {
		if r := e.login(e.agent.Email, wrong); r.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d after a success: %d", i+1, r.Code)
		}
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	e := newEnv(t)
	c := &clock{t: time.Now()}
	e.rebuild(func(cfg *api.Config) { cfg.Accounts.Now = c.now })
	// 30 sign-ins a minute from one address, to any accounts: the 31st
	// is refused before any password is checked.
	var last resp
	for i := range 31 {
		last = e.login("guess"+strconv.Itoa(i)+"@example.com", "x")
	}
	if last.Code != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || last.Header.Get("RateLimit-Limit") != "30" {
		t.Fatalf("31st sign-in in a minute: %d %v %s", last.Code, last.Header, last.Body)
	}
	if r := e.login("guess@example.com", "x", "X-Real-Ip: 198.51.100.9"); r.Code != http.StatusTooManyRequests {
		t.Errorf("a client naming another address in a header got %d; the peer address counts", r.Code)
	}
}

func TestSessionsListAndRevoke(t *testing.T) {
	e := newEnv(t)
	one := e.session(e.agent.ID)
	two := e.session(e.agent.ID)
	var list api.List[api.SessionView]
	if r := e.as(one, false, "GET", "/v1/auth/sessions", ""); r.Code != http.StatusOK {
		t.Fatalf("%d %s", r.Code, r.Body)
	} else {
		r.json(t, &list)
	}
	if len(list.Items) != 2 || list.Items[0].ID != two.SessionID || list.Items[0].Current || !list.Items[1].Current {
		t.Fatalf("sessions = %+v, want two, newest first, the second (this one) current", list.Items)
	}
	if list.Items[0].IP == "" || strings.Contains(string(e.as(one, false, "GET", "/v1/auth/sessions", "").Body), "hash") {
		t.Errorf("sessions must show where they come from and never a hash: %+v", list.Items[0])
	}
	// Another person cannot end it; its owner can; an admin can.
	other := e.mustCreate("POST", "/v1/agents", triage.RoleAdmin, `{"name":"周明","email":"zhouming@example.com"}`, &triage.Agent{}).(*triage.Agent)
	theirs := e.session(other.ID)
	if r := e.as(theirs, true, "DELETE", "/v1/auth/sessions/"+two.SessionID, ""); r.Code != http.StatusNotFound {
		t.Errorf("another person's revoke: %d, want 404", r.Code)
	}
	if r := e.as(one, true, "DELETE", "/v1/auth/sessions/"+two.SessionID, ""); r.Code != http.StatusNoContent {
		t.Fatalf("revoke own: %d %s", r.Code, r.Body)
	}
	if r := e.as(two, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("revoked session: %d, want 401", r.Code)
	}
	if r := e.as(one, false, "GET", "/v1/me", ""); r.Code != http.StatusOK {
		t.Errorf("the other session: %d, want 200", r.Code)
	}
	if r := e.do("DELETE", "/v1/auth/sessions/"+theirs.SessionID, triage.RoleAdmin, ""); r.Code != http.StatusNoContent {
		t.Errorf("admin revoke: %d", r.Code)
	}
	if r := e.as(theirs, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("session an admin ended: %d, want 401", r.Code)
	}
}

func TestDeactivateEndsSessionsAndTokens(t *testing.T) {
	e := newEnv(t)
	s := e.session(e.agent.ID)
	tok := e.mustCreate("POST", "/v1/tokens", triage.RoleAdmin, `{"name":"李娜的脚本","role":"agent","agent_id":"`+e.agent.ID+`"}`, &triage.Token{}).(*triage.Token)
	bearer := "Authorization: Bearer " + tok.Secret
	if r := e.do("GET", "/v1/me", "", "", bearer); r.Code != http.StatusOK {
		t.Fatalf("token before: %d", r.Code)
	}
	r := e.do("PATCH", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, `{"active":false}`, "If-Match: *")
	var acc api.AccountView
	r.json(t, &acc)
	if r.Code != http.StatusOK || acc.DisabledAt == nil || acc.Email != e.agent.Email {
		t.Fatalf("deactivate: %d %s", r.Code, r.Body)
	}
	if r := e.as(s, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("session after deactivation: %d, want 401", r.Code)
	}
	if r := e.do("GET", "/v1/me", "", "", bearer); r.Code != http.StatusUnauthorized {
		t.Errorf("the agent's token after deactivation: %d, want 401", r.Code)
	}
	if r := e.login(e.agent.Email, testPassword); r.Code != http.StatusForbidden {
		t.Errorf("sign-in of a deactivated account: %d %s, want 403", r.Code, r.Body)
	}
	// Other people's tokens are untouched.
	if r := e.do("GET", "/v1/me", triage.RoleViewer, ""); r.Code != http.StatusOK {
		t.Errorf("another token: %d", r.Code)
	}
	// Reactivated, the person signs in again (the token stays revoked).
	if r := e.do("PATCH", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, `{"active":true}`, "If-Match: *"); r.Code != http.StatusOK {
		t.Fatalf("reactivate: %d %s", r.Code, r.Body)
	}
	if r := e.login(e.agent.Email, testPassword); r.Code != http.StatusOK {
		t.Errorf("sign-in after reactivation: %d %s", r.Code, r.Body)
	}
}

func TestAccountRoleAndLastAdmin(t *testing.T) {
	e := newEnv(t)
	s := e.session(e.agent.ID)
	if r := e.as(s, true, "POST", "/v1/rules", `{"name":"r","any":["退款"],"set_category":"支付与退款"}`); r.Code != http.StatusForbidden {
		t.Fatalf("agent creating a rule: %d, want 403", r.Code)
	}
	r := e.do("PATCH", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, `{"role":"admin"}`, "If-Match: *")
	if r.Code != http.StatusOK || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("promote: %d %s %s", r.Code, r.Header.Get("ETag"), r.Body)
	}
	// The new role applies to the open session at once.
	if r := e.as(s, true, "POST", "/v1/rules", `{"name":"r","any":["退款"],"set_category":"支付与退款"}`); r.Code != http.StatusCreated {
		t.Errorf("admin session creating a rule: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		name, body, ifMatch string
		want                int
		field               string
	}{
		{"last admin demoted", `{"role":"viewer"}`, "*", 409, ""},
		{"last admin deactivated", `{"active":false}`, "*", 409, ""},
		{"unknown role", `{"role":"root"}`, "*", 400, "role"},
		{"mail role", `{"role":"mail"}`, "*", 400, "role"},
		{"weak password", `{"password":"123456"}`, "*", 400, "password"},
		{"stale version", `{"role":"agent"}`, `"1"`, 412, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PATCH", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, tc.body, "If-Match: "+tc.ifMatch)
			var body api.ErrorBody
			r.json(t, &body)
			if r.Code != tc.want || body.Error.Field != tc.field {
				t.Fatalf("%d %s, want %d on %q", r.Code, r.Body, tc.want, tc.field)
			}
		})
	}
	if r := e.do("PATCH", "/v1/agents/nobody/account", triage.RoleAdmin, `{"role":"agent"}`, "If-Match: *"); r.Code != http.StatusNotFound {
		t.Errorf("account of no agent: %d", r.Code)
	}
	if r := e.do("PATCH", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, `{"role":"agent"}`); r.Code != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: %d, want 428", r.Code)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	one := e.session(e.agent.ID)
	two := e.session(e.agent.ID)
	newPassword := "换一个更长的新密码-2027"
	for _, tc := range []struct {
		name, body string
		want       int
		field      string
	}{
		{"wrong current", `{"current_password":"不对","new_password":"` + newPassword + `"}`, 400, "current_password"},
		{"weak new", `{"current_password":"` + testPassword + `","new_password":"12345678"}`, 400, "password"},
		{"changed", `{"current_password":"` + testPassword + `","new_password":"` + newPassword + `"}`, 204, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.as(one, true, "POST", "/v1/auth/password", tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tc.want)
			}
			if tc.field != "" {
				var body api.ErrorBody
				r.json(t, &body)
				if body.Error.Field != tc.field {
					t.Errorf("field %q, want %q", body.Error.Field, tc.field)
				}
			}
		})
	}
	if r := e.as(one, false, "GET", "/v1/me", ""); r.Code != http.StatusOK {
		t.Errorf("the session that changed it: %d, want 200", r.Code)
	}
	if r := e.as(two, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("the other session: %d, want 401", r.Code)
	}
	if r := e.login(e.agent.Email, testPassword); r.Code != http.StatusUnauthorized {
		t.Errorf("old password: %d", r.Code)
	}
	if r := e.login(e.agent.Email, newPassword); r.Code != http.StatusOK {
		t.Errorf("new password: %d %s", r.Code, r.Body)
	}
}
