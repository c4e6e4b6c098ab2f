// Package notify delivers the service's events to webhooks: admins
// subscribe a URL to event kinds; each event is fanned out, in one store
// transaction, into one delivery per subscribed webhook and one durable
// job per delivery, so an event that committed is delivered even across
// a crash. The job signs the body (HMAC-SHA256 over a timestamp and the
// body), posts it through a client that refuses internal addresses at
// dial time, logs every attempt on the delivery, and fails so the job
// queue retries it with backoff until the attempts are used up.
//
// Delivery is at least once: a crash after the receiver answered and
// before the attempt was recorded sends it again. Receivers deduplicate
// on the payload's id (one per event) or X-Triage-Delivery (one per
// event and webhook).
package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Job kinds this package handles.
const (
	// JobDeliver sends one delivery.
	JobDeliver triage.JobKind[DeliverArgs] = "webhook.deliver"
	// JobPrune deletes old completed deliveries and schedules itself again.
	JobPrune triage.JobKind[triage.NoArgs] = "webhook.prune"
)

// DeliverArgs are a JobDeliver job's arguments.
type DeliverArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Defaults.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAttempts = 10
	DefaultRetention   = 30 * 24 * time.Hour
	// MaxDescription bounds a webhook's description, in characters.
	MaxDescription = 500
)

