package api_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/oidc/oidctest"
)

// TestSSOSignOut: signing out of a session opened through the provider
// ends the provider's session too (RP-Initiated Logout 1.0): the sign-out
// answers the provider's end_session_endpoint with id_token_hint,
// client_id and the registered post_logout_redirect_uri; the real OP
// (zitadel/oidc, oidctest) accepts it, ends the person's session and
// sends the browser back. A sign-out cookie of another session gives
// nothing.
func TestSSOSignOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	callback, back := base+"/auth/oidc/callback", base+"/app/inbox"
	op := oidctest.Start(t, []oidctest.Client{{ID: "triage", Secret: "s3cret-客服", RedirectURIs: []string{callback},
		PostLogoutRedirectURIs: []string{back}, ClaimsInIDToken: true}},
		[]oidctest.User{{ID: "u-liuyang", Username: "liuyang", Password: "刘洋-pass-2026", Email: "liuyang@aurora.example", EmailVerified: true, Name: "刘洋",
			Claims: map[string]any{"groups": []any{"helpdesk-agents"}}}})
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t), Version: "test", Log: slog.New(slog.DiscardHandler),
		OIDC: app.OIDCConfig{Issuer: op.Issuer, ClientID: "triage", ClientSecret: "s3cret-客服", RedirectURL: callback, Scopes: []string{"email", "profile", "groups"},
			RoleClaim: "groups", RoleMap: map[string]string{"helpdesk-agents": "agent"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewUnstartedServer(a.Server.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	signIn := func() *http.Client {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		if _, err := oidctest.SignIn(hc, base+"/auth/oidc/login?return=/app/inbox", "liuyang", "刘洋-pass-2026"); err != nil {
			t.Fatal(err)
		}
		return hc
	}
	cookie := func(hc *http.Client, name string) string {
		u, _ := url.Parse(base)
		for _, c := range hc.Jar.Cookies(u) {
			if c.Name == name {
				return c.Value
			}
		}
		return ""
	}
	logout := func(hc *http.Client) api.SignedOut {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/v1/auth/logout", nil)
		req.Header.Set(api.CSRFHeader, cookie(hc, api.CSRFCookie))
		var out api.SignedOut
		if code := doJSON(t, hc, req, &out); code != http.StatusOK {
			t.Fatalf("sign-out: %d", code)
		}
		return out
	}

	hc := signIn()
	if cookie(hc, "triage_sso") == "" {
		t.Fatal("no sign-out cookie after signing in through the provider")
	}
	// Another session's sign-out cookie ends no provider session.
	other := signIn()
	stolen := cookie(other, "triage_sso")
	u, _ := url.Parse(base)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "triage_sso", Value: stolen, Path: "/"}})
	if out := logout(hc); out.EndSessionURL != "" {
		t.Fatalf("another session's cookie gave %q", out.EndSessionURL)
	}

	out := logout(other)
	end, err := url.Parse(out.EndSessionURL)
	if err != nil || out.EndSessionURL == "" {
		t.Fatalf("end_session_url = %q", out.EndSessionURL)
	}
	q := end.Query()
	if end.Scheme+"://"+end.Host != op.Issuer || q.Get("id_token_hint") == "" || q.Get("client_id") != "triage" || q.Get("post_logout_redirect_uri") != back || q.Get("state") == "" {
		t.Fatalf("end_session_url %s", out.EndSessionURL)
	}
	if cookie(other, "triage_sso") != "" {
		t.Error("the sign-out cookie outlived the sign-out")
	}
	// The browser goes there: the provider checks the hint and the
	// redirect URI, ends the session and sends it back with the state.
	resp, err := other.Get(out.EndSessionURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Request.URL; got.Scheme+"://"+got.Host+got.Path != back || got.Query().Get("state") != q.Get("state") {
		t.Fatalf("after the provider's sign-out the browser is at %s", got)
	}
	if ended := op.EndedSessions(); !slices.Equal(ended, []string{"u-liuyang/triage"}) {
		t.Fatalf("the provider ended %v, want u-liuyang's session with triage", ended)
	}
	req, _ := http.NewRequest("GET", base+"/v1/me", nil)
	if code := doJSON(t, other, req, nil); code != http.StatusUnauthorized {
		t.Errorf("/v1/me after signing out: %d", code)
	}
}
