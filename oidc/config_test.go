package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func validConfig() Config {
	return Config{
		Issuer: "https://sso.example.cn/realms/helpdesk", ClientID: "triage", ClientSecret: "s",
		RedirectURL: "https://helpdesk.example.cn/auth/oidc/callback",
		RoleClaim:   "groups", RoleMap: map[string]triage.Role{"/helpdesk/agents": triage.RoleAgent},
		StateKey: stateKey,
	}
}

func TestConfigValidation(t *testing.T) {
	if _, err := New(validConfig()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		mod   func(*Config)
	}{
		{"oidc.issuer", func(c *Config) { c.Issuer = "" }},
		{"oidc.issuer", func(c *Config) { c.Issuer = "sso.example.cn" }},
		{"oidc.issuer", func(c *Config) { c.Issuer = "ftp://sso.example.cn" }},
		{"oidc.client_id", func(c *Config) { c.ClientID = " " }},
		{"oidc.redirect_url", func(c *Config) { c.RedirectURL = "/auth/oidc/callback" }},
		{"oidc.scopes", func(c *Config) { c.Scopes = []string{"email profile"} }},
		{"oidc.default_role", func(c *Config) { c.DefaultRole = "root" }},
		{"oidc.role_map", func(c *Config) { c.RoleMap = map[string]triage.Role{"x": "superuser"} }},
		{"oidc.role_claim", func(c *Config) { c.RoleClaim = "" }},
		{"oidc.default_role", func(c *Config) { c.RoleClaim, c.RoleMap = "", nil }},
		{"oidc.team_claim", func(c *Config) { c.TeamMap = map[string]string{"a": "b"} }},
		{"oidc.state_key", func(c *Config) { c.StateKey = []byte("short") }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c := validConfig()
			tc.mod(&c)
			_, err := New(c)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tc.field {
				t.Fatalf("New = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	rp, _ := New(validConfig())
	if got := rp.Scopes(); !slices.Equal(got, []string{"openid", "email", "profile"}) {
		t.Fatalf("default scopes %v", got)
	}
	c := validConfig()
	c.Scopes = []string{"openid", "email", "groups", "email"}
	rp, _ = New(c)
	if got := rp.Scopes(); !slices.Equal(got, []string{"openid", "email", "groups"}) {
		t.Fatalf("scopes %v", got)
	}
}

func claimsOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClaimValues(t *testing.T) {
	claims := claimsOf(t, `{
		"groups": ["/a", "/b", 3, null, {"x": 1}, ""],
		"role": "agent",
		"realm_access": {"roles": ["helpdesk-admin"]},
		"https://example.cn/roles": ["editor"],
		"n": 7, "flag": true
	}`)
	for path, want := range map[string][]string{
		"groups":                   {"/a", "/b", "3"},
		"role":                     {"agent"},
		"realm_access.roles":       {"helpdesk-admin"},
		"https://example.cn/roles": {"editor"},
		"n":                        {"7"},
		"flag":                     nil,
		"missing":                  nil,
		"realm_access.missing":     nil,
		"role.deeper":              nil,
		"":                         nil,
	} {
		if got := claimValues(claims, path); !slices.Equal(got, want) {
			t.Errorf("claimValues(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestMapping(t *testing.T) {
	c := Config{
		RoleMap: map[string]triage.Role{"/viewers": triage.RoleViewer, "/agents": triage.RoleAgent, "/admins": triage.RoleAdmin, "/editors": triage.RoleEditor},
		TeamMap: map[string]string{"/team/refunds": "refunds", "/team/logistics": "logistics"},
	}
	for _, tc := range []struct {
		values []string
		want   triage.Role
	}{
		{[]string{"/viewers", "/agents"}, triage.RoleAgent},
		{[]string{"/agents", "/admins", "/viewers"}, triage.RoleAdmin},
		{[]string{"/editors", "/viewers"}, triage.RoleEditor},
		{[]string{"/other"}, ""},
		{nil, ""},
	} {
		if got := c.mapRole(tc.values); got != tc.want {
			t.Errorf("mapRole(%v) = %q, want %q", tc.values, got, tc.want)
		}
	}
	c.DefaultRole = triage.RoleViewer
	if got := c.mapRole([]string{"/other"}); got != triage.RoleViewer {
		t.Errorf("default role: %q", got)
	}
	// No map: values are role names; unknown names are ignored.
	plain := Config{}
	if got := plain.mapRole([]string{"superuser", "editor", "viewer"}); got != triage.RoleEditor {
		t.Errorf("plain role names: %q", got)
	}
	if got := c.mapTeam([]string{"/staff", "/team/logistics", "/team/refunds"}); got != "logistics" {
		t.Errorf("mapTeam: %q (the first that maps, in the claim's order)", got)
	}
	if got := c.mapTeam([]string{"/staff"}); got != "" {
		t.Errorf("mapTeam(no match) = %q", got)
	}
	if got := plain.mapTeam([]string{"售后一组", "x"}); got != "售后一组" {
		t.Errorf("mapTeam without a map: %q", got)
	}
}

func TestDisplayName(t *testing.T) {
	for claims, want := range map[string]string{
		`{"name": "张伟", "given_name": "伟", "family_name": "张"}`: "张伟",
		`{"given_name": "伟", "family_name": "张"}`:               "张伟",
		`{"given_name": "Wei", "family_name": "Zhang"}`:         "Wei Zhang",
		`{"preferred_username": "zwei"}`:                        "zwei",
		`{}`:                                                    "zhang.wei",
		`{"name": "  "}`:                                        "zhang.wei",
	} {
		if got := displayName(claimsOf(t, claims), "zhang.wei@example.cn"); got != want {
			t.Errorf("displayName(%s) = %q, want %q", claims, got, want)
		}
	}
}

func TestIdentityFromClaims(t *testing.T) {
	c := validConfig()
	c.TeamClaim = "department"
	rp, _ := New(c)
	id, err := rp.identity(claimsOf(t, `{"iss":"https://sso.example.cn","sub":"42","email":"a@example.cn","email_verified":"true","groups":["/helpdesk/agents"],"department":"售后"}`))
	if err != nil || id.Role != triage.RoleAgent || id.Team != "售后" || !id.EmailVerified || id.Name != "a" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
	for _, tc := range []struct{ claims, field string }{
		{`{"sub":"42","email_verified":true,"groups":["/helpdesk/agents"]}`, "email"},
		{`{"sub":"42","email":"a@example.cn","groups":["/helpdesk/agents"]}`, "email"},
		{`{"sub":"42","email":"a@example.cn","email_verified":false,"groups":["/helpdesk/agents"]}`, "email"},
		{`{"sub":"42","email":"a@example.cn","email_verified":true,"groups":"/finance"}`, "role"},
	} {
		_, err := rp.identity(claimsOf(t, tc.claims))
		var e *triage.Error
		if !errors.As(err, &e) || e.Code != triage.EFORBIDDEN || e.Field != tc.field {
			t.Errorf("identity(%s) = %v, want EFORBIDDEN on %s", tc.claims, err, tc.field)
		}
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/tickets/42":           "/tickets/42",
		"/tickets?view=mine#x":  "/tickets?view=mine#x",
		"":                      "/",
		"tickets":               "/",
		"https://evil.example/": "/",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"/a\\b":                 "/",
		"/a\r\nSet-Cookie: x":   "/",
		"javascript:alert(1)":   "/",
	} {
		if got := SafeReturn(in); got != want {
			t.Errorf("SafeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCookie(t *testing.T) {
	rp, _ := New(validConfig())
	c := rp.Cookie("v")
	if c.Name != CookieName || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/auth/oidc" || c.MaxAge != 600 {
		t.Fatalf("cookie %+v", c)
	}
	if d := rp.Cookie(""); d.MaxAge >= 0 || d.Value != "" {
		t.Fatalf("deleting cookie %+v", d)
	}
	c2 := validConfig()
	c2.RedirectURL = "http://127.0.0.1:8080/callback"
	rp2, _ := New(c2)
	if c := rp2.Cookie("v"); c.Secure || c.Path != "/" {
		t.Fatalf("cookie over http: %+v", c)
	}
}

func TestPendingRoundTrip(t *testing.T) {
	clock := time.Now()
	c := validConfig()
	c.Now = func() time.Time { return clock }
	rp, _ := New(c)
	p := pending{State: "s", Nonce: "n", Verifier: "v", ReturnTo: "/x", Expires: clock.Add(time.Minute).Unix()}
	v, err := rp.sealPending(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v, "/x") {
		t.Fatal("the cookie is readable")
	}
	got, err := rp.openPending(v)
	if err != nil || got != p {
		t.Fatalf("openPending = %+v, %v", got, err)
	}
	clock = clock.Add(time.Minute)
	if _, err := rp.openPending(v); !triage.IsCode(err, triage.EUNAUTHORIZED) {
		t.Fatalf("an expired cookie opened: %v", err)
	}
}

// FuzzOpenPending: the login cookie comes from the browser; anything not
// sealed by this RP must be refused with EUNAUTHORIZED, never a panic.
func FuzzOpenPending(f *testing.F) {
	rp, _ := New(validConfig())
	good, _ := rp.sealPending(pending{State: "s", Nonce: "n", Verifier: "v", Expires: time.Now().Add(time.Hour).Unix()})
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", 100))
	f.Fuzz(func(t *testing.T, v string) {
		p, err := rp.openPending(v)
		if err != nil {
			if !triage.IsCode(err, triage.EUNAUTHORIZED) {
				t.Fatalf("openPending = %v", err)
			}
			return
		}
		if p.State != "s" {
			t.Fatalf("a forged cookie opened: %+v", p)
		}
	})
}

// FuzzClaims: claims come from the provider; mapping must never panic.
func FuzzClaims(f *testing.F) {
	f.Add(`{"groups":["/a"],"realm_access":{"roles":["x"]}}`, "realm_access.roles")
	f.Add(`{"a":{"b":{"c":[1,2,"x"]}}}`, "a.b.c")
	f.Fuzz(func(t *testing.T, doc, path string) {
		var m map[string]any
		if json.Unmarshal([]byte(doc), &m) != nil {
			return
		}
		c := validConfig()
		c.RoleClaim, c.TeamClaim = path, path
		rp, err := New(c)
		if err != nil {
			return
		}
		_, _ = rp.identity(m)
		_ = displayName(m, "x@y")
	})
}
