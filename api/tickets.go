package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

func ticketParams() []Param {
	return []Param{
		{"status", "string", "one or more statuses, comma-separated: new,open,pending,solved,closed"},
		{"assignee", "string", "agent id, \"me\" for the caller's agent, or \"none\" for unassigned"},
		{"team", "string", "team id, or \"mine\" for every team the caller's agent is a member of"},
		{"category", "string", "category"},
		{"priority", "string", "P1, P2, P3 or P4"},
		{"tag", "string", "a tag"},
		{"requester", "string", "requester e-mail or phone"},
		{"needs_review", "boolean", "tickets triage could not classify with confidence"},
		{"created_from", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), inclusive"},
		{"created_to", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), exclusive"},
		{"q", "string", "words to find in the title, the body or the public conversation, in any script or width (退貨 finds 退货): cut by the segmenter as the KB search cuts a query; any word may match, and the list is by relevance, best first"},
		{"sort", "string", "order: created (newest first, the default), updated (most recently changed first), priority (P1 first, then newest), sla_due (the running SLA target due soonest first; tickets without one last); not with q, which lists by relevance"},
		{"cursor", "string", "next_cursor of the previous page"},
		{"limit", "integer", "page size, 1-200, default 50"},
	}
}

func (s *Server) createTicket(c echo.Context) error {
	var in triage.NewTicket
	if err := s.decodeWithFiles(c, &in, &in.Attachments); err != nil {
		return err
	}
	t, err := s.desk.CreateTicket(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/tickets/"+t.ID, t.Version, t)
}

func (s *Server) getTicket(c echo.Context) error {
	t, err := s.desk.Ticket(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, t.Version, t)
}

func (s *Server) updateTicket(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u triage.TicketUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	t, err := s.desk.UpdateTicket(c.Request().Context(), c.Param("id"), version, u)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, t.Version, t)
}

func (s *Server) listTickets(c echo.Context) error {
	f, err := ticketFilter(c)
	if err != nil {
		return err
	}
	if f.TeamID == "mine" {
		if f.TeamIDs, err = s.myTeams(c); err != nil {
			return err
		}
		f.TeamID = ""
	}
	items, next, err := s.desk.Tickets(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Ticket]{Items: items, NextCursor: next})
}

// ticketFilter parses the list's query (checkQuery has refused unknown
// parameters).
func ticketFilter(c echo.Context) (triage.TicketFilter, error) {
	return ticketFilterOf(c.Request().Context(), c.QueryParams())
}

// ticketFilterOf parses a ticket list's query: the request's, or a saved
// view's.
func ticketFilterOf(ctx context.Context, q url.Values) (triage.TicketFilter, error) {
	var f triage.TicketFilter
	var err error
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Status = append(f.Status, triage.Status(st))
			}
		}
	}
	switch a := q.Get("assignee"); a {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		p := triage.PrincipalFromContext(ctx)
		if p == nil || p.AgentID == "" {
			return f, triage.Invalid("assignee", "assignee=me needs a token that belongs to an agent")
		}
		f.AssigneeID = p.AgentID
	default:
		f.AssigneeID = a
	}
	f.TeamID, f.Category, f.Tag = q.Get("team"), q.Get("category"), q.Get("tag")
	f.Priority, f.Query, f.Cursor = triage.Priority(q.Get("priority")), q.Get("q"), q.Get("cursor")
	f.RequesterID = q.Get("requester")
	f.Sort = triage.TicketSort(q.Get("sort"))
	if v := q.Get("needs_review"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, triage.Invalid("needs_review", "needs_review must be true or false")
		}
		f.NeedsReview = &b
	}
	if f.CreatedFrom, err = parseTime("created_from", q.Get("created_from")); err != nil {
		return f, err
	}
	if f.CreatedTo, err = parseTime("created_to", q.Get("created_to")); err != nil {
		return f, err
	}
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return f, err
	}
	return f, nil
}

func parseLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > triage.MaxPageSize {
		return 0, triage.Invalid("limit", "limit must be a number from 1 to %d", triage.MaxPageSize)
	}
	return n, nil
}

// parseTime accepts RFC 3339 or a calendar date, which is read in China's
// time zone because that is what the people filtering mean by a day.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, time.FixedZone("CST", 8*3600)); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, triage.Invalid(field, "%s must be an RFC 3339 time (2026-11-23T09:00:00+08:00) or a date (2026-11-23)", field)
}

func (s *Server) listComments(c echo.Context) error {
	items, err := s.desk.Comments(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Comment]{Items: items})
}

func (s *Server) createComment(c echo.Context) error {
	var in triage.NewComment
	if err := s.decodeWithFiles(c, &in, &in.Attachments); err != nil {
		return err
	}
	cm, err := s.desk.AddComment(c.Request().Context(), c.Param("id"), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/tickets/"+cm.TicketID+"/comments", 0, cm)
}

func (s *Server) listHistory(c echo.Context) error {
	items, err := s.desk.History(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.HistoryEntry]{Items: items})
}

// myTeams lists the teams the caller's agent is a member of (team=mine).
func (s *Server) myTeams(c echo.Context) ([]string, error) {
	p := triage.PrincipalFromContext(c.Request().Context())
	if p == nil || p.AgentID == "" {
		return nil, triage.Invalid("team", "team=mine needs a caller who is an agent")
	}
	teams, err := s.desk.Teams(c.Request().Context())
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, t := range teams {
		if slices.Contains(t.Members, p.AgentID) {
			ids = append(ids, t.ID)
		}
	}
	return ids, nil
}
