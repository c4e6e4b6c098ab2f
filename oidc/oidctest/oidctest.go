// Package oidctest runs a real OpenID Provider inside a test: the OP of
// github.com/zitadel/oidc/v3 (an OpenID Certified library: discovery,
// JWKS, authorization-code flow with PKCE, signed ID tokens, userinfo)
// over its example in-memory storage, with an HTML login form, and the
// users, clients and extra claims (groups, departments) a test asks for.
//
// SignIn drives it as a browser would: it follows the redirects from the
// relying party to the provider, fills in and posts the provider's login
// form, and follows the redirects back.
package oidctest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	exstorage "github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/net/html"
	"golang.org/x/text/language"
)

// User is a person who can sign in at the provider.
type User struct {
	ID            string // the subject
	Username      string // what the login form asks for
	Password      string
	Email         string
	EmailVerified bool
	// Name is the display name ("张伟"); GivenName and FamilyName the
	// parts.
	Name       string
	GivenName  string
	FamilyName string
	// Claims are added to the ID token (for clients with ClaimsInIDToken)
	// and to the userinfo answer: groups, roles, departments.
	Claims map[string]any
}

// Client is a relying party registered at the provider.
type Client struct {
	ID, Secret   string
	RedirectURIs []string
	// ClaimsInIDToken puts profile, e-mail and the users' extra claims in
	// the ID token itself (as Keycloak does); without it they come only
	// from the userinfo endpoint (as the OIDC core spec's default).
	ClaimsInIDToken bool
	// IDTokenLifetime is how long ID tokens live; 0 means an hour.
	IDTokenLifetime time.Duration
	// PostLogoutRedirectURIs are where the end_session_endpoint may send
	// the browser back after ending the session (RP-Initiated Logout).
	PostLogoutRedirectURIs []string
}

// Provider is a running OP.
type Provider struct {
	// Issuer is the provider's URL, for discovery.
	Issuer string
	server *httptest.Server
	store  *storage
	mu     sync.Mutex
	hits   map[string]int
}

