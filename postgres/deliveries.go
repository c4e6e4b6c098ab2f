package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// deliveryColumns leaves out the payload, which lists do not show.
const deliveryColumns = `
	id, webhook_id, event, event_key, status, attempts, response_status, last_error,
	duration_us, log, created_at, updated_at, completed_at`

// scanDelivery reads one row selected with deliveryColumns, and the payload
// after them when payload is true.
func scanDelivery(row pgx.Row, payload bool) (*triage.Delivery, error) {
	var d triage.Delivery
	var us int64
	var body string
	dest := []any{&d.ID, &d.WebhookID, &d.Event, &d.EventKey, &d.Status, &d.Attempts, &d.ResponseStatus, &d.LastError,
		&us, &d.Log, &d.CreatedAt, &d.UpdatedAt, &d.CompletedAt}
	if payload {
		dest = append(dest, &body)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	d.DurationMS = float64(us) / 1000
	d.Log = triage.NonNil(d.Log)
	if payload {
		d.Payload = json.RawMessage(body)
	}
	return &d, nil
}

func (s queries) oneDelivery(ctx context.Context, what, where string, args ...any) (*triage.Delivery, error) {
	d, err := scanDelivery(s.q.QueryRow(ctx, `SELECT `+deliveryColumns+`, payload FROM webhook_deliveries WHERE `+where, args...), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "%s not found", what)
	} else if err != nil {
		return nil, dbError("delivery", err)
	}
	return d, nil
}

// Delivery returns one delivery with its payload.
func (s queries) Delivery(ctx context.Context, id string) (*triage.Delivery, error) {
	return s.oneDelivery(ctx, "delivery "+id, `id = $1`, id)
}

// DeliveryByEvent returns a webhook's delivery of one event.
func (s queries) DeliveryByEvent(ctx context.Context, webhookID, eventKey string) (*triage.Delivery, error) {
	return s.oneDelivery(ctx, "delivery of event "+eventKey, `webhook_id = $1 AND event_key = $2`, webhookID, eventKey)
}

// Deliveries lists a webhook's deliveries newest first, one page at a time.
func (s queries) Deliveries(ctx context.Context, f triage.DeliveryFilter) ([]*triage.Delivery, string, error) {
	a := &args{}
	a.add(`webhook_id = ?`, f.WebhookID)
	if f.Status != "" {
		a.add(`status = ?`, f.Status)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		a.add(`(created_at, id) < (?, ?)`, c.CreatedAt, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	rows, err := s.q.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries`+a.clause()+
		` ORDER BY created_at DESC, id DESC LIMIT `+a.next(limit+1), a.vals...)
	out, err := collect(rows, err, "deliveries", func(r pgx.Rows) (*triage.Delivery, error) { return scanDelivery(r, false) })
	if err != nil {
		return nil, "", err
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
	log, err := jsonb(d.Log)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO webhook_deliveries (`+deliveryColumns+`, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		d.ID, d.WebhookID, d.Event, d.EventKey, d.Status, d.Attempts, d.ResponseStatus, d.LastError,
		triage.DurationMicros(d.DurationMS), log, d.CreatedAt, d.UpdatedAt, d.CompletedAt, string(d.Payload))
	switch {
	case pgCode(err) == codeForeignKeyViolation:
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
	log, err := jsonb(d.Log)
	if err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE webhook_deliveries SET
			status = $1, attempts = $2, response_status = $3, last_error = $4, duration_us = $5, log = $6,
			updated_at = $7, completed_at = $8
		WHERE id = $9`,
		d.Status, d.Attempts, d.ResponseStatus, d.LastError, triage.DurationMicros(d.DurationMS), log,
		d.UpdatedAt, d.CompletedAt, d.ID)
	if err != nil {
		return dbError("update delivery", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("delivery", d.ID)
	}
	return tx.logChange(ctx, "delivery", d.ID, "update")
}

// PruneDeliveries deletes deliveries completed before a time. It logs one
// change for the whole batch: nothing follows deliveries one by one.
func (tx *Tx) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	tag, err := tx.tx.Exec(ctx, `
		DELETE FROM webhook_deliveries WHERE completed_at IS NOT NULL AND completed_at < $1`, triage.StoreTime(before))
	if err != nil {
		return 0, dbError("prune deliveries", err)
	}
	return int(tag.RowsAffected()), tx.logChange(ctx, "delivery", "before:"+triage.StoreTime(before).Format(time.RFC3339Nano), "delete")
}
