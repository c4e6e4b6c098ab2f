package oidc

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/triagehq/triage"
	"golang.org/x/oauth2"
)

// Identity is who signed in, as triage needs it.
type Identity struct {
	// Issuer and Subject together identify the person for good; link the
	// account by them, not by e-mail, once it exists.
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
	Role            triage.Role
	// Team is what TeamMap mapped to (or the raw claim value); "" when no
	// team claim is configured or none of its values maps.
	Team string
	// ReturnTo is the local path Begin was given, made safe.
	ReturnTo string
	// IDToken is the verified ID token as received: the id_token_hint of
	// the sign-out (LogoutHint). Not to be stored.
	IDToken string `json:"-"`
}

// RP is a relying party for one provider. Safe for concurrent use.
type RP struct {
	cfg      Config
	aead     cipher.AEAD
	redirect *url.URL

	mu       sync.Mutex
	provider *gooidc.Provider
}

// New checks cfg and returns an RP. It does not contact the provider:
// discovery happens on the first Begin or Finish, and is retried on the
// next one if the provider could not be reached.
func New(cfg Config) (*RP, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.StateKey = append([]byte(nil), cfg.StateKey...)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	aead, err := stateAEAD(cfg.StateKey)
	if err != nil {
		return nil, err
	}
	redirect, _ := url.Parse(cfg.RedirectURL) // checked by validate
	return &RP{cfg: cfg, aead: aead, redirect: redirect}, nil
}

func (rp *RP) now() time.Time {
	if rp.cfg.Now != nil {
		return rp.cfg.Now()
	}
	return time.Now()
}

func (rp *RP) ttl() time.Duration {
	if rp.cfg.StateTTL > 0 {
		return rp.cfg.StateTTL
	}
	return 10 * time.Minute
}

func (rp *RP) clientContext(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, rp.cfg.HTTPClient)
}

// discover fetches the provider's metadata once; a failure is not cached.
func (rp *RP) discover(ctx context.Context) (*gooidc.Provider, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return rp.provider, nil
	}
	p, err := gooidc.NewProvider(rp.clientContext(ctx), rp.cfg.Issuer)
	if err != nil {
		return nil, &triage.Error{Code: triage.EUNAVAILABLE, Message: "the sign-in provider cannot be reached; try again later or sign in with a password", Err: err}
	}
	rp.provider = p
	return p, nil
}

func (rp *RP) oauth(p *gooidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, RedirectURL: rp.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: rp.cfg.scopes(),
	}
}

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Begin starts a sign-in: it returns the provider's authorization URL to
// redirect the browser to, and the value of the login cookie (see Cookie)
// to set on the same response. returnTo is where to go afterwards, a local
// path (anything else becomes "/").
func (rp *RP) Begin(ctx context.Context, returnTo string) (authURL, cookie string, err error) {
	p, err := rp.discover(ctx)
	if err != nil {
		return "", "", err
	}
	pend := pending{ReturnTo: SafeReturn(returnTo), Expires: rp.now().Add(rp.ttl()).Unix()}
	if pend.State, err = random(); err != nil {
		return "", "", err
	}
	if pend.Nonce, err = random(); err != nil {
		return "", "", err
	}
	pend.Verifier = oauth2.GenerateVerifier()
	if cookie, err = rp.sealPending(pend); err != nil {
		return "", "", err
	}
	authURL = rp.oauth(p).AuthCodeURL(pend.State, oauth2.S256ChallengeOption(pend.Verifier), gooidc.Nonce(pend.Nonce))
	return authURL, cookie, nil
}

// Finish completes a sign-in from the provider's redirect to the
// callback: query is the callback's query, cookie the login cookie's
// value. The caller deletes the cookie whatever the outcome.
//
// Errors are *triage.Error: EUNAUTHORIZED when the person did not sign in
// (cancelled, or state, code or token refused), EFORBIDDEN when they did
// but may not use triage (no mapped role, unverified e-mail), EUNAVAILABLE
// when the provider cannot be reached.
func (rp *RP) Finish(ctx context.Context, cookie string, query url.Values) (Identity, error) {
	pend, err := rp.openPending(cookie)
	if err != nil {
		return Identity{}, err
	}
	if e := query.Get("error"); e != "" {
		msg := "the sign-in provider refused the sign-in (" + safeCode(e) + ")"
		if e == "access_denied" {
			msg = "the sign-in was cancelled or refused at the provider"
		}
		return Identity{}, &triage.Error{Code: triage.EUNAUTHORIZED, Message: msg}
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(pend.State)) != 1 {
		return Identity{}, errState("the sign-in's state does not match this browser's; start it again")
	}
	code := query.Get("code")
	if code == "" {
		return Identity{}, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "code", Message: "the provider sent no authorization code"}
	}
	p, err := rp.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	raw, tok, err := rp.exchange(ctx, p, code, pend.Verifier)
	if err != nil {
		return Identity{}, err
	}
	claims, err := rp.verify(ctx, p, raw, pend.Nonce, tok.AccessToken)
	if err != nil {
		return Identity{}, err
	}
	if err := rp.userinfo(ctx, p, tok, claims); err != nil {
		return Identity{}, err
	}
	id, err := rp.identity(claims)
	if err != nil {
		return Identity{}, err
	}
	id.ReturnTo, id.IDToken = pend.ReturnTo, raw
	return id, nil
}

// safeCode keeps an OAuth error code printable and short: it comes from
// the query string.
func safeCode(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			out = append(out, c)
		}
	}
	return string(out)
}

