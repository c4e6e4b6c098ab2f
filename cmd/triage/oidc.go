package main

import (
	"flag"
	"strings"

	"github.com/triagehq/triage/app"
)

// oidcFlags configure single sign-on with an OpenID Connect provider; the
// client secret comes from TRIAGE_OIDC_CLIENT_SECRET only.
func oidcFlags(fs *flag.FlagSet, c *app.Config) {
	o := &c.OIDC
	fs.StringVar(&o.Issuer, "oidc-issuer", "", "OpenID Connect provider for single sign-on, e.g. https://sso.example.cn/realms/helpdesk (Keycloak); the client secret is read from TRIAGE_OIDC_CLIENT_SECRET")
	fs.StringVar(&o.ClientID, "oidc-client-id", "", "the client id triage is registered with at the provider")
	fs.StringVar(&o.RedirectURL, "oidc-redirect-url", "", "triage's callback registered at the provider: https://<this server>/auth/oidc/callback")
	fs.StringVar(&o.PostLogoutRedirectURL, "oidc-post-logout-url", "", "where the provider sends the browser after signing out there too, registered at the provider as a post-logout redirect URI (default: /app/inbox on the callback's site)")
	fs.Var((*list)(&o.Scopes), "oidc-scopes", "scopes asked for besides openid, comma-separated (default: email,profile; add groups where roles come from groups)")
	fs.StringVar(&o.RoleClaim, "oidc-role-claim", "", "the claim the role comes from: a name (groups) or a dotted path (realm_access.roles)")
	fs.Var((*pairs)(&o.RoleMap), "oidc-role-map", "claim values to roles, e.g. helpdesk-admins=admin,helpdesk-agents=agent (empty: the values are role names)")
	fs.StringVar(&o.DefaultRole, "oidc-default-role", "", "role of a person none of whose claim values map (empty: they are refused)")
	fs.StringVar(&o.TeamClaim, "oidc-team-claim", "", "the claim the team comes from (a team's id or name, or a value --oidc-team-map maps)")
	fs.Var((*pairs)(&o.TeamMap), "oidc-team-map", "claim values to team names or ids, e.g. /客服/售后=售后组")
	fs.StringVar(&o.Name, "oidc-name", "", "the label of the sign-in page's single sign-on button, e.g. 企业微信 (default: 单点登录)")
}

// pairs is a comma-separated key=value flag.
type pairs map[string]string

func (p *pairs) String() string {
	var out []string
	for k, v := range *p {
		out = append(out, k+"="+v)
	}
	return strings.Join(out, ",")
}

func (p *pairs) Set(v string) error {
	m := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return &usageError{"expected value=target pairs, such as helpdesk-admins=admin: " + kv}
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	*p = m
	return nil
}
