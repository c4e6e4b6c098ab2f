package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/totp"
)

// testSealKey seals second-factor secrets in the PostgreSQL runs (a
// fixed test key, 32 bytes of base64).
const testSealKey = "dHJpYWdlLXRlc3Qtc2VhbC1rZXktMzItYnl0ZXMhISE="

// onStores runs a sign-in test on the embedded store and on PostgreSQL
// (skipped, loudly, without TRIAGE_TEST_POSTGRES).
func onStores(t *testing.T, test func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { test(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, newEnvOn(t, pgtest.NewDatabase(t))) })
}

// invite invites a person as admin; without SMTP the link comes back.
func (e *env) invite(email, name string, role triage.Role) account.Invited {
	e.t.Helper()
	var out account.Invited
	r := e.do("POST", "/v1/accounts/invite", triage.RoleAdmin, `{"email":"`+email+`","name":"`+name+`","role":"`+string(role)+`"}`)
	if r.Code != http.StatusCreated {
		e.t.Fatalf("invite %s: %d %s", email, r.Code, r.Body)
	}
	r.json(e.t, &out)
	return out
}

// linkToken takes the token out of a link's fragment.
func linkToken(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Fragment == "" || u.Path != account.LinkPath {
		t.Fatalf("link %q: want %s#<token>", link, account.LinkPath)
	}
	return u.Fragment
}

func (e *env) setPassword(token, password string) resp {
	e.t.Helper()
	return e.do("POST", "/v1/auth/link/password", "", `{"token":"`+token+`","password":"`+password+`"}`)
}

// TestInviteLinkSingleUse: without SMTP the admin gets the link (and only
// then); the link says for whom, sets that person's password once, and
// is refused the second time.
func TestInviteLinkSingleUse(t *testing.T) { onStores(t, testInviteLinkSingleUse) }

