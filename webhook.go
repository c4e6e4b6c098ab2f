package triage

import (
	"encoding/json"
	"slices"
	"time"
)

// Webhook events a subscription may name: what receivers see, mapped
// from the event kinds in the catalogue (events.go, Events), where each
// kind says which of these it is delivered as, if any.
const (
	HookTicketCreated    = "ticket.created"
	HookTicketUpdated    = "ticket.updated"
	HookTicketSolved     = "ticket.solved"
	HookSLAWarning       = "sla.warning"
	HookSLABreached      = "sla.breached"
	HookCSATReceived     = "csat.received"
	HookArticlePublished = "article.published"
	// HookPing is a test delivery an admin asks for; no subscription
	// names it and every webhook gets it on request.
	HookPing = "ping"
)

// Webhook is a subscription: deliveries of the named events, signed with
// a secret, to a URL.
type Webhook struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	Active      bool     `json:"active"`
	// SigningKey signs deliveries. Unlike a token it must be kept in
	// clear to compute a signature; it never leaves in JSON.
	SigningKey string `json:"-"`
	// SecretHint is the start of the secret, to tell two apart.
	SecretHint string `json:"secret_hint"`
	// Secret is set only in the response that creates the webhook or
	// rotates its secret.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// Wants reports whether the webhook is active and subscribed to event.
func (w *Webhook) Wants(event string) bool { return w.Active && slices.Contains(w.Events, event) }

// NewWebhook is what an admin sends to subscribe.
type NewWebhook struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	// Active defaults to true.
	Active *bool `json:"active"`
	// Secret, when given (16 to 128 visible ASCII characters), is used
	// instead of a generated one, for a receiver that already has one.
	Secret string `json:"secret"`
}

// WebhookUpdate is a partial update of a webhook.
type WebhookUpdate struct {
	URL         Opt[string]   `json:"url"`
	Events      Opt[[]string] `json:"events"`
	Description Opt[string]   `json:"description"`
	Active      Opt[bool]     `json:"active"`
	// RotateSecret replaces the secret with a new one, shown once in the
	// response.
	RotateSecret bool `json:"rotate_secret"`
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // queued, not tried yet
	DeliveryRetrying  = "retrying"  // tried and failed; another attempt is queued
	DeliverySucceeded = "succeeded" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up: attempts used up, address refused, webhook gone or disabled
)

// Delivery is one event sent (or to be sent) to one webhook, with every
// attempt. Its payload is fixed when the event is fanned out, so each
// retry sends the same body; only the timestamp and signature change.
type Delivery struct {
	ID        string `json:"id"`
	WebhookID string `json:"webhook_id"`
	Event     string `json:"event"`
	// EventKey identifies the event, so the same event is delivered to a
	// webhook once however often its fan-out runs.
	EventKey       string            `json:"event_key"`
	Status         string            `json:"status"`
	Attempts       int               `json:"attempts"`
	ResponseStatus int               `json:"response_status"`
	LastError      string            `json:"last_error"`
	DurationMS     float64           `json:"duration_ms"`
	Log            []DeliveryAttempt `json:"log"`
	// Payload is the body sent; lists leave it out.
	Payload     json.RawMessage `json:"payload,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	CompletedAt *time.Time      `json:"completed_at"`
}

// Final reports whether the delivery will not be tried again.
func (d *Delivery) Final() bool {
	return d.Status == DeliverySucceeded || d.Status == DeliveryFailed
}

// DeliveryAttempt is one try of a delivery.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"` // HTTP status, 0 when none came back
	Error      string    `json:"error,omitempty"`
	DurationMS float64   `json:"duration_ms"`
	// Response is the start of the receiver's answer, for debugging.
	Response string `json:"response,omitempty"`
}

// DeliveryFilter selects a webhook's deliveries, newest first.
type DeliveryFilter struct {
	WebhookID string
	Status    string
	Cursor    string
	Limit     int
}
