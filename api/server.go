// Package api is the HTTP interface of triage: JSON over HTTP under /v1,
// bearer-token auth with roles, one error shape, ETags with If-Match and
// If-None-Match, Idempotency-Key on POST, and an OpenAPI document generated
// from the same route table that registers the handlers.
//
// It is the only package that knows echo, so a later move to echo v5 (or
// away from echo) touches nothing else.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/sla"
	"github.com/triagehq/triage/suggest"
)

// Config wires the server to the services it exposes.
type Config struct {
	Desk *desk.Service
	// Ready reports whether the service can take traffic (store reachable,
	// schema current); /readyz answers 503 while it fails.
	Ready func(ctx context.Context) error
	// Backup is how the scheduled backups stand, shown on /readyz; nil
	// when the service makes none.
	Backup func() triage.BackupStatus
	// Import imports an export sent to POST /v1/imports; nil answers 503.
	Import func(ctx context.Context, in ImportRequest) (*ImportResult, error)
	Log    *slog.Logger
	// BodyLimit caps request bodies; 0 means DefaultBodyLimit.
	BodyLimit int64
	// Version is reported by /healthz.
	Version string
	// Triager previews triage for the rules dry-run; nil answers 503.
	Triager Triager
	// Queue takes jobs such as a training run; nil answers 503.
	Queue triage.Queue
	// KB is the knowledge base; Suggest puts it beside tickets.
	KB      *kb.Service
	Suggest *suggest.Service
	// Segmenter splits text for the KB gap report's shared terms.
	Segmenter triage.Segmenter
	// SLA serves SLA policies, calendars, clocks and satisfaction
	// surveys; nil answers their routes with 503.
	SLA *sla.Service
	// UI is the web UI's files (index.html, assets/…), served at / and
	// /app/…; nil serves the API only.
	UI fs.FS
	// Ops serves webhooks, reports, metrics and merges (api/ops.go).
	Ops Ops
	// Eval serves the saved evaluation reports (api/eval.go).
	Eval Eval
	// Mail serves the e-mail channel (api/mail.go).
	Mail Mail
	// RateLimits are the request quotas (api/ratelimit.go); the zero
	// value limits nothing.
	RateLimits RateLimits
	// Now is the clock of the rate limits; nil is time.Now.
	Now func() time.Time
	// Help serves the public help centre (api/help.go).
	Help Help
	// Accounts serves staff sign-in (api/auth.go).
	Accounts Accounts
	// Trace traces every request (api/trace.go); the zero value traces
	// nothing.
	Trace Trace
	// WeChat serves the 微信客服 channel (api/wechat.go).
	WeChat WeChat
	// Automations serves triggers and time rules (api/automations.go).
	Automations Automations
	// LivePoll is how often a live event stream looks for changes
	// (api/live.go); 0 is DefaultLivePoll.
	LivePoll time.Duration
}

// DefaultBodyLimit leaves room for a 64 KiB ticket body even when every
// character arrives JSON-escaped.
const DefaultBodyLimit = 1 << 20

// Server is the HTTP server.
type Server struct {
	imports   func(ctx context.Context, in ImportRequest) (*ImportResult, error)
	desk      *desk.Service
	ready     func(ctx context.Context) error
	backup    func() triage.BackupStatus
	log       *slog.Logger
	bodyLimit int64
	version   string
	echo      *echo.Echo
	routes    []Route
	http      *http.Server
	triager   Triager
	queue     triage.Queue
	kb        *kb.Service
	suggest   *suggest.Service
	segmenter triage.Segmenter
	sla       *sla.Service
	ops       Ops
	eval      Eval
	mail      Mail
	// rateLimits and limits: the quotas and their buckets.
	rateLimits RateLimits
	limits     limiters
	help       Help
	accounts   Accounts
	guard      *signInGuard
	// trace and handler: the tracing hooks and the server's handler,
	// echo wrapped by trace.Handler.
	trace       Trace
	handler     http.Handler
	wechat      WeChat
	automations Automations
	// livePoll and closing: the live event streams' poll interval, and
	// a channel closed when the server shuts down, which ends them.
	livePoll time.Duration
	closing  chan struct{}
}

