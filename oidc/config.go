package oidc

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Config is one provider's configuration.
type Config struct {
	// Issuer is the provider's issuer URL, where
	// /.well-known/openid-configuration is found.
	Issuer string
	// ClientID and ClientSecret are triage's registration at the provider.
	ClientID, ClientSecret string
	// RedirectURL is triage's callback, registered at the provider, for
	// example https://helpdesk.example.cn/auth/oidc/callback.
	RedirectURL string
	// PostLogoutRedirectURL is where the provider sends the browser back
	// after ending its session at sign-out; register it at the provider.
	// "" means the sign-in page on the callback's site (/app/inbox).
	PostLogoutRedirectURL string
	// Scopes are asked for besides openid; nil means email and profile.
	// Add "groups" (or what the provider calls it) when the role or team
	// comes from a group list.
	Scopes []string

	// RoleClaim names the claim the role comes from: a top-level name
	// ("groups", "https://example.cn/roles") or a dotted path
	// ("realm_access.roles"). Its value may be a string or a list.
	RoleClaim string
	// RoleMap maps claim values to roles; when several values map, the
	// most powerful role wins. Empty means the values are role names
	// themselves (admin, agent, editor, viewer).
	RoleMap map[string]triage.Role
	// DefaultRole is the role of a person none of whose values map; ""
	// refuses them (EFORBIDDEN), so that only the groups an administrator
	// named can use triage.
	DefaultRole triage.Role

	// TeamClaim names the claim the team comes from, like RoleClaim.
	TeamClaim string
	// TeamMap maps claim values to teams (the caller resolves the team by
	// what it maps to: an id or a name); the first value, in the claim's
	// order, that maps wins. Empty means the first value is the team.
	TeamMap map[string]string

	// AllowUnverifiedEmail accepts an e-mail address the provider does not
	// say it verified. Leave it false where accounts are matched by e-mail:
	// otherwise anyone who can set an address at the provider can take
	// over the account that has it.
	AllowUnverifiedEmail bool

	// StateKey encrypts and authenticates the login cookie; at least 32
	// bytes.
	StateKey []byte
	// StateTTL is how long a login may take at the provider; 0 means ten
	// minutes.
	StateTTL time.Duration

	// HTTPClient talks to the provider; nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock, for token expiry and the cookie; nil means
	// time.Now.
	Now func() time.Time
}

func (c *Config) validate() error {
	field := func(name string) string { return "oidc." + name }
	u, err := url.Parse(c.Issuer)
	if c.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return triage.Invalid(field("issuer"), "issuer must be the provider's http(s) URL, such as https://sso.example.cn/realms/helpdesk")
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return triage.Invalid(field("client_id"), "client_id is required: the id triage is registered with at the provider")
	}
	r, err := url.Parse(c.RedirectURL)
	if c.RedirectURL == "" || err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" || r.Fragment != "" {
		return triage.Invalid(field("redirect_url"), "redirect_url must be triage's absolute callback URL, such as https://helpdesk.example.cn/auth/oidc/callback")
	}
	if p, err := url.Parse(c.PostLogoutRedirectURL); c.PostLogoutRedirectURL != "" && (err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.Fragment != "") {
		return triage.Invalid(field("post_logout_redirect_url"), "post_logout_redirect_url must be an absolute http(s) URL registered at the provider, such as https://helpdesk.example.cn/app/inbox")
	}
	for i, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"") {
			return triage.Invalid(field("scopes"), "scopes[%d] must be one scope name without spaces", i)
		}
	}
	if c.DefaultRole != "" && !c.DefaultRole.Valid() {
		return triage.Invalid(field("default_role"), "default_role %q is not one of admin, agent, editor, viewer", c.DefaultRole)
	}
	for v, role := range c.RoleMap {
		if !role.Valid() {
			return triage.Invalid(field("role_map"), "role_map[%q] = %q is not one of admin, agent, editor, viewer", v, role)
		}
	}
	if len(c.RoleMap) > 0 && c.RoleClaim == "" {
		return triage.Invalid(field("role_claim"), "role_claim must name the claim role_map reads")
	}
	if len(c.TeamMap) > 0 && c.TeamClaim == "" {
		return triage.Invalid(field("team_claim"), "team_claim must name the claim team_map reads")
	}
	if c.RoleClaim == "" && c.DefaultRole == "" {
		return triage.Invalid(field("default_role"), "with no role_claim, default_role must say which role people signing in get")
	}
	if len(c.StateKey) < 32 {
		return triage.Invalid(field("state_key"), "the state key must be at least 32 bytes")
	}
	if c.StateTTL < 0 {
		return triage.Invalid(field("state_ttl"), "state_ttl must be positive")
	}
	return nil
}

// scopes returns openid and the configured scopes, without repeats.
func (c *Config) scopes() []string {
	s := []string{"openid"}
	extra := c.Scopes
	if extra == nil {
		extra = []string{"email", "profile"}
	}
	for _, x := range extra {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}
