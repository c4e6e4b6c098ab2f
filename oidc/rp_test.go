package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/oidc/oidctest"
)

// env is a real provider and a small relying-party web app around RPs,
// as the api package will mount them: /login/<rp> starts, /callback/<rp>
// finishes and answers the Identity (or the error) as JSON.
type env struct {
	op  *oidctest.Provider
	app *httptest.Server
	mu  sync.Mutex
	rps map[string]*RP
	// onCallback, when set, replaces Finish for one RP (for the tests that
	// take a token from one RP to another).
	onCallback map[string]func(w http.ResponseWriter, r *http.Request, cookie string)
}

var stateKey = []byte("0123456789abcdef0123456789abcdef")

func users() []oidctest.User {
	return []oidctest.User{
		{
			ID: "u-zhangwei", Username: "zhangwei", Password: "长城-green-2026", Email: "zhang.wei@example.cn", EmailVerified: true, Name: "张伟",
			GivenName: "伟", FamilyName: "张",
			Claims: map[string]any{
				"groups":       []string{"/staff", "/helpdesk/agents", "/helpdesk/team-refunds"},
				"realm_access": map[string]any{"roles": []string{"offline_access", "helpdesk-admin"}},
				"department":   "退款组",
			},
		},
		{
			ID: "u-lina", Username: "lina", Password: "another-pass-2026", Email: "li.na@example.cn", EmailVerified: false,
			GivenName: "娜", FamilyName: "李", Claims: map[string]any{"groups": []string{"/helpdesk/agents"}},
		},
		{
			ID: "u-wangfang", Username: "wangfang", Password: "third-pass-2026", Email: "wang.fang@example.cn", EmailVerified: true,
			GivenName: "芳", FamilyName: "王", Claims: map[string]any{"groups": []string{"/finance"}},
		},
	}
}

// baseConfig maps the group list: agents are agents, the refunds group is
// the refunds team.
func baseConfig(e *env, clientID string) Config {
	return Config{
		Issuer: e.op.Issuer, ClientID: clientID, ClientSecret: clientID + "-secret",
		RedirectURL: e.app.URL + "/callback/" + clientID,
		Scopes:      []string{"email", "profile", "groups"},
		RoleClaim:   "groups",
		RoleMap:     map[string]triage.Role{"/helpdesk/agents": triage.RoleAgent, "/helpdesk/leads": triage.RoleAdmin},
		TeamClaim:   "groups",
		TeamMap:     map[string]string{"/helpdesk/team-refunds": "refunds", "/helpdesk/team-logistics": "logistics"},
		StateKey:    stateKey,
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{rps: map[string]*RP{}, onCallback: map[string]func(http.ResponseWriter, *http.Request, string){}}
	e.app = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.app.Close)
	var clients []oidctest.Client
	for _, c := range []struct {
		id      string
		inToken bool
	}{{"triage", true}, {"triage-userinfo", false}, {"other-app", true}} {
		clients = append(clients, oidctest.Client{ID: c.id, Secret: c.id + "-secret", RedirectURIs: []string{e.app.URL + "/callback/" + c.id}, ClaimsInIDToken: c.inToken})
	}
	e.op = oidctest.Start(t, clients, users())
	return e
}

func (e *env) add(t *testing.T, name string, cfg Config) *RP {
	t.Helper()
	rp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.rps[name] = rp
	e.mu.Unlock()
	return rp
}

func (e *env) serve(w http.ResponseWriter, r *http.Request) {
	kind, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	e.mu.Lock()
	rp, hook := e.rps[name], e.onCallback[name]
	e.mu.Unlock()
	if rp == nil {
		http.NotFound(w, r)
		return
	}
	switch kind {
	case "login":
		authURL, cookie, err := rp.Begin(r.Context(), r.URL.Query().Get("return"))
		if err != nil {
			writeErr(w, err)
			return
		}
		http.SetCookie(w, rp.Cookie(cookie))
		http.Redirect(w, r, authURL, http.StatusFound)
	case "callback":
		var cookie string
		if c, err := r.Cookie(CookieName); err == nil {
			cookie = c.Value
		}
		http.SetCookie(w, rp.Cookie(""))
		if hook != nil {
			hook(w, r, cookie)
			return
		}
		id, err := rp.Finish(r.Context(), cookie, r.URL.Query())
		if err != nil {
			writeErr(w, err)
			return
		}
		_ = json.NewEncoder(w).Encode(id)
	default:
		http.NotFound(w, r)
	}
}

type errBody struct {
	Code, Message, Field string
}

