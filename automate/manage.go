package automate

import (
	"context"
	"fmt"

	"github.com/triagehq/triage"
)

// Automations lists every automation by kind, position, then id.
func (s *Service) Automations(ctx context.Context) ([]*triage.Automation, error) {
	return s.Store.Automations(ctx)
}

// Automation returns one automation.
func (s *Service) Automation(ctx context.Context, id string) (*triage.Automation, error) {
	return s.Store.Automation(ctx, id)
}

// Create validates and stores a new automation; without a position it
// goes after the others of its kind.
func (s *Service) Create(ctx context.Context, in triage.NewAutomation, idem *triage.Idempotency) (*triage.Automation, error) {
	now := s.now()
	a := &triage.Automation{ID: triage.NewID(), Name: in.Name, Kind: in.Kind, Events: in.Events, Match: in.Match,
		Conditions: in.Conditions, Actions: in.Actions, Age: in.Age, Stop: in.Stop, Enabled: in.Enabled == nil || *in.Enabled,
		AuthorID: triage.ActorFromContext(ctx), CreatedAt: now, UpdatedAt: now}
	if err := triage.ValidateAutomation(a); err != nil {
		return nil, err
	}
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.Automation, error) {
		if err := checkRefs(ctx, tx, a); err != nil {
			return nil, err
		}
		if in.Position != nil {
			a.Position = *in.Position
		} else {
			all, err := tx.Automations(ctx)
			if err != nil {
				return nil, err
			}
			for _, o := range all {
				if o.Kind == a.Kind && o.Position >= a.Position {
					a.Position = o.Position + 1
				}
			}
		}
		return a, tx.CreateAutomation(ctx, a)
	})
}

// Update changes an automation at version (0: any).
func (s *Service) Update(ctx context.Context, id string, version int, u triage.AutomationUpdate) (*triage.Automation, error) {
	return triage.Write(ctx, s.Store, nil, s.now(), nil, func(tx triage.Tx) (*triage.Automation, error) {
		a, err := tx.Automation(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("automation "+id, a.Version, version); err != nil {
			return nil, err
		}
		if u.Name.Set {
			a.Name = u.Name.V
		}
		if u.Events.Set {
			a.Events = u.Events.V
		}
		if u.Match.Set {
			a.Match = u.Match.V
		}
		if u.Conditions.Set {
			a.Conditions = u.Conditions.V
		}
		if u.Actions.Set {
			a.Actions = u.Actions.V
		}
		if u.Age.Set {
			a.Age = u.Age.V
		}
		if u.Position.Set {
			a.Position = u.Position.V
		}
		if u.Stop.Set {
			a.Stop = u.Stop.V
		}
		if u.Enabled.Set {
			a.Enabled = u.Enabled.V
		}
		if err := triage.ValidateAutomation(a); err != nil {
			return nil, err
		}
		if err := checkRefs(ctx, tx, a); err != nil {
			return nil, err
		}
		a.UpdatedAt = s.now()
		return a, tx.UpdateAutomation(ctx, a)
	})
}

// Delete removes an automation, with its log, at version.
func (s *Service) Delete(ctx context.Context, id string, version int) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if version == 0 {
			a, err := tx.Automation(ctx, id)
			if err != nil {
				return err
			}
			version = a.Version
		}
		return tx.DeleteAutomation(ctx, id, version)
	})
}

// Runs lists the log, newest first.
func (s *Service) Runs(ctx context.Context, f triage.AutomationRunFilter) ([]*triage.AutomationRun, error) {
	if f.Limit < 0 || f.Limit > 1000 {
		return nil, triage.Invalid("limit", "limit must be from 1 to 1000")
	}
	if f.AutomationID != "" {
		if _, err := s.Store.Automation(ctx, f.AutomationID); err != nil {
			return nil, err
		}
	}
	return s.Store.AutomationRuns(ctx, f)
}