func errToken(err error) error {
	msg := "the sign-in provider's answer could not be verified; start again"
	var exp *gooidc.TokenExpiredError
	if errors.As(err, &exp) {
		msg = "the sign-in provider's token has expired; check the server's clock and start again"
	}
	return &triage.Error{Code: triage.EUNAUTHORIZED, Message: msg, Err: err}
}

// exchange trades the code (with the PKCE verifier) for tokens and returns
// the raw ID token.
func (rp *RP) exchange(ctx context.Context, p *gooidc.Provider, code, verifier string) (string, *oauth2.Token, error) {
	tok, err := rp.oauth(p).Exchange(rp.clientContext(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return "", nil, &triage.Error{Code: triage.EUNAUTHORIZED, Message: "the sign-in provider refused the authorization code; start again", Err: err}
		}
		return "", nil, &triage.Error{Code: triage.EUNAVAILABLE, Message: "the sign-in provider cannot be reached; try again later", Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", nil, &triage.Error{Code: triage.EUNAUTHORIZED, Message: "the sign-in provider sent no ID token; is the openid scope allowed?"}
	}
	return raw, tok, nil
}

// verify checks the ID token and returns its claims.
func (rp *RP) verify(ctx context.Context, p *gooidc.Provider, raw, nonce, accessToken string) (map[string]any, error) {
	v := p.VerifierContext(rp.clientContext(ctx), &gooidc.Config{ClientID: rp.cfg.ClientID, Now: rp.now})
	idt, err := v.Verify(rp.clientContext(ctx), raw)
	if err != nil {
		return nil, errToken(err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, errToken(errors.New("oidc: nonce does not match the one sent"))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, errToken(err)
	}
	// go-oidc checks that the audience contains us; OIDC Core 3.1.3.7 also
	// asks that azp, when present (and it must be when there are several
	// audiences), names us.
	azp, _ := claims["azp"].(string)
	if (len(idt.Audience) > 1 || azp != "") && azp != rp.cfg.ClientID {
		return nil, errToken(errors.New("oidc: the ID token was issued to another party (azp)"))
	}
	if idt.AccessTokenHash != "" && accessToken != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, errToken(err)
		}
	}
	if idt.Subject == "" {
		return nil, errToken(errors.New("oidc: the ID token has no subject"))
	}
	return claims, nil
}

// complete reports whether the ID token already holds every claim the
// mapping reads, so that the userinfo endpoint need not be asked.
func (rp *RP) complete(claims map[string]any) bool {
	for _, k := range []string{"email", "email_verified", "name"} {
		if _, ok := claims[k]; !ok {
			return false
		}
	}
	return (rp.cfg.RoleClaim == "" || claimValues(claims, rp.cfg.RoleClaim) != nil) &&
		(rp.cfg.TeamClaim == "" || claimValues(claims, rp.cfg.TeamClaim) != nil)
}

// userinfo adds the userinfo endpoint's claims that the ID token lacks
// (many providers keep profile, e-mail and groups there). When the ID
// token has them all the endpoint is not asked: one request fewer, and
// one dependency fewer for sign-in.
func (rp *RP) userinfo(ctx context.Context, p *gooidc.Provider, tok *oauth2.Token, claims map[string]any) error {
	if p.UserInfoEndpoint() == "" || tok.AccessToken == "" || rp.complete(claims) {
		return nil
	}
	info, err := p.UserInfo(rp.clientContext(ctx), oauth2.StaticTokenSource(tok))
	if err != nil {
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "the sign-in provider's userinfo endpoint failed; try again later", Err: err}
	}
	if info.Subject != claims["sub"] {
		// OIDC Core 5.3.2: a userinfo answer about someone else is not to
		// be used.
		return errToken(errors.New("oidc: userinfo is about another subject"))
	}
	var extra map[string]any
	if err := info.Claims(&extra); err != nil {
		return errToken(err)
	}
	for k, v := range extra {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// identity maps verified claims to an Identity.
func (rp *RP) identity(claims map[string]any) (Identity, error) {
	str := func(k string) string { s, _ := claims[k].(string); return s }
	id := Identity{Issuer: str("iss"), Subject: str("sub"), Email: str("email")}
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string: // some providers send "true"
		id.EmailVerified = v == "true"
	}
	if id.Email == "" {
		return Identity{}, &triage.Error{Code: triage.EFORBIDDEN, Field: "email", Message: "the sign-in provider gave no e-mail address; ask for the email scope, or give the person an address there"}
	}
	if !id.EmailVerified && !rp.cfg.AllowUnverifiedEmail {
		return Identity{}, &triage.Error{Code: triage.EFORBIDDEN, Field: "email", Message: "the sign-in provider has not verified this e-mail address"}
	}
	id.Name = displayName(claims, id.Email)
	id.Role = rp.cfg.mapRole(claimValues(claims, rp.cfg.RoleClaim))
	if id.Role == "" {
		return Identity{}, &triage.Error{Code: triage.EFORBIDDEN, Field: "role", Message: "your account at the sign-in provider is in no group that may use triage; ask an administrator"}
	}
	id.Team = rp.cfg.mapTeam(claimValues(claims, rp.cfg.TeamClaim))
	return id, nil
}

// Discover contacts the provider now, for a configuration check ("test
// connection") in the admin UI; Begin and Finish do it on their own.
func (rp *RP) Discover(ctx context.Context) error {
	_, err := rp.discover(ctx)
	return err
}

// Scopes returns the scopes asked for, for the admin UI.
func (rp *RP) Scopes() []string { return slices.Clone(rp.cfg.scopes()) }
