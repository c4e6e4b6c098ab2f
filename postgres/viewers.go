package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Viewers lists a ticket's viewers seen at or after since.
func (s queries) Viewers(ctx context.Context, ticketID string, since time.Time) ([]*triage.Viewer, error) {
	rows, err := s.q.Query(ctx, `
		SELECT ticket_id, agent_id, typing, seen_at FROM ticket_viewers
		WHERE ticket_id = $1 AND seen_at >= $2 ORDER BY agent_id`, ticketID, triage.StoreTime(since))
	return collect(rows, err, "viewers", func(r pgx.Rows) (*triage.Viewer, error) {
		var v triage.Viewer
		err := r.Scan(&v.TicketID, &v.AgentID, &v.Typing, &v.SeenAt)
		v.SeenAt = v.SeenAt.UTC()
		return &v, err
	})
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
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO ticket_viewers (ticket_id, agent_id, typing, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ticket_id, agent_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at`,
		v.TicketID, v.AgentID, v.Typing, v.SeenAt)
	return dbError("put viewer", err)
}

// DeleteViewer forgets an agent on a ticket.
func (tx *Tx) DeleteViewer(ctx context.Context, ticketID, agentID string) error {
	_, err := tx.tx.Exec(ctx, `DELETE FROM ticket_viewers WHERE ticket_id = $1 AND agent_id = $2`, ticketID, agentID)
	return dbError("delete viewer", err)
}