// checkRefs makes sure the teams, agents, macros and webhooks an
// automation's actions name exist, naming the action's field when one
// does not.
func checkRefs(ctx context.Context, r triage.Reader, a *triage.Automation) error {
	for i, act := range a.Actions {
		field := fmt.Sprintf("actions[%d].value", i)
		var err error
		switch act.Type {
		case triage.ActSetTeam:
			_, err = r.Team(ctx, act.Value)
		case triage.ActSetAssignee:
			if act.Value != "" {
				_, err = r.Agent(ctx, act.Value)
			}
		case triage.ActSendMacro:
			_, err = r.Macro(ctx, act.Value)
		case triage.ActWebhook:
			_, err = r.Webhook(ctx, act.Value)
		}
		if triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid(field, "%s %q names nothing that exists", act.Type, act.Value)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// DryRun asks what an automation would do to recent tickets.
type DryRun struct {
	// Automation is an automation not saved yet; AutomationID one that is.
	Automation   *triage.NewAutomation `json:"automation,omitempty"`
	AutomationID string                `json:"automation_id,omitempty"`
	// Limit is how many of the newest tickets to try, 1 to 1000; 0 means
	// 100.
	Limit int `json:"limit"`
}

// DryRunResult is what it would have done.
type DryRunResult struct {
	Checked int          `json:"checked"`
	Fired   int          `json:"fired"`
	Items   []DryRunItem `json:"items"`
}

// DryRunItem is one ticket it would have fired on.
type DryRunItem struct {
	TicketID string              `json:"ticket_id"`
	Title    string              `json:"title"`
	Event    triage.TriggerEvent `json:"event"`
	Why      triage.Reasons      `json:"why"`
	Changes  triage.Reasons      `json:"changes"`
}

// DryRun tries an automation on the newest tickets without changing
// anything: a trigger as if its first event happened to each ticket as
// it is now, a time rule as if the sweep ran now (its age included). It
// ignores the log, so it shows what would fire again.
func (s *Service) DryRun(ctx context.Context, in DryRun) (*DryRunResult, error) {
	if in.Limit < 0 || in.Limit > 1000 {
		return nil, triage.Invalid("limit", "limit must be from 1 to 1000")
	}
	if in.Limit == 0 {
		in.Limit = 100
	}
	var a *triage.Automation
	switch {
	case in.Automation != nil && in.AutomationID != "":
		return nil, triage.Invalid("automation", "give automation or automation_id, not both")
	case in.Automation != nil:
		n := in.Automation
		a = &triage.Automation{ID: "dry-run", Name: n.Name, Kind: n.Kind, Events: n.Events, Match: n.Match,
			Conditions: n.Conditions, Actions: n.Actions, Age: n.Age, Stop: n.Stop, Enabled: true}
		if err := triage.ValidateAutomation(a); err != nil {
			if e, ok := err.(*triage.Error); ok && e.Field != "" {
				e.Field = "automation." + e.Field
			}
			return nil, err
		}
	case in.AutomationID != "":
		var err error
		if a, err = s.Store.Automation(ctx, in.AutomationID); triage.IsCode(err, triage.ENOTFOUND) {
			return nil, triage.Invalid("automation_id", "automation_id %q names no automation", in.AutomationID)
		} else if err != nil {
			return nil, err
		}
	default:
		return nil, triage.Invalid("automation", "give automation (one not saved yet) or automation_id")
	}
	res := &DryRunResult{Items: []DryRunItem{}}
	f := triage.TicketFilter{Limit: min(in.Limit, triage.MaxPageSize)}
	for res.Checked < in.Limit {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			if res.Checked == in.Limit {
				break
			}
			res.Checked++
			item, err := s.dryOne(ctx, a, t)
			if err != nil {
				return nil, err
			}
			if item != nil {
				res.Fired++
				res.Items = append(res.Items, *item)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return res, nil
}

func (s *Service) dryOne(ctx context.Context, a *triage.Automation, t *triage.Ticket) (*DryRunItem, error) {
	var events []triage.TriggerEvent
	var pre triage.Reasons
	if a.Kind == triage.AutomationTime {
		if t.Status == triage.StatusClosed {
			return nil, nil
		}
		since, err := s.since(ctx, s.Store, a.Age, t)
		if err != nil {
			return nil, err
		}
		due, err := s.due(ctx, a.Age, since)
		if err != nil || !due {
			return nil, err
		}
		pre = triage.Reasons{triage.NewReason(triage.ReasonAutomationAge, a.Age.Since, a.Age.After)}
	} else {
		events = a.Events[:1]
	}
	f, err := s.facts(ctx, s.Store, t, nil)
	if err != nil {
		return nil, err
	}
	outs, _, err := s.plan(ctx, s.Store, t, f, []*triage.Automation{a}, events, "", true)
	if err != nil || len(outs) == 0 {
		return nil, err
	}
	o := outs[0]
	return &DryRunItem{TicketID: t.ID, Title: t.Title, Event: o.event, Why: append(pre, o.why...), Changes: triage.NonNil(o.changes)}, nil
}
