package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// MaxBulkTickets bounds one bulk action: a page of the inbox.
const MaxBulkTickets = triage.MaxPageSize

func (s *Server) bulkRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/v1/tickets/bulk", Tag: "tickets", Summary: "Change many tickets at once (assign, team, status, priority, tags): each at the version the caller saw, as If-Match does for one; the answer says which changed and why each other one did not", Roles: workers(), Handler: s.bulkUpdate, Request: BulkUpdate{}, Response: BulkResult{}},
	}
}

// BulkTarget is one ticket of a bulk action, at the version the caller
// saw (what If-Match carries for a single ticket).
type BulkTarget struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// BulkUpdate is the body of POST /v1/tickets/bulk: the tickets, and the
// change made to each. Tags are added and removed, not replaced, since
// the tickets have different tags.
type BulkUpdate struct {
	Tickets    []BulkTarget                `json:"tickets"`
	AssigneeID triage.Opt[string]          `json:"assignee_id"`
	TeamID     triage.Opt[string]          `json:"team_id"`
	Status     triage.Opt[triage.Status]   `json:"status"`
	Priority   triage.Opt[triage.Priority] `json:"priority"`
	AddTags    []string                    `json:"add_tags"`
	RemoveTags []string                    `json:"remove_tags"`
}

// BulkResult is what a bulk action did: how many tickets changed, how
// many did not, and each ticket's outcome in the request's order.
type BulkResult struct {
	Updated int        `json:"updated"`
	Failed  int        `json:"failed"`
	Items   []BulkItem `json:"items"`
}

// BulkItem is one ticket's outcome: its new version, or the error a
// single PATCH would have answered (stale when someone changed it since
// the caller saw it).
type BulkItem struct {
	ID      string       `json:"id"`
	OK      bool         `json:"ok"`
	Version int          `json:"version,omitempty"`
	Error   *ErrorDetail `json:"error,omitempty"`
}

func (s *Server) bulkUpdate(c echo.Context) error {
	var in BulkUpdate
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if len(in.Tickets) == 0 {
		return triage.Invalid("tickets", "tickets is empty: choose at least one ticket")
	}
	if len(in.Tickets) > MaxBulkTickets {
		return triage.Invalid("tickets", "tickets has %d entries; at most %d at once", len(in.Tickets), MaxBulkTickets)
	}
	seen := map[string]bool{}
	for i, t := range in.Tickets {
		if t.ID == "" {
			return triage.Invalid(fmt.Sprintf("tickets[%d].id", i), "tickets[%d].id is required", i)
		}
		if t.Version < 1 {
			return triage.Invalid(fmt.Sprintf("tickets[%d].version", i), "tickets[%d].version is required: the version you saw, so that a ticket changed since is not overwritten", i)
		}
		if seen[t.ID] {
			return triage.Invalid(fmt.Sprintf("tickets[%d].id", i), "ticket %s is listed twice", t.ID)
		}
		seen[t.ID] = true
	}
	u := triage.TicketUpdate{AssigneeID: in.AssigneeID, TeamID: in.TeamID, Status: in.Status, Priority: in.Priority}
	if !u.AssigneeID.Set && !u.TeamID.Set && !u.Status.Set && !u.Priority.Set && len(in.AddTags) == 0 && len(in.RemoveTags) == 0 {
		return triage.Invalid("tickets", "nothing to change: give assignee_id, team_id, status, priority, add_tags or remove_tags")
	}
	ctx := c.Request().Context()
	out := BulkResult{Items: make([]BulkItem, 0, len(in.Tickets))}
	for _, tg := range in.Tickets {
		// Each ticket is its own write, as a PATCH of it would be: one that
		// fails (stale, not found, invalid) leaves the others changed.
		t, err := s.bulkOne(c, tg, u, in.AddTags, in.RemoveTags)
		item := BulkItem{ID: tg.ID}
		if err != nil {
			item.Error = &ErrorDetail{Code: triage.ErrorCode(err), Message: triage.ErrorMessage(err)}
			var te *triage.Error
			if errors.As(err, &te) {
				item.Error.Field, item.Error.Allowed = te.Field, te.Allowed
			}
			if statusOf(item.Error.Code) >= 500 {
				s.log.ErrorContext(ctx, "bulk update failed", "ticket", tg.ID, "err", err)
			}
			out.Failed++
		} else {
			item.OK, item.Version = true, t.Version
			out.Updated++
		}
		out.Items = append(out.Items, item)
	}
	return send(c, http.StatusOK, 0, out)
}

// bulkOne changes one ticket of a bulk action at the caller's version.
func (s *Server) bulkOne(c echo.Context, tg BulkTarget, u triage.TicketUpdate, add, remove []string) (*triage.Ticket, error) {
	ctx := c.Request().Context()
	if len(add) > 0 || len(remove) > 0 {
		t, err := s.desk.Ticket(ctx, tg.ID)
		if err != nil {
			return nil, err
		}
		if t.Version != tg.Version {
			return nil, triage.Errorf(triage.ESTALE, "ticket %s is at version %d, not %d: someone changed it since", tg.ID, t.Version, tg.Version)
		}
		tags := slices.Clone(t.Tags)
		for _, a := range add {
			if !slices.Contains(tags, a) {
				tags = append(tags, a)
			}
		}
		tags = slices.DeleteFunc(tags, func(x string) bool { return slices.Contains(remove, x) })
		u.Tags = triage.Some(tags)
	}
	return s.desk.UpdateTicket(ctx, tg.ID, tg.Version, u)
}
