package triage

import (
	"context"
	"time"
)

// OpsReader holds the store's reads for webhooks and their deliveries,
// reports and ticket links (duplicates, merges).
type OpsReader interface {
	Webhook(ctx context.Context, id string) (*Webhook, error)
	// Webhooks lists every webhook, oldest first.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// Delivery returns one delivery with its payload.
	Delivery(ctx context.Context, id string) (*Delivery, error)
	// DeliveryByEvent finds a webhook's delivery of one event; ENOTFOUND
	// when there is none.
	DeliveryByEvent(ctx context.Context, webhookID, eventKey string) (*Delivery, error)
	// Deliveries lists a webhook's deliveries newest first, without
	// payloads, with the ticket list's paging rules.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, string, error)

	// TicketLinks lists the links from and to a ticket, oldest first.
	TicketLinks(ctx context.Context, ticketID string) ([]*TicketLink, error)

	// Report aggregates: one row per group key, in key order; see the
	// types for what each counts.
	ReportVolume(ctx context.Context, q ReportQuery) ([]VolumeStats, error)
	ReportDurations(ctx context.Context, q ReportQuery, m DurationMetric) ([]DurationStats, error)
	// ReportBacklog ignores From and To and counts what was open at at;
	// a day group is EINVALID.
	ReportBacklog(ctx context.Context, q ReportQuery, at time.Time) ([]BacklogStats, error)
	ReportAccuracy(ctx context.Context, q ReportQuery) ([]AccuracyStats, error)
	ReportFeedback(ctx context.Context, q ReportQuery) ([]FeedbackStats, error)
}

// OpsWriter holds the store's writes for the same.
type OpsWriter interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	UpdateWebhook(ctx context.Context, w *Webhook) error // versioned like UpdateTicket
	// DeleteWebhook removes a webhook and its deliveries.
	DeleteWebhook(ctx context.Context, id string, version int) error

	// CreateDelivery stores a new delivery; ECONFLICT when the webhook
	// already has one for its EventKey, ENOTFOUND for an unknown webhook.
	CreateDelivery(ctx context.Context, d *Delivery) error
	// UpdateDelivery stores a delivery's state, attempts and log.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// PruneDeliveries deletes deliveries completed before a time and
	// returns how many.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)

	// AddTicketLink stores a link; ECONFLICT when the same two tickets
	// already have a link of that kind.
	AddTicketLink(ctx context.Context, l *TicketLink) error
	// MoveComments moves every comment of one ticket to another, keeping
	// their ids and times, and returns how many moved.
	MoveComments(ctx context.Context, fromTicket, toTicket string) (int, error)
}
