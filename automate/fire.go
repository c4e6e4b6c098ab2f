package automate

import (
	"context"
	"fmt"
	"slices"

	"github.com/triagehq/triage"
)

// Subscriptions are the events triggers run on: every ticket event, the
// SLA warnings and breaches, and satisfaction answers.
func (s *Service) Subscriptions() []triage.Subscription {
	var out []triage.Subscription
	for _, k := range triage.TicketEvents() {
		out = append(out, k.On(s.onTicket))
	}
	return append(out,
		triage.EventSLAWarning.On(func(ctx context.Context, e triage.Event[triage.SLANotice]) error {
			return s.Fire(ctx, e.Key, e.Payload.TicketID, []triage.TriggerEvent{triage.OnSLAWarning}, nil)
		}),
		triage.EventSLABreached.On(func(ctx context.Context, e triage.Event[triage.SLANotice]) error {
			return s.Fire(ctx, e.Key, e.Payload.TicketID, []triage.TriggerEvent{triage.OnSLABreached}, nil)
		}),
		triage.EventCSATReceived.On(func(ctx context.Context, e triage.Event[triage.SurveyReceived]) error {
			rating := e.Payload.Rating
			return s.Fire(ctx, e.Key, e.Payload.TicketID, []triage.TriggerEvent{triage.OnCSATReceived}, &rating)
		}),
	)
}

// onTicket runs triggers on a ticket event, unless a trigger made it
// (the loop guard).
func (s *Service) onTicket(ctx context.Context, e triage.Event[triage.TicketEvent]) error {
	if e.Payload.Actor == TriggerActor() {
		return nil
	}
	return s.Fire(ctx, e.Key, e.Payload.TicketID, TriggerEventsOf(e.Payload), nil)
}

// TriggerEventsOf lists the trigger events one ticket event is.
func TriggerEventsOf(e triage.TicketEvent) []triage.TriggerEvent {
	if e.Event == string(triage.EventTicketCreated) {
		return []triage.TriggerEvent{triage.OnTicketCreated}
	}
	out := []triage.TriggerEvent{triage.OnTicketUpdated}
	if slices.Contains(e.Fields, "status") {
		out = append(out, triage.OnStatusChanged)
	}
	switch e.CommentBy {
	case triage.CommentByRequester:
		out = append(out, triage.OnRequesterComment)
	case triage.CommentByAgent:
		out = append(out, triage.OnAgentComment)
	}
	return out
}

// enabled lists the enabled automations of a kind, in order; for
// triggers, those that name one of events.
func (s *Service) enabled(ctx context.Context, kind triage.AutomationKind, events []triage.TriggerEvent) ([]*triage.Automation, error) {
	all, err := s.Store.Automations(ctx)
	if err != nil {
		return nil, err
	}
	var out []*triage.Automation
	for _, a := range all {
		if !a.Enabled || a.Kind != kind {
			continue
		}
		if kind == triage.AutomationTrigger && !slices.ContainsFunc(events, func(e triage.TriggerEvent) bool { return slices.Contains(a.Events, e) }) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// Fire runs the triggers that name one of events on a ticket, in one
// transaction; key (the event's) makes a retried event fire nothing twice.
func (s *Service) Fire(ctx context.Context, key, ticketID string, events []triage.TriggerEvent, rating *int) error {
	autos, err := s.enabled(ctx, triage.AutomationTrigger, events)
	if err != nil || len(autos) == 0 {
		return err
	}
	ctx = asTrigger(ctx)
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil
		} else if err != nil {
			return err
		}
		f, err := s.facts(ctx, tx, t, rating)
		if err != nil {
			return err
		}
		outs, work, err := s.plan(ctx, tx, t, f, autos, events, key, false)
		if err != nil || len(outs) == 0 {
			return err
		}
		return s.apply(ctx, tx, t, work, outs, key)
	})
}

