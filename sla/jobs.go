package sla

import (
	"context"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// EscalateArgs are the arguments of an escalation job: what to do, and
// the ticket's state when the warning or breach happened, so that a retry
// does not repeat an action that already took effect.
type EscalateArgs struct {
	TicketID   string          `json:"ticket_id"`
	EventID    string          `json:"event_id"`
	Kind       string          `json:"kind"`
	Metric     string          `json:"metric"`
	Target     string          `json:"target"`
	PolicyName string          `json:"policy_name"`
	Actions    []string        `json:"actions"`
	Priority   triage.Priority `json:"priority"`
	AssigneeID string          `json:"assignee_id"`
	LeadID     string          `json:"lead_id"`
}

// HandleEvent follows a ticket event: it recomputes the ticket's clocks
// and, when the ticket was just solved, schedules its closing and sends
// its satisfaction survey.
func (s *Service) HandleEvent(ctx context.Context, e triage.Event[triage.TicketEvent]) error {
	if e.Payload.TicketID == "" {
		return triage.Invalid("args", "a %s event names no ticket", e.Kind)
	}
	if err := s.Recompute(ctx, e.Payload.TicketID); err != nil {
		return err
	}
	if e.Kind == triage.EventTicketSolved {
		if err := s.scheduleClose(ctx, e.Payload.TicketID); err != nil {
			return err
		}
		return s.surveyOnSolve(ctx, e.Payload.TicketID)
	}
	return nil
}

// HandleCheck runs at a warning or due instant. It recomputes the ticket's
// clocks from what is true now: a ticket answered, paused or
// re-prioritised since the check was scheduled gets no warning or breach
// from it, only the checks its new clocks need.
func (s *Service) HandleCheck(ctx context.Context, a CheckArgs) error {
	if a.TicketID == "" {
		return triage.Invalid("args", "an SLA check names no ticket")
	}
	now := s.now()
	err := s.updateRecord(ctx, func(tx triage.Tx) error {
		f, err := s.facts(ctx, tx, a.TicketID, now)
		if err != nil {
			return err
		}
		r := Compute(f)
		if err := s.handle(ctx, tx, f, r, now); err != nil {
			return err
		}
		if err := tx.SaveTicketSLA(ctx, r); err != nil {
			return err
		}
		return schedule(ctx, tx, r, now)
	})
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	}
	return err
}

// handle records, announces and escalates every warning and breach that
// is due and not yet handled, marking each handled in r.
func (s *Service) handle(ctx context.Context, tx triage.Tx, f Facts, r *triage.TicketSLA, now time.Time) error {
	for i := range r.Targets {
		t := &r.Targets[i]
		switch {
		case t.Status == triage.SLABreached && t.NotifiedAt == nil && t.DueAt != nil && !t.DueAt.After(now):
			t.NotifiedAt = &now
			if t.WarnedAt == nil {
				t.WarnedAt = &now // a warning after the breach would say nothing new
			}
			if err := s.announce(ctx, tx, f, t, OnBreach, now); err != nil {
				return err
			}
		case t.Status == triage.SLARunning && t.WarnedAt == nil && t.WarnAt != nil && !t.WarnAt.After(now):
			t.WarnedAt = &now
			if err := s.announce(ctx, tx, f, t, OnWarning, now); err != nil {
				return err
			}
		}
	}
	r.NextCheckAt = nextCheck(r.Targets)
	return nil
}

