package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
)

// SSO is the OpenID Connect provider staff may sign in with (package
// oidc, wired by the application).
type SSO interface {
	// Begin returns the provider's authorization URL and the login
	// cookie's value.
	Begin(ctx context.Context, returnTo string) (authURL, cookie string, err error)
	// Finish completes the sign-in from the callback's query and the
	// login cookie, returning who signed in and where to go next.
	Finish(ctx context.Context, cookie string, query url.Values) (account.SSOIdentity, string, error)
	// Cookie is the login cookie with a value ("" deletes it).
	Cookie(value string) *http.Cookie
	// LogoutCookie is the cookie that remembers how to end the
	// provider's session when session sessionID, opened with idToken,
	// signs out; nil when the provider offers no sign-out.
	LogoutCookie(sessionID, idToken string, expires time.Time) (*http.Cookie, error)
	// EndSession is where to send the browser to end the provider's
	// session after session sessionID signed out ("" for nowhere), from
	// the logout cookie's value, and the cookie that deletes it.
	EndSession(cookie, sessionID string) (string, *http.Cookie)
}

// signInRoutes are the invitations, reset links, second factor, sign-in
// settings and single sign-on (issue 18).
func (s *Server) signInRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/v1/auth/methods", Tag: "auth", Summary: "How staff may sign in here: password, single sign-on (with its label), reset links by mail", Handler: s.signInMethods, Response: SignInMethods{}},
		{Method: "POST", Path: "/v1/auth/login/second-factor", Tag: "auth", Summary: "Complete a sign-in that asked for a second factor: the challenge and a code of the authenticator app (or a recovery code); an enrolment at sign-in returns the recovery codes once (429 with Retry-After after repeated wrong codes)", Handler: s.secondFactor, Request: triage.SecondFactor{}, Response: SignedIn{}},
		{Method: "POST", Path: "/v1/auth/forgot", Tag: "auth", Summary: "Ask for a password reset link by mail; the answer is the same whether the address has an account or not (mail says whether this server sends mail at all)", Handler: s.forgot, Request: triage.ForgotPassword{}, Response: ForgotAnswer{}, Status: http.StatusAccepted},
		{Method: "POST", Path: "/v1/auth/link", Tag: "auth", Summary: "Look at an invitation or reset link before using it: for whom, until when", Handler: s.linkInfo, Request: triage.LinkToken{}, Response: account.LinkView{}},
		{Method: "POST", Path: "/v1/auth/link/password", Tag: "auth", Summary: "Set the password of the account an invitation or reset link was made for; the link is used up and the account's sessions end", Handler: s.linkPassword, Request: triage.LinkPassword{}, Response: account.LinkView{}},
		{Method: "GET", Path: "/v1/auth/account", Tag: "auth", Summary: "Your own sign-in account: role, second factor, recovery codes left, SSO link", Roles: anyone(), Handler: s.ownAccount, Response: AccountView{}},
		{Method: "POST", Path: "/v1/auth/totp", Tag: "auth", Summary: "Start enrolling an authenticator app: a new secret with its otpauth:// URL and QR code, pending until confirmed", Roles: anyone(), Handler: s.enrolTOTP, Response: account.Enrolment{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/v1/auth/totp/confirm", Tag: "auth", Summary: "Turn two-factor sign-in on with a first code of the app; returns the recovery codes, shown once", Roles: anyone(), Handler: s.confirmTOTP, Request: triage.TOTPCode{}, Response: RecoveryCodes{}},
		{Method: "POST", Path: "/v1/auth/totp/disable", Tag: "auth", Summary: "Turn your own two-factor sign-in off with a current code (refused while admins require it)", Roles: anyone(), Handler: s.disableTOTP, Request: triage.TOTPCode{}, Status: http.StatusNoContent},
		{Method: "GET", Path: "/v1/auth/settings", Tag: "auth", Summary: "The sign-in settings: whether a second factor is required", Roles: admins(), Handler: s.getAuthSettings, Response: triage.AuthSettings{}},
		{Method: "PATCH", Path: "/v1/auth/settings", Tag: "auth", Summary: "Require (or not) a second factor of everyone who signs in with a password; who has none enrols at the next sign-in", Roles: admins(), Handler: s.setAuthSettings, Request: triage.AuthSettingsChange{}, Response: triage.AuthSettings{}, Conditional: true},
		{Method: "POST", Path: "/v1/accounts/invite", Tag: "auth", Summary: "Invite a person: an agent and account with the role (and team), and a link to set a password, mailed when outbound mail is configured, else returned for the admin to hand over", Roles: admins(), Handler: s.invite, Request: triage.Invite{}, Response: account.Invited{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/v1/agents/:id/account/reset-link", Tag: "auth", Summary: "Make a password reset link for an account: mailed when outbound mail is configured, else returned for the admin to hand over; earlier links end", Roles: admins(), Handler: s.resetLink, Response: account.Link{}, Status: http.StatusCreated},
		{Method: "DELETE", Path: "/v1/agents/:id/account/totp", Tag: "auth", Summary: "Remove an account's second factor and recovery codes (a lost phone); it enrols again where required", Roles: admins(), Handler: s.resetTOTP, Status: http.StatusNoContent},
		{Method: "GET", Path: "/auth/oidc/login", Tag: "auth", Summary: "Start single sign-on: redirects the browser to the OpenID Connect provider (return: the local page to come back to)", Handler: s.ssoLogin, Status: http.StatusFound,
			Query: []Param{{"return", "string", "a local path to open after signing in"}}},
		{Method: "GET", Path: "/auth/oidc/callback", Tag: "auth", Summary: "The provider's redirect back: signs the person in (their account made just in time, role and team from the claims) and redirects to the page they came from", Handler: s.ssoCallback, Status: http.StatusFound,
			Query: []Param{{"code", "string", "the authorization code"}, {"state", "string", "the state sent to the provider"}, {"error", "string", "the provider's error code"}}},
	}
	for i := range routes {
		routes[i].Handler = s.needAccounts(routes[i].Handler)
	}
	return routes
}

// SignInMethods tells the sign-in page what to offer.
type SignInMethods struct {
	Password bool `json:"password"`
	SSO      bool `json:"sso"`
	// SSOName labels the single sign-on button ("企业微信", "Keycloak").
	SSOName string `json:"sso_name"`
	// ResetByMail says whether "forgot password" mails a link; without
	// it, an admin makes the link.
	ResetByMail bool `json:"reset_by_mail"`
}

func (s *Server) signInMethods(c echo.Context) error {
	return send(c, http.StatusOK, 0, SignInMethods{Password: true, SSO: s.accounts.SSO != nil, SSOName: s.accounts.SSOName,
		ResetByMail: s.accounts.Service.Mailer != nil && s.accounts.Service.Mailer.Outbound() && s.accounts.Service.BaseURL != ""})
}

// perAddress spends the client address's sign-in quota.
func (s *Server) perAddress(c echo.Context) error {
	if d := s.guard.perAddress.Allow(c.RealIP()); !d.Allowed {
		d.SetHeaders(c.Response().Header())
		return d.Err()
	}
	return nil
}

func (s *Server) signedIn(c echo.Context, st *account.Started) error {
	s.setSessionCookies(c, st.Secret, st.Session.ExpiresAt)
	return send(c, http.StatusOK, 0, SignedIn{Agent: st.Agent, Role: st.Account.Role, SessionID: st.Session.ID,
		ExpiresAt: st.Session.ExpiresAt, CSRFToken: account.CSRFToken(st.Secret), RecoveryCodes: st.RecoveryCodes})
}

func (s *Server) secondFactor(c echo.Context) error {
	var in triage.SecondFactor
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.perAddress(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Wrong codes count against the person the challenge is for, as
	// wrong passwords count against the address: six digits are guessed
	// in a million tries, and the lockout keeps them far fewer.
	who := "2fa:" + s.accounts.Service.ChallengeSubject(ctx, in.Challenge)
	ip := c.RealIP()
	if err := s.locked(c, who, ip, "wrong codes"); err != nil {
		return err
	}
	st, err := s.accounts.Service.Verify(ctx, in, account.Client{IP: ip, UserAgent: c.Request().UserAgent()})
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
	return s.signedIn(c, st)
}

// ForgotAnswer answers a reset request.
type ForgotAnswer struct {
	// Mail is false when this server sends no mail: ask an admin for a
	// link instead.
	Mail bool `json:"mail"`
}

func (s *Server) forgot(c echo.Context) error {
	var in triage.ForgotPassword
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.perAddress(c); err != nil {
		return err
	}
	mail, err := s.accounts.Service.Forgot(c.Request().Context(), in.Email)
	if err != nil {
		return err
	}
	return send(c, http.StatusAccepted, 0, ForgotAnswer{Mail: mail})
}

func (s *Server) linkInfo(c echo.Context) error {
	var in triage.LinkToken
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.perAddress(c); err != nil {
		return err
	}
	v, err := s.accounts.Service.Link(c.Request().Context(), in.Token)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) linkPassword(c echo.Context) error {
	var in triage.LinkPassword
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.perAddress(c); err != nil {
		return err
	}
	v, err := s.accounts.Service.SetPasswordWithLink(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) ownAccount(c echo.Context) error {
	p := triage.PrincipalFromContext(c.Request().Context())
	if p.AgentID == "" {
		return triage.Errorf(triage.EINVALID, "this credential is not a person's (an API token not tied to an agent)")
	}
	a, err := s.accounts.Service.Account(c.Request().Context(), p.AgentID)
	if err != nil {
		return err
	}
	v, err := s.accountView(c, a)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, v)
}

func (s *Server) enrolTOTP(c echo.Context) error {
	e, err := s.accounts.Service.Enrol(c.Request().Context(), triage.PrincipalFromContext(c.Request().Context()))
	if err != nil {
		return err
	}
	return send(c, http.StatusCreated, 0, e)
}

// RecoveryCodes are shown once.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (s *Server) confirmTOTP(c echo.Context) error {
	var in triage.TOTPCode
	if err := s.decode(c, &in); err != nil {
		return err
	}
	codes, err := s.accounts.Service.ConfirmEnrolment(c.Request().Context(), triage.PrincipalFromContext(c.Request().Context()), in.Code)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, RecoveryCodes{RecoveryCodes: codes})
}

func (s *Server) disableTOTP(c echo.Context) error {
	var in triage.TOTPCode
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if err := s.accounts.Service.DisableOwn(c.Request().Context(), triage.PrincipalFromContext(c.Request().Context()), in.Code); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) getAuthSettings(c echo.Context) error {
	v, err := s.accounts.Service.AuthSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, v.Version, v)
}

