package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const webhookColumns = `id, url, events, description, active, signing_key, created_at, updated_at, version`

// scanWebhook reads one row selected with webhookColumns.
func scanWebhook(row pgx.Row) (*triage.Webhook, error) {
	var w triage.Webhook
	err := row.Scan(&w.ID, &w.URL, &w.Events, &w.Description, &w.Active, &w.SigningKey,
		&w.CreatedAt, &w.UpdatedAt, &w.Version)
	if err != nil {
		return nil, err
	}
	w.SecretHint = triage.SecretHint(w.SigningKey)
	return &w, nil
}

// Webhook returns one webhook with its signing key.
func (s queries) Webhook(ctx context.Context, id string) (*triage.Webhook, error) {
	w, err := scanWebhook(s.q.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("webhook", id)
	} else if err != nil {
		return nil, dbError("webhook", err)
	}
	return w, nil
}

// Webhooks lists every webhook, oldest first.
func (s queries) Webhooks(ctx context.Context) ([]*triage.Webhook, error) {
	rows, err := s.q.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY created_at, id`)
	return collect(rows, err, "webhooks", func(r pgx.Rows) (*triage.Webhook, error) { return scanWebhook(r) })
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
	events, err := jsonb(w.Events)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO webhooks (`+webhookColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)`,
		w.ID, w.URL, events, w.Description, w.Active, w.SigningKey, w.CreatedAt, w.UpdatedAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "webhook %s already exists", w.ID)
	} else if err != nil {
		return dbError("create webhook", err)
	}
	w.Version = 1
	return tx.logChange(ctx, "webhook", w.ID, "create")
}

// UpdateWebhook stores w if the stored version is still w.Version, and
// then increments it. CreatedAt stays as created, and w gets it back.
func (tx *Tx) UpdateWebhook(ctx context.Context, w *triage.Webhook) error {
	if err := triage.Required("id", w.ID); err != nil {
		return err
	}
	if err := triage.Required("signing_key", w.SigningKey); err != nil {
		return err
	}
	w.AsStored()
	events, err := jsonb(w.Events)
	if err != nil {
		return err
	}
	err = tx.tx.QueryRow(ctx, `
		UPDATE webhooks SET
			url = $1, events = $2, description = $3, active = $4, signing_key = $5, updated_at = $6,
			version = version + 1
		WHERE id = $7 AND version = $8
		RETURNING created_at`,
		w.URL, events, w.Description, w.Active, w.SigningKey, w.UpdatedAt, w.ID, w.Version).Scan(&w.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return tx.staleOrMissing(ctx, "webhooks", "webhook", w.ID, w.Version)
	} else if err != nil {
		return dbError("update webhook", err)
	}
	w.Version++
	return tx.logChange(ctx, "webhook", w.ID, "update")
}

// DeleteWebhook removes a webhook still at version, and its deliveries.
func (tx *Tx) DeleteWebhook(ctx context.Context, id string, version int) error {
	return tx.deleteVersioned(ctx, "webhooks", "webhook", id, version)
}
