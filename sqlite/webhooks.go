package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const webhookColumns = `id, url, events, description, active, signing_key, created_at, updated_at, version`

// scanWebhook reads one row selected with webhookColumns.
func scanWebhook(row interface{ Scan(...any) error }) (*triage.Webhook, error) {
	var w triage.Webhook
	err := row.Scan(&w.ID, &w.URL, jsonCol{&w.Events}, &w.Description, &w.Active, &w.SigningKey,
		timeCol{&w.CreatedAt}, timeCol{&w.UpdatedAt}, &w.Version)
	if err != nil {
		return nil, err
	}
	w.SecretHint = triage.SecretHint(w.SigningKey)
	return &w, nil
}

// Webhook returns one webhook with its signing key.
func (s queries) Webhook(ctx context.Context, id string) (*triage.Webhook, error) {
	w, err := scanWebhook(s.q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("webhook", id)
	} else if err != nil {
		return nil, dbError("webhook", err)
	}
	return w, nil
}

// Webhooks lists every webhook, oldest first.
func (s queries) Webhooks(ctx context.Context) ([]*triage.Webhook, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, dbError("webhooks", err)
	}
	defer rows.Close()
	out := []*triage.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, dbError("webhooks", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("webhooks", err)
	}
	return out, nil
}

// CreateWebhook inserts w at version 1. It needs a signing key.
func (tx *Tx) CreateWebhook(ctx context.Context, w *triage.Webhook) error {
	if err := triage.Required("id", w.ID); err != nil {
		return err
	}
	if err := triage.Required("signing_key", w.SigningKey); err != nil {
		return err
	}
	w.AsStored()
	events, err := jsonText(w.Events)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO webhooks (`+webhookColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		w.ID, w.URL, events, w.Description, w.Active, w.SigningKey, micros(w.CreatedAt), micros(w.UpdatedAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "webhook %s already exists", w.ID)
	} else if err != nil {
		return dbError("create webhook", err)
	}
	w.Version = 1
	return tx.logChange(ctx, "webhook", w.ID, "create")
}

// UpdateWebhook stores w if the stored version is still w.Version, and
// then increments it. CreatedAt stays as created.
func (tx *Tx) UpdateWebhook(ctx context.Context, w *triage.Webhook) error {
	if err := triage.Required("id", w.ID); err != nil {
		return err
	}
	if err := triage.Required("signing_key", w.SigningKey); err != nil {
		return err
	}
	w.AsStored()
	events, err := jsonText(w.Events)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE webhooks SET
			url = ?, events = ?, description = ?, active = ?, signing_key = ?, updated_at = ?,
			version = version + 1
		WHERE id = ? AND version = ?`,
		w.URL, events, w.Description, w.Active, w.SigningKey, micros(w.UpdatedAt), w.ID, w.Version)
	if err != nil {
		return dbError("update webhook", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update webhook", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "webhooks", "webhook", w.ID, w.Version)
	}
	if err := tx.tx.QueryRowContext(ctx, `SELECT created_at FROM webhooks WHERE id = ?`, w.ID).Scan(timeCol{&w.CreatedAt}); err != nil {
		return dbError("update webhook", err)
	}
	w.Version++
	return tx.logChange(ctx, "webhook", w.ID, "update")
}

// DeleteWebhook removes a webhook still at version, and its deliveries.
func (tx *Tx) DeleteWebhook(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete webhook", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete webhook", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "webhooks", "webhook", id, version)
	}
	return tx.logChange(ctx, "webhook", id, "delete")
}
