package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const savedViewColumns = `id, agent_id, name, query, created_at, updated_at`

// SavedViews lists an agent's views by name.
func (s queries) SavedViews(ctx context.Context, agentID string) ([]*triage.SavedView, error) {
	rows, err := s.q.Query(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE agent_id = $1 ORDER BY name COLLATE "C", id`, agentID)
	return collect(rows, err, "saved views", func(r pgx.Rows) (*triage.SavedView, error) {
		var v triage.SavedView
		err := r.Scan(&v.ID, &v.AgentID, &v.Name, &v.Query, &v.CreatedAt, &v.UpdatedAt)
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		return &v, err
	})
}

// SaveView stores v, or replaces the query of the agent's view of its name.
func (tx *Tx) SaveView(ctx context.Context, v *triage.SavedView) error {
	if err := triage.CheckSavedView(v); err != nil {
		return err
	}
	v.CreatedAt, v.UpdatedAt = triage.StoreTime(v.CreatedAt), triage.StoreTime(v.UpdatedAt)
	row := tx.tx.QueryRow(ctx, `INSERT INTO saved_views (`+savedViewColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (agent_id, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		v.ID, v.AgentID, v.Name, v.Query, v.CreatedAt, v.UpdatedAt)
	if err := row.Scan(&v.ID, &v.CreatedAt); err != nil {
		return dbError("save view", err)
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return nil
}

// DeleteView deletes an agent's view.
func (tx *Tx) DeleteView(ctx context.Context, agentID, id string) error {
	tag, err := tx.tx.Exec(ctx, `DELETE FROM saved_views WHERE agent_id = $1 AND id = $2`, agentID, id)
	if err != nil {
		return dbError("delete view", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("view", id)
	}
	return nil
}
