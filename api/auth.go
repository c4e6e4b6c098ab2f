package api

import (
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/limit"
)

// Accounts configures staff sign-in (issue 18): sessions in a cookie
// beside the bearer tokens, which keep working unchanged.
type Accounts struct {
	// Service signs people in; nil answers the sign-in routes with 503
	// and accepts bearer tokens only.
	Service *account.Service
	// Now is the clock of the lockouts; nil means time.Now.
	Now func() time.Time
	// SSO is the OpenID Connect provider; nil offers none.
	SSO SSO
	// SSOName labels the sign-in page's single sign-on button.
	SSOName string
}

// Cookie names. The session cookie is HttpOnly; the CSRF cookie is not,
// so that the page can read it and echo it in X-CSRF-Token.
const (
	SessionCookie = "triage_session"
	CSRFCookie    = "triage_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// signInGuard holds the defences of the sign-in route: a request quota
// per client address, and lockouts per account and per address that grow
// with each failure. The lockouts are kept in the store, so that they
// survive a restart; the quota, a minute long, is kept in memory.
type signInGuard struct {
	perAddress *limit.Limiter
	account    storedLockout
	address    storedLockout
}

func newSignInGuard(now func() time.Time) *signInGuard {
	// The policies are constants known to be valid; an error here is a
	// programming mistake, caught by every test that builds a server.
	ip, err := limit.NewLimiter(limit.PerMinute(30), 0, now)
	if err != nil {
		panic(err)
	}
	if now == nil {
		now = time.Now
	}
	return &signInGuard{perAddress: ip,
		account: storedLockout{policy: limit.AccountPolicy(), prefix: "account:", now: now},
		address: storedLockout{policy: limit.AddressPolicy(), prefix: "address:", now: now}}
}

// locked answers 429 with Retry-After when who or the address ip is
// locked out; what names the attempt in the message.
func (s *Server) locked(c echo.Context, who, ip, what string) error {
	ctx, store := c.Request().Context(), s.accounts.Service.Store
	for _, l := range []struct {
		lock storedLockout
		key  string
	}{{s.guard.account, who}, {s.guard.address, ip}} {
		d, err := l.lock.Check(ctx, store, l.key)
		if err != nil {
			return err
		}
		if !d.Allowed {
			c.Response().Header().Set("Retry-After", strconv.Itoa(d.RetryAfterSeconds()))
			return triage.Errorf(triage.ERATELIMIT, "too many %s; try again in %d seconds", what, d.RetryAfterSeconds())
		}
	}
	return nil
}

// failed counts a failed attempt against who and the address ip.
func (s *Server) failed(c echo.Context, who, ip string) error {
	ctx, store := c.Request().Context(), s.accounts.Service.Store
	if err := s.guard.account.Fail(ctx, store, who); err != nil {
		return err
	}
	return s.guard.address.Fail(ctx, store, ip)
}

// authRoutes are the sign-in routes and the accounts an admin manages.
func (s *Server) authRoutes() []Route {
	routes := []Route{
		{Method: "POST", Path: "/v1/auth/login", Tag: "auth", Summary: "Sign in with e-mail and password: sets the session cookie and returns the CSRF token to send with writes (429 with Retry-After after repeated failures)", Handler: s.login, Request: triage.Login{}, Response: SignedIn{}},
		{Method: "POST", Path: "/v1/auth/logout", Tag: "auth", Summary: "Sign out: ends this session and clears its cookies (a token request has nothing to end); for a session opened through single sign-on whose provider offers RP-initiated logout, end_session_url is where to send the browser to end the provider's session too", Roles: anyone(), Handler: s.logout, Response: SignedOut{}},
		{Method: "GET", Path: "/v1/auth/sessions", Tag: "auth", Summary: "Your live sessions, newest first, the current one marked (admins: ?agent= for another person's)", Roles: anyone(), Handler: s.listSessions, Response: List[SessionView]{},
			Query: []Param{{"agent", "string", "an agent id, for admins: that person's sessions"}}},
		{Method: "DELETE", Path: "/v1/auth/sessions/:id", Tag: "auth", Summary: "End one of your sessions (admins: anyone's)", Roles: anyone(), SelfOnly: []triage.Role{triage.RoleAgent, triage.RoleEditor, triage.RoleViewer}, Handler: s.revokeSession, Status: http.StatusNoContent},
		{Method: "POST", Path: "/v1/auth/password", Tag: "auth", Summary: "Change your own password; your other sessions end", Roles: anyone(), Handler: s.changePassword, Request: triage.PasswordChange{}, Status: http.StatusNoContent},
		{Method: "GET", Path: "/v1/accounts", Tag: "auth", Summary: "Every sign-in account with its agent's name and e-mail", Roles: admins(), Handler: s.listAccounts, Response: List[AccountView]{}},
		{Method: "GET", Path: "/v1/agents/:id/account", Tag: "auth", Summary: "An agent's sign-in account", Roles: admins(), Handler: s.getAccount, Response: AccountView{}},
		{Method: "PATCH", Path: "/v1/agents/:id/account", Tag: "auth", Summary: "Give an agent an account (If-Match: *), change its role or password, or deactivate it: its sessions and tokens end at once", Roles: admins(), Handler: s.setAccount, Request: triage.AccountChange{}, Response: AccountView{}, Conditional: true},
	}
	for i := range routes {
		routes[i].Handler = s.needAccounts(routes[i].Handler)
	}
	return routes
}

func (s *Server) needAccounts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.accounts.Service == nil {
			return triage.Errorf(triage.EUNAVAILABLE, "sign-in with a password is not configured on this server; use an API token")
		}
		return next(c)
	}
}

