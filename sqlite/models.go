package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

// modelColumns leaves out the blob, which only the reads of one model load.
const modelColumns = `id, kind, version, active, info, created_at`

// scanModel reads one row selected with modelColumns and, when blob is
// true, the blob after them.
func scanModel(row interface{ Scan(...any) error }, blob bool) (*triage.Model, error) {
	var m triage.Model
	dst := []any{&m.ID, &m.Kind, &m.Version, &m.Active, jsonCol{&m.Info}, timeCol{&m.CreatedAt}}
	if blob {
		dst = append(dst, &m.Blob)
	}
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	m.Info.AsStored()
	if blob && m.Blob == nil {
		m.Blob = []byte{}
	}
	return &m, nil
}

// Model returns one model with its blob.
func (s queries) Model(ctx context.Context, id string) (*triage.Model, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+modelColumns+`, blob FROM models WHERE id = ?`, id)
	m, err := scanModel(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("model", id)
	} else if err != nil {
		return nil, dbError("model", err)
	}
	return m, nil
}

// activeModelQuery repeats the models_active index's WHERE term as a
// literal, so that SQLite can use that partial index.
const activeModelQuery = `SELECT ` + modelColumns + `, blob FROM models WHERE kind = ? AND active = 1`

// ActiveModel returns the active model of kind with its blob; ENOTFOUND when
// the kind has none.
func (s queries) ActiveModel(ctx context.Context, kind string) (*triage.Model, error) {
	row := s.q.QueryRowContext(ctx, activeModelQuery, kind)
	m, err := scanModel(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "no %s model is active", kind)
	} else if err != nil {
		return nil, dbError("active model", err)
	}
	return m, nil
}

// modelsQuery reads the models_kind index in order.
const modelsQuery = `
	SELECT ` + modelColumns + `
	FROM models
	WHERE kind = ?
	ORDER BY created_at DESC, id DESC`

// Models lists the models of kind, newest first (by CreatedAt, then id),
// without their blobs: Blob is nil.
func (s queries) Models(ctx context.Context, kind string) ([]*triage.Model, error) {
	rows, err := s.q.QueryContext(ctx, modelsQuery, kind)
	if err != nil {
		return nil, dbError("models", err)
	}
	defer rows.Close()
	out := []*triage.Model{}
	for rows.Next() {
		m, err := scanModel(rows, false)
		if err != nil {
			return nil, dbError("models", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("models", err)
	}
	return out, nil
}

// SaveModel inserts m and makes it the only active model of its kind; m.Active
// is true afterwards. Models are never updated in place, so a duplicate id is
// ECONFLICT. It logs (model, id, create).
//
// The row goes in inactive and is then activated, so that a failed insert
// (a duplicate id) has changed nothing: the kind keeps its active model even
// if the caller carries on and commits.
func (tx *Tx) SaveModel(ctx context.Context, m *triage.Model) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	if err := triage.Required("kind", m.Kind); err != nil {
		return err
	}
	m.Info.AsStored()
	m.CreatedAt = triage.StoreTime(m.CreatedAt)
	if m.Blob == nil {
		m.Blob = []byte{}
	}
	info, err := jsonText(m.Info)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO models (`+modelColumns+`, blob)
		VALUES (?, ?, ?, 0, ?, ?, ?)`,
		m.ID, m.Kind, m.Version, info, micros(m.CreatedAt), m.Blob)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "model %s already exists", m.ID)
	} else if err != nil {
		return dbError("save model", err)
	}
	if err := tx.activate(ctx, m.Kind, m.ID); err != nil {
		return err
	}
	m.Active = true
	return tx.logChange(ctx, "model", m.ID, "create")
}

// ActivateModel makes model id the only active one of its kind;
// ENOTFOUND for an unknown id. Activating the active model changes nothing
// but is still logged as (model, id, update).
func (tx *Tx) ActivateModel(ctx context.Context, id string) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	var kind string
	err := tx.tx.QueryRowContext(ctx, `SELECT kind FROM models WHERE id = ?`, id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return triage.NotFound("model", id)
	} else if err != nil {
		return dbError("activate model", err)
	}
	if err := tx.activate(ctx, kind, id); err != nil {
		return err
	}
	return tx.logChange(ctx, "model", id, "update")
}

// activate makes the stored model id the active one of kind. The active
// model steps down first: the models_active index allows one active row per
// kind at every moment, not only at commit.
func (tx *Tx) activate(ctx context.Context, kind, id string) error {
	if _, err := tx.tx.ExecContext(ctx, `
		UPDATE models SET active = 0 WHERE kind = ? AND active = 1 AND id <> ?`, kind, id); err != nil {
		return dbError("activate model", err)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE models SET active = 1 WHERE id = ?`, id); err != nil {
		return dbError("activate model", err)
	}
	return nil
}
