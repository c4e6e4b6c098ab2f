package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

func (s *Server) viewRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/views", Tag: "tickets", Summary: "The caller's saved views (named inbox filters and order), by name", Roles: anyone(), Handler: s.listViews, Response: List[triage.SavedView]{}},
		{Method: "POST", Path: "/v1/views", Tag: "tickets", Summary: "Save a view: a name and the query string of GET /v1/tickets (filters and sort, no cursor or limit); saving a name again replaces its query", Roles: anyone(), Handler: s.saveView, Request: NewView{}, Response: triage.SavedView{}, Status: http.StatusCreated},
		{Method: "DELETE", Path: "/v1/views/:id", Tag: "tickets", Summary: "Delete one of the caller's saved views", Roles: anyone(), Handler: s.deleteView, Status: http.StatusNoContent},
	}
}

// NewView is the body of POST /v1/views.
type NewView struct {
	Name string `json:"name"`
	// Query is a query string GET /v1/tickets takes, like
	// "status=open&priority=P1&sort=sla_due".
	Query string `json:"query"`
}

func (s *Server) listViews(c echo.Context) error {
	items, err := s.desk.SavedViews(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.SavedView]{Items: items})
}

func (s *Server) saveView(c echo.Context) error {
	var in NewView
	if err := s.decode(c, &in); err != nil {
		return err
	}
	query, err := s.checkViewQuery(c, in.Query)
	if err != nil {
		return err
	}
	v, err := s.desk.SaveView(c.Request().Context(), in.Name, query)
	if err != nil {
		return err
	}
	return created(c, "/v1/views/"+v.ID, 0, v)
}

// checkViewQuery checks a view's query as GET /v1/tickets would check it
// (the parameters it takes, their values), so that a saved view always
// opens, and returns it in its canonical form. A view is a place in the
// list, not a page of it: cursor and limit are refused.
func (s *Server) checkViewQuery(c echo.Context, raw string) (string, error) {
	q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(raw), "?"))
	if err != nil {
		return "", triage.Invalid("query", "query is not a query string: %v", err)
	}
	var names []string
	for _, p := range ticketParams() {
		if p.Name != "cursor" && p.Name != "limit" {
			names = append(names, p.Name)
		}
	}
	for name := range q {
		if !slices.Contains(names, name) {
			return "", &triage.Error{Code: triage.EINVALID, Field: "query", Allowed: names,
				Message: "query has " + strconv.Quote(name) + ", which a view does not take; it takes " + strings.Join(names, ", ")}
		}
	}
	f, err := ticketFilterOf(c.Request().Context(), q)
	if err != nil {
		return "", err
	}
	// The list itself checks every value (status, priority, sort, q with
	// sort); team=mine is resolved as the list resolves it.
	if f.TeamID == "mine" {
		f.TeamID, f.TeamIDs = "", []string{}
	}
	f.Limit = 1
	if _, _, err := s.desk.Tickets(c.Request().Context(), f); err != nil {
		return "", err
	}
	return q.Encode(), nil
}

func (s *Server) deleteView(c echo.Context) error {
	if err := s.desk.DeleteView(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
