package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/triagehq/triage"
)

// WorkflowSettings returns the workflow settings, zero when never saved.
func (s queries) WorkflowSettings(ctx context.Context) (*triage.WorkflowSettings, error) {
	var v triage.WorkflowSettings
	err := s.q.QueryRow(ctx, `
		SELECT kb_review, close_solved_after, updated_by, updated_at, version FROM workflow_settings WHERE id = 1`).
		Scan(&v.KBReview, &v.CloseSolvedAfter, &v.UpdatedBy, &v.UpdatedAt, &v.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return &triage.WorkflowSettings{}, nil
	} else if err != nil {
		return nil, dbError("workflow settings", err)
	}
	v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
	return &v, nil
}

// SettingChanges lists the latest changes of settings, newest first.
func (s queries) SettingChanges(ctx context.Context, limit int) ([]*triage.SettingChange, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, setting, from_value, to_value, actor, at FROM setting_changes
		ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, dbError("setting changes", err)
	}
	defer rows.Close()
	out := []*triage.SettingChange{}
	for rows.Next() {
		var c triage.SettingChange
		if err := rows.Scan(&c.ID, &c.Setting, &c.From, &c.To, &c.Actor, &c.At); err != nil {
			return nil, dbError("setting changes", err)
		}
		c.At = triage.StoreTime(c.At)
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("setting changes", err)
	}
	return out, nil
}

// PutWorkflowSettings saves the workflow settings at v.Version.
func (tx *Tx) PutWorkflowSettings(ctx context.Context, v *triage.WorkflowSettings) error {
	v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
	var tag pgconn.CommandTag
	var err error
	if v.Version == 0 {
		tag, err = tx.tx.Exec(ctx, `
			INSERT INTO workflow_settings (id, kb_review, close_solved_after, updated_by, updated_at, version) VALUES (1, $1, $2, $3, $4, 1)
			ON CONFLICT (id) DO NOTHING`, v.KBReview, v.CloseSolvedAfter, v.UpdatedBy, v.UpdatedAt)
	} else {
		tag, err = tx.tx.Exec(ctx, `
			UPDATE workflow_settings SET kb_review = $1, close_solved_after = $2, updated_by = $3, updated_at = $4, version = version + 1
			WHERE id = 1 AND version = $5`,
			v.KBReview, v.CloseSolvedAfter, v.UpdatedBy, v.UpdatedAt, v.Version)
	}
	if err != nil {
		return dbError("workflow settings", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.Errorf(triage.ESTALE, "the workflow settings have been changed by someone else; reload them and try again")
	}
	v.Version++
	return nil
}

// AddSettingChange records one change of a setting.
func (tx *Tx) AddSettingChange(ctx context.Context, c *triage.SettingChange) error {
	c.At = triage.StoreTime(c.At)
	if _, err := tx.tx.Exec(ctx, `
		INSERT INTO setting_changes (id, setting, from_value, to_value, actor, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.Setting, c.From, c.To, c.Actor, c.At); err != nil {
		return dbError("setting change", err)
	}
	return nil
}
