package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// LogoutCookieName is the cookie that remembers, for a session opened
// through the provider, how to end the provider's session too
// (RP-Initiated Logout 1.0): the ID token to send as id_token_hint and
// the provider's end_session_endpoint, sealed like the login cookie. It
// keeps the ID token out of the store, and sign-out needs no call to the
// provider: the browser is sent there.
const LogoutCookieName = "triage_sso"

// logoutHint is the logout cookie's content.
type logoutHint struct {
	SessionID string `json:"sid"`
	IDToken   string `json:"idt"`
	Endpoint  string `json:"end"`
	Expires   int64  `json:"e"`
}

// logoutBinding keeps a logout cookie from opening as a login cookie and
// the other way round.
func (rp *RP) logoutBinding() []byte { return append(rp.binding(), "\x00logout"...) }

// endSessionEndpoint is the provider's end_session_endpoint from the
// discovery document already read (Finish read it); "" when the provider
// offers none or was not discovered.
func (rp *RP) endSessionEndpoint() string {
	rp.mu.Lock()
	p := rp.provider
	rp.mu.Unlock()
	if p == nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return ""
	}
	if u, err := url.Parse(meta.EndSession); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return ""
	}
	return meta.EndSession
}

// LogoutHint returns the logout cookie's value for session sessionID,
// opened with the ID token idToken (Identity.IDToken), living until
// expires; "" when the provider offers no end_session_endpoint, so there
// is nothing to remember.
func (rp *RP) LogoutHint(sessionID, idToken string, expires time.Time) (string, error) {
	end := rp.endSessionEndpoint()
	if end == "" || sessionID == "" || idToken == "" {
		return "", nil
	}
	plain, err := json.Marshal(logoutHint{SessionID: sessionID, IDToken: idToken, Endpoint: end, Expires: expires.Unix()})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, rp.aead.NonceSize(), rp.aead.NonceSize()+len(plain)+rp.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(rp.aead.Seal(nonce, nonce, plain, rp.logoutBinding())), nil
}

// EndSessionURL is where to send the browser to end the provider's
// session after signing out of session sessionID: the end_session_endpoint
// with id_token_hint, client_id, post_logout_redirect_uri and a state.
// It is "" when the cookie is absent, forged, expired or another
// session's: then only triage's session ends.
func (rp *RP) EndSessionURL(cookie, sessionID string) string {
	if cookie == "" || len(cookie) > 4096 || sessionID == "" {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(raw) < rp.aead.NonceSize()+rp.aead.Overhead() {
		return ""
	}
	plain, err := rp.aead.Open(nil, raw[:rp.aead.NonceSize()], raw[rp.aead.NonceSize():], rp.logoutBinding())
	if err != nil {
		return ""
	}
	var h logoutHint
	if err := json.Unmarshal(plain, &h); err != nil || h.SessionID != sessionID || h.IDToken == "" || !rp.now().Before(time.Unix(h.Expires, 0)) {
		return ""
	}
	u, err := url.Parse(h.Endpoint)
	if err != nil {
		return ""
	}
	state, err := random()
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", h.IDToken)
	q.Set("client_id", rp.cfg.ClientID)
	q.Set("post_logout_redirect_uri", rp.PostLogoutRedirectURL())
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostLogoutRedirectURL is where the provider sends the browser after
// ending its session: Config.PostLogoutRedirectURL, else the sign-in page
// of the site the callback is on. Register it at the provider.
func (rp *RP) PostLogoutRedirectURL() string {
	if rp.cfg.PostLogoutRedirectURL != "" {
		return rp.cfg.PostLogoutRedirectURL
	}
	return (&url.URL{Scheme: rp.redirect.Scheme, Host: rp.redirect.Host, Path: "/app/inbox"}).String()
}

// LogoutCookie is the logout cookie with value ("" deletes it): HttpOnly,
// SameSite=Lax, Secure when the callback is https, for the whole site
// (sign-out is POST /v1/auth/logout), living as long as the session.
func (rp *RP) LogoutCookie(value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: LogoutCookieName, Value: value, Path: "/", HttpOnly: true,
		Secure: rp.redirect.Scheme == "https", SameSite: http.SameSiteLaxMode, Expires: expires}
	if value == "" {
		c.Expires, c.MaxAge = time.Time{}, -1
	}
	return c
}
