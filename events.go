package triage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Events. Something that happened which other parts of the service follow
// (SLA clocks, webhooks, embeddings, retraining, duplicates; later mail,
// automations and live updates) is an event: one durable job, enqueued in
// the transaction of the change, so a follower can never miss a change
// that committed nor see one that did not. Each subscriber re-reads the
// state it acts on.
//
// Every event kind is declared here, once, with its payload type, and
// listed in Events with the decision of whether webhooks receive it. To
// add one: declare its constant and payload below, add it to Events, emit
// it with Kind.Emit in the writing transaction, and subscribe to it with
// Kind.On in the services that follow it (their Subscriptions). A test
// fails while a kind is missing from Events, has no webhook decision, or
// has no subscriber in the application.

// EventKind names a kind of event whose payload is a P.
type EventKind[P any] string

// The event kinds.
const (
	// Ticket events: each ticket write enqueues exactly one, named by what
	// it did (TicketEvents lists them).
	EventTicketCreated  EventKind[TicketEvent] = "ticket.created"
	EventTicketUpdated  EventKind[TicketEvent] = "ticket.updated"
	EventTicketSolved   EventKind[TicketEvent] = "ticket.solved"
	EventTicketClosed   EventKind[TicketEvent] = "ticket.closed"
	EventTicketReopened EventKind[TicketEvent] = "ticket.reopened"

	// EventArticleChanged follows every save of an article, so its
	// vectors follow its text exactly once per change, whichever replica
	// made it.
	EventArticleChanged EventKind[ArticleEvent] = "article.changed"

	// EventSLAWarning and EventSLABreached: a target of a ticket's SLA is
	// about to breach, or has.
	EventSLAWarning  EventKind[SLANotice] = "sla.warning"
	EventSLABreached EventKind[SLANotice] = "sla.breached"

	// EventCSATRequested carries the survey link to send to the customer,
	// which is stored nowhere else; EventCSATReceived, the answer.
	EventCSATRequested EventKind[SurveyRequest]  = "csat.requested"
	EventCSATReceived  EventKind[SurveyReceived] = "csat.received"
)

// TicketEvents are the kinds of ticket events, one per kind of ticket
// write.
func TicketEvents() []EventKind[TicketEvent] {
	return []EventKind[TicketEvent]{EventTicketCreated, EventTicketUpdated, EventTicketSolved, EventTicketClosed, EventTicketReopened}
}

// EventInfo describes one kind of event.
type EventInfo struct {
	Kind string
	// Payload is the zero value of the kind's payload type.
	Payload any
	// Hook is the webhook event the kind is delivered as. When it is
	// empty webhooks never receive the kind, and Private says why: every
	// kind is a decision.
	Hook    string
	Private string
	// decode reads a payload of the kind.
	decode func(raw json.RawMessage) (any, error)
}

// Decode reads a payload of the kind.
func (e EventInfo) Decode(raw json.RawMessage) (any, error) { return e.decode(raw) }

// Events is the catalogue: every event kind, with how webhooks see it.
// Several kinds may be delivered as one webhook event: a closed or
// reopened ticket is ticket.updated, with the change named in its data.
func Events() []EventInfo {
	return []EventInfo{
		eventInfo(EventTicketCreated, HookTicketCreated, ""),
		eventInfo(EventTicketUpdated, HookTicketUpdated, ""),
		eventInfo(EventTicketSolved, HookTicketSolved, ""),
		eventInfo(EventTicketClosed, HookTicketUpdated, ""),
		eventInfo(EventTicketReopened, HookTicketUpdated, ""),
		eventInfo(EventSLAWarning, HookSLAWarning, ""),
		eventInfo(EventSLABreached, HookSLABreached, ""),
		eventInfo(EventCSATRequested, "", "its payload is the survey link, a credential for the customer alone"),
		eventInfo(EventCSATReceived, HookCSATReceived, ""),
		// Only a save that published the article is delivered; an edit
		// of an article already published, or a draft, is not.
		eventInfo(EventArticleChanged, HookArticlePublished, ""),
	}
}

func eventInfo[P any](k EventKind[P], hook, private string) EventInfo {
	var p P
	return EventInfo{Kind: string(k), Payload: p, Hook: hook, Private: private,
		decode: func(raw json.RawMessage) (any, error) { return k.Decode(raw) }}
}

// EventInfoOf returns the catalogue's entry of a kind.
func EventInfoOf(kind string) (EventInfo, bool) {
	i := slices.IndexFunc(Events(), func(e EventInfo) bool { return e.Kind == kind })
	if i < 0 {
		return EventInfo{}, false
	}
	return Events()[i], true
}

// HookEvents lists the events a webhook subscription may name: the
// webhook events of the catalogue, in its order.
func HookEvents() []string {
	var out []string
	for _, e := range Events() {
		if e.Hook != "" && !slices.Contains(out, e.Hook) {
			out = append(out, e.Hook)
		}
	}
	return out
}

func (k EventKind[P]) String() string { return string(k) }

// Job returns the job that carries one event of kind k.
func (k EventKind[P]) Job(p P) (Job, error) { return newJob(string(k), p) }

