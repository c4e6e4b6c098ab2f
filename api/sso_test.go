package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/oidc/oidctest"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestSSOJustInTime signs people in through a real OpenID Provider (the
// zitadel/oidc OP run by oidctest) over real HTTP, a client with a cookie
// jar following every redirect as a browser does: the first sign-in makes
// the account with the role and team its claims map to; a later one with
// other claims changes the role; a person whose groups map to no role is
// refused, and a deactivated account stays out.
func TestSSOJustInTime(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testSSOJustInTime(t, "") })
	t.Run("postgres", func(t *testing.T) { testSSOJustInTime(t, pgtest.NewDatabase(t)) })
}

func testSSOJustInTime(t *testing.T, db string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	callback := base + "/auth/oidc/callback"
	op := oidctest.Start(t, []oidctest.Client{{ID: "triage", Secret: "s3cret-客服", RedirectURIs: []string{callback}, ClaimsInIDToken: true}},
		[]oidctest.User{
			{ID: "u-liuyang", Username: "liuyang", Password: "刘洋-pass-2026", Email: "liuyang@aurora.example", EmailVerified: true, Name: "刘洋",
				Claims: map[string]any{"groups": []any{"staff", "helpdesk-agents"}, "department": "售后"}},
			{ID: "u-boss", Username: "boss", Password: "boss-pass-2026", Email: "boss@aurora.example", EmailVerified: true, Name: "老板",
				Claims: map[string]any{"groups": []any{"helpdesk-admins"}}},
			{ID: "u-sales", Username: "sales", Password: "sales-pass-2026", Email: "sales@aurora.example", EmailVerified: true, Name: "销售",
				Claims: map[string]any{"groups": []any{"sales"}}},
		})
	ctx := context.Background()
	key := ""
	if db != "" {
		key = testSealKey
	}
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t), Version: "test", Log: slog.New(slog.DiscardHandler), DB: db, SecretKey: key,
		OIDC: app.OIDCConfig{Issuer: op.Issuer, ClientID: "triage", ClientSecret: "s3cret-客服", RedirectURL: callback, Scopes: []string{"email", "profile", "groups"},
			RoleClaim: "groups", RoleMap: map[string]string{"helpdesk-agents": "agent", "helpdesk-admins": "admin"},
			TeamClaim: "department", TeamMap: map[string]string{"售后": "售后组"}, Name: "企业微信"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewUnstartedServer(a.Server.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	admin, err := a.Desk.Bootstrap(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string, v any) int {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin.Secret)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return doJSON(t, http.DefaultClient, req, v)
	}
	var team triage.Team
	if code := call("POST", "/v1/teams", `{"name":"售后组"}`, &team); code != http.StatusCreated {
		t.Fatalf("team: %d", code)
	}
	var methods api.SignInMethods
	call("GET", "/v1/auth/methods", "", &methods)
	if !methods.SSO || methods.SSOName != "企业微信" {
		t.Errorf("methods = %+v", methods)
	}

	signIn := func(user, password string) (*http.Client, *oidctest.Response) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		resp, err := oidctest.SignIn(hc, base+"/auth/oidc/login?return=/app/reports", user, password)
		if err != nil {
			t.Fatal(err)
		}
		return hc, resp
	}
	me := func(hc *http.Client) (int, api.Me) {
		var m api.Me
		req, _ := http.NewRequest("GET", base+"/v1/me", nil)
		return doJSON(t, hc, req, &m), m
	}
	account := func(email string) *api.AccountView {
		var list api.List[api.AccountView]
		call("GET", "/v1/accounts", "", &list)
		i := slices.IndexFunc(list.Items, func(v api.AccountView) bool { return v.Email == email })
		if i < 0 {
			return nil
		}
		return &list.Items[i]
	}

	hc, resp := signIn("liuyang", "刘洋-pass-2026")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/app/reports" {
		t.Fatalf("after the provider: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	code, m := me(hc)
	if code != http.StatusOK || m.Role != triage.RoleAgent || m.Agent == nil || m.Agent.Name != "刘洋" {
		t.Fatalf("/v1/me with the SSO session: %d %+v", code, m)
	}
	acc := account("liuyang@aurora.example")
	if acc == nil || acc.Role != triage.RoleAgent || acc.SSOIssuer != op.Issuer || acc.SSOSubject != "u-liuyang" || acc.PasswordHash != "" {
		t.Fatalf("the account made just in time: %+v", acc)
	}
	call("GET", "/v1/teams/"+team.ID, "", &team)
	if !slices.Contains(team.Members, acc.AgentID) {
		t.Errorf("售后组 members = %v, want the new agent", team.Members)
	}

	// The role follows the claims at every sign-in: an admin's change here
	// lasts until the next one.
	patch := func(body string) int {
		req, _ := http.NewRequest("PATCH", base+"/v1/agents/"+acc.AgentID+"/account", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin.Secret)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", "*")
		return doJSON(t, http.DefaultClient, req, nil)
	}
	if code := patch(`{"role":"viewer"}`); code != http.StatusOK {
		t.Fatalf("make viewer: %d", code)
	}
	hc, _ = signIn("liuyang", "刘洋-pass-2026")
	if code, m := me(hc); code != http.StatusOK || m.Role != triage.RoleAgent {
		t.Errorf("after signing in again: %d %+v, want the claims' agent", code, m)
	}

	// The admin group maps to admin; an agent who exists already with the
	// verified address is linked, not made twice.
	var boss triage.Agent
	if code := call("POST", "/v1/agents", `{"name":"老板","email":"Boss@aurora.example"}`, &boss); code != http.StatusCreated {
		t.Fatalf("agent: %d", code)
	}
	hc, _ = signIn("boss", "boss-pass-2026")
	if code, m := me(hc); code != http.StatusOK || m.Role != triage.RoleAdmin || m.Agent == nil || m.Agent.ID != boss.ID {
		t.Errorf("boss: %d %+v, want admin as agent %s", code, m, boss.ID)
	}
	// A group that maps to no role: refused, no account, back at the
	// sign-in page with a reason code.
	_, resp = signIn("sales", "sales-pass-2026")
	if !strings.Contains(resp.Request.URL.RawQuery, "sso_error=forbidden") || account("sales@aurora.example") != nil {
		t.Errorf("unmapped group: at %s, account %+v", resp.Request.URL, account("sales@aurora.example"))
	}
	// A deactivated account stays out, whatever the provider says.
	if code := patch(`{"active":false}`); code != http.StatusOK {
		t.Fatalf("deactivate: %d", code)
	}
	hc, resp = signIn("liuyang", "刘洋-pass-2026")
	if !strings.Contains(resp.Request.URL.RawQuery, "sso_error=forbidden") {
		t.Errorf("deactivated: at %s", resp.Request.URL)
	}
	if code, _ := me(hc); code != http.StatusUnauthorized {
		t.Errorf("deactivated: /v1/me %d", code)
	}
}

// doJSON sends req with hc and decodes a JSON answer into v.
func doJSON(t *testing.T, hc *http.Client, req *http.Request, v any) int {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	return resp.StatusCode
}
