package app

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/oidc"
)

// OIDCConfig is single sign-on's configuration, as flags give it.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
	// PostLogoutRedirectURL is where the provider sends the browser after
	// ending its session at sign-out; "" means /app/inbox on the
	// callback's site.
	PostLogoutRedirectURL string
	Scopes                []string
	RoleClaim             string
	RoleMap               map[string]string
	DefaultRole           string
	TeamClaim             string
	TeamMap               map[string]string
	// Name labels the sign-in page's button; "" means 单点登录.
	Name string
}

// openSSO builds the relying party when an issuer is configured. The
// login cookie's key is derived from the sealing key, so that every
// replica opens the cookie another one set.
func (a *App) openSSO() (api.SSO, string, error) {
	c := a.Config.OIDC
	if c.Issuer == "" {
		return nil, "", nil
	}
	if !a.Keys.Configured() {
		return nil, "", triage.Invalid("oidc-issuer", "single sign-on needs TRIAGE_SECRET_KEY (the login cookie is sealed with a key derived from it)")
	}
	key, err := a.Keys.Derive("oidc login cookie")
	if err != nil {
		return nil, "", err
	}
	roles := map[string]triage.Role{}
	for k, v := range c.RoleMap {
		roles[k] = triage.Role(v)
	}
	rp, err := oidc.New(oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
		PostLogoutRedirectURL: c.PostLogoutRedirectURL, Scopes: c.Scopes, RoleClaim: c.RoleClaim, RoleMap: roles, DefaultRole: triage.Role(c.DefaultRole),
		TeamClaim: c.TeamClaim, TeamMap: c.TeamMap, StateKey: key})
	if err != nil {
		return nil, "", err
	}
	name := c.Name
	if name == "" {
		name = "单点登录"
	}
	return ssoAdapter{rp}, name, nil
}

// ssoAdapter gives the API the relying party in account's terms.
type ssoAdapter struct{ rp *oidc.RP }

func (s ssoAdapter) Begin(ctx context.Context, returnTo string) (string, string, error) {
	return s.rp.Begin(ctx, returnTo)
}

func (s ssoAdapter) Finish(ctx context.Context, cookie string, q url.Values) (account.SSOIdentity, string, error) {
	id, err := s.rp.Finish(ctx, cookie, q)
	if err != nil {
		return account.SSOIdentity{}, "", err
	}
	return account.SSOIdentity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, Name: id.Name, Role: id.Role, Team: id.Team, IDToken: id.IDToken}, id.ReturnTo, nil
}

func (s ssoAdapter) Cookie(value string) *http.Cookie { return s.rp.Cookie(value) }

func (s ssoAdapter) LogoutCookie(sessionID, idToken string, expires time.Time) (*http.Cookie, error) {
	v, err := s.rp.LogoutHint(sessionID, idToken, expires)
	if err != nil || v == "" {
		return nil, err
	}
	return s.rp.LogoutCookie(v, expires), nil
}

func (s ssoAdapter) EndSession(cookie, sessionID string) (string, *http.Cookie) {
	return s.rp.EndSessionURL(cookie, sessionID), s.rp.LogoutCookie("", time.Time{})
}