// principal authenticates a request: a bearer token when one is sent,
// else the session cookie. A write made with the cookie must carry the
// session's CSRF token in X-CSRF-Token: the cookie goes along with any
// request the browser makes, also one a page of another site starts; the
// header only with the page's own.
func (s *Server) principal(c echo.Context) (*triage.Principal, error) {
	r := c.Request()
	if h := r.Header.Get(echo.HeaderAuthorization); h != "" || s.accounts.Service == nil {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return nil, triage.Errorf(triage.EUNAUTHORIZED, "send Authorization: Bearer <token>, or sign in")
		}
		return s.desk.Authenticate(r.Context(), strings.TrimSpace(secret))
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, triage.Errorf(triage.EUNAUTHORIZED, "send Authorization: Bearer <token>, or sign in")
	}
	p, err := s.accounts.Service.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !account.CheckCSRF(ck.Value, r.Header.Get(CSRFHeader)) {
			return nil, &triage.Error{Code: triage.EFORBIDDEN, Field: CSRFHeader,
				Message: "a write signed in with the session cookie must send the CSRF token in " + CSRFHeader + " (it is in the " + CSRFCookie + " cookie)"}
		}
	}
	return p, nil
}

// SignedIn answers a sign-in.
type SignedIn struct {
	Agent     *triage.Agent `json:"agent"`
	Role      triage.Role   `json:"role"`
	SessionID string        `json:"session_id"`
	ExpiresAt time.Time     `json:"expires_at"`
	// CSRFToken goes in X-CSRF-Token with every write; it is also in the
	// triage_csrf cookie, for a page loaded later.
	CSRFToken string `json:"csrf_token"`
	// SecondFactor is set, and nothing above, when the password was right
	// and a second factor is asked for: "totp" (a code of the enrolled
	// app) or "enrol" (admins require one: Enrolment is the secret to add
	// to an app first). Send the code with Challenge to
	// /v1/auth/login/second-factor.
	SecondFactor string             `json:"second_factor,omitempty"`
	Challenge    string             `json:"challenge,omitempty"`
	Enrolment    *account.Enrolment `json:"enrolment,omitempty"`
	// RecoveryCodes are shown once, after an enrolment at sign-in.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

func (s *Server) login(c echo.Context) error {
	// JSON only: a form of another site can post text/plain or a form
	// body without asking, but not application/json (login CSRF).
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEApplicationJSON {
		return &triage.Error{Code: triage.EINVALID, Field: "Content-Type", Message: "send the sign-in as application/json"}
	}
	var in triage.Login
	if err := s.decode(c, &in); err != nil {
		return err
	}
	h := c.Response().Header()
	ip := c.RealIP()
	if d := s.guard.perAddress.Allow(ip); !d.Allowed {
		d.SetHeaders(h)
		return d.Err()
	}
	who := strings.ToLower(strings.TrimSpace(in.Email))
	if err := s.locked(c, who, ip, "failed sign-ins"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.accounts.Service.Login(ctx, in, account.Client{IP: ip, UserAgent: c.Request().UserAgent()})
	if triage.IsCode(err, triage.EUNAUTHORIZED) {
		if ferr := s.failed(c, who, ip); ferr != nil {
			return ferr
		}
		return err
	} else if err != nil {
		return err
	}
	if err := s.guard.account.Succeed(ctx, s.accounts.Service.Store, who); err != nil {
		return err
	}
	if st.Challenge != "" {
		return send(c, http.StatusOK, 0, SignedIn{SecondFactor: st.Factor, Challenge: st.Challenge, Enrolment: st.Enrolment})
	}
	return s.signedIn(c, st)
}

// secure reports whether the request came over TLS, directly or through
// a proxy that says so: cookies are Secure then, and only then, so that
// plain http on localhost (make run) can sign in.
func secure(c echo.Context) bool { return c.Scheme() == "https" }

func (s *Server) setSessionCookies(c echo.Context, secret string, expires time.Time) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: secure(c), SameSite: http.SameSiteLaxMode})
	c.SetCookie(&http.Cookie{Name: CSRFCookie, Value: account.CSRFToken(secret), Path: "/", Expires: expires,
		Secure: secure(c), SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearSessionCookies(c echo.Context) {
	for _, name := range []string{SessionCookie, CSRFCookie} {
		c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == SessionCookie,
			Secure: secure(c), SameSite: http.SameSiteLaxMode})
	}
}