func writeErr(w http.ResponseWriter, err error) {
	status := map[string]int{triage.EUNAUTHORIZED: 401, triage.EFORBIDDEN: 403, triage.EUNAVAILABLE: 503, triage.EINVALID: 400}[triage.ErrorCode(err)]
	if status == 0 {
		status = 500
	}
	var te *triage.Error
	field := ""
	if errors.As(err, &te) {
		field = te.Field
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errBody{triage.ErrorCode(err), triage.ErrorMessage(err), field})
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// signIn runs the whole flow in a browser and decodes the app's answer.
func (e *env) signIn(t *testing.T, hc *http.Client, rp, returnTo, user, password string) (Identity, *errBody, int) {
	t.Helper()
	resp, err := oidctest.SignIn(hc, e.app.URL+"/login/"+rp+"?return="+url.QueryEscape(returnTo), user, password)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		var b errBody
		if err := json.Unmarshal([]byte(resp.Body), &b); err != nil {
			t.Fatalf("status %d from %s: %.300s", resp.StatusCode, resp.Request.URL, resp.Body)
		}
		return Identity{}, &b, resp.StatusCode
	}
	var id Identity
	if err := json.Unmarshal([]byte(resp.Body), &id); err != nil {
		t.Fatalf("not an identity from %s: %.300s", resp.Request.URL, resp.Body)
	}
	return id, nil, 200
}

func TestFullSignIn(t *testing.T) {
	e := newEnv(t)
	for _, client := range []string{"triage", "triage-userinfo"} {
		t.Run(client, func(t *testing.T) {
			e.add(t, client, baseConfig(e, client))
			hc := browser(t)
			// Record the authorization request the browser is sent to.
			var authReq *url.URL
			hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if strings.HasPrefix(req.URL.String(), e.op.Issuer+"/authorize?") {
					authReq = req.URL
				}
				return nil
			}
			before := e.op.Requests("/userinfo")
			id, eb, status := e.signIn(t, hc, client, "/tickets/42", "zhangwei", "长城-green-2026")
			if status != 200 {
				t.Fatalf("sign-in failed: %d %+v", status, eb)
			}
			want := Identity{
				Issuer: e.op.Issuer, Subject: "u-zhangwei", Email: "zhang.wei@example.cn", EmailVerified: true,
				Name: "张伟", Role: triage.RoleAgent, Team: "refunds", ReturnTo: "/tickets/42",
			}
			if id != want {
				t.Fatalf("identity\n got %+v\nwant %+v", id, want)
			}
			// Userinfo is asked only when the ID token lacks claims.
			if asked, wantAsked := e.op.Requests("/userinfo") > before, client == "triage-userinfo"; asked != wantAsked {
				t.Fatalf("userinfo asked: %v, want %v", asked, wantAsked)
			}
			q := authReq.Query()
			if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("nonce") == "" || q.Get("state") == "" ||
				q.Get("response_type") != "code" || q.Get("scope") != "openid email profile groups" {
				t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authReq)
			}
			// The login cookie is gone after the callback.
			app, _ := url.Parse(e.app.URL + "/callback/")
			for _, c := range hc.Jar.Cookies(app) {
				if c.Name == CookieName {
					t.Fatal("the login cookie outlived the callback")
				}
			}
		})
	}
}

func TestSignInWrongPasswordAtProvider(t *testing.T) {
	e := newEnv(t)
	e.add(t, "triage", baseConfig(e, "triage"))
	resp, err := oidctest.SignIn(browser(t), e.app.URL+"/login/triage", "zhangwei", "wrong password")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Request.URL.Host == strings.TrimPrefix(e.app.URL, "http://") || !strings.Contains(resp.Body, "用户名或密码错误") {
		t.Fatalf("a wrong password reached the app: %s %.200s", resp.Request.URL, resp.Body)
	}
}

func TestClaimMapping(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name     string
		mod      func(*Config)
		user     string
		password string
		wantRole triage.Role
		wantTeam string
		wantCode string
	}{
		{"group list to role and team", nil, "zhangwei", "长城-green-2026", triage.RoleAgent, "refunds", ""},
		{"nested realm_access.roles, most powerful wins", func(c *Config) {
			c.RoleClaim = "realm_access.roles"
			c.RoleMap = map[string]triage.Role{"offline_access": triage.RoleViewer, "helpdesk-admin": triage.RoleAdmin}
		}, "zhangwei", "长城-green-2026", triage.RoleAdmin, "refunds", ""},
		{"string claim as team, no map", func(c *Config) { c.TeamClaim = "department"; c.TeamMap = nil }, "zhangwei", "长城-green-2026", triage.RoleAgent, "退款组", ""},
		{"no mapped group, default role", func(c *Config) { c.DefaultRole = triage.RoleViewer }, "wangfang", "third-pass-2026", triage.RoleViewer, "", ""},
		{"no mapped group, no default: refused", nil, "wangfang", "third-pass-2026", "", "", triage.EFORBIDDEN},
		{"unverified e-mail refused", nil, "lina", "another-pass-2026", "", "", triage.EFORBIDDEN},
		{"unverified e-mail allowed when configured", func(c *Config) { c.AllowUnverifiedEmail = true }, "lina", "another-pass-2026", triage.RoleAgent, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig(e, "triage")
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			e.add(t, "triage", cfg)
			id, eb, _ := e.signIn(t, browser(t), "triage", "/", tc.user, tc.password)
			if tc.wantCode != "" {
				if eb == nil || eb.Code != tc.wantCode {
					t.Fatalf("got %+v / %+v, want %s", id, eb, tc.wantCode)
				}
				return
			}
			if eb != nil || id.Role != tc.wantRole || id.Team != tc.wantTeam {
				t.Fatalf("got %+v / %+v, want role %q team %q", id, eb, tc.wantRole, tc.wantTeam)
			}
		})
	}
}

