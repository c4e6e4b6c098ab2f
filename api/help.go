package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/helpcentre"
)

// Help serves the public help centre (package helpcentre): its pages,
// outside /v1 and without a token, and its branding, which admins set
// under /v1.
type Help struct {
	// Pages answers /help and everything under it; nil serves no help
	// centre.
	Pages http.Handler
	// Settings reads and changes the branding; nil answers 503.
	Settings HelpSettings
	// Answers answers bots (POST /v1/answer) and Deflection reports
	// what the customer's side saved (api/portal.go); nil answers 503.
	Answers    Answerer
	Deflection DeflectionReporter
}

// HelpSettings is the help centre's branding service.
type HelpSettings interface {
	Settings(ctx context.Context) (*triage.HelpSettings, error)
	PutSettings(ctx context.Context, u triage.HelpSettingsUpdate) (*triage.HelpSettings, error)
}

// HelpRoutes are the routes of the public help centre's pages. Like the
// UI's they are not API: they take no token, and the OpenAPI document
// leaves them out.
func HelpRoutes() []string {
	var out []string
	for _, p := range []string{"/help", "/help/*"} {
		for _, m := range []string{"GET", "HEAD", "POST"} {
			out = append(out, m+" "+p)
		}
	}
	return out
}

// registerHelp mounts the help centre's pages. Echo's middleware (request
// ids, metrics, the log line with the route template and never the query
// string, panics recovered) applies to them as to every route.
func (s *Server) registerHelp(h Help) {
	if h.Pages == nil {
		return
	}
	wrapped := echo.WrapHandler(h.Pages)
	for _, p := range []string{"/help", "/help/*"} {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			s.echo.Add(m, p, wrapped)
		}
	}
}

func (s *Server) helpRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/help/settings", Tag: "help", Summary: "The help centre's branding: company name and logo", Roles: admins(), Handler: s.getHelpSettings, Response: triage.HelpSettings{}},
		{Method: "PATCH", Path: "/v1/help/settings", Tag: "help", Summary: "Set the help centre's company name and logo (PNG, JPEG, GIF or WebP, base64; null removes it)", Roles: admins(), Handler: s.updateHelpSettings, Request: triage.HelpSettingsUpdate{}, Response: triage.HelpSettings{}},
		{Method: "POST", Path: "/v1/answer", Tag: "help", Summary: "A bot's question: a short answer from public articles with citations, or handover true; every answer is logged", Roles: bots(), Handler: s.answer, Request: helpcentre.AnswerRequest{}, Response: helpcentre.AnswerResult{}},
		{Method: "GET", Path: "/v1/reports/deflection", Tag: "help", Summary: "Deflection by day and category: searches, views, 有帮助, 解决了, forms and bot answers without a ticket, minus tickets from the same contact within 24 h", Roles: anyone(), Handler: s.deflection, Response: helpcentre.Deflection{}, Query: deflectionParams()},
	}
}

func (s *Server) getHelpSettings(c echo.Context) error {
	if s.help.Settings == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "the help centre is not configured on this server")
	}
	st, err := s.help.Settings.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, st)
}

func (s *Server) updateHelpSettings(c echo.Context) error {
	if s.help.Settings == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "the help centre is not configured on this server")
	}
	var u triage.HelpSettingsUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	st, err := s.help.Settings.PutSettings(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, st)
}