// SignedOut answers a sign-out.
type SignedOut struct {
	// EndSessionURL is set when the session was opened through single
	// sign-on and the provider offers RP-initiated logout: its
	// end_session_endpoint with id_token_hint and post_logout_redirect_uri.
	// Send the browser there to end the provider's session too.
	EndSessionURL string `json:"end_session_url,omitempty"`
}

func (s *Server) logout(c echo.Context) error {
	p := triage.PrincipalFromContext(c.Request().Context())
	var out SignedOut
	if p.SessionID != "" {
		if err := s.accounts.Service.Logout(c.Request().Context(), p); err != nil {
			return err
		}
		s.clearSessionCookies(c)
		if s.accounts.SSO != nil {
			value := ""
			if ck, err := c.Cookie(oidcLogoutCookie); err == nil {
				value = ck.Value
			}
			var clear *http.Cookie
			out.EndSessionURL, clear = s.accounts.SSO.EndSession(value, p.SessionID)
			if value != "" {
				c.SetCookie(clear)
			}
		}
	}
	return send(c, http.StatusOK, 0, out)
}

// oidcLogoutCookie is package oidc's LogoutCookieName; the API does not
// import oidc.
const oidcLogoutCookie = "triage_sso"

// SessionView is a session as its owner sees it.
type SessionView struct {
	*triage.Session
	// Current marks the session this request was made with.
	Current bool `json:"current"`
}

func (s *Server) listSessions(c echo.Context) error {
	p := triage.PrincipalFromContext(c.Request().Context())
	items := []SessionView{}
	agentID := p.AgentID
	if q := c.QueryParam("agent"); q != "" {
		if p.Role != triage.RoleAdmin && q != p.AgentID {
			return &triage.Error{Code: triage.EFORBIDDEN, Field: "agent", Message: "only admins may list another person's sessions"}
		}
		agentID = q
	}
	if agentID != "" {
		list, err := s.accounts.Service.Sessions(c.Request().Context(), agentID)
		if err != nil {
			return err
		}
		for _, v := range list {
			items = append(items, SessionView{Session: v, Current: v.ID == p.SessionID})
		}
	}
	return send(c, http.StatusOK, 0, List[SessionView]{Items: items})
}

func (s *Server) revokeSession(c echo.Context) error {
	p := triage.PrincipalFromContext(c.Request().Context())
	if err := s.accounts.Service.RevokeSession(c.Request().Context(), p, c.Param("id")); err != nil {
		return err
	}
	if c.Param("id") == p.SessionID {
		s.clearSessionCookies(c)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) changePassword(c echo.Context) error {
	var in triage.PasswordChange
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.accounts.Service.ChangePassword(c.Request().Context(), triage.PrincipalFromContext(c.Request().Context()), in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// AccountView is an account with who it belongs to.
type AccountView struct {
	*triage.Account
	Name  string `json:"name"`
	Email string `json:"email"`
	// TOTP says whether a second factor is on; RecoveryCodesLeft how many
	// unused recovery codes remain.
	TOTP              bool `json:"totp"`
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
}

func view(a *triage.Account, name, email string) AccountView {
	return AccountView{Account: a, Name: name, Email: email, TOTP: a.TOTPEnabledAt != nil, RecoveryCodesLeft: len(a.RecoveryHashes)}
}

func (s *Server) accountView(c echo.Context, a *triage.Account) (AccountView, error) {
	agent, err := s.desk.Agent(c.Request().Context(), a.AgentID)
	if err != nil {
		return AccountView{}, err
	}
	return view(a, agent.Name, agent.Email), nil
}

func (s *Server) listAccounts(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.accounts.Service.Accounts(ctx)
	if err != nil {
		return err
	}
	agents, err := s.desk.Agents(ctx)
	if err != nil {
		return err
	}
	items := make([]AccountView, 0, len(list))
	for _, a := range list {
		v := view(a, "", "")
		if i := slices.IndexFunc(agents, func(g *triage.Agent) bool { return g.ID == a.AgentID }); i >= 0 {
			v.Name, v.Email = agents[i].Name, agents[i].Email
		}
		items = append(items, v)
	}
	return send(c, http.StatusOK, 0, List[AccountView]{Items: items})
}

func (s *Server) getAccount(c echo.Context) error {
	a, err := s.accounts.Service.Account(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.accountView(c, a)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, v)
}

func (s *Server) setAccount(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in triage.AccountChange
	if err := s.decode(c, &in); err != nil {
		return err
	}
	a, err := s.accounts.Service.SetAccount(c.Request().Context(), c.Param("id"), version, in)
	if err != nil {
		return err
	}
	v, err := s.accountView(c, a)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, v)
}
