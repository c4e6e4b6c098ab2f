package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// deliveryColumns leaves out the payload, which lists do not show.
const deliveryColumns = `
	id, webhook_id, event, event_key, status, attempts, response_status, last_error,
	duration_us, log, created_at, updated_at, completed_at`

// scanDelivery reads one row selected with deliveryColumns, and the
// payload when payload is not nil.
func scanDelivery(row interface{ Scan(...any) error }, payload *string) (*triage.Delivery, error) {
	var d triage.Delivery
	var us int64
	dest := []any{&d.ID, &d.WebhookID, &d.Event, &d.EventKey, &d.Status, &d.Attempts, &d.ResponseStatus, &d.LastError,
		&us, jsonCol{&d.Log}, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}, nullTimeCol{&d.CompletedAt}}
	if payload != nil {
		dest = append(dest, payload)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	d.DurationMS = float64(us) / 1000
	d.Log = triage.NonNil(d.Log)
	if payload != nil {
		d.Payload = json.RawMessage(*payload)
	}
	return &d, nil
}

func (s queries) oneDelivery(ctx context.Context, what, where string, args ...any) (*triage.Delivery, error) {
	var payload string
	d, err := scanDelivery(s.q.QueryRowContext(ctx, `SELECT `+deliveryColumns+`, payload FROM webhook_deliveries WHERE `+where, args...), &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "%s not found", what)
	} else if err != nil {
		return nil, dbError("delivery", err)
	}
	return d, nil
}

// Delivery returns one delivery with its payload.
func (s queries) Delivery(ctx context.Context, id string) (*triage.Delivery, error) {
	return s.oneDelivery(ctx, "delivery "+id, `id = ?`, id)
}

// DeliveryByEvent returns a webhook's delivery of one event.
func (s queries) DeliveryByEvent(ctx context.Context, webhookID, eventKey string) (*triage.Delivery, error) {
	return s.oneDelivery(ctx, "delivery of event "+eventKey, `webhook_id = ? AND event_key = ?`, webhookID, eventKey)
}

// Deliveries lists a webhook's deliveries newest first, one page at a time.
func (s queries) Deliveries(ctx context.Context, f triage.DeliveryFilter) ([]*triage.Delivery, string, error) {
	where, args := []string{`webhook_id = ?`}, []any{f.WebhookID}
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, f.Status)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		at := micros(c.CreatedAt)
		where = append(where, `(created_at < ? OR (created_at = ? AND id < ?))`)
		args = append(args, at, at, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	rows, err := s.q.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE `+strings.Join(where, ` AND `)+`
		ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", dbError("deliveries", err)
	}
	defer rows.Close()
	out := []*triage.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows, nil)
		if err != nil {
			return nil, "", dbError("deliveries", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("deliveries", err)
	}
	out, next := triage.Page(out, limit, func(x *triage.Delivery) string { return triage.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

// CreateDelivery inserts d. Its payload must be a JSON value.
func (tx *Tx) CreateDelivery(ctx context.Context, d *triage.Delivery) error {
	if err := triage.Required("id", d.ID); err != nil {
		return err
	}
	if err := triage.Required("webhook_id", d.WebhookID); err != nil {
		return err
	}
	if err := triage.Required("event_key", d.EventKey); err != nil {
		return err
	}
	d.AsStored()
	if !json.Valid(d.Payload) {
		return triage.Invalid("payload", "payload is not JSON")
	}
	log, err := jsonText(d.Log)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO webhook_deliveries (`+deliveryColumns+`, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.WebhookID, d.Event, d.EventKey, d.Status, d.Attempts, d.ResponseStatus, d.LastError,
		triage.DurationMicros(d.DurationMS), log, micros(d.CreatedAt), micros(d.UpdatedAt), nullMicros(d.CompletedAt), string(d.Payload))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("webhook", d.WebhookID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "webhook %s already has delivery %s or one of event %s", d.WebhookID, d.ID, d.EventKey)
	case err != nil:
		return dbError("create delivery", err)
	}
	return tx.logChange(ctx, "delivery", d.ID, "create")
}

// UpdateDelivery stores d's state, attempts and log; its webhook, event
// and payload are fixed at creation.
func (tx *Tx) UpdateDelivery(ctx context.Context, d *triage.Delivery) error {
	if err := triage.Required("id", d.ID); err != nil {
		return err
	}
	d.AsStored()
	log, err := jsonText(d.Log)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE webhook_deliveries SET
			status = ?, attempts = ?, response_status = ?, last_error = ?, duration_us = ?, log = ?,
			updated_at = ?, completed_at = ?
		WHERE id = ?`,
		d.Status, d.Attempts, d.ResponseStatus, d.LastError, triage.DurationMicros(d.DurationMS), log,
		micros(d.UpdatedAt), nullMicros(d.CompletedAt), d.ID)
	if err != nil {
		return dbError("update delivery", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update delivery", err)
	} else if n == 0 {
		return triage.NotFound("delivery", d.ID)
	}
	return tx.logChange(ctx, "delivery", d.ID, "update")
}

// PruneDeliveries deletes deliveries completed before a time. It logs one
// change for the whole batch: nothing follows deliveries one by one.
func (tx *Tx) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `
		DELETE FROM webhook_deliveries WHERE completed_at IS NOT NULL AND completed_at < ?`, micros(before))
	if err != nil {
		return 0, dbError("prune deliveries", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbError("prune deliveries", err)
	}
	return int(n), tx.logChange(ctx, "delivery", "before:"+triage.StoreTime(before).Format(time.RFC3339Nano), "delete")
}
