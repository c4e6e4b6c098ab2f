package api

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/limit"
)

// RateLimits are the request quotas, as GitHub and Zendesk apply them: per
// API token, per client address, stricter on the public routes (the
// survey today, the customer portal later) and on failed authentication.
// A quota whose Limit is 0 is off. Every limited response carries
// RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and
// RateLimit-Policy; a refused one is a 429 with Retry-After.
type RateLimits struct {
	// Token is each token's quota.
	Token limit.Rate
	// Client is each client address's quota over the authenticated
	// routes, whatever tokens it uses.
	Client limit.Rate
	// Public is each client address's quota over the routes that need no
	// login (/v1/csat/…, /v1/auth/login).
	Public limit.Rate
	// AuthFailure is each client address's quota of failed
	// authentications (a credential presented and refused: an unknown or
	// revoked token, another scheme; not a request without one); once it is
	// spent, every authenticated route refuses that address until the
	// quota refills, so secrets cannot be guessed at speed.
	AuthFailure limit.Rate
	// Proxies are the trusted reverse proxies whose X-Forwarded-For names
	// the client; with none, the client is the peer that connected.
	Proxies limit.Proxies
}

// DefaultRateLimits are the quotas `triage serve` starts with.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		Token:       limit.PerMinute(1200),
		Client:      limit.PerMinute(2400),
		Public:      limit.PerMinute(30),
		AuthFailure: limit.PerMinute(10),
	}
}

// limiters are the buckets of RateLimits; a nil one is off.
type limiters struct {
	token, client, public, authFailure *limit.Limiter
}

func newLimiters(r RateLimits, now func() time.Time) limiters {
	mk := func(q limit.Rate) *limit.Limiter {
		if q.Limit <= 0 {
			return nil
		}
		l, err := limit.NewLimiter(q, 0, now)
		if err != nil {
			return nil // a quota with no period: treated as off, as its Limit 0 would be
		}
		return l
	}
	return limiters{token: mk(r.Token), client: mk(r.Client), public: mk(r.Public), authFailure: mk(r.AuthFailure)}
}

// take takes one request from l's bucket for key and writes the headers of
// the decision; it answers the ERATELIMIT error when refused. A nil l
// allows everything and writes nothing.
func take(c echo.Context, l *limit.Limiter, key string) error {
	if l == nil {
		return nil
	}
	d := l.Allow(key)
	d.SetHeaders(c.Response().Header())
	return d.Err()
}

// clientKey is the request's client address as a limiter key (an IPv6
// client by its /64).
func (s *Server) clientKey(c echo.Context) string {
	return limit.Key(s.rateLimits.Proxies.ClientIP(c.Request()))
}

// limitPublic applies the public quota to a route that needs no login.
func (s *Server) limitPublic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := take(c, s.limits.public, s.clientKey(c)); err != nil {
			return err
		}
		return next(c)
	}
}

// checkAuthFailures refuses a client address whose failed
// authentications have spent its quota, before the token is looked at.
func (s *Server) checkAuthFailures(c echo.Context) error {
	if s.limits.authFailure == nil {
		return nil
	}
	d := s.limits.authFailure.Peek(s.clientKey(c))
	if d.Allowed {
		return nil
	}
	d.SetHeaders(c.Response().Header())
	return triage.Errorf(triage.ERATELIMIT, "too many failed authentications from this address; retry in %d seconds", d.RetryAfterSeconds())
}

// authFailed counts a failed authentication against the client address.
func (s *Server) authFailed(c echo.Context) {
	if s.limits.authFailure != nil {
		s.limits.authFailure.Allow(s.clientKey(c))
	}
}

// limitAuthenticated takes one request from the client address's and the
// token's buckets; the token's headers are the ones the client sees, as
// its quota is the one it plans by, unless the address's refuses.
func (s *Server) limitAuthenticated(c echo.Context, p *triage.Principal) error {
	if err := take(c, s.limits.client, s.clientKey(c)); err != nil {
		return err
	}
	return take(c, s.limits.token, "token:"+p.TokenID)
}