// Service manages webhooks and delivers events to them.
type Service struct {
	Store triage.Store
	Guard *Guard
	// Client posts deliveries; nil builds one from Guard with Timeout.
	Client *http.Client
	// Wrap, when set, wraps the client's transport (tracing and the
	// outbound metrics).
	Wrap func(http.RoundTripper) http.RoundTripper
	// Timeout bounds one attempt; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts is how many attempts a delivery gets before it fails;
	// 0 means DefaultMaxAttempts. Keep it under the job queue's own
	// limit (12), so the delivery is marked failed before the queue
	// gives up on the job.
	MaxAttempts int
	// Retention is how long completed deliveries are kept; 0 means
	// DefaultRetention.
	Retention time.Duration
	// Queue takes the next prune, which each prune schedules a day later.
	// Nil prunes once per job.
	Queue triage.Queue
	// UserAgent is sent with every delivery.
	UserAgent string
	// Observe, when set, hears the outcome of every attempt: succeeded,
	// retrying or failed.
	Observe func(event, outcome string, took time.Duration)
	Log     *slog.Logger
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// newSecret returns a signing secret: 32 random bytes, URL-safe base64.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// cleanEvents checks and de-duplicates subscribed events, keeping their
// order.
func cleanEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, triage.Invalid("events", "events is required: one or more of %s", strings.Join(triage.HookEvents(), ", "))
	}
	out := []string{}
	for i, e := range events {
		e = strings.TrimSpace(e)
		if !slices.Contains(triage.HookEvents(), e) {
			return nil, &triage.Error{Code: triage.EINVALID, Field: "events", Allowed: triage.HookEvents(),
				Message: "events[" + itoa(i) + "] " + quote(e) + " is not one of " + strings.Join(triage.HookEvents(), ", ")}
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func cleanDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if !utf8.ValidString(d) || utf8.RuneCountInString(d) > MaxDescription {
		return "", triage.Invalid("description", "description must be text of at most %d characters", MaxDescription)
	}
	return d, nil
}

func checkSecret(secret string) error {
	if len(secret) < 16 || len(secret) > 128 || strings.ContainsFunc(secret, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return triage.Invalid("secret", "secret must be 16 to 128 visible ASCII characters; leave it out to get a generated one")
	}
	return nil
}

// Create subscribes a webhook. The secret is in the returned webhook
// only: a replay of the same request returns the webhook without it.
func (s *Service) Create(ctx context.Context, in triage.NewWebhook, idem *triage.Idempotency) (*triage.Webhook, error) {
	u, err := s.Guard.CheckURL(ctx, in.URL)
	if err != nil {
		return nil, err
	}
	events, err := cleanEvents(in.Events)
	if err != nil {
		return nil, err
	}
	desc, err := cleanDescription(in.Description)
	if err != nil {
		return nil, err
	}
	secret := in.Secret
	if secret == "" {
		secret = newSecret()
	} else if err := checkSecret(secret); err != nil {
		return nil, err
	}
	now := s.now()
	w := &triage.Webhook{ID: triage.NewID(), URL: u, Events: events, Description: desc, Active: in.Active == nil || *in.Active,
		SigningKey: secret, CreatedAt: now, UpdatedAt: now}
	hide := func(w *triage.Webhook) any { c := *w; c.Secret = ""; return &c }
	return triage.Write(ctx, s.Store, idem, now, hide, func(tx triage.Tx) (*triage.Webhook, error) {
		if err := tx.CreateWebhook(ctx, w); err != nil {
			return nil, err
		}
		w.Secret = secret
		return w, nil
	})
}

// Webhook returns one webhook, without its secret.
func (s *Service) Webhook(ctx context.Context, id string) (*triage.Webhook, error) {
	return s.Store.Webhook(ctx, id)
}

// Webhooks lists every webhook, oldest first, without secrets.
func (s *Service) Webhooks(ctx context.Context) ([]*triage.Webhook, error) {
	return s.Store.Webhooks(ctx)
}

// Update changes a webhook at a version (0: any). Rotating the secret
// takes effect at once: deliveries still queued are signed with the new
// one.
func (s *Service) Update(ctx context.Context, id string, version int, u triage.WebhookUpdate) (*triage.Webhook, error) {
	var url string
	if u.URL.Set {
		var err error
		if url, err = s.Guard.CheckURL(ctx, u.URL.V); err != nil {
			return nil, err
		}
	}
	return triage.Write(ctx, s.Store, nil, s.now(), nil, func(tx triage.Tx) (*triage.Webhook, error) {
		w, err := tx.Webhook(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("webhook "+id, w.Version, version); err != nil {
			return nil, err
		}
		if u.URL.Set {
			w.URL = url
		}
		if u.Events.Set {
			if w.Events, err = cleanEvents(u.Events.V); err != nil {
				return nil, err
			}
		}
		if u.Description.Set {
			if w.Description, err = cleanDescription(u.Description.V); err != nil {
				return nil, err
			}
		}
		if u.Active.Set {
			w.Active = u.Active.V
		}
		if u.RotateSecret {
			w.SigningKey = newSecret()
		}
		w.UpdatedAt = s.now()
		if err := tx.UpdateWebhook(ctx, w); err != nil {
			return nil, err
		}
		if u.RotateSecret {
			w.Secret = w.SigningKey
		}
		return w, nil
	})
}

// Delete removes a webhook at a version (0: any) with its delivery log;
// its queued deliveries are dropped when their jobs run.
func (s *Service) Delete(ctx context.Context, id string, version int) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		w, err := tx.Webhook(ctx, id)
		if err != nil {
			return err
		}
		if err := triage.CheckVersion("webhook "+id, w.Version, version); err != nil {
			return err
		}
		return tx.DeleteWebhook(ctx, id, w.Version)
	})
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, f triage.DeliveryFilter) ([]*triage.Delivery, string, error) {
	if _, err := s.Store.Webhook(ctx, f.WebhookID); err != nil {
		return nil, "", err
	}
	switch f.Status {
	case "", triage.DeliveryPending, triage.DeliveryRetrying, triage.DeliverySucceeded, triage.DeliveryFailed:
	default:
		return nil, "", triage.Invalid("status", "status %q is not pending, retrying, succeeded or failed", f.Status)
	}
	if f.Limit < 0 || f.Limit > triage.MaxPageSize {
		return nil, "", triage.Invalid("limit", "limit must be between 1 and %d", triage.MaxPageSize)
	}
	return s.Store.Deliveries(ctx, f)
}

