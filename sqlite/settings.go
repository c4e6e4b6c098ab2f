package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

// WorkflowSettings returns the workflow settings, zero when never saved.
func (s queries) WorkflowSettings(ctx context.Context) (*triage.WorkflowSettings, error) {
	var v triage.WorkflowSettings
	err := s.q.QueryRowContext(ctx, `
		SELECT kb_review, close_solved_after, updated_by, updated_at, version FROM workflow_settings WHERE id = 1`).
		Scan(&v.KBReview, &v.CloseSolvedAfter, &v.UpdatedBy, timeCol{&v.UpdatedAt}, &v.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return &triage.WorkflowSettings{}, nil
	} else if err != nil {
		return nil, dbError("workflow settings", err)
	}
	return &v, nil
}

// SettingChanges lists the latest changes of settings, newest first.
func (s queries) SettingChanges(ctx context.Context, limit int) ([]*triage.SettingChange, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, setting, from_value, to_value, actor, at FROM setting_changes
		ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, dbError("setting changes", err)
	}
	defer rows.Close()
	out := []*triage.SettingChange{}
	for rows.Next() {
		var c triage.SettingChange
		if err := rows.Scan(&c.ID, &c.Setting, &c.From, &c.To, &c.Actor, timeCol{&c.At}); err != nil {
			return nil, dbError("setting changes", err)
		}
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
	var res sql.Result
	var err error
	if v.Version == 0 {
		res, err = tx.tx.ExecContext(ctx, `
			INSERT INTO workflow_settings (id, kb_review, close_solved_after, updated_by, updated_at, version) VALUES (1, ?, ?, ?, ?, 1)
			ON CONFLICT (id) DO NOTHING`, v.KBReview, v.CloseSolvedAfter, v.UpdatedBy, micros(v.UpdatedAt))
	} else {
		res, err = tx.tx.ExecContext(ctx, `
			UPDATE workflow_settings SET kb_review = ?, close_solved_after = ?, updated_by = ?, updated_at = ?, version = version + 1
			WHERE id = 1 AND version = ?`,
			v.KBReview, v.CloseSolvedAfter, v.UpdatedBy, micros(v.UpdatedAt), v.Version)
	}
	if err != nil {
		return dbError("workflow settings", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("workflow settings", err)
	} else if n == 0 {
		return triage.Errorf(triage.ESTALE, "the workflow settings have been changed by someone else; reload them and try again")
	}
	v.Version++
	return nil
}

// AddSettingChange records one change of a setting.
func (tx *Tx) AddSettingChange(ctx context.Context, c *triage.SettingChange) error {
	c.At = triage.StoreTime(c.At)
	if _, err := tx.tx.ExecContext(ctx, `
		INSERT INTO setting_changes (id, setting, from_value, to_value, actor, at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.Setting, c.From, c.To, c.Actor, micros(c.At)); err != nil {
		return dbError("setting change", err)
	}
	return nil
}