func (s *Server) setAuthSettings(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in triage.AuthSettingsChange
	if err := s.decode(c, &in); err != nil {
		return err
	}
	v, err := s.accounts.Service.SetAuthSettings(c.Request().Context(), version, in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, v.Version, v)
}

// origin is where this request came to, to start links an admin asks
// for when no public address is configured: the admin is trusted with
// the Host they send, unlike an anonymous "forgot password".
func origin(c echo.Context) string { return c.Scheme() + "://" + c.Request().Host }

func (s *Server) invite(c echo.Context) error {
	var in triage.Invite
	if err := s.decode(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := s.accounts.Service.Invite(ctx, triage.PrincipalFromContext(ctx), in, origin(c))
	if err != nil {
		return err
	}
	return send(c, http.StatusCreated, 0, v)
}

func (s *Server) resetLink(c echo.Context) error {
	v, err := s.accounts.Service.ResetLink(c.Request().Context(), c.Param("id"), origin(c))
	if err != nil {
		return err
	}
	return send(c, http.StatusCreated, 0, v)
}

func (s *Server) resetTOTP(c echo.Context) error {
	if err := s.accounts.Service.ResetFactor(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) needSSO() error {
	if s.accounts.SSO == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "single sign-on is not configured on this server (--oidc-issuer)")
	}
	return nil
}