// New builds the server and registers every route.
func New(cfg Config) *Server {
	s := &Server{desk: cfg.Desk, ready: cfg.Ready, backup: cfg.Backup, log: cfg.Log, bodyLimit: cfg.BodyLimit, version: cfg.Version, triager: cfg.Triager, queue: cfg.Queue, kb: cfg.KB, suggest: cfg.Suggest, segmenter: cfg.Segmenter, sla: cfg.SLA, ops: cfg.Ops, eval: cfg.Eval, mail: cfg.Mail, help: cfg.Help,
		rateLimits: cfg.RateLimits, limits: newLimiters(cfg.RateLimits, cfg.Now), accounts: cfg.Accounts}
	s.wechat = cfg.WeChat
	s.guard = newSignInGuard(cfg.Accounts.Now)
	s.trace = cfg.Trace
	s.automations = cfg.Automations
	s.imports = cfg.Import
	s.livePoll, s.closing = cfg.LivePoll, make(chan struct{})
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = DefaultBodyLimit
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// echo's RealIP trusts X-Forwarded-For from anyone unless told
	// otherwise: the client address is the peer's, or, behind one of the
	// configured trusted proxies, the one they forwarded, read right to
	// left so a client cannot choose its own (package limit).
	proxies := cfg.RateLimits.Proxies
	e.IPExtractor = func(r *http.Request) string {
		if a := proxies.ClientIP(r); a.IsValid() {
			return a.String()
		}
		return ""
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.requestID, s.observeRequests, s.logRequests, s.recoverPanics)
	e.Use(s.traceRoute)
	s.echo = e
	s.handler = e
	if cfg.Trace.Handler != nil {
		s.handler = cfg.Trace.Handler(e)
	}
	s.routes = s.table()
	for _, r := range s.routes {
		h := checkQuery(r, r.Handler)
		switch {
		case r.Roles != nil:
			h = s.authenticate(r, s.idempotency(h))
		case !unlimited(r.Path):
			h = s.limitPublic(h)
		}
		if r.BodyLimit > 0 {
			h = bodyLimit(r.BodyLimit, h)
		}
		e.Add(r.Method, r.Path, h)
	}
	s.registerUI(cfg.UI)
	s.registerHelp(cfg.Help)
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(func() { close(s.closing) })
	return s
}

// Handler returns the HTTP handler, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the route table.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// Serve answers requests on ln until Shutdown; after Shutdown it returns
// at once.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for in-flight requests.
// The HTTP server exists from New on, so a shutdown that comes before
// Serve has started still stops it: Serve then returns at once instead of
// serving on after its caller has gone.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.http.Shutdown(ctx)
}

func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// logRequests writes one line per request. It logs the route template, not
// the URL, so query strings (which may hold a phone number searched for)
// never reach the log, and it never logs headers, so tokens don't either.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r, w := c.Request(), c.Response()
		attrs := []any{
			"request_id", w.Header().Get(echo.HeaderXRequestID),
			"method", r.Method,
			"route", c.Path(),
			"status", w.Status,
			"ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes_out", w.Size,
			"ip", c.RealIP(),
		}
		if p := triage.PrincipalFromContext(r.Context()); p != nil {
			attrs = append(attrs, "token_id", p.Credential())
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", argsToAttrs(attrs)...)
		return nil
	}
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}

func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()), "route", c.Path())
				err = triage.Errorf(triage.EINTERNAL, "internal error")
			}
		}()
		return next(c)
	}
}

// authenticate checks the bearer token or the session cookie (api/auth.go)
// and the route's roles, then puts the principal in the request's context
// for the services.
func (s *Server) authenticate(rt Route, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.checkAuthFailures(c); err != nil {
			return err
		}
		p, err := s.principal(c)
		if triage.IsCode(err, triage.EUNAUTHORIZED) {
			// No credential is no guess: only one presented and
			// refused counts as a failure (a page asking /v1/me before
			// sign-in must not lock its address out).
			if strings.TrimSpace(c.Request().Header.Get(echo.HeaderAuthorization)) != "" {
				s.authFailed(c)
			} else if ck, cerr := c.Request().Cookie(SessionCookie); cerr == nil && ck.Value != "" {
				s.authFailed(c)
			}
			return err
		} else if err != nil {
			return err
		}
		if err := s.limitAuthenticated(c, p); err != nil {
			return err
		}
		if !slices.Contains(rt.Roles, p.Role) {
			return triage.Errorf(triage.EFORBIDDEN, "role %s may not %s %s", p.Role, rt.Method, rt.Path)
		}
		c.SetRequest(c.Request().WithContext(triage.NewContextWithPrincipal(c.Request().Context(), p)))
		return next(c)
	}
}

// unlimited are the routes without login that no quota applies to: the
// probes of orchestrators and monitoring (/metrics checks its own token).
func unlimited(path string) bool {
	// /openapi.json is a fixed document that the staff UI reads on every
	// load: limiting it would refuse a busy office behind one address.
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/openapi.json"
}

// Registered lists the routes echo actually serves, as "METHOD /path" in
// echo syntax, so a test can hold the OpenAPI document to them.
func (s *Server) Registered() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	slices.Sort(out)
	return out
}
