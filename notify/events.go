package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/triagehq/triage"
)

// Subscriptions: every event kind the catalogue (triage.Events) delivers
// to webhooks is fanned out as its webhook event, one delivery and one job
// per subscribed webhook. The event's key, the same on every retry of its
// job, makes a re-run fan-out add only what is missing.
func (s *Service) Subscriptions() []triage.Subscription {
	var out []triage.Subscription
	for _, e := range triage.Events() {
		if e.Hook != "" {
			out = append(out, triage.Subscription{Kind: e.Kind, Handle: s.fanoutOf(e)})
		}
	}
	return out
}

// fanoutOf delivers events of one kind: the data of a ticket event is the
// ticket with what changed, of an article event the version published, of
// any other kind its payload as it is.
func (s *Service) fanoutOf(e triage.EventInfo) func(ctx context.Context, key string, raw json.RawMessage) error {
	return func(ctx context.Context, key string, raw json.RawMessage) error {
		p, err := e.Decode(raw)
		if err != nil {
			return err
		}
		switch p := p.(type) {
		case triage.TicketEvent:
			return s.TicketEvent(ctx, key, e.Hook, p.TicketID, TicketData{Change: e.Kind, Fields: p.Fields, Actor: p.Actor}, p.At)
		case triage.ArticleEvent:
			return s.ArticleSaved(ctx, key, e.Hook, p.ArticleID, p.Version)
		}
		return s.OtherEvent(ctx, key, e.Hook, raw)
	}
}

// Payload is the body of every delivery.
type Payload struct {
	// ID identifies the event: the same in every webhook's delivery of it
	// and in every retry, for receivers to deduplicate on.
	ID        string    `json:"id"`
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

func payload(id, event string, at time.Time, data any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Payload{ID: id, Event: event, CreatedAt: at.UTC(), Data: data}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// TicketData is the data of a ticket event.
type TicketData struct {
	// Change is the ticket write that caused the event: ticket.created,
	// ticket.updated, ticket.solved, ticket.closed or ticket.reopened.
	Change string   `json:"change"`
	Fields []string `json:"fields"`
	Actor  string   `json:"actor"`
	// Ticket is the ticket as it was when the event was fanned out,
	// normally within a second of the change.
	Ticket *triage.Ticket `json:"ticket"`
}

// TicketEvent fans out a change of a ticket (data.Change names it) as the
// webhook event hook.
func (s *Service) TicketEvent(ctx context.Context, key, hook, ticketID string, data TicketData, at time.Time) error {
	if !s.wanted(ctx, hook) {
		return nil
	}
	t, err := s.Store.Ticket(ctx, ticketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	data.Ticket = t
	if data.Fields == nil {
		data.Fields = []string{}
	}
	return s.Fanout(ctx, key, hook, at, data)
}

// ArticleData is the data of article.published: the version that was
// published, without its body (GET the article for that).
type ArticleData struct {
	Article PublishedArticle `json:"article"`
}

// PublishedArticle is what article.published says about the article.
type PublishedArticle struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Category    string    `json:"category"`
	Tags        []string  `json:"tags"`
	Version     int       `json:"version"`
	Actor       string    `json:"actor"`
	PublishedAt time.Time `json:"published_at"`
	URL         string    `json:"url"`
}

// ArticleSaved fans out the webhook event hook (article.published) when
// the saved version made the article published: its status is published
// and the version before it was not. Edits of an article already
// published are not events.
func (s *Service) ArticleSaved(ctx context.Context, key, hook, articleID string, version int) error {
	if !s.wanted(ctx, hook) {
		return nil
	}
	v, err := s.Store.ArticleVersion(ctx, articleID, version)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if v.Status != triage.ArticlePublished {
		return nil
	}
	if version > 1 {
		prev, err := s.Store.ArticleVersion(ctx, articleID, version-1)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		if err == nil && prev.Status == triage.ArticlePublished {
			return nil
		}
	}
	tags := v.Tags
	if tags == nil {
		tags = []string{}
	}
	data := ArticleData{Article: PublishedArticle{ID: v.ArticleID, Title: v.Title, Category: v.Category, Tags: tags,
		Version: v.Version, Actor: v.Actor, PublishedAt: v.CreatedAt, URL: "/v1/articles/" + v.ArticleID}}
	return s.Fanout(ctx, key, hook, v.CreatedAt, data)
}

// OtherEvent fans out an event whose arguments another part of the
// service defines (sla.warning, sla.breached, csat.received): its data is
// those arguments as they are, with the ticket added when they name one
// in "ticket_id".
func (s *Service) OtherEvent(ctx context.Context, key, name string, args json.RawMessage) error {
	if !s.wanted(ctx, name) {
		return nil
	}
	var data map[string]any
	if err := json.Unmarshal(args, &data); err != nil || data == nil {
		data = map[string]any{"args": args}
	}
	if id, ok := data["ticket_id"].(string); ok && id != "" {
		if _, taken := data["ticket"]; !taken {
			t, err := s.Store.Ticket(ctx, id)
			if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
				return err
			}
			if err == nil {
				data["ticket"] = t
			}
		}
	}
	at := s.now()
	if v, ok := data["at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			at = t
		}
	}
	return s.Fanout(ctx, key, name, at, data)
}

// wanted reports whether any active webhook subscribes to name, so that an
// event nobody wants costs one small read.
func (s *Service) wanted(ctx context.Context, name string) bool {
	hooks, err := s.Store.Webhooks(ctx)
	if err != nil {
		return true // let Fanout meet the error and retry
	}
	for _, w := range hooks {
		if w.Wants(name) {
			return true
		}
	}
	return false
}

// Fanout stores one delivery per active webhook subscribed to the event,
// each with its job, in one transaction. Run again for the same key, it
// adds only the deliveries that are missing.
func (s *Service) Fanout(ctx context.Context, key, name string, at time.Time, data any) error {
	body, err := payload(key, name, at, data)
	if err != nil {
		return err
	}
	now := s.now()
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		hooks, err := tx.Webhooks(ctx)
		if err != nil {
			return err
		}
		for _, w := range hooks {
			if !w.Wants(name) {
				continue
			}
			if _, err := tx.DeliveryByEvent(ctx, w.ID, key); err == nil {
				continue
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				return err
			}
			if _, err := s.queue(ctx, tx, w, name, key, body, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func itoa(i int) string     { return strconv.Itoa(i) }
func quote(s string) string { return strconv.Quote(s) }
