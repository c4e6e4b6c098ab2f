package api

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/notify"
	"github.com/triagehq/triage/report"
)

// Ops holds what the operations routes serve: webhooks, reports, metrics
// and merges. The routes of Webhooks or Reports left nil answer 503;
// /metrics is served only when Metrics is set.
type Ops struct {
	Webhooks *notify.Service
	Reports  *report.Service
	// Metrics serves Prometheus' text format at /metrics.
	Metrics http.Handler
	// MetricsToken, when set, is a bearer secret that may read /metrics
	// and nothing else, for a scraper; admin tokens may read it too.
	MetricsToken string
	// ObserveRequest hears every request with its route template (never
	// the URL, which would make a series per ticket), for the latency
	// histogram.
	ObserveRequest func(method, route string, status int, took time.Duration)
	// Skipped lists the stored values derived state left out (a
	// dictionary word the segmenter refuses, a document the index
	// refuses), so an admin can fix or delete them; nil lists none.
	Skipped func() []triage.Skipped
}

// opsRoutes are the routes of webhooks, reports, metrics and merges.
func (s *Server) opsRoutes() []Route {
	rq := reportParams("day, agent, team, category, priority or channel")
	routes := []Route{
		{Method: "GET", Path: "/v1/webhooks", Tag: "webhooks", Summary: "Webhook subscriptions, oldest first", Roles: admins(), Handler: s.listWebhooks, Response: List[triage.Webhook]{}},
		{Method: "POST", Path: "/v1/webhooks", Tag: "webhooks", Summary: "Subscribe a URL to events; the signing secret is shown once, in this response", Roles: admins(), Handler: s.createWebhook, Request: triage.NewWebhook{}, Response: triage.Webhook{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/webhooks/:id", Tag: "webhooks", Summary: "Get a webhook (its secret is never shown again)", Roles: admins(), Handler: s.getWebhook, Response: triage.Webhook{}},
		{Method: "PATCH", Path: "/v1/webhooks/:id", Tag: "webhooks", Summary: "Change a webhook's URL, events or state, or rotate its secret (shown once)", Roles: admins(), Handler: s.updateWebhook, Request: triage.WebhookUpdate{}, Response: triage.Webhook{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/webhooks/:id", Tag: "webhooks", Summary: "Delete a webhook and its delivery log", Roles: admins(), Handler: s.deleteWebhook, Status: http.StatusNoContent, Conditional: true},
		{Method: "POST", Path: "/v1/webhooks/:id/test", Tag: "webhooks", Summary: "Queue a test delivery (event ping) to check the receiver and its signature check", Roles: admins(), Handler: s.pingWebhook, Response: triage.Delivery{}, Status: http.StatusAccepted},
		{Method: "GET", Path: "/v1/webhooks/:id/deliveries", Tag: "webhooks", Summary: "A webhook's delivery log, newest first: status, attempts, last error", Roles: admins(), Handler: s.listDeliveries, Response: List[triage.Delivery]{},
			Query: []Param{{"status", "string", "pending, retrying, succeeded or failed"}, {"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "page size, 1-200, default 50"}}},
		{Method: "GET", Path: "/v1/webhooks/:id/deliveries/:delivery", Tag: "webhooks", Summary: "One delivery with its payload and every attempt", Roles: admins(), Handler: s.getDelivery, Response: triage.Delivery{}},
		{Method: "POST", Path: "/v1/webhooks/:id/deliveries/:delivery/redeliver", Tag: "webhooks", Summary: "Send a delivery's payload again as a new delivery", Roles: admins(), Handler: s.redeliver, Response: triage.Delivery{}, Status: http.StatusAccepted},

		{Method: "GET", Path: "/v1/reports/summary", Tag: "reports", Summary: "Every report's total for a window, with SLA % met and CSAT", Roles: anyone(), Handler: s.reportSummary, Response: report.Summary{}, Query: rq[:3]},
		{Method: "GET", Path: "/v1/reports/volume", Tag: "reports", Summary: "Tickets created, solved, merged and closed", Roles: anyone(), Handler: s.reportVolume, Response: report.Report[report.VolumeRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/first-response", Tag: "reports", Summary: "First-response time: tickets, average, p50, p90, max", Roles: anyone(), Handler: s.reportFirstResponse, Response: report.Report[report.TimeRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/resolution", Tag: "reports", Summary: "Resolution time: tickets, average, p50, p90, max", Roles: anyone(), Handler: s.reportResolution, Response: report.Report[report.TimeRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/backlog", Tag: "reports", Summary: "Tickets open at the end of the window, by age", Roles: anyone(), Handler: s.reportBacklog, Response: report.Report[report.BacklogRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/accuracy", Tag: "reports", Summary: "Triage accuracy against the value at close (category, priority, assignee)", Roles: anyone(), Handler: s.reportAccuracy, Response: report.Report[report.AccuracyRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/acceptance", Tag: "reports", Summary: "Suggestion acceptance: accepted, edited, rejected", Roles: anyone(), Handler: s.reportAcceptance, Response: report.Report[report.AcceptanceRow]{}, Query: rq},
		{Method: "GET", Path: "/v1/reports/sla", Tag: "reports", Summary: "SLA % met of the targets decided in a window, overall and per metric; also per agent, team, priority and category (by_*)", Roles: anyone(), Handler: s.reportSLA, Response: report.SLAReport{},
			Query: reportParams("day (of the decision), agent, team, category or priority")},
		{Method: "GET", Path: "/v1/reports/csat", Tag: "reports", Summary: "Satisfaction: surveys sent and answered, average, CSAT %; also per agent, team and category (by_*)", Roles: anyone(), Handler: s.reportCSAT, Response: report.CSATReport{},
			Query: reportParams("day, agent, team or category")},

		{Method: "POST", Path: "/v1/tickets/:id/merge", Tag: "tickets", Summary: "Merge this ticket into another: comments move, history is copied, this one closes pointing at the survivor", Roles: workers(), Handler: s.mergeTicket, Request: triage.Merge{}, Response: triage.MergeResult{}, Conditional: true},
		{Method: "GET", Path: "/v1/skipped", Tag: "service", Summary: "Stored values left out of derived state (dictionary words, index documents, models) since the start, with why: fix or delete them", Roles: admins(), Handler: s.listSkipped, Response: List[triage.Skipped]{}},
		{Method: "GET", Path: "/v1/tickets/:id/links", Tag: "tickets", Summary: "Probable duplicates and merges of a ticket", Roles: anyone(), Handler: s.ticketLinks, Response: List[triage.LinkView]{}},
	}
	for i, r := range routes {
		switch r.Tag {
		case "webhooks":
			routes[i].Handler = need(s.ops.Webhooks != nil, "webhooks are", r.Handler)
		case "reports":
			routes[i].Handler = need(s.ops.Reports != nil, "reports are", r.Handler)
		}
	}
	if s.ops.Metrics != nil {
		// No role in the table: the handler takes an admin token or the
		// scrape token, which the role system has no place for.
		routes = append(routes, Route{Method: "GET", Path: "/metrics", Tag: "service", Summary: "Prometheus metrics: request latency by route, job queue, index lag, model versions (admin token or the scrape token)", Handler: s.metrics})
	}
	return routes
}

// need answers 503 instead of h when the service h needs is not
// configured on this server.
func need(configured bool, what string, h echo.HandlerFunc) echo.HandlerFunc {
	if configured {
		return h
	}
	return func(echo.Context) error {
		return triage.Errorf(triage.EUNAVAILABLE, "%s not configured on this server", what)
	}
}

// metrics serves Prometheus. It is not public: the figures (ticket
// volumes, which routes are busy, model versions) are the business's,
// and the address may face the internet. A scraper gets the dedicated
// scrape token, which can read nothing else, rather than an admin token.
func (s *Server) metrics(c echo.Context) error {
	scheme, secret, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return triage.Errorf(triage.EUNAUTHORIZED, "send Authorization: Bearer <admin or scrape token>")
	}
	if want := s.ops.MetricsToken; want == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		p, err := s.desk.Authenticate(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		if p.Role != triage.RoleAdmin {
			return triage.Errorf(triage.EFORBIDDEN, "role %s may not GET /metrics", p.Role)
		}
	}
	s.ops.Metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

// observeRequests feeds the latency histogram. It sits outside
// logRequests, which has written the error response by the time this
// reads the status. Paths no route matched share one label, so a scan of
// random URLs cannot create series.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	if s.ops.ObserveRequest == nil {
		return next
	}
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if !s.known(c.Request().Method, route) {
			route = "unmatched"
		}
		s.ops.ObserveRequest(c.Request().Method, route, c.Response().Status, time.Since(start))
		return err
	}
}

// known reports whether method and path are a route of the table or of
// the UI.
func (s *Server) known(method, path string) bool {
	for _, r := range s.routes {
		if r.Path == path && r.Method == method {
			return true
		}
	}
	return slices.Contains(UIRoutes(), method+" "+path)
}

// listSkipped lists the values derived state left out, oldest first.
func (s *Server) listSkipped(c echo.Context) error {
	items := []triage.Skipped{}
	if s.ops.Skipped != nil {
		items = s.ops.Skipped()
	}
	return send(c, http.StatusOK, 0, List[triage.Skipped]{Items: items})
}
