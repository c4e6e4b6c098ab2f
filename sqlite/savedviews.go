package sqlite

import (
	"context"

	"github.com/triagehq/triage"
)

const savedViewColumns = `id, agent_id, name, query, created_at, updated_at`

// SavedViews lists an agent's views by name.
func (s queries) SavedViews(ctx context.Context, agentID string) ([]*triage.SavedView, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE agent_id = ? ORDER BY name, id`, agentID)
	if err != nil {
		return nil, dbError("saved views", err)
	}
	defer rows.Close()
	out := []*triage.SavedView{}
	for rows.Next() {
		var v triage.SavedView
		if err := rows.Scan(&v.ID, &v.AgentID, &v.Name, &v.Query, timeCol{&v.CreatedAt}, timeCol{&v.UpdatedAt}); err != nil {
			return nil, dbError("saved views", err)
		}
		out = append(out, &v)
	}
	return out, dbError("saved views", rows.Err())
}

// SaveView stores v, or replaces the query of the agent's view of its name.
func (tx *Tx) SaveView(ctx context.Context, v *triage.SavedView) error {
	if err := triage.CheckSavedView(v); err != nil {
		return err
	}
	v.CreatedAt, v.UpdatedAt = triage.StoreTime(v.CreatedAt), triage.StoreTime(v.UpdatedAt)
	row := tx.tx.QueryRowContext(ctx, `INSERT INTO saved_views (`+savedViewColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (agent_id, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		v.ID, v.AgentID, v.Name, v.Query, micros(v.CreatedAt), micros(v.UpdatedAt))
	if err := row.Scan(&v.ID, timeCol{&v.CreatedAt}); err != nil {
		return dbError("save view", err)
	}
	return nil
}

// DeleteView deletes an agent's view.
func (tx *Tx) DeleteView(ctx context.Context, agentID, id string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM saved_views WHERE agent_id = ? AND id = ?`, agentID, id)
	if err != nil {
		return dbError("delete view", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return triage.NotFound("view", id)
	}
	return nil
}