// apply makes what plan decided, in tx: the comments, mail and webhook
// calls of each firing first (a status change to closed would refuse a
// note after it), then the ticket's field changes in one update through
// the desk, then the log.
func (s *Service) apply(ctx context.Context, tx triage.Tx, t, work *triage.Ticket, outs []*outcome, key string) error {
	for _, o := range outs {
		for i, act := range o.effects {
			if err := s.effect(ctx, tx, t.ID, o, i, act, key); err != nil {
				return err
			}
		}
	}
	if u, ok := diff(t, work); ok {
		for _, o := range outs {
			if len(o.changes) > 0 {
				u.Why = append(u.Why, triage.NewReason(triage.ReasonAutomationFired, o.a.Name, string(o.event)))
			}
		}
		if _, err := s.Desk.UpdateTicketTx(ctx, tx, t.ID, u); err != nil {
			if !triage.IsCode(err, triage.EINVALID) && !triage.IsCode(err, triage.ECONFLICT) {
				return err
			}
			// What the actions' comments did (a macro's own changes)
			// made the update impossible: the firing is logged with
			// why, not retried for ever.
			last := outs[len(outs)-1]
			last.changes = append(last.changes, triage.NewReason(triage.ReasonAutomationSkipped, "update", triage.ErrorMessage(err)))
		}
	}
	at := s.now()
	for _, o := range outs {
		run := &triage.AutomationRun{ID: triage.NewID(), AutomationID: o.a.ID, TicketID: t.ID, Event: o.event, Key: key,
			Why: append(triage.Reasons{triage.NewReason(triage.ReasonAutomationFired, o.a.Name, string(o.event))}, o.why...), Changes: o.changes, At: at}
		if err := tx.AddAutomationRun(ctx, run); err != nil {
			return err
		}
	}
	return nil
}

// effect does one action that reaches beyond the ticket's fields.
func (s *Service) effect(ctx context.Context, tx triage.Tx, ticketID string, o *outcome, i int, act triage.Action, key string) error {
	cur, err := tx.Ticket(ctx, ticketID)
	if err != nil {
		return err
	}
	// One key per action of the firing: the mail and the delivery find
	// themselves when a firing runs again.
	actionKey := fmt.Sprintf("automation:%s:%s:%s:%d", o.a.ID, ticketID, key, i)
	render := func(text string) (string, error) {
		vars, err := s.Desk.TicketVars(ctx, tx, cur)
		if err != nil {
			return "", err
		}
		return triage.RenderMacro(text, vars), nil
	}
	switch act.Type {
	case triage.ActAddNote, triage.ActReply:
		body, err := render(act.Body)
		if err != nil {
			return err
		}
		_, err = s.Desk.AddCommentTx(ctx, tx, ticketID, triage.NewComment{Body: body, Public: act.Type == triage.ActReply})
		return err
	case triage.ActSendMacro:
		_, err := s.Desk.ApplyMacroTx(ctx, tx, ticketID, act.Value)
		return err
	case triage.ActEmail:
		subject, err := render(act.Subject)
		if err != nil {
			return err
		}
		text, err := render(act.Body)
		if err != nil {
			return err
		}
		return s.Mailer.Notice(ctx, tx, cur, act.To, subject, text, triage.EventKey("automation.email", []byte(actionKey)))
	case triage.ActWebhook:
		return s.Hooks.Call(ctx, tx, act.Value, triage.EventKey("automation.webhook", []byte(actionKey)), o.a, o.event, cur)
	}
	return nil
}

// diff is the update that takes t to work's fields.
func diff(t, work *triage.Ticket) (triage.TicketUpdate, bool) {
	var u triage.TicketUpdate
	changed := false
	if work.Status != t.Status {
		u.Status, changed = triage.Some(work.Status), true
	}
	if work.Priority != t.Priority {
		u.Priority, changed = triage.Some(work.Priority), true
	}
	if work.Category != t.Category {
		u.Category, changed = triage.Some(work.Category), true
	}
	if work.TeamID != t.TeamID {
		u.TeamID, changed = triage.Some(work.TeamID), true
	}
	if work.AssigneeID != t.AssigneeID {
		u.AssigneeID, changed = triage.Some(work.AssigneeID), true
	}
	if !slices.Equal(work.Tags, t.Tags) {
		u.Tags, changed = triage.Some(slices.Clone(work.Tags)), true
	}
	return u, changed
}
