package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/eval"
)

// shadowRoutes are shadow mode: a candidate model predicts beside the
// active one on every new ticket, and an admin compares them on the closed
// tickets and promotes or discards the candidate.
func (s *Server) shadowRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/shadows", Tag: "triage", Summary: "Shadow trials (candidate models running beside the active ones), newest first", Roles: admins(), Handler: s.listShadows, Response: List[triage.Shadow]{}},
		{Method: "POST", Path: "/v1/shadows", Tag: "triage", Summary: "Run a stored, inactive model in shadow beside the active model of its kind; it predicts on every new ticket and changes nothing", Roles: admins(), Handler: s.startShadow, Request: desk.NewShadow{}, Response: triage.Shadow{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/shadows/:id", Tag: "triage", Summary: "A trial's comparison on its closed tickets: accuracy, macro-F1 and per class of each model against the values at close, the tickets where they disagree, and McNemar's test", Roles: admins(), Handler: s.shadowReport, Response: eval.ShadowReport{}},
		{Method: "POST", Path: "/v1/shadows/:id/promote", Tag: "triage", Summary: "Make the candidate the active model and end the trial as promoted (recorded with who and when)", Roles: admins(), Handler: s.promoteShadow, Response: triage.Shadow{}},
		{Method: "POST", Path: "/v1/shadows/:id/discard", Tag: "triage", Summary: "End the trial without changing the active model (recorded with who and when)", Roles: admins(), Handler: s.discardShadow, Response: triage.Shadow{}},
	}
}

func (s *Server) listShadows(c echo.Context) error {
	items, err := s.desk.Shadows(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Shadow]{Items: items})
}

func (s *Server) startShadow(c echo.Context) error {
	var in desk.NewShadow
	if err := s.decode(c, &in); err != nil {
		return err
	}
	sh, err := s.desk.StartShadow(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusCreated, 0, sh)
}

func (s *Server) shadowReport(c echo.Context) error {
	rep, err := eval.ShadowCompare(c.Request().Context(), s.desk.Store, c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, rep)
}

func (s *Server) promoteShadow(c echo.Context) error {
	sh, err := s.desk.PromoteShadow(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, sh)
}

func (s *Server) discardShadow(c echo.Context) error {
	sh, err := s.desk.DiscardShadow(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, sh)
}