// Requests returns how many requests the provider has answered on path
// (for example "/userinfo").
func (p *Provider) Requests(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// EndedSessions lists the sessions the end_session_endpoint ended, as
// "subject/client id", oldest first.
func (p *Provider) EndedSessions() []string {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return append([]string(nil), p.store.ended...)
}

// Start runs a provider with the given clients and users until the test
// ends.
func Start(t testing.TB, clients []Client, users []User) *Provider {
	t.Helper()
	// The issuer is the server's own URL, which is known only once it
	// listens: start it with a handler that waits for the real one.
	var (
		mu      sync.RWMutex
		handler http.Handler
	)
	p := &Provider{hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hits[r.URL.Path]++
		p.mu.Unlock()
		mu.RLock()
		h := handler
		mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	us := userStore{}
	for _, u := range users {
		u := u
		us[u.ID] = &u
	}
	cs := map[string]*exstorage.Client{}
	wrapped := map[string]*client{}
	for _, c := range clients {
		base := exstorage.WebClient(c.ID, c.Secret, c.RedirectURIs...)
		cs[c.ID] = base
		life := c.IDTokenLifetime
		if life == 0 {
			life = time.Hour
		}
		wrapped[c.ID] = &client{Client: base, claimsInIDToken: c.ClaimsInIDToken, lifetime: life, postLogout: c.PostLogoutRedirectURIs}
	}
	st := &storage{Storage: exstorage.NewStorageWithClients(us, cs), users: us, clients: wrapped}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatal(err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          key,
		CodeMethodS256:     true, // PKCE
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.SimplifiedChinese},
	}, st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login/username", &login{store: st, issuer: srv.URL, callback: op.AuthCallbackURL(provider)})
	mux.Handle("/", provider)
	mu.Lock()
	handler = mux
	mu.Unlock()
	p.Issuer, p.server, p.store = srv.URL, srv, st
	return p
}

// login is the provider's sign-in page: a form with the auth request's id
// hidden in it, checked against the users' passwords.
type login struct {
	store    *storage
	issuer   string
	callback func(context.Context, string) string
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录</title></head>
<body><form method="POST" action="/login/username">
<input type="hidden" name="id" value="{{.ID}}">
<label>用户名 <input name="username" autocomplete="username"></label>
<label>密码 <input name="password" type="password" autocomplete="current-password"></label>
<p class="error">{{.Error}}</p>
<button type="submit">登录</button>
</form></body></html>`))

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.FormValue("authRequestID")
	if r.Method == http.MethodPost {
		id = r.FormValue("id")
		if err := l.store.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err == nil {
			ctx := op.ContextWithIssuer(r.Context(), l.issuer)
			http.Redirect(w, r, l.callback(ctx, id), http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginPage.Execute(w, map[string]string{"ID": id, "Error": "用户名或密码错误"})
		return
	}
	_ = loginPage.Execute(w, map[string]string{"ID": id})
}

// userStore adapts Users to the example storage.
type userStore map[string]*User

func (s userStore) exUser(u *User) *exstorage.User {
	if u == nil {
		return nil
	}
	return &exstorage.User{
		ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.GivenName, LastName: u.FamilyName,
		Email: u.Email, EmailVerified: u.EmailVerified, PreferredLanguage: language.SimplifiedChinese,
	}
}

func (s userStore) GetUserByID(id string) *exstorage.User { return s.exUser(s[id]) }

func (s userStore) GetUserByUsername(name string) *exstorage.User {
	for _, u := range s {
		if u.Username == name {
			return s.exUser(u)
		}
	}
	return nil
}

func (s userStore) ExampleClientID() string { return "service" }

// client adds to the example's web client what a test chooses.
type client struct {
	*exstorage.Client
	claimsInIDToken bool
	lifetime        time.Duration
	postLogout      []string
}

// PostLogoutRedirectURIs are the test's, which the example's client lacks.
func (c *client) PostLogoutRedirectURIs() []string { return c.postLogout }

func (c *client) IDTokenUserinfoClaimsAssertion() bool { return c.claimsInIDToken }
func (c *client) IDTokenLifetime() time.Duration       { return c.lifetime }

// IsScopeAllowed lets a relying party ask for extra scopes such as
// "groups", as providers commonly allow.
func (c *client) IsScopeAllowed(string) bool { return true }

// storage is the example's in-memory storage with the test's clients and
// the users' extra claims.
type storage struct {
	*exstorage.Storage
	users   userStore
	clients map[string]*client
	mu      sync.Mutex
	ended   []string
}

// TerminateSession ends a person's session with a client, as the
// end_session_endpoint does after checking the request, and records it.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	s.mu.Lock()
	s.ended = append(s.ended, userID+"/"+clientID)
	s.mu.Unlock()
	return s.Storage.TerminateSession(ctx, userID, clientID)
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if c, ok := s.clients[id]; ok {
		return c, nil
	}
	return nil, errors.New("client not found")
}

func (s *storage) addClaims(info *zoidc.UserInfo, subject string) {
	if u, ok := s.users[subject]; ok {
		// The example storage writes "given family"; a Chinese provider
		// writes the name as people write it.
		if info.Name != "" && u.Name != "" {
			info.Name = u.Name
		}
		for k, v := range maps.All(u.Claims) {
			info.AppendClaims(k, v)
		}
	}
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	if c, ok := s.clients[req.GetClientID()]; ok && c.claimsInIDToken {
		s.addClaims(info, req.GetSubject())
	}
	return nil
}

// SetUserinfoFromToken fills the userinfo endpoint's answer.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(info, subject)
	return nil
}

// SignIn does what a person's browser does: it GETs start (the relying
// party's login URL), follows redirects to the provider, fills in the
// login form with username and password and posts it, and follows the
// redirects back to the relying party, returning its last answer (with
// the body read into Body). hc must have a cookie jar, as a browser does.
func SignIn(hc *http.Client, start, username, password string) (*Response, error) {
	resp, err := hc.Get(start)
	if err != nil {
		return nil, err
	}
	page, err := read(resp)
	if err != nil {
		return nil, err
	}
	form, ok := findForm(page.Body)
	if !ok {
		return nil, fmt.Errorf("no login form at %s (status %d): %.300s", resp.Request.URL, resp.StatusCode, page.Body)
	}
	action, err := resp.Request.URL.Parse(form.action)
	if err != nil {
		return nil, err
	}
	form.values.Set("username", username)
	form.values.Set("password", password)
	resp, err = hc.PostForm(action.String(), form.values)
	if err != nil {
		return nil, err
	}
	return read(resp)
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body string
}

func read(resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return &Response{Response: resp, Body: string(b)}, nil
}

type form struct {
	action string
	values url.Values
}

// findForm returns the first form of page with its hidden inputs.
func findForm(page string) (form, bool) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return form{}, false
	}
	var found *form
	var walk func(n *html.Node, in *form)
	walk = func(n *html.Node, in *form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				if found == nil {
					found = &form{action: attr(n, "action"), values: url.Values{}}
					in = found
				}
			case "input":
				if in != nil && attr(n, "name") != "" {
					in.values.Set(attr(n, "name"), attr(n, "value"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, nil)
	if found == nil {
		return form{}, false
	}
	return *found, true
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
