package automate

import (
	"context"
	"time"

	"github.com/triagehq/triage"
)

// JobSweep checks the time rules against every ticket that is not
// closed, then queues its next run: one sweep waits at any time (its
// unique key), and each sweep re-reads what it acts on, so a crash or a
// second replica loses or doubles nothing.
const JobSweep triage.JobKind[triage.NoArgs] = "automation.sweep"

// Jobs are the jobs the service does.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobSweep.Handle(s.handleSweep)}
}

// ScheduleSweep queues the sweep at at.
func (s *Service) ScheduleSweep(ctx context.Context, at time.Time) error {
	if s.Queue == nil {
		return nil
	}
	j, err := JobSweep.Job(triage.NoArgs{})
	if err != nil {
		return err
	}
	j.UniqueKey, j.RunAt = string(JobSweep), at
	return s.Queue.Insert(ctx, j)
}

func (s *Service) handleSweep(ctx context.Context, _ triage.NoArgs) error {
	_, err := s.Sweep(ctx)
	every := s.SweepEvery
	if every <= 0 {
		every = time.Minute
	}
	if serr := s.ScheduleSweep(ctx, s.now().Add(every)); err == nil {
		err = serr
	}
	return err
}

// sweepStatuses are the statuses time rules look at: a closed ticket is
// final.
var sweepStatuses = []triage.Status{triage.StatusNew, triage.StatusOpen, triage.StatusPending, triage.StatusSolved}

// Sweep fires every enabled time rule on every ticket old enough for it
// whose conditions hold, once per stay of the ticket in its status, and
// returns how many firings it made.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	rules, err := s.enabled(ctx, triage.AutomationTime, nil)
	if err != nil || len(rules) == 0 {
		return 0, err
	}
	fired := 0
	f := triage.TicketFilter{Status: sweepStatuses, Limit: triage.MaxPageSize}
	for {
		page, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return fired, err
		}
		for _, t := range page {
			due, err := s.dueRules(ctx, rules, t)
			if err != nil {
				return fired, err
			}
			for _, a := range due {
				ok, err := s.fireTime(ctx, a, t.ID)
				if err != nil {
					return fired, err
				}
				if ok {
					fired++
				}
			}
		}
		if next == "" {
			return fired, nil
		}
		f.Cursor = next
	}
}

// dueRules are the rules that look due on t, read outside any
// transaction: old enough, conditions holding, not fired in this stay.
// Most tickets are due for nothing, and a write transaction for each
// would keep the embedded store's one writer busy for nothing.
func (s *Service) dueRules(ctx context.Context, rules []*triage.Automation, t *triage.Ticket) ([]*triage.Automation, error) {
	var out []*triage.Automation
	var f *facts
	sinces := map[string]time.Time{}
	for _, a := range rules {
		since, ok := sinces[a.Age.Since]
		if !ok {
			var err error
			if since, err = s.since(ctx, s.Store, a.Age, t); err != nil {
				return nil, err
			}
			sinces[a.Age.Since] = since
		}
		due, err := s.due(ctx, a.Age, since)
		if err != nil {
			return nil, err
		}
		if !due {
			continue
		}
		if f == nil {
			if f, err = s.facts(ctx, s.Store, t, nil); err != nil {
				return nil, err
			}
		}
		match, _, err := s.match(ctx, a, t, f)
		if err != nil {
			return nil, err
		}
		if !match {
			continue
		}
		done, err := s.Store.AutomationFired(ctx, a.ID, t.ID, timeKey(since))
		if err != nil {
			return nil, err
		}
		if !done {
			out = append(out, a)
		}
	}
	return out, nil
}

// timeKey is a time rule's key: once per stay in the status, so the
// instant the age counts from.
func timeKey(since time.Time) string { return "time:" + since.UTC().Format(time.RFC3339Nano) }

// fireTime fires one time rule on one ticket if it is due, in one
// transaction that re-reads the ticket and checks again.
func (s *Service) fireTime(ctx context.Context, a *triage.Automation, ticketID string) (bool, error) {
	ctx = asTime(ctx)
	fired := false
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil
		} else if err != nil {
			return err
		}
		since, err := s.since(ctx, tx, a.Age, t)
		if err != nil {
			return err
		}
		due, err := s.due(ctx, a.Age, since)
		if err != nil || !due {
			return err
		}
		f, err := s.facts(ctx, tx, t, nil)
		if err != nil {
			return err
		}
		key := timeKey(since)
		outs, work, err := s.plan(ctx, tx, t, f, []*triage.Automation{a}, nil, key, false)
		if err != nil || len(outs) == 0 {
			return err
		}
		outs[0].why = append(triage.Reasons{triage.NewReason(triage.ReasonAutomationAge, a.Age.Since, a.Age.After)}, outs[0].why...)
		fired = true
		return s.apply(ctx, tx, t, work, outs, key)
	})
	return fired, err
}

// since is the instant a ticket's age counts from.
func (s *Service) since(ctx context.Context, r triage.Reader, age *triage.AutomationAge, t *triage.Ticket) (time.Time, error) {
	switch age.Since {
	case triage.AgeSinceCreated:
		return t.CreatedAt, nil
	case triage.AgeSinceUpdated:
		return t.UpdatedAt, nil
	}
	hist, err := r.History(ctx, t.ID)
	if err != nil {
		return time.Time{}, err
	}
	at := t.CreatedAt
	for _, h := range hist {
		if h.Field == "status" && h.At.After(at) {
			at = h.At
		}
	}
	return at, nil
}

// due reports whether the age has passed since since.
func (s *Service) due(ctx context.Context, age *triage.AutomationAge, since time.Time) (bool, error) {
	n, unit, err := age.Duration()
	if err != nil {
		return false, err
	}
	step := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[unit]
	now := s.now()
	if !age.Business || s.Calendar == nil {
		return now.Sub(since) >= time.Duration(n)*step, nil
	}
	elapsed, day, err := s.Calendar.Elapsed(ctx, since, now)
	if err != nil {
		return false, err
	}
	if unit == 'd' {
		step = day
	}
	return elapsed >= time.Duration(n)*step, nil
}
