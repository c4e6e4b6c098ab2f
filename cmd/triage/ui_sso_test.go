package main

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/triagehq/triage/oidc/oidctest"
)

// TestUISSO signs in with single sign-on in a browser (and signs out,
// ending the provider's session too): `triage serve`
// with the --oidc flags against a real OpenID Provider (zitadel/oidc's OP,
// run by oidctest), the sign-in page's button, the provider's own login
// form, and back into the inbox; the account made just in time has the
// role the groups claim maps to, checked through the API.
func TestUISSO(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	callback := "http://" + addr + "/auth/oidc/callback"
	back := "http://" + addr + "/app/inbox"
	op := oidctest.Start(t, []oidctest.Client{{ID: "triage", Secret: "kc-secret", RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{back}, ClaimsInIDToken: true}},
		[]oidctest.User{{ID: "u-chenjing", Username: "chenjing", Password: "陈静-sso-2026", Email: "chenjing@aurora.example", EmailVerified: true, Name: "陈静",
			Claims: map[string]any{"groups": []any{"helpdesk-editors"}}},
			{ID: "u-sales", Username: "sales", Password: "sales-sso-2026", Email: "sales@aurora.example", EmailVerified: true, Name: "销售",
				Claims: map[string]any{"groups": []any{"sales"}}}})
	t.Setenv("TRIAGE_OIDC_CLIENT_SECRET", "kc-secret")
	u := startUIWith(t, "--addr", addr, "--oidc-issuer", op.Issuer, "--oidc-client-id", "triage", "--oidc-redirect-url", callback,
		"--oidc-scopes", "email,profile,groups", "--oidc-role-claim", "groups", "--oidc-role-map", "helpdesk-editors=editor,helpdesk-admins=admin",
		"--oidc-name", "Keycloak")

	ctx := u.tab(t, 1366, 768)
	step(t, ctx, "the sign-in page offers single sign-on",
		chromedp.Navigate(u.url+"/app/kb"),
		chromedp.WaitVisible(chromedp.ID("sso-login")))
	if label := text(t, ctx, "#sso-login"); label != "使用Keycloak登录" {
		t.Errorf("the button says %q", label)
	}
	step(t, ctx, "go to the provider",
		chromedp.Click(chromedp.ID("sso-login")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	// The provider's page is not ours: its missing favicon is its own.
	time.Sleep(500 * time.Millisecond)
	u.errors()
	step(t, ctx, "sign in at the provider",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chenjing"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "陈静-sso-2026"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
	if who := text(t, ctx, ".who-name"); who != "陈静" {
		t.Errorf("signed in as %q", who)
	}
	if path := jsEval[string](t, ctx, `location.pathname`); path != "/app/kb" {
		t.Errorf("back at %s, want the page asked for (/app/kb)", path)
	}
	var list struct {
		Items []struct {
			AgentID    string `json:"agent_id"`
			Email      string
			Role       string
			SSOSubject string `json:"sso_subject"`
		}
	}
	if err := u.api("GET", "/v1/accounts", &list); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list.Items, func(a struct {
		AgentID    string `json:"agent_id"`
		Email      string
		Role       string
		SSOSubject string `json:"sso_subject"`
	}) bool {
		return a.Email == "chenjing@aurora.example"
	})
	if i < 0 || list.Items[i].Role != "editor" || list.Items[i].SSOSubject != "u-chenjing" {
		t.Fatalf("the account made by single sign-on: %+v", list.Items)
	}
	if n := u.liveSessions(t, list.Items[i].AgentID); n != 1 {
		t.Errorf("%d sessions", n)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n%s", strings.Join(errs, "\n"))
	}

	// Signing out ends the provider's session too (RP-initiated logout):
	// the browser goes to its end_session_endpoint and comes back to the
	// sign-in page.
	step(t, ctx, "sign out, at the provider too",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("sso-login")))
	waitAPI(t, "back from the provider's sign-out", func() bool {
		return strings.HasPrefix(jsEval[string](t, ctx, `location.href`), back+"?state=")
	})
	if ended := op.EndedSessions(); !slices.Equal(ended, []string{"u-chenjing/triage"}) {
		t.Errorf("the provider ended %v, want 陈静's session with triage", ended)
	}
	if n := u.liveSessions(t, list.Items[i].AgentID); n != 0 {
		t.Errorf("%d sessions after signing out", n)
	}
	time.Sleep(300 * time.Millisecond)
	u.errors() // the provider's pages are not ours

	// A person whose groups map to no role is told so, in Chinese, and
	// gets no account.
	step(t, ctx, "try as someone in no mapped group",
		chromedp.WaitVisible(chromedp.ID("sso-login")),
		chromedp.Click(chromedp.ID("sso-login")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "sales"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "sales-sso-2026"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#login-form .alert`)))
	if msg := text(t, ctx, "#login-form .alert"); !strings.Contains(msg, "不能使用本系统") {
		t.Errorf("the refused sign-in says %q", msg)
	}
	if err := u.api("GET", "/v1/accounts", &list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Items {
		if a.Email == "sales@aurora.example" {
			t.Errorf("an account was made for a person in no mapped group: %+v", a)
		}
	}
}
