package sqlite

import (
	"context"
	"time"

	"github.com/triagehq/triage"
)

// TouchAgent records activity, at most once a minute.
func (tx *Tx) TouchAgent(ctx context.Context, agentID string, at time.Time) (bool, error) {
	at = triage.StoreTime(at)
	res, err := tx.tx.ExecContext(ctx, `UPDATE agents SET last_seen_at = ?
		WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at <= ?)`, micros(at), agentID, micros(at.Add(-time.Minute)))
	if err != nil {
		return false, dbError("touch agent", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return false, nil
	}
	return true, tx.logChange(ctx, "agent", agentID, "update")
}

// SetPresence sets the agent's own choice of presence.
func (tx *Tx) SetPresence(ctx context.Context, agentID string, p triage.Presence) error {
	if p != "" && !p.Valid() {
		return triage.Invalid("presence", "presence %q is not one of online, away, offline", p)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE agents SET presence = ? WHERE id = ?`, string(p), agentID)
	if err != nil {
		return dbError("set presence", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return triage.NotFound("agent", agentID)
	}
	return tx.logChange(ctx, "agent", agentID, "update")
}
