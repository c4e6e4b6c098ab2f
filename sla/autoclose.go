package sla

import (
	"context"
	"fmt"
	"time"

	"github.com/triagehq/triage"
)

// DefaultCloseSolved is how long a solved ticket waits for its requester
// before it is closed, as Zendesk's default rule does: four working days of
// the default calendar. Closing matters beyond tidiness: the classifier
// retrains on closed tickets and live accuracy is measured at close, so a
// team that only ever marks tickets solved would otherwise teach it nothing.
const DefaultCloseSolved = "4d"

// JobCloseSolved closes a ticket that has stayed solved for the
// closing time in force (the saved setting, else CloseSolved).
const JobCloseSolved triage.JobKind[CloseSolvedArgs] = "ticket.close_solved"

// CloseSolvedArgs name the ticket and the solve the job was scheduled
// for: a ticket reopened and solved again since then has a later
// SolvedAt, and its own job.
type CloseSolvedArgs struct {
	TicketID string    `json:"ticket_id"`
	SolvedAt time.Time `json:"solved_at"`
}

// ParseCloseSolved reads the setting: a business-time target such as
// "4d" or "36h", or "off" for never.
func ParseCloseSolved(s string) (*Target, error) {
	if s == "off" || s == "0" {
		return nil, nil
	}
	t, err := ParseTarget("close_solved_after", s)
	if err != nil {
		return nil, err
	}
	if t == (Target{}) {
		return nil, triage.Invalid("close_solved_after", "close_solved_after is empty: give a business time such as 4d or 36h, or off")
	}
	return &t, nil
}

// closeSolved is the closing time in force: the admins' saved setting,
// else the service's default (CloseSolved); nil when closing is off.
func (s *Service) closeSolved(ctx context.Context, r triage.Reader) (*Target, error) {
	saved, err := r.WorkflowSettings(ctx)
	if err != nil {
		return nil, err
	}
	if saved.Version == 0 {
		return s.CloseSolved, nil
	}
	return ParseCloseSolved(saved.CloseSolvedAfter)
}

// scheduleClose queues the closing of a ticket just solved, at the instant
// its solve is the closing time of business time old in the default
// calendar. Scheduling inside the solve's follow-up transaction means a
// crash cannot lose it; the unique key keeps one job per solve.
func (s *Service) scheduleClose(ctx context.Context, ticketID string) error {
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		after, err := s.closeSolved(ctx, tx)
		if err != nil || after == nil {
			return err
		}
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		if t.Status != triage.StatusSolved || t.SolvedAt == nil {
			return nil // reopened since: the next solve schedules it
		}
		at, err := closeAt(ctx, tx, after, *t.SolvedAt)
		if err != nil {
			return err
		}
		j, err := JobCloseSolved.Job(CloseSolvedArgs{TicketID: t.ID, SolvedAt: *t.SolvedAt})
		if err != nil {
			return err
		}
		// The closing time is in the key: after an admin shortens it, the
		// sweep queues the earlier close beside the waiting later one,
		// which then finds the ticket closed.
		j.RunAt, j.UniqueKey = at, fmt.Sprintf("ticket.close_solved:%s:%d:%s", t.ID, t.SolvedAt.UnixMicro(), after)
		return tx.Enqueue(ctx, j)
	})
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	}
	return err
}

// closeAt is when a ticket solved at solved is closed after after.
func closeAt(ctx context.Context, r triage.Reader, after *Target, solved time.Time) (time.Time, error) {
	cal, err := calendarOf(ctx, r, "")
	if err != nil {
		return time.Time{}, err
	}
	h, err := Compile(cal)
	if err != nil {
		return time.Time{}, fmt.Errorf("sla: calendar %s: %w", cal.ID, err)
	}
	d, err := after.In(h)
	if err != nil {
		return time.Time{}, err
	}
	return h.Add(solved, d)
}

// HandleCloseSolved closes the ticket if it is still in the solve the job
// was scheduled for, through the ticket service at the version read, so
// history, events and the close-time measures follow as for a person's
// close; a concurrent change makes it retry and look again.
func (s *Service) HandleCloseSolved(ctx context.Context, a CloseSolvedArgs) error {
	if a.TicketID == "" {
		return triage.Invalid("args", "a close_solved job names no ticket")
	}
	if s.Tickets == nil {
		return nil
	}
	after, err := s.closeSolved(ctx, s.Store)
	if err != nil || after == nil {
		return err // closing was turned off since
	}
	t, err := s.Store.Ticket(ctx, a.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if t.Status != triage.StatusSolved || t.SolvedAt == nil || !t.SolvedAt.Equal(a.SolvedAt) {
		return nil
	}
	if at, err := closeAt(ctx, s.Store, after, *t.SolvedAt); err != nil {
		return err
	} else if s.now().Before(at) {
		// The default calendar or the setting changed since: a job
		// for the new instant.
		return s.scheduleClose(ctx, t.ID)
	}
	u := triage.TicketUpdate{
		Status: triage.Some(triage.StatusClosed),
		Why:    triage.Reasons{triage.NewReason(triage.ReasonSolvedClosed, after.String())},
	}
	_, err = s.Tickets.UpdateTicket(closeContext(ctx), t.ID, t.Version, u)
	return err
}

// closeContext is how the closing appears in a ticket's history.
func closeContext(ctx context.Context) context.Context {
	return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "automation", Name: "自动化", Role: triage.RoleAdmin})
}

// JobCloseSweep schedules the closing of every ticket that is solved:
// those solved before closing was turned on, or by a version without it.
// It runs once a minute after a start, off the start's path; the unique
// keys of the close jobs make repeating it harmless.
const JobCloseSweep triage.JobKind[triage.NoArgs] = "ticket.close_solved_sweep"

// ScheduleCloseSweep queues the sweep; one waits at any time. It is
// queued whether closing is on or not (an admin may turn it on later, and
// then queues it again); the sweep looks at the setting when it runs.
func (s *Service) ScheduleCloseSweep(ctx context.Context, at time.Time) error {
	if s.Queue == nil {
		return nil
	}
	j, err := JobCloseSweep.Job(triage.NoArgs{})
	if err != nil {
		return err
	}
	j.UniqueKey, j.RunAt = string(JobCloseSweep), at
	return s.Queue.Insert(ctx, j)
}

// HandleCloseSweep schedules the close of each solved ticket.
func (s *Service) HandleCloseSweep(ctx context.Context, _ triage.NoArgs) error {
	if after, err := s.closeSolved(ctx, s.Store); err != nil || after == nil {
		return err
	}
	return s.eachTicket(ctx, []triage.Status{triage.StatusSolved}, s.scheduleClose)
}