func (s *Server) ssoLogin(c echo.Context) error {
	if err := s.needSSO(); err != nil {
		return err
	}
	authURL, cookie, err := s.accounts.SSO.Begin(c.Request().Context(), c.QueryParam("return"))
	if err != nil {
		return err
	}
	c.SetCookie(s.accounts.SSO.Cookie(cookie))
	return c.Redirect(http.StatusFound, authURL)
}

// ssoCallback signs the person in and sends them on; a refusal goes back
// to the sign-in page with the reason's code, which the page translates.
func (s *Server) ssoCallback(c echo.Context) error {
	if err := s.needSSO(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	value := ""
	if ck, err := c.Cookie("triage_oidc"); err == nil {
		value = ck.Value
	}
	c.SetCookie(s.accounts.SSO.Cookie(""))
	fail := func(err error) error {
		s.log.WarnContext(ctx, "single sign-on refused", "error", err)
		code := "failed"
		switch {
		case triage.IsCode(err, triage.EFORBIDDEN):
			code = "forbidden"
		case triage.IsCode(err, triage.EUNAVAILABLE):
			code = "unavailable"
		}
		return c.Redirect(http.StatusFound, "/app/inbox?sso_error="+code)
	}
	id, returnTo, err := s.accounts.SSO.Finish(ctx, value, c.QueryParams())
	if err != nil {
		return fail(err)
	}
	st, err := s.accounts.Service.SignInSSO(ctx, id, account.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	if err != nil {
		return fail(err)
	}
	s.setSessionCookies(c, st.Secret, st.Session.ExpiresAt)
	// Remember how to end the provider's session at sign-out; without
	// it only triage's session would end, and the next visit to the
	// provider would sign the person straight in again.
	if ck, err := s.accounts.SSO.LogoutCookie(st.Session.ID, id.IDToken, st.Session.ExpiresAt); err != nil {
		s.log.WarnContext(ctx, "single sign-on: no sign-out cookie; signing out will not end the provider's session", "error", err)
	} else if ck != nil {
		c.SetCookie(ck)
	}
	if returnTo == "" || returnTo == "/" || !strings.HasPrefix(returnTo, "/app") {
		returnTo = "/app/inbox"
	}
	return c.Redirect(http.StatusFound, returnTo)
}