// stopAtCallback returns a browser that stops when sent to the app's
// callback, and the function that runs the flow up to there.
func (e *env) untilCallback(t *testing.T, rp string) (*http.Client, *url.URL) {
	t.Helper()
	hc := browser(t)
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), e.app.URL+"/callback/") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := oidctest.SignIn(hc, e.app.URL+"/login/"+rp, "zhangwei", "长城-green-2026")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("the provider did not send the browser back: %d %.200s", resp.StatusCode, resp.Body)
	}
	return hc, loc
}

func (e *env) get(t *testing.T, hc *http.Client, u string) (int, errBody, Identity) {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b errBody
	var id Identity
	if resp.StatusCode == 200 {
		_ = json.NewDecoder(resp.Body).Decode(&id)
	} else {
		_ = json.NewDecoder(resp.Body).Decode(&b)
	}
	return resp.StatusCode, b, id
}

func TestStateRefused(t *testing.T) {
	e := newEnv(t)
	rp := e.add(t, "triage", baseConfig(e, "triage"))
	appURL, _ := url.Parse(e.app.URL + "/callback/triage")

	t.Run("control: the untouched callback works", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		if status, b, id := e.get(t, hc, cb.String()); status != 200 || id.Subject != "u-zhangwei" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("tampered state parameter", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		q := cb.Query()
		q.Set("state", q.Get("state")[:42]+"x")
		cb.RawQuery = q.Encode()
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("tampered cookie", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		raw, err := base64.RawURLEncoding.DecodeString(hc.Jar.Cookies(appURL)[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 1
		hc.Jar.SetCookies(appURL, []*http.Cookie{{Name: CookieName, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/callback"}})
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("no cookie: another browser", func(t *testing.T) {
		_, cb := e.untilCallback(t, "triage")
		if status, b, _ := e.get(t, browser(t), cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("another login's cookie", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		other, _ := e.untilCallback(t, "triage")
		hc.Jar.SetCookies(appURL, other.Jar.Cookies(appURL))
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("cookie of another provider configuration", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		cfg := baseConfig(e, "triage")
		cfg.Issuer = "https://sso.other.example"
		other, _ := New(cfg)
		// Re-seal what this browser holds under the other configuration:
		// it must not open here.
		pend, err := rp.openPending(hc.Jar.Cookies(appURL)[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		foreign, _ := other.sealPending(pend)
		hc.Jar.SetCookies(appURL, []*http.Cookie{{Name: CookieName, Value: foreign, Path: "/callback"}})
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("expired login", func(t *testing.T) {
		clock := time.Now()
		cfg := baseConfig(e, "triage")
		cfg.Now = func() time.Time { return clock }
		e.add(t, "triage", cfg)
		defer e.add(t, "triage", baseConfig(e, "triage"))
		hc, cb := e.untilCallback(t, "triage")
		clock = clock.Add(11 * time.Minute)
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || b.Field != "state" {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("provider error", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		q := cb.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		cb.RawQuery = q.Encode()
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 || !strings.Contains(b.Message, "cancelled") {
			t.Fatalf("%d %+v", status, b)
		}
	})
	t.Run("code replayed", func(t *testing.T) {
		hc, cb := e.untilCallback(t, "triage")
		cookies := hc.Jar.Cookies(appURL)
		if status, _, _ := e.get(t, hc, cb.String()); status != 200 {
			t.Fatal("first use failed")
		}
		hc.Jar.SetCookies(appURL, []*http.Cookie{{Name: CookieName, Value: cookies[0].Value, Path: "/callback"}})
		if status, b, _ := e.get(t, hc, cb.String()); status != 401 {
			t.Fatalf("a code was accepted twice: %d %+v", status, b)
		}
	})
}

// TestWrongNonce: a cookie whose state matches but whose nonce is not the
// one the ID token carries (an ID token injected from another login).
func TestWrongNonce(t *testing.T) {
	e := newEnv(t)
	rp := e.add(t, "triage", baseConfig(e, "triage"))
	appURL, _ := url.Parse(e.app.URL + "/callback/triage")
	hc, cb := e.untilCallback(t, "triage")
	pend, err := rp.openPending(hc.Jar.Cookies(appURL)[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	pend.Nonce = "not-the-nonce-that-was-sent"
	forged, _ := rp.sealPending(pend)
	hc.Jar.SetCookies(appURL, []*http.Cookie{{Name: CookieName, Value: forged, Path: "/callback"}})
	status, b, _ := e.get(t, hc, cb.String())
	if status != 401 || b.Code != triage.EUNAUTHORIZED {
		t.Fatalf("a wrong nonce was accepted: %d %+v", status, b)
	}
}

// TestWrongVerifier: the provider enforces PKCE, so a stolen code without
// the browser's verifier is worthless.
func TestWrongVerifier(t *testing.T) {
	e := newEnv(t)
	rp := e.add(t, "triage", baseConfig(e, "triage"))
	appURL, _ := url.Parse(e.app.URL + "/callback/triage")
	hc, cb := e.untilCallback(t, "triage")
	pend, _ := rp.openPending(hc.Jar.Cookies(appURL)[0].Value)
	pend.Verifier = strings.Repeat("A", 43)
	forged, _ := rp.sealPending(pend)
	hc.Jar.SetCookies(appURL, []*http.Cookie{{Name: CookieName, Value: forged, Path: "/callback"}})
	status, b, _ := e.get(t, hc, cb.String())
	if status != 401 || !strings.Contains(b.Message, "refused the authorization code") {
		t.Fatalf("a code was exchanged without its verifier: %d %+v", status, b)
	}
}

// TestWrongAudience: an ID token the provider issued to another
// application is refused by triage's relying party.
func TestWrongAudience(t *testing.T) {
	e := newEnv(t)
	mine := e.add(t, "triage", baseConfig(e, "triage"))
	other := e.add(t, "other-app", baseConfig(e, "other-app"))
	var verifyErr error
	done := make(chan struct{})
	e.onCallback["other-app"] = func(w http.ResponseWriter, r *http.Request, cookie string) {
		defer close(done)
		ctx := r.Context()
		pend, err := other.openPending(cookie)
		if err != nil {
			verifyErr = err
			return
		}
		p, _ := other.discover(ctx)
		raw, tok, err := other.exchange(ctx, p, r.URL.Query().Get("code"), pend.Verifier)
		if err != nil {
			verifyErr = err
			return
		}
		// The token is good for the app it was issued to...
		if _, err := other.verify(ctx, p, raw, pend.Nonce, tok.AccessToken); err != nil {
			verifyErr = errors.New("control failed: " + err.Error())
			return
		}
		// ...and not for triage.
		mp, _ := mine.discover(ctx)
		_, verifyErr = mine.verify(ctx, mp, raw, pend.Nonce, tok.AccessToken)
	}
	if _, err := oidctest.SignIn(browser(t), e.app.URL+"/login/other-app", "zhangwei", "长城-green-2026"); err != nil {
		t.Fatal(err)
	}
	<-done
	var te *triage.Error
	if !errors.As(verifyErr, &te) || te.Code != triage.EUNAUTHORIZED || !strings.Contains(te.Err.Error(), "audience") {
		t.Fatalf("verify(another app's token) = %v, want an audience refusal", verifyErr)
	}
}

// TestExpiredToken: triage's clock two hours on, the provider's hour-long
// ID token has expired.
func TestExpiredToken(t *testing.T) {
	e := newEnv(t)
	cfg := baseConfig(e, "triage")
	cfg.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	e.add(t, "triage", cfg)
	_, eb, status := e.signIn(t, browser(t), "triage", "/", "zhangwei", "长城-green-2026")
	if status != 401 || !strings.Contains(eb.Message, "expired") {
		t.Fatalf("an expired ID token was accepted: %d %+v", status, eb)
	}
}

func TestProviderDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	rp, err := New(Config{Issuer: dead.URL, ClientID: "triage", RedirectURL: "https://helpdesk.example.cn/auth/oidc/callback", DefaultRole: triage.RoleAgent, StateKey: stateKey})
	if err != nil {
		t.Fatalf("New contacted the provider: %v", err)
	}
	if _, _, err := rp.Begin(context.Background(), "/"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("Begin with the provider down = %v", err)
	}
	if err := rp.Discover(context.Background()); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("Discover = %v", err)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	e := newEnv(t)
	e.add(t, "triage", baseConfig(e, "triage"))
	for _, evil := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"} {
		id, eb, _ := e.signIn(t, browser(t), "triage", evil, "zhangwei", "长城-green-2026")
		if eb != nil || id.ReturnTo != "/" {
			t.Fatalf("return %q became %q (%+v)", evil, id.ReturnTo, eb)
		}
	}
}
