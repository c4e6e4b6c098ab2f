package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/river"
)

// registerJobs connects job kinds to the code that does them. Each handler
// re-reads the state it acts on: a job may run long after it was queued.
func (m *Main) registerJobs() {
	m.subscribe(desk.EventClosed, func(ctx context.Context, _ json.RawMessage) error {
		// Many tickets close in a burst; one retraining a minute later
		// covers them all (the unique key keeps just one waiting).
		for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
			args, _ := json.Marshal(retrainArgs{Kind: kind})
			if err := m.Jobs.Insert(ctx, triage.Job{Kind: api.JobRetrain, Args: args, UniqueKey: "retrain:" + kind, RunAt: time.Now().Add(time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	// A resolved ticket joins the similar-ticket index; a reopened one
	// leaves it; an update may change the reply that solved it.
	for _, kind := range []string{desk.EventSolved, desk.EventClosed, desk.EventReopened, desk.EventUpdated} {
		m.subscribe(kind, m.embedTicket)
	}
	m.subscribe(kb.EventArticleChanged, func(ctx context.Context, raw json.RawMessage) error {
		var e kb.ArticleEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return triage.Invalid("args", "article event: %v", err)
		}
		return m.Indexer.Embed(ctx, triage.DocArticle, e.ArticleID)
	})
	m.Jobs.Handle(api.JobRetrain, m.retrain)
	// Every event kind gets a handler, subscribed or not, so none is
	// cancelled as unknown.
	for _, kind := range []string{desk.EventCreated, desk.EventUpdated, desk.EventSolved, desk.EventClosed, desk.EventReopened, kb.EventArticleChanged} {
		m.subscribe(kind, func(context.Context, json.RawMessage) error { return nil })
	}
	for kind, hs := range m.subs {
		m.Jobs.Handle(kind, func(ctx context.Context, raw json.RawMessage) error {
			// Subscribers are idempotent (each re-reads the state it acts
			// on), so one failing retries them all harmlessly.
			var errs []error
			for _, h := range hs {
				errs = append(errs, h(ctx, raw))
			}
			return errors.Join(errs...)
		})
	}
}

// subscribe adds a handler to an event kind: one durable job per event,
// fanned out to every part of the service that follows that kind.
func (m *Main) subscribe(kind string, h river.Handler) {
	if m.subs == nil {
		m.subs = map[string][]river.Handler{}
	}
	m.subs[kind] = append(m.subs[kind], h)
}

// embedTicket keeps a ticket's vectors in step with whether it is resolved.
func (m *Main) embedTicket(ctx context.Context, raw json.RawMessage) error {
	var e desk.Event
	if err := json.Unmarshal(raw, &e); err != nil {
		return triage.Invalid("args", "ticket event: %v", err)
	}
	return m.Indexer.Embed(ctx, triage.DocTicket, e.TicketID)
}

type retrainArgs struct {
	Kind  string `json:"kind"`
	Force bool   `json:"force"`
}

// retrain trains a new model when enough tickets closed since the active
// one (or when an admin asked), saves it, and switches triage to it. The
// old model serves until the new one is saved.
func (m *Main) retrain(ctx context.Context, raw json.RawMessage) error {
	var a retrainArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return triage.Invalid("args", "retrain arguments: %v", err)
	}
	if a.Kind == triage.ModelEmbedder {
		return m.trainEmbedder(ctx, nil)
	}
	if !a.Force {
		due, err := m.Trainer.Due(ctx, a.Kind)
		if err != nil || !due {
			return err
		}
	}
	rec, _, err := m.Trainer.Train(ctx, a.Kind, nil, nil, nil)
	if triage.IsCode(err, triage.ECONFLICT) {
		m.Log.Info("not retraining", "kind", a.Kind, "why", triage.ErrorMessage(err))
		return nil // too few labels: not a failure to retry
	} else if err != nil {
		return err
	}
	m.Log.Info("model retrained", "kind", a.Kind, "version", rec.Version, "examples", rec.Info.Examples)
	return m.Triager.UseModel(rec)
}