// Delivery returns one of a webhook's deliveries with its payload.
func (s *Service) Delivery(ctx context.Context, webhookID, id string) (*triage.Delivery, error) {
	d, err := s.Store.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.WebhookID != webhookID {
		return nil, triage.Errorf(triage.ENOTFOUND, "webhook %s has no delivery %s", webhookID, id)
	}
	return d, nil
}

// Ping queues a test delivery to a webhook, active or not, so an admin
// can check the receiver and its signature check.
func (s *Service) Ping(ctx context.Context, webhookID string, idem *triage.Idempotency) (*triage.Delivery, error) {
	now := s.now()
	key := triage.NewID()
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.Delivery, error) {
		w, err := tx.Webhook(ctx, webhookID)
		if err != nil {
			return nil, err
		}
		body, err := payload(key, triage.HookPing, now, map[string]any{"webhook_id": w.ID, "events": w.Events})
		if err != nil {
			return nil, err
		}
		return s.queue(ctx, tx, w, triage.HookPing, key, body, now)
	})
}

// Redeliver queues a delivery's payload again as a new delivery (same
// event id in the body, a new delivery id), for a receiver that missed
// it or was fixed after the attempts ran out.
func (s *Service) Redeliver(ctx context.Context, webhookID, deliveryID string, idem *triage.Idempotency) (*triage.Delivery, error) {
	now := s.now()
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.Delivery, error) {
		d, err := tx.Delivery(ctx, deliveryID)
		if err != nil {
			return nil, err
		}
		if d.WebhookID != webhookID {
			return nil, triage.Errorf(triage.ENOTFOUND, "webhook %s has no delivery %s", webhookID, deliveryID)
		}
		w, err := tx.Webhook(ctx, webhookID)
		if err != nil {
			return nil, err
		}
		return s.queue(ctx, tx, w, d.Event, "redeliver:"+triage.NewID(), d.Payload, now)
	})
}

// queue stores a pending delivery and its job in tx.
func (s *Service) queue(ctx context.Context, tx triage.Tx, w *triage.Webhook, event, key string, body json.RawMessage, now time.Time) (*triage.Delivery, error) {
	d := &triage.Delivery{ID: triage.NewID(), WebhookID: w.ID, Event: event, EventKey: key, Status: triage.DeliveryPending,
		Payload: body, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateDelivery(ctx, d); err != nil {
		return nil, err
	}
	j, err := JobDeliver.Job(DeliverArgs{DeliveryID: d.ID})
	if err != nil {
		return nil, err
	}
	return d, tx.Enqueue(ctx, j)
}

// Jobs are the jobs the service does: deliveries, and the daily prune.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobDeliver.Handle(s.Deliver), JobPrune.Handle(s.prune)}
}

// SchedulePrune queues the prune at at. One prune waits at any time (its
// unique key), so calling this on every start begins the daily chain on a
// new store and does nothing after.
func (s *Service) SchedulePrune(ctx context.Context, at time.Time) error {
	if s.Queue == nil {
		return nil
	}
	j, err := JobPrune.Job(triage.NoArgs{})
	if err != nil {
		return err
	}
	j.UniqueKey, j.RunAt = string(JobPrune), at
	return s.Queue.Insert(ctx, j)
}

// prune is the JobPrune handler: it prunes and schedules the next prune a
// day later.
func (s *Service) prune(ctx context.Context, _ triage.NoArgs) error {
	if _, err := s.Prune(ctx); err != nil {
		return err
	}
	return s.SchedulePrune(ctx, s.now().Add(24*time.Hour))
}

// Prune deletes deliveries completed longer ago than the retention.
func (s *Service) Prune(ctx context.Context) (int, error) {
	keep := s.Retention
	if keep <= 0 {
		keep = DefaultRetention
	}
	var n int
	err := s.Store.Update(ctx, func(tx triage.Tx) (err error) {
		n, err = tx.PruneDeliveries(ctx, s.now().Add(-keep))
		return err
	})
	return n, err
}