func testInviteLinkSingleUse(t *testing.T, e *env) {
	inv := e.invite("zhangwei@aurora.example", "张伟", triage.RoleAgent)
	if inv.Link.Mailed || inv.Link.URL == "" || inv.Account.Role != triage.RoleAgent {
		t.Fatalf("invited without SMTP: %+v; want the link handed to the admin", inv.Link)
	}
	if left := time.Until(inv.Link.ExpiresAt); left < 6*24*time.Hour || left > 7*24*time.Hour {
		t.Errorf("an invitation lives %v, want 7 days", left)
	}
	token := linkToken(t, inv.Link.URL)
	var view account.LinkView
	r := e.do("POST", "/v1/auth/link", "", `{"token":"`+token+`"}`)
	if r.Code != http.StatusOK {
		t.Fatalf("look at the link: %d %s", r.Code, r.Body)
	}
	r.json(t, &view)
	if view.Name != "张伟" || view.Email != "zhangwei@aurora.example" || view.Purpose != "invite" {
		t.Errorf("link view = %+v", view)
	}
	// Before a password is set, no password signs in.
	if r := e.login("zhangwei@aurora.example", testPassword); r.Code != http.StatusUnauthorized {
		t.Fatalf("sign-in before the password is set: %d", r.Code)
	}
	if r := e.setPassword(token, "短"); r.Code != http.StatusBadRequest {
		t.Fatalf("a weak password: %d %s", r.Code, r.Body)
	}
	if r := e.setPassword(token, testPassword); r.Code != http.StatusOK {
		t.Fatalf("set the password: %d %s", r.Code, r.Body)
	}
	if r := e.login("zhangwei@aurora.example", testPassword); r.Code != http.StatusOK {
		t.Fatalf("sign in with the new password: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct{ name, method, path, body string }{
		{"look again", "POST", "/v1/auth/link", `{"token":"` + token + `"}`},
		{"use again", "POST", "/v1/auth/link/password", `{"token":"` + token + `","password":"另一个足够长的密码啊"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, "", tc.body)
			if r.Code != http.StatusUnauthorized || !strings.Contains(string(r.Body), "already used") {
				t.Fatalf("%d %s, want 401 already used", r.Code, r.Body)
			}
		})
	}
	// Inviting the same address again is a conflict.
	if r := e.do("POST", "/v1/accounts/invite", triage.RoleAdmin, `{"email":"ZhangWei@aurora.example","name":"张伟","role":"agent"}`); r.Code != http.StatusConflict {
		t.Errorf("second invitation: %d %s", r.Code, r.Body)
	}
}

// TestInviteBadInput: each bad field is a 400 naming it.
func TestInviteBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ body, field string }{
		{`{"email":"not an address","name":"甲","role":"agent"}`, "email"},
		{`{"email":"a@example.cn","name":" ","role":"agent"}`, "name"},
		{`{"email":"a@example.cn","name":"甲","role":"mail"}`, "role"},
		{`{"email":"a@example.cn","name":"甲","role":"agent","team_id":"nope"}`, "team_id"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			r := e.do("POST", "/v1/accounts/invite", triage.RoleAdmin, tc.body)
			if r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
				t.Fatalf("%d %s, want 400 on %s", r.Code, r.Body, tc.field)
			}
		})
	}
}

// TestInviteLinkIsItsAccounts: a link sets the password of the account it
// was made for and no other; a reset link is not an invitation.
func TestInviteLinkIsItsAccounts(t *testing.T) { onStores(t, testInviteLinkIsItsAccounts) }

func testInviteLinkIsItsAccounts(t *testing.T, e *env) {
	a := e.invite("a@aurora.example", "甲", triage.RoleAgent)
	b := e.invite("b@aurora.example", "乙", triage.RoleAdmin)
	ta := linkToken(t, a.Link.URL)
	// The body has no account field to redirect it: an unknown field is
	// refused rather than ignored.
	if r := e.do("POST", "/v1/auth/link/password", "", `{"token":"`+ta+`","password":"`+testPassword+`","email":"b@aurora.example"}`); r.Code != http.StatusBadRequest {
		t.Fatalf("a link with another account's address: %d %s, want 400", r.Code, r.Body)
	}
	var view account.LinkView
	r := e.setPassword(ta, testPassword)
	r.json(t, &view)
	if r.Code != http.StatusOK || view.Email != "a@aurora.example" {
		t.Fatalf("a's link: %d %s", r.Code, r.Body)
	}
	if r := e.login("b@aurora.example", testPassword); r.Code != http.StatusUnauthorized {
		t.Fatalf("b signs in with the password set through a's link: %d", r.Code)
	}
	if r := e.login("a@aurora.example", testPassword); r.Code != http.StatusOK {
		t.Fatalf("a: %d", r.Code)
	}
	// b's invitation still works for b, and only once a new one is made
	// the old one is void.
	tb := linkToken(t, b.Link.URL)
	var reset account.Link
	r = e.do("POST", "/v1/agents/"+b.Agent.ID+"/account/reset-link", triage.RoleAdmin, "")
	r.json(t, &reset)
	if r.Code != http.StatusCreated || reset.URL == "" {
		t.Fatalf("new link for b: %d %s", r.Code, r.Body)
	}
	if r := e.setPassword(tb, testPassword); r.Code != http.StatusUnauthorized {
		t.Errorf("b's first link after a new one was made: %d, want 401", r.Code)
	}
	if r := e.setPassword(linkToken(t, reset.URL), testPassword); r.Code != http.StatusOK {
		t.Errorf("b's new link: %d %s", r.Code, r.Body)
	}
}

// TestResetLinkExpiresAndEndsSessions: a reset link works for an hour,
// ends the account's sessions when used, and is refused after.
func TestResetLinkExpiresAndEndsSessions(t *testing.T) {
	onStores(t, testResetLinkExpiresAndEndsSessions)
}

func testResetLinkExpiresAndEndsSessions(t *testing.T, e *env) {
	s := e.session(e.agent.ID)
	c := &clock{t: time.Now()}
	e.app.Accounts.Now = c.now
	t.Cleanup(func() { e.app.Accounts.Now = nil })
	mk := func() string {
		var l account.Link
		r := e.do("POST", "/v1/agents/"+e.agent.ID+"/account/reset-link", triage.RoleAdmin, "")
		r.json(t, &l)
		if r.Code != http.StatusCreated || l.Mailed {
			t.Fatalf("reset link: %d %s", r.Code, r.Body)
		}
		if got := l.ExpiresAt.Sub(c.now()); got < 59*time.Minute || got > time.Hour {
			t.Errorf("a reset link lives %v, want an hour", got)
		}
		return linkToken(t, l.URL)
	}
	late := mk()
	c.add(time.Hour + time.Second)
	r := e.setPassword(late, "过期之后设置的新密码")
	if r.Code != http.StatusUnauthorized || !strings.Contains(string(r.Body), "expired") {
		t.Fatalf("an expired link: %d %s, want 401 expired", r.Code, r.Body)
	}
	tok := mk()
	c.add(59 * time.Minute)
	if r := e.setPassword(tok, "重置之后的新密码很长"); r.Code != http.StatusOK {
		t.Fatalf("reset within the hour: %d %s", r.Code, r.Body)
	}
	if r := e.as(s, false, "GET", "/v1/me", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("the session opened before the reset: %d, want 401", r.Code)
	}
	if r := e.setPassword(tok, "第二次使用同一个链接"); r.Code != http.StatusUnauthorized {
		t.Errorf("the reset link again: %d", r.Code)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), "../../etc/passwd"} {
		if r := e.setPassword(bad, testPassword); r.Code != http.StatusUnauthorized && r.Code != http.StatusBadRequest {
			t.Errorf("token %q: %d %s", bad, r.Code, r.Body)
		}
	}
}

// TestForgotWithoutMail: the answer does not tell whether an address has
// an account, and without SMTP says no mail is sent.
func TestForgotWithoutMail(t *testing.T) {
	e := newEnv(t)
	e.withAccount(e.agent.ID, triage.RoleAgent)
	var known, unknown resp
	known = e.do("POST", "/v1/auth/forgot", "", `{"email":"`+e.agent.Email+`"}`)
	unknown = e.do("POST", "/v1/auth/forgot", "", `{"email":"nobody@example.cn"}`)
	if known.Code != http.StatusAccepted || string(known.Body) != string(unknown.Body) || known.Code != unknown.Code {
		t.Fatalf("known %d %s, unknown %d %s: want the same 202", known.Code, known.Body, unknown.Code, unknown.Body)
	}
	if !strings.Contains(string(known.Body), `"mail":false`) {
		t.Errorf("without SMTP: %s", known.Body)
	}
	var m api.SignInMethods
	e.do("GET", "/v1/auth/methods", "", "").json(t, &m)
	if !m.Password || m.SSO || m.ResetByMail {
		t.Errorf("methods without SSO or SMTP = %+v", m)
	}
}

// enrolled signs an agent in, enrols an authenticator app and returns
// its secret and recovery codes.
func (e *env) enrolled(agentID string) (secret string, codes []string) {
	e.t.Helper()
	s := e.session(agentID)
	var en account.Enrolment
	r := e.as(s, true, "POST", "/v1/auth/totp", "")
	r.json(e.t, &en)
	if r.Code != http.StatusCreated || !strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.HasPrefix(en.QR, "data:image/png;base64,") {
		e.t.Fatalf("enrol: %d %s", r.Code, r.Body)
	}
	if r := e.as(s, true, "POST", "/v1/auth/totp/confirm", `{"code":"000000"}`); r.Code != http.StatusBadRequest {
		e.t.Fatalf("confirm with a wrong code: %d %s, want 400 (the session stays)", r.Code, r.Body)
	}
	code, _ := totp.Code(en.Secret, time.Now())
	var rc api.RecoveryCodes
	r = e.as(s, true, "POST", "/v1/auth/totp/confirm", `{"code":"`+code+`"}`)
	r.json(e.t, &rc)
	if r.Code != http.StatusOK || len(rc.RecoveryCodes) != account.RecoveryCodeCount {
		e.t.Fatalf("confirm: %d %s", r.Code, r.Body)
	}
	return en.Secret, rc.RecoveryCodes
}

func (e *env) challenge(email string) api.SignedIn {
	e.t.Helper()
	var out api.SignedIn
	r := e.login(email, testPassword)
	r.json(e.t, &out)
	if r.Code != http.StatusOK || out.Challenge == "" || out.SessionID != "" || len(r.Header.Values("Set-Cookie")) != 0 {
		e.t.Fatalf("password step: %d %s %v, want a challenge and no cookie", r.Code, r.Body, r.Header.Values("Set-Cookie"))
	}
	return out
}

func (e *env) second(challenge, field, code string) resp {
	e.t.Helper()
	return e.do("POST", "/v1/auth/login/second-factor", "", `{"challenge":"`+challenge+`","`+field+`":"`+code+`"}`)
}

// TestTOTPSecondStep: with an app enrolled, the password alone opens no
// session; a wrong code is refused, five of them lock the person out with
// 429 and Retry-After; a right code signs in once; a recovery code works
// once; an admin's reset removes the factor.
func TestTOTPSecondStep(t *testing.T) { onStores(t, testTOTPSecondStep) }

func testTOTPSecondStep(t *testing.T, e *env) {
	secret, codes := e.enrolled(e.agent.ID)
	ch := e.challenge(e.agent.Email)
	if ch.SecondFactor != "totp" {
		t.Fatalf("second factor = %q", ch.SecondFactor)
	}
	if r := e.second(ch.Challenge, "code", "12345"); r.Code != http.StatusBadRequest {
		t.Errorf("a five-digit code: %d %s", r.Code, r.Body)
	}
	for i := range 6 {
		if r := e.second(ch.Challenge, "code", "000000"); r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d %s", i+1, r.Code, r.Body)
		}
	}
	code, _ := totp.Code(secret, time.Now().Add(30*time.Second))
	r := e.second(ch.Challenge, "code", code)
	after, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Code != http.StatusTooManyRequests || err != nil || after < 1 {
		t.Fatalf("after six wrong codes even the right one: %d %s (Retry-After %q), want 429", r.Code, r.Body, r.Header.Get("Retry-After"))
	}
	// A restarted server keeps the lockout (it is in the store)...
	c := &clock{t: time.Now()}
	e.rebuild(func(cfg *api.Config) { cfg.Accounts.Now = c.now })
	if r := e.second(ch.Challenge, "code", code); r.Code != http.StatusTooManyRequests {
		t.Fatalf("the right code after a restart, still locked: %d %s, want 429", r.Code, r.Body)
	}
	// ...until it ends: then the right code lets in, once; the challenge
	// is used up with it.
	c.add(61 * time.Second)
	r = e.second(ch.Challenge, "code", code)
	if r.Code != http.StatusOK || !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), ";"), api.SessionCookie+"=trs_") {
		t.Fatalf("the right code: %d %s", r.Code, r.Body)
	}
	if r := e.second(ch.Challenge, "code", code); r.Code != http.StatusUnauthorized {
		t.Errorf("the same challenge again: %d", r.Code)
	}
	// The same code with a new challenge: a code works once.
	ch = e.challenge(e.agent.Email)
	if r := e.second(ch.Challenge, "code", code); r.Code != http.StatusUnauthorized {
		t.Errorf("a code used before: %d %s", r.Code, r.Body)
	}
	if r := e.second(ch.Challenge, "recovery_code", strings.ToUpper(codes[3])); r.Code != http.StatusOK {
		t.Fatalf("a recovery code: %d %s", r.Code, r.Body)
	}
	ch = e.challenge(e.agent.Email)
	if r := e.second(ch.Challenge, "recovery_code", codes[3]); r.Code != http.StatusUnauthorized {
		t.Errorf("a recovery code used before: %d %s", r.Code, r.Body)
	}
	var acc api.AccountView
	e.do("GET", "/v1/agents/"+e.agent.ID+"/account", triage.RoleAdmin, "").json(t, &acc)
	if !acc.TOTP || acc.RecoveryCodesLeft != account.RecoveryCodeCount-1 {
		t.Errorf("account = totp %v, %d codes left", acc.TOTP, acc.RecoveryCodesLeft)
	}
	if r := e.do("DELETE", "/v1/agents/"+e.agent.ID+"/account/totp", triage.RoleAdmin, ""); r.Code != http.StatusNoContent {
		t.Fatalf("admin reset: %d %s", r.Code, r.Body)
	}
	if r := e.login(e.agent.Email, testPassword); r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"session_id"`) {
		t.Errorf("after the reset the password signs in: %d %s", r.Code, r.Body)
	}
}

// TestRequireTOTP: when admins require a second factor, a person without
// one enrols at sign-in before any session opens, and gets recovery codes.
func TestRequireTOTP(t *testing.T) { onStores(t, testRequireTOTP) }

func testRequireTOTP(t *testing.T, e *env) {
	e.withAccount(e.agent.ID, triage.RoleAgent)
	var set triage.AuthSettings
	r := e.do("PATCH", "/v1/auth/settings", triage.RoleAdmin, `{"require_totp":true}`, "If-Match: *")
	r.json(t, &set)
	if r.Code != http.StatusOK || !set.RequireTOTP {
		t.Fatalf("require: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", "/v1/auth/settings", triage.RoleAdmin, `{"require_totp":null}`, "If-Match: *"); r.Code != http.StatusBadRequest {
		t.Errorf("require_totp null: %d", r.Code)
	}
	ch := e.challenge(e.agent.Email)
	if ch.SecondFactor != "enrol" || ch.Enrolment == nil || ch.Enrolment.Secret == "" {
		t.Fatalf("enrol at sign-in: %+v", ch)
	}
	if r := e.second(ch.Challenge, "code", "000000"); r.Code != http.StatusUnauthorized {
		t.Errorf("a wrong first code: %d", r.Code)
	}
	code, _ := totp.Code(ch.Enrolment.Secret, time.Now())
	var in api.SignedIn
	r = e.second(ch.Challenge, "code", code)
	r.json(t, &in)
	if r.Code != http.StatusOK || in.SessionID == "" || len(in.RecoveryCodes) != account.RecoveryCodeCount {
		t.Fatalf("first code: %d %s", r.Code, r.Body)
	}
	// From now on the password step asks for the app's code.
	if ch := e.challenge(e.agent.Email); ch.SecondFactor != "totp" {
		t.Errorf("next sign-in asks for %q", ch.SecondFactor)
	}
	// Turning one's own factor off is refused while it is required.
	s := &signedIn{SignedIn: in}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		s.cookie += c.Name + "=" + c.Value + "; "
	}
	code, _ = totp.Code(ch.Enrolment.Secret, time.Now().Add(30*time.Second))
	if r := e.as(s, true, "POST", "/v1/auth/totp/disable", `{"code":"`+code+`"}`); r.Code != http.StatusForbidden {
		t.Errorf("turn it off while required: %d %s", r.Code, r.Body)
	}
}

// TestLinkUsedOnceUnderRace: of several requests that use one link at
// the same time, one sets the password and the others are refused.
func TestLinkUsedOnceUnderRace(t *testing.T) { onStores(t, testLinkUsedOnceUnderRace) }

func testLinkUsedOnceUnderRace(t *testing.T, e *env) {
	token := linkToken(t, e.invite("race@aurora.example", "并发", triage.RoleViewer).Link.URL)
	const n = 6
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- e.do("POST", "/v1/auth/link/password", "", `{"token":"`+token+`","password":"并发设置的密码-第`+strconv.Itoa(i)+`个"}`).Code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusOK] != 1 || got[http.StatusUnauthorized] != n-1 {
		t.Fatalf("answers %v, want one 200 and %d 401", got, n-1)
	}
}
