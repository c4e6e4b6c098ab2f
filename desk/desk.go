// Package desk carries out the helpdesk's use cases over a triage.Store:
// the ticket lifecycle, comments and notes, assignment, audit history,
// agents, teams and API tokens.
//
// Every write runs in one store transaction together with its history, its
// change-log entry, the background jobs it schedules and, when the request
// carried one, its idempotency record, so an acknowledged write is never
// half done and a replayed request can never disagree with what committed.
package desk

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Service is the helpdesk. Its zero value is not usable; set Store.
type Service struct {
	Store triage.Store
	// Intake triages new tickets (category, priority, assignee). Nil
	// leaves a ticket as the client sent it.
	Intake Intake
	// Router re-routes tickets when agents or tickets change (capacity
	// freed, an agent online, a reopened ticket whose agent is away). Nil
	// disables automatic assignment after intake.
	Router Router
	// Normalize is the segmenter's text normalisation, applied to rule
	// words so they match tickets in any script or width. Nil leaves words
	// as given.
	Normalize func(string) string
	// Segmenter cuts a ticket search (TicketFilter.Query) into terms,
	// as the knowledge-base search cuts its queries (triage.QueryTerms).
	// Nil searches the query as one term, normalised by Normalize.
	Segmenter triage.Segmenter
	// Dict is the live segmenter dictionary; dictionary edits reach it as
	// soon as they commit. Nil stores edits only.
	Dict Dictionary
	// Models receives a model activated by hand, so triage uses it at
	// once. Nil stores the switch only.
	ModelSink ModelSink
	// Outbox hears, inside the writing transaction, of every public reply
	// an agent adds, so the channel the ticket came by (mail) can queue
	// it for the customer with the comment. Nil sends nothing.
	Outbox Outbox
	// Queue takes the daily prune of unreferenced stored content. Nil
	// prunes only when asked.
	Queue triage.Queue
	Log   *slog.Logger
	// Shadow runs candidate models beside the active ones on every new
	// ticket and stores both predictions with it. Nil runs no trial.
	Shadow ShadowRunner
	// Now is the clock; nil means time.Now. Times are UTC, truncated to
	// the microsecond both stores keep.
	Now func() time.Time
}

// Intake decides what a new ticket is about and who should own it. It runs
// inside the ticket's creating transaction so its decision and the ticket
// commit together.
type Intake interface {
	Triage(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual) (*triage.TriageRecord, []*triage.HistoryEntry, error)
}

// IntakeLookup is an Intake that does part of its work before the
// creating transaction: what needs no transaction (an index search) is
// kept off the store's writer. Lookup returns the context to triage with.
type IntakeLookup interface {
	Lookup(ctx context.Context, t *triage.Ticket) context.Context
}

// Router assigns waiting tickets when something frees capacity. Both
// methods run inside the transaction that made the change.
type Router interface {
	// Drain assigns queued tickets to agents with free capacity.
	Drain(ctx context.Context, tx triage.Tx) ([]*triage.HistoryEntry, error)
	// Reroute finds a new owner for one ticket, e.g. a reopened ticket
	// whose assignee is offline.
	Reroute(ctx context.Context, tx triage.Tx, t *triage.Ticket) ([]*triage.HistoryEntry, error)
}

// Outbox queues a public reply for the customer. It runs inside the
// transaction that adds the comment, so the reply is queued if and only if
// it is stored; it must not reach outside the process (a job does the
// sending).
type Outbox interface {
	Reply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c *triage.Comment, atts []*triage.Attachment) error
}

// Hints are what a channel knows of the tickets it brings, beyond their
// text: the mailbox a mail arrived in says which category to fall back on
// and which priority to start from. Triage still decides first.
type Hints struct {
	// Category is the ticket's category when triage leaves it undecided.
	Category string
	// Priority replaces the default P3 when no priority signal spoke.
	Priority triage.Priority
}

// Dictionary is the segmenter's user dictionary.
type Dictionary interface {
	// CheckWords returns the words as AddWords would take them, or the
	// EINVALID error of the first it would refuse: checked before they
	// are stored, so a refused word is never stored.
	CheckWords(words ...triage.DictWord) ([]triage.DictWord, error)
	AddWords(words ...triage.DictWord) error
	RemoveWord(word string) error
}

// ModelSink loads a model that just became active.
type ModelSink interface {
	UseModel(m *triage.Model) error
}

// emit enqueues the event of a ticket change in its transaction, so what
// follows a change (retraining, webhooks, SLA clocks) can never miss one
// that committed, nor see one that did not.
func (s *Service) emit(ctx context.Context, tx triage.Tx, before, after *triage.Ticket, hist []*triage.HistoryEntry) error {
	kind := triage.EventTicketUpdated
	switch {
	case before == nil:
		kind = triage.EventTicketCreated
	case after.Status == triage.StatusSolved && before.Status != triage.StatusSolved:
		kind = triage.EventTicketSolved
	case after.Status == triage.StatusClosed && before.Status != triage.StatusClosed:
		kind = triage.EventTicketClosed
	case after.Status == triage.StatusOpen && before.Status == triage.StatusSolved:
		kind = triage.EventTicketReopened
	}
	e := triage.TicketEvent{TicketID: after.ID, Event: string(kind), Actor: actor(ctx), At: s.now()}
	for _, h := range hist {
		if !slices.Contains(e.Fields, h.Field) {
			e.Fields = append(e.Fields, h.Field)
		}
		if h.Field == "comment" && len(h.Why) > 0 {
			e.CommentBy = triage.CommentByAgent
			if h.Why[0].Code == triage.ReasonTicketRequesterMsg {
				e.CommentBy = triage.CommentByRequester
			}
		}
		if h.Field == "comment" && h.New != "" {
			e.CommentIDs = append(e.CommentIDs, h.New)
		}
	}
	return kind.Emit(ctx, tx, e)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// write is triage.Write with the service's store and clock.
func write[T any](ctx context.Context, s *Service, idem *triage.Idempotency, view func(T) any, fn func(tx triage.Tx) (T, error)) (T, error) {
	return triage.Write(ctx, s.Store, idem, s.now(), view, fn)
}

func checkVersion(kind string, have, want int) error { return triage.CheckVersion(kind, have, want) }

func actor(ctx context.Context) string { return triage.ActorFromContext(ctx) }
