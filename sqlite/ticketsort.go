package sqlite

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// slaDueSQL is a ticket's earliest running SLA due time (a target neither
// met nor paused), as a Julian day, or NULL. The targets are JSON with
// RFC 3339 times, which julianday reads.
const slaDueSQL = `(SELECT MIN(julianday(json_extract(e.value, '$.due_at')))
	FROM ticket_slas s, json_each(s.targets) e
	WHERE s.ticket_id = tickets.id AND json_extract(e.value, '$.met_at') IS NULL AND json_extract(e.value, '$.due_at') IS NOT NULL)`

// ticketOrders are the ORDER BY clauses of the positional orders; each
// ends with the default order, then id, so that pages never overlap.
var ticketOrders = map[triage.TicketSort]string{
	triage.SortUpdated:  `updated_at DESC, id DESC`,
	triage.SortPriority: `priority = '', priority, created_at DESC, id DESC`,
	triage.SortSLADue:   slaDueSQL + ` IS NULL, ` + slaDueSQL + `, created_at DESC, id DESC`,
}

// sortedTickets lists the tickets of where in f.Sort's order, a page at a
// time by position (see triage.TicketSort).
func (s queries) sortedTickets(ctx context.Context, f triage.TicketFilter, where []string, args []any) ([]*triage.Ticket, string, error) {
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
	query := `SELECT ` + ticketColumns + ` FROM tickets`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY ` + ticketOrders[f.Sort] + ` LIMIT ? OFFSET ?`
	args = append(args, limit+1, offset)
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", dbError("tickets", err)
	}
	defer rows.Close()
	out := []*triage.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, "", dbError("tickets", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("tickets", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = triage.SortedCursor(f.Sort, offset+limit, out[limit-1].ID)
	}
	return out, next, nil
}