// Emit enqueues an event of kind k in tx, so it commits or rolls back with
// the change it tells of.
func (k EventKind[P]) Emit(ctx context.Context, tx Tx, p P) error {
	j, err := k.Job(p)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

// Decode reads a payload of kind k; one that does not decode is EINVALID.
func (k EventKind[P]) Decode(raw json.RawMessage) (P, error) { return decode[P](string(k), raw) }

// Event is one event as a subscriber receives it.
type Event[P any] struct {
	Kind EventKind[P]
	// Key identifies the event: the same every time its job runs, so a
	// subscriber that is retried can find what it did the first time.
	Key     string
	Payload P
}

// On subscribes h to the events of kind k.
func (k EventKind[P]) On(h func(ctx context.Context, e Event[P]) error) Subscription {
	return Subscription{Kind: string(k), Handle: func(ctx context.Context, key string, raw json.RawMessage) error {
		p, err := k.Decode(raw)
		if err != nil {
			return err
		}
		return h(ctx, Event[P]{Kind: k, Key: key, Payload: p})
	}}
}

// Subscription is one subscriber of one event kind, as a service declares
// what it follows.
type Subscription struct {
	Kind string
	// Handle gets the event's key and its payload as it was enqueued.
	Handle func(ctx context.Context, key string, raw json.RawMessage) error
}

// EventKey identifies an event by its kind and payload, which stay the
// same when its job is retried.
func EventKey(kind string, payload []byte) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(payload)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// EventJobs turns subscriptions into the handlers of the event jobs: one
// per kind of the catalogue, which runs every subscriber of that kind, so
// that no event is cancelled as an unknown job even when nobody follows
// it. Subscribers are idempotent (each re-reads the state it acts on), so
// one failing retries them all harmlessly. A subscription to a kind the
// catalogue does not list is an error.
func EventJobs(subs []Subscription) ([]JobSpec, error) {
	byKind := map[string][]Subscription{}
	for _, s := range subs {
		if _, ok := EventInfoOf(s.Kind); !ok {
			return nil, fmt.Errorf("a subscription to %q, which is not an event kind of the catalogue (triage.Events)", s.Kind)
		}
		byKind[s.Kind] = append(byKind[s.Kind], s)
	}
	var out []JobSpec
	for _, e := range Events() {
		subs := byKind[e.Kind]
		kind := e.Kind
		out = append(out, JobSpec{Kind: kind, Handler: func(ctx context.Context, raw json.RawMessage) error {
			key := EventKey(kind, raw)
			var errs []error
			for _, s := range subs {
				errs = append(errs, s.Handle(ctx, key, raw))
			}
			return errors.Join(errs...)
		}})
	}
	return out, nil
}

// TicketEvent is the payload of the ticket events.
type TicketEvent struct {
	TicketID string `json:"ticket_id"`
	// Event is the event's kind, as the job's kind says too.
	Event string `json:"event"`
	// Fields lists what changed, as history names them.
	Fields []string  `json:"fields,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
	// CommentBy says who wrote the comment the write added, when it
	// added one: CommentByRequester or CommentByAgent (a reply or a note).
	CommentBy string `json:"comment_by,omitempty"`
	// CommentIDs are the comments the write added, so a follower (the
	// notification centre) tells of exactly those.
	CommentIDs []string `json:"comment_ids,omitempty"`
}

// Who wrote the comment of a ticket event.
const (
	CommentByRequester = "requester"
	CommentByAgent     = "agent"
)

// ArticleEvent is the payload of EventArticleChanged: the version saved.
type ArticleEvent struct {
	ArticleID string `json:"article_id"`
	Version   int    `json:"version"`
}

// SLANotice is the payload of EventSLAWarning and EventSLABreached.
type SLANotice struct {
	// Event is the event's kind: sla.warning or sla.breached.
	Event      string    `json:"event"`
	TicketID   string    `json:"ticket_id"`
	Metric     string    `json:"metric"`
	Cycle      int       `json:"cycle,omitempty"`
	PolicyID   string    `json:"policy_id"`
	PolicyName string    `json:"policy_name"`
	Target     string    `json:"target"`
	DueAt      time.Time `json:"due_at"`
	Priority   Priority  `json:"priority"`
	AssigneeID string    `json:"assignee_id"`
	TeamID     string    `json:"team_id"`
	TeamLeadID string    `json:"team_lead_id"`
	// Notify lists the agents to tell: the team lead when the policy's
	// escalations say notify_lead.
	Notify []string `json:"notify"`
	// Actions are the escalations the policy takes on this event.
	Actions []string  `json:"actions"`
	EventID string    `json:"event_id"`
	At      time.Time `json:"at"`
}

// SurveyRequest is the payload of EventCSATRequested.
type SurveyRequest struct {
	TicketID  string    `json:"ticket_id"`
	SurveyID  string    `json:"survey_id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	At        time.Time `json:"at"`
}

// SurveyReceived is the payload of EventCSATReceived.
type SurveyReceived struct {
	TicketID string    `json:"ticket_id"`
	SurveyID string    `json:"survey_id"`
	Rating   int       `json:"rating"`
	Comment  string    `json:"comment"`
	AgentID  string    `json:"agent_id"`
	TeamID   string    `json:"team_id"`
	Category string    `json:"category"`
	At       time.Time `json:"at"`
}
