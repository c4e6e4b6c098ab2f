package sqlite

import (
	"context"
	"time"

	"github.com/triagehq/triage"
)

// Viewers lists a ticket's viewers seen at or after since.
func (s queries) Viewers(ctx context.Context, ticketID string, since time.Time) ([]*triage.Viewer, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT ticket_id, agent_id, typing, seen_at FROM ticket_viewers
		WHERE ticket_id = ? AND seen_at >= ? ORDER BY agent_id`, ticketID, micros(triage.StoreTime(since)))
	if err != nil {
		return nil, dbError("viewers", err)
	}
	defer rows.Close()
	out := []*triage.Viewer{}
	for rows.Next() {
		var v triage.Viewer
		if err := rows.Scan(&v.TicketID, &v.AgentID, &v.Typing, timeCol{&v.SeenAt}); err != nil {
			return nil, dbError("viewers", err)
		}
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("viewers", err)
	}
	return out, nil
}

// PutViewer stores or refreshes a viewer. Presence is not logged as a
// change (see triage.Viewer).
func (tx *Tx) PutViewer(ctx context.Context, v *triage.Viewer) error {
	if err := triage.Required("ticket_id", v.TicketID); err != nil {
		return err
	}
	if err := triage.Required("agent_id", v.AgentID); err != nil {
		return err
	}
	v.SeenAt = triage.StoreTime(v.SeenAt)
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO ticket_viewers (ticket_id, agent_id, typing, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id, agent_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at`,
		v.TicketID, v.AgentID, v.Typing, micros(v.SeenAt))
	return dbError("put viewer", err)
}

// DeleteViewer forgets an agent on a ticket.
func (tx *Tx) DeleteViewer(ctx context.Context, ticketID, agentID string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM ticket_viewers WHERE ticket_id = ? AND agent_id = ?`, ticketID, agentID)
	return dbError("delete viewer", err)
}