// announce records one warning or breach, emits its event and queues the
// escalations that change the ticket.
func (s *Service) announce(ctx context.Context, tx triage.Tx, f Facts, t *triage.SLATarget, on string, now time.Time) error {
	tk, p := f.Ticket, f.Policy
	lead := ""
	if tk.TeamID != "" {
		team, err := tx.Team(ctx, tk.TeamID)
		if err == nil {
			lead = team.LeadID
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
	}
	var actions []string
	if p != nil {
		for _, e := range p.Escalations {
			if e.On == on && (e.Metric == "" || e.Metric == t.Metric) && !slices.Contains(actions, e.Action) {
				actions = append(actions, e.Action)
			}
		}
	}
	ev := &triage.SLAEvent{ID: triage.NewID(), TicketID: tk.ID, Kind: on, Metric: t.Metric, Cycle: t.Cycle,
		Target: t.Target, DueAt: *t.DueAt, LeadID: lead, Actions: actions, At: now}
	if p != nil {
		ev.PolicyID = p.ID
	}
	if err := tx.AddSLAEvent(ctx, ev); err != nil {
		return err
	}
	kind := triage.EventSLAWarning
	if on == OnBreach {
		kind = triage.EventSLABreached
	}
	n := triage.SLANotice{Event: string(kind), TicketID: tk.ID, Metric: t.Metric, Cycle: t.Cycle, PolicyID: ev.PolicyID,
		Target: t.Target, DueAt: *t.DueAt, Priority: tk.Priority, AssigneeID: tk.AssigneeID,
		TeamID: tk.TeamID, TeamLeadID: lead, Notify: []string{}, Actions: actions, EventID: ev.ID, At: now}
	if p != nil {
		n.PolicyName = p.Name
	}
	if lead != "" && slices.Contains(actions, ActionNotifyLead) {
		n.Notify = append(n.Notify, lead)
	}
	if err := kind.Emit(ctx, tx, n); err != nil {
		return err
	}
	s.log().InfoContext(ctx, "SLA "+on, "ticket", tk.ID, "metric", t.Metric, "target", t.Target, "due", t.DueAt, "actions", actions)

	// A target already met (late) or a ticket no longer active needs no
	// change of owner or urgency.
	var change []string
	for _, a := range actions {
		if a != ActionNotifyLead {
			change = append(change, a)
		}
	}
	if len(change) == 0 || t.MetAt != nil || !tk.Status.Active() {
		return nil
	}
	j, err := JobEscalate.Job(EscalateArgs{TicketID: tk.ID, EventID: ev.ID, Kind: on, Metric: t.Metric, Target: t.Target,
		PolicyName: n.PolicyName, Actions: change, Priority: tk.Priority, AssigneeID: tk.AssigneeID, LeadID: lead})
	if err != nil {
		return err
	}
	j.UniqueKey = "sla.escalate:" + ev.ID
	return tx.Enqueue(ctx, j)
}

// HandleEscalate changes a ticket as a warning or breach asked: through
// the ticket service, at the version read, so history, events and routing
// follow and a concurrent change makes it retry rather than overwrite.
// Each action checks the ticket is still as it was at the event, so a
// retry (or a person who acted first) does not make it act twice.
func (s *Service) HandleEscalate(ctx context.Context, a EscalateArgs) error {
	if a.TicketID == "" {
		return triage.Invalid("args", "an SLA escalation names no ticket")
	}
	if s.Tickets == nil {
		return nil
	}
	t, err := s.Store.Ticket(ctx, a.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if !t.Status.Active() {
		return nil
	}
	var u triage.TicketUpdate
	var did []triage.Reason
	assigned := false
	for _, act := range a.Actions {
		switch act {
		case ActionRaisePriority:
			if t.Priority == a.Priority && t.Priority.Rank() > 1 {
				p := triage.Priorities()[t.Priority.Rank()-2]
				u.Priority = triage.Some(p)
				did = append(did, triage.NewReason(triage.ReasonSLARaised, t.Priority, p))
			}
		case ActionAssignLead:
			if !assigned && a.LeadID != "" && t.AssigneeID == a.AssigneeID && t.AssigneeID != a.LeadID {
				u.AssigneeID, assigned = triage.Some(a.LeadID), true
				did = append(did, triage.NewReason(triage.ReasonSLAToLead))
			}
		case ActionAssignQueue:
			if !assigned && t.AssigneeID != "" && t.AssigneeID == a.AssigneeID {
				u.AssigneeID, assigned = triage.Some(""), true
				did = append(did, triage.NewReason(triage.ReasonSLAToQueue))
			}
		}
	}
	if len(did) == 0 {
		return nil
	}
	what := triage.ReasonSLABreached
	if a.Kind == OnWarning {
		what = triage.ReasonSLAWarning
	}
	u.Why = triage.Reasons{triage.NewReason(what, a.Metric, a.Target, a.PolicyName, did)}
	_, err = s.Tickets.UpdateTicket(systemContext(ctx), t.ID, t.Version, u)
	return err
}

// HandleRecompute recomputes the clocks of every active ticket, after a
// policy or calendar changed.
func (s *Service) HandleRecompute(ctx context.Context, _ triage.NoArgs) error {
	return s.eachTicket(ctx, []triage.Status{triage.StatusNew, triage.StatusOpen, triage.StatusPending}, s.Recompute)
}

// eachTicket calls fn with the id of every ticket in one of statuses,
// page by page.
func (s *Service) eachTicket(ctx context.Context, statuses []triage.Status, fn func(ctx context.Context, id string) error) error {
	f := triage.TicketFilter{Status: statuses, Limit: triage.MaxPageSize}
	for {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return err
		}
		for _, t := range page {
			if err := fn(ctx, t.ID); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}
