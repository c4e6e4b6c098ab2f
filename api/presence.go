package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

func (s *Server) presenceRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/v1/presence/heartbeat", Tag: "live", Summary: "Record the calling agent's activity (the web app sends one a minute while open): an agent not heard from for 5 minutes is away and for 30 offline, and routing gives new tickets only to agents online", Roles: anyone(), Handler: s.heartbeat, Response: triage.Agent{}},
		{Method: "PUT", Path: "/v1/presence", Tag: "live", Summary: "Set the calling agent's own presence: online, away or offline, or empty to follow activity; away and offline agents get no new tickets", Roles: anyone(), Handler: s.setPresence, Request: SetPresence{}, Response: triage.Agent{}},
	}
}

// SetPresence is the body of PUT /v1/presence.
type SetPresence struct {
	// Presence is online, away or offline, or empty to follow activity.
	Presence triage.Presence `json:"presence"`
}

func (s *Server) heartbeat(c echo.Context) error {
	a, err := s.desk.Heartbeat(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, a)
}

func (s *Server) setPresence(c echo.Context) error {
	var in SetPresence
	if err := s.decode(c, &in); err != nil {
		return err
	}
	a, err := s.desk.SetPresence(c.Request().Context(), in.Presence)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, a)
}
