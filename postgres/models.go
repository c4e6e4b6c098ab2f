package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// modelColumns leaves out the blob, which only the reads of one model load.
const modelColumns = `id, kind, version, active, info, created_at`

// scanModel reads one row selected with modelColumns and, when blob is
// true, the blob after them.
func scanModel(row pgx.Row, blob bool) (*triage.Model, error) {
	var m triage.Model
	dst := []any{&m.ID, &m.Kind, &m.Version, &m.Active, &m.Info, &m.CreatedAt}
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
	m, err := scanModel(s.q.QueryRow(ctx, `SELECT `+modelColumns+`, blob FROM models WHERE id = $1`, id), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("model", id)
	} else if err != nil {
		return nil, dbError("model", err)
	}
	return m, nil
}

// ActiveModel returns the active model of kind with its blob; ENOTFOUND when
// the kind has none. The WHERE clause is the models_active index's.
func (s queries) ActiveModel(ctx context.Context, kind string) (*triage.Model, error) {
	m, err := scanModel(s.q.QueryRow(ctx, `SELECT `+modelColumns+`, blob FROM models WHERE kind = $1 AND active`, kind), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "no %s model is active", kind)
	} else if err != nil {
		return nil, dbError("active model", err)
	}
	return m, nil
}

// Models lists the models of kind, newest first (by CreatedAt, then id),
// without their blobs: Blob is nil.
func (s queries) Models(ctx context.Context, kind string) ([]*triage.Model, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+modelColumns+`
		FROM models
		WHERE kind = $1
		ORDER BY created_at DESC, id DESC`, kind)
	return collect(rows, err, "models", func(r pgx.Rows) (*triage.Model, error) { return scanModel(r, false) })
}

// SaveModel inserts m and makes it the only active model of its kind; m.Active
// is true afterwards. Models are never updated in place, so a duplicate id is
// ECONFLICT. It logs (model, id, create).
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
	info, err := jsonb(m.Info)
	if err != nil {
		return err
	}
	if err := tx.lockModelKind(ctx, m.Kind); err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO models (`+modelColumns+`, blob)
		VALUES ($1, $2, $3, false, $4, $5, $6)`,
		m.ID, m.Kind, m.Version, info, m.CreatedAt, m.Blob)
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
	err := tx.tx.QueryRow(ctx, `SELECT kind FROM models WHERE id = $1`, id).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.NotFound("model", id)
	} else if err != nil {
		return dbError("activate model", err)
	}
	if err := tx.lockModelKind(ctx, kind); err != nil {
		return err
	}
	if err := tx.activate(ctx, kind, id); err != nil {
		return err
	}
	return tx.logChange(ctx, "model", id, "update")
}

// lockModelKind makes activations of one kind take turns. Without it, two
// replicas activating at once could each step down the model they saw as
// active and then both set theirs: the models_active index would refuse
// the second, but as an error for a write that should simply win later.
func (tx *Tx) lockModelKind(ctx context.Context, kind string) error {
	_, err := tx.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('triage.models.' || $1, 0))`, kind)
	return dbError("lock model kind", err)
}

// activate makes the stored model id the active one of kind. The active
// model steps down first: the models_active index allows one active row per
// kind at every moment, not only at commit.
func (tx *Tx) activate(ctx context.Context, kind, id string) error {
	if _, err := tx.tx.Exec(ctx, `
		UPDATE models SET active = false WHERE kind = $1 AND active AND id <> $2`, kind, id); err != nil {
		return dbError("activate model", err)
	}
	if _, err := tx.tx.Exec(ctx, `UPDATE models SET active = true WHERE id = $1`, id); err != nil {
		return dbError("activate model", err)
	}
	return nil
}
