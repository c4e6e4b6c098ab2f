package postgres

import (
	"context"

	"github.com/triagehq/triage"
)

// slaDueSQL is a ticket's earliest running SLA due time (a target neither
// met nor paused), or NULL.
const slaDueSQL = `(SELECT MIN((e->>'due_at')::timestamptz)
	FROM ticket_slas s, jsonb_array_elements(s.targets) e
	WHERE s.ticket_id = tickets.id AND e->>'met_at' IS NULL AND e->>'due_at' IS NOT NULL)`

// ticketOrders are the ORDER BY clauses of the positional orders; each
// ends with the default order, then id, so that pages never overlap.
var ticketOrders = map[triage.TicketSort]string{
	triage.SortUpdated:  `updated_at DESC, id DESC`,
	triage.SortPriority: `priority = '', priority, created_at DESC, id DESC`,
	triage.SortSLADue:   slaDueSQL + ` ASC NULLS LAST, created_at DESC, id DESC`,
}

// sortedTickets lists the tickets of a in f.Sort's order, a page at a time
// by position (see triage.TicketSort).
func (s queries) sortedTickets(ctx context.Context, f triage.TicketFilter, a *args) ([]*triage.Ticket, string, error) {
	offset := 0
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		if err := triage.CheckSortCursor(c, f.Sort); err != nil {
			return nil, "", err
		}
		offset = c.Offset
	}
	limit := triage.PageLimit(f.Limit)
	query := `SELECT ` + ticketColumns + ` FROM tickets` + a.clause() +
		` ORDER BY ` + ticketOrders[f.Sort] + ` LIMIT ` + a.next(limit+1) + ` OFFSET ` + a.next(offset)
	rows, err := s.q.Query(ctx, query, a.vals...)
	out, err := collect(rows, err, "tickets", scanTickets)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = triage.SortedCursor(f.Sort, offset+limit, out[limit-1].ID)
	}
	return out, next, nil
}
