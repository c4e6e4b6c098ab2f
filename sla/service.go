package sla

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/triagehq/triage"
)

// Service is SLA and satisfaction over a triage.Store. Its zero value is
// not usable; set Store.
type Service struct {
	Store triage.Store
	// Tickets changes tickets for escalations. The ticket service
	// (desk.Service) is the one to give: its history, events and routing
	// then follow an escalation as any other change. Nil leaves tickets
	// alone and only records and announces warnings and breaches.
	Tickets TicketUpdater
	// SurveyURL is the start of survey links: a link is SurveyURL followed
	// by the token, e.g. https://help.example.com/v1/csat/.
	SurveyURL string
	// CloseSolved is how long a ticket stays solved before the service
	// closes it (see DefaultCloseSolved) until an admin saves the
	// workflow settings, whose close_solved_after then holds; nil leaves
	// solved tickets alone.
	CloseSolved *Target
	// Queue takes the sweep that schedules the closing of tickets solved
	// before closing was on; nil skips it.
	Queue triage.Queue
	// Mailer says whether a survey link can reach a ticket's requester (the
	// e-mail channel, which mails it on EventCSATRequested); a link made by
	// hand goes only that way, never back to staff. Nil refuses such links.
	Mailer SurveyMailer
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// SurveyMailer is the channel that mails survey links (email.Service).
type SurveyMailer interface {
	// CanMailSurvey returns why a survey link cannot be mailed to t's
	// requester (no address, a channel answered elsewhere, no outbound
	// mail), or nil.
	CanMailSurvey(t *triage.Ticket) error
}

// TicketUpdater changes a ticket at a version, as desk.Service does.
type TicketUpdater interface {
	UpdateTicket(ctx context.Context, id string, version int, u triage.TicketUpdate) (*triage.Ticket, error)
}

// Job kinds this package handles. The events it emits (sla.warning,
// sla.breached, csat.requested, csat.received) are in the root's catalogue.
const (
	// JobCheck re-checks a ticket's clocks at a warning or due instant.
	JobCheck triage.JobKind[CheckArgs] = "sla.check"
	// JobEscalate carries out the ticket-changing escalations of a
	// warning or breach.
	JobEscalate triage.JobKind[EscalateArgs] = "sla.escalate"
	// JobRecompute recomputes the clocks of every active ticket after a
	// policy or calendar changed.
	JobRecompute triage.JobKind[triage.NoArgs] = "sla.recompute"
)

// Jobs are the jobs the service does.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobCheck.Handle(s.HandleCheck), JobEscalate.Handle(s.HandleEscalate), JobRecompute.Handle(s.HandleRecompute),
		JobCloseSolved.Handle(s.HandleCloseSolved), JobCloseSweep.Handle(s.HandleCloseSweep)}
}

// Subscriptions: every ticket change recomputes the ticket's clocks, and a
// solve sends the satisfaction survey.
func (s *Service) Subscriptions() []triage.Subscription {
	var out []triage.Subscription
	for _, k := range triage.TicketEvents() {
		out = append(out, k.On(s.HandleEvent))
	}
	return out
}

// systemActor is how escalations appear in ticket history: changes made
// by the service on its own behalf, through the ticket service.
func systemContext(ctx context.Context) context.Context {
	return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "sla", Name: "SLA", Role: triage.RoleAdmin})
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

// Seed gives a new store the shipped calendar of Chinese holidays as its
// default calendar and one default policy per priority. It does nothing
// once the store has any calendar, so edits and deletions survive
// restarts.
func (s *Service) Seed(ctx context.Context) error {
	have, err := s.Store.Calendars(ctx)
	if err != nil || len(have) > 0 {
		return err
	}
	cal, err := ChinaCalendar()
	if err != nil {
		return err
	}
	now := s.now()
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if have, err := tx.Calendars(ctx); err != nil || len(have) > 0 {
			return err // another replica seeded first
		}
		cal.ID, cal.Default, cal.CreatedAt, cal.UpdatedAt = triage.NewID(), true, now, now
		if err := tx.CreateCalendar(ctx, cal); err != nil {
			return err
		}
		existing, err := tx.SLAPolicies(ctx)
		if err != nil || len(existing) > 0 {
			return err
		}
		for _, p := range DefaultPolicies() {
			p.ID, p.CreatedAt, p.UpdatedAt = triage.NewID(), now, now
			if err := tx.CreateSLAPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// --- calendars ---

// Calendars lists every calendar.
func (s *Service) Calendars(ctx context.Context) ([]*triage.Calendar, error) {
	return s.Store.Calendars(ctx)
}

// Calendar returns one calendar.
func (s *Service) Calendar(ctx context.Context, id string) (*triage.Calendar, error) {
	return s.Store.Calendar(ctx, id)
}

// CreateCalendar validates and stores a calendar. The first calendar, or
// one created with default set, becomes the default.
func (s *Service) CreateCalendar(ctx context.Context, in triage.NewCalendar, idem *triage.Idempotency) (*triage.Calendar, error) {
	c := newCalendar(in)
	if err := ValidateCalendar(c); err != nil {
		return nil, err
	}
	now := s.now()
	c.ID, c.CreatedAt, c.UpdatedAt = triage.NewID(), now, now
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.Calendar, error) {
		all, err := tx.Calendars(ctx)
		if err != nil {
			return nil, err
		}
		if len(all) == 0 {
			c.Default = true
		}
		if c.Default {
			if err := unsetDefault(ctx, tx, all, now); err != nil {
				return nil, err
			}
		}
		if err := tx.CreateCalendar(ctx, c); err != nil {
			return nil, err
		}
		if c.Default {
			return c, recomputeLater(ctx, tx, now)
		}
		return c, nil
	})
}

// UpdateCalendar changes a calendar at a version (0: any). Every running
// clock on it is recomputed.
func (s *Service) UpdateCalendar(ctx context.Context, id string, version int, u triage.CalendarUpdate) (*triage.Calendar, error) {
	now := s.now()
	return triage.Write(ctx, s.Store, nil, now, nil, func(tx triage.Tx) (*triage.Calendar, error) {
		c, err := tx.Calendar(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("calendar "+id, c.Version, version); err != nil {
			return nil, err
		}
		wasDefault := c.Default
		if err := applyCalendarUpdate(c, u); err != nil {
			return nil, err
		}
		if c.Default && !wasDefault {
			all, err := tx.Calendars(ctx)
			if err != nil {
				return nil, err
			}
			if err := unsetDefault(ctx, tx, all, now); err != nil {
				return nil, err
			}
		}
		c.UpdatedAt = now
		if err := tx.UpdateCalendar(ctx, c); err != nil {
			return nil, err
		}
		return c, recomputeLater(ctx, tx, now)
	})
}

func unsetDefault(ctx context.Context, tx triage.Tx, all []*triage.Calendar, now time.Time) error {
	for _, o := range all {
		if o.Default {
			o.Default, o.UpdatedAt = false, now
			if err := tx.UpdateCalendar(ctx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteCalendar removes a calendar no policy uses. The default calendar
// stays: make another one the default first.
func (s *Service) DeleteCalendar(ctx context.Context, id string, version int) error {
	_, err := triage.Write(ctx, s.Store, nil, s.now(), nil, func(tx triage.Tx) (struct{}, error) {
		c, err := tx.Calendar(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := triage.CheckVersion("calendar "+id, c.Version, version); err != nil {
			return struct{}{}, err
		}
		if c.Default {
			return struct{}{}, triage.Errorf(triage.ECONFLICT, "calendar %s is the default; make another calendar the default first", c.Name)
		}
		policies, err := tx.SLAPolicies(ctx)
		if err != nil {
			return struct{}{}, err
		}
		for _, p := range policies {
			if p.CalendarID == id {
				return struct{}{}, triage.Errorf(triage.ECONFLICT, "SLA policy %q uses calendar %s; change the policy first", p.Name, c.Name)
			}
		}
		return struct{}{}, tx.DeleteCalendar(ctx, id, c.Version)
	})
	return err
}

// BusinessTime is the answer of the business-time calculator.
type BusinessTime struct {
	CalendarID string    `json:"calendar_id"`
	From       time.Time `json:"from"`
	// Add and Due: Due is when Add of business time has passed since From.
	Add string     `json:"add,omitempty"`
	Due *time.Time `json:"due,omitempty"`
	// To and Elapsed: Elapsed is the business time between From and To.
	To      *time.Time `json:"to,omitempty"`
	Elapsed string     `json:"elapsed,omitempty"`
	// Open says whether From is within business hours.
	Open bool `json:"open"`
}

// Calculate adds business time to an instant (add) or measures it between
// two (to), in a calendar: what a target would do.
func (s *Service) Calculate(ctx context.Context, calendarID string, from time.Time, add string, to time.Time) (*BusinessTime, error) {
	if from.IsZero() {
		return nil, triage.Invalid("from", "from is required")
	}
	if (add == "") == to.IsZero() {
		return nil, triage.Invalid("add", "give either add (a duration like 8h) or to (a time)")
	}
	c, err := s.Store.Calendar(ctx, calendarID)
	if err != nil {
		return nil, err
	}
	h, err := Compile(c)
	if err != nil {
		return nil, err
	}
	// Times are in UTC, as everywhere in the API; the calendar's zone is
	// the calendar's time_zone.
	out := &BusinessTime{CalendarID: c.ID, From: from.UTC(), Open: h.Open(from)}
	if add != "" {
		tg, err := ParseTarget("add", add)
		if err != nil {
			return nil, err
		}
		d, err := tg.In(h)
		if err != nil {
			return nil, triage.Invalid("add", "add: %s", triage.ErrorMessageOrText(err))
		}
		due, err := h.Add(from, d)
		if err != nil {
			return nil, err
		}
		due = due.UTC()
		out.Add, out.Due = tg.String(), &due
		return out, nil
	}
	if !to.After(from) {
		return nil, triage.Invalid("to", "to must be after from")
	}
	t := to.UTC()
	out.To, out.Elapsed = &t, FormatDuration(h.Elapsed(from, to))
	return out, nil
}

// --- policies ---

// Policies lists every policy.
func (s *Service) Policies(ctx context.Context) ([]*triage.SLAPolicy, error) {
	return s.Store.SLAPolicies(ctx)
}

// Policy returns one policy.
func (s *Service) Policy(ctx context.Context, id string) (*triage.SLAPolicy, error) {
	return s.Store.SLAPolicy(ctx, id)
}

// CreatePolicy validates and stores a policy; the clocks of active tickets
// are recomputed in the background.
func (s *Service) CreatePolicy(ctx context.Context, in triage.NewSLAPolicy, idem *triage.Idempotency) (*triage.SLAPolicy, error) {
	p := newPolicy(in)
	if err := ValidatePolicy(p); err != nil {
		return nil, err
	}
	now := s.now()
	p.ID, p.CreatedAt, p.UpdatedAt = triage.NewID(), now, now
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.SLAPolicy, error) {
		if err := checkPolicyRefs(ctx, tx, p); err != nil {
			return nil, err
		}
		if err := tx.CreateSLAPolicy(ctx, p); err != nil {
			return nil, err
		}
		return p, recomputeLater(ctx, tx, now)
	})
}

// UpdatePolicy changes a policy at a version (0: any).
func (s *Service) UpdatePolicy(ctx context.Context, id string, version int, u triage.SLAPolicyUpdate) (*triage.SLAPolicy, error) {
	now := s.now()
	return triage.Write(ctx, s.Store, nil, now, nil, func(tx triage.Tx) (*triage.SLAPolicy, error) {
		p, err := tx.SLAPolicy(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("SLA policy "+id, p.Version, version); err != nil {
			return nil, err
		}
		if err := applyPolicyUpdate(p, u); err != nil {
			return nil, err
		}
		if err := checkPolicyRefs(ctx, tx, p); err != nil {
			return nil, err
		}
		p.UpdatedAt = now
		if err := tx.UpdateSLAPolicy(ctx, p); err != nil {
			return nil, err
		}
		return p, recomputeLater(ctx, tx, now)
	})
}

// DeletePolicy removes a policy at a version (0: any).
func (s *Service) DeletePolicy(ctx context.Context, id string, version int) error {
	now := s.now()
	_, err := triage.Write(ctx, s.Store, nil, now, nil, func(tx triage.Tx) (struct{}, error) {
		p, err := tx.SLAPolicy(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := triage.CheckVersion("SLA policy "+id, p.Version, version); err != nil {
			return struct{}{}, err
		}
		if err := tx.DeleteSLAPolicy(ctx, id, p.Version); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, recomputeLater(ctx, tx, now)
	})
	return err
}

func checkPolicyRefs(ctx context.Context, tx triage.Reader, p *triage.SLAPolicy) error {
	if p.TeamID != "" {
		if _, err := tx.Team(ctx, p.TeamID); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid("team_id", "team_id %q names no team", p.TeamID)
		} else if err != nil {
			return err
		}
	}
	if p.CalendarID != "" {
		if _, err := tx.Calendar(ctx, p.CalendarID); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid("calendar_id", "calendar_id %q names no calendar", p.CalendarID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// recomputeLater queues one recomputation of every active ticket; the
// unique key folds a burst of edits into one run.
func recomputeLater(ctx context.Context, tx triage.Tx, now time.Time) error {
	j, err := JobRecompute.Job(triage.NoArgs{})
	if err != nil {
		return err
	}
	j.UniqueKey, j.RunAt = "sla.recompute", now.Add(time.Second)
	return tx.Enqueue(ctx, j)
}

// --- per-ticket clocks ---

// TicketView is a ticket's SLA clocks as of now, with the warnings and
// breaches recorded so far.
type TicketView struct {
	*triage.TicketSLA
	Events []*triage.SLAEvent `json:"events"`
}

// Ticket returns a ticket's clocks computed as of now from the stored
// facts, so that the answer never lags behind the job queue.
func (s *Service) Ticket(ctx context.Context, ticketID string) (*TicketView, error) {
	f, err := s.facts(ctx, s.Store, ticketID, s.now())
	if err != nil {
		return nil, err
	}
	events, err := s.Store.SLAEvents(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	return &TicketView{TicketSLA: Compute(f), Events: events}, nil
}

// facts reads what a ticket's clocks depend on.
func (s *Service) facts(ctx context.Context, r triage.Reader, ticketID string, now time.Time) (Facts, error) {
	f := Facts{Now: now}
	t, err := r.Ticket(ctx, ticketID)
	if err != nil {
		return f, err
	}
	f.Ticket = t
	if f.History, err = r.History(ctx, ticketID); err != nil {
		return f, err
	}
	if f.Comments, err = r.Comments(ctx, ticketID); err != nil {
		return f, err
	}
	policies, err := r.SLAPolicies(ctx)
	if err != nil {
		return f, err
	}
	if f.Policy = Match(policies, t); f.Policy != nil {
		cal, err := calendarOf(ctx, r, f.Policy.CalendarID)
		if err != nil {
			return f, err
		}
		if f.Hours, err = Compile(cal); err != nil {
			return f, fmt.Errorf("sla: calendar %s: %w", cal.ID, err)
		}
		f.CalendarID = cal.ID
	}
	prev, err := r.TicketSLA(ctx, ticketID)
	switch {
	case err == nil:
		f.Prev = prev
	case !triage.IsCode(err, triage.ENOTFOUND):
		return f, err
	}
	return f, nil
}

// calendarOf returns the calendar of a policy: its own, else the store's
// default, else the shipped Chinese calendar (a store that was never
// seeded still measures in business hours).
func calendarOf(ctx context.Context, r triage.Reader, id string) (*triage.Calendar, error) {
	if id != "" {
		c, err := r.Calendar(ctx, id)
		if err == nil || !triage.IsCode(err, triage.ENOTFOUND) {
			return c, err
		}
	}
	all, err := r.Calendars(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.Default {
			return c, nil
		}
	}
	return ChinaCalendar()
}

// Recompute brings a ticket's stored clocks up to date and schedules the
// checks they need. It is what every ticket event triggers.
//
// The facts are read from what is committed before the transaction begins,
// and inside it only the ticket's and the record's versions are checked:
// six reads and a calendar compiled on the store's single writer (SQLite)
// would make every other write wait. When either has moved since, the
// facts are read again inside.
func (s *Service) Recompute(ctx context.Context, ticketID string) error {
	now := s.now()
	pre, err := s.facts(ctx, s.Store, ticketID, now)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil // the ticket is gone: nothing to keep
	} else if err != nil {
		return err
	}
	err = s.updateRecord(ctx, func(tx triage.Tx) error {
		f := pre
		current, err := s.unchanged(ctx, tx, pre)
		if err != nil {
			return err
		}
		if !current {
			if f, err = s.facts(ctx, tx, ticketID, now); err != nil {
				return err
			}
		}
		r := Compute(f)
		if err := tx.SaveTicketSLA(ctx, r); err != nil {
			return err
		}
		return scheduleNext(ctx, tx, r, now)
	})
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil // the ticket is gone: nothing to keep
	}
	return err
}

// unchanged reports whether the ticket and its SLA record in tx are still
// at the versions f was read at. The other facts (history, comments) change
// only with the ticket, which every such change saves at a new version.
func (s *Service) unchanged(ctx context.Context, tx triage.Reader, f Facts) (bool, error) {
	t, err := tx.Ticket(ctx, f.Ticket.ID)
	if err != nil {
		return false, err
	}
	if t.Version != f.Ticket.Version || !t.UpdatedAt.Equal(f.Ticket.UpdatedAt) {
		return false, nil
	}
	prev, err := tx.TicketSLA(ctx, f.Ticket.ID)
	switch {
	case triage.IsCode(err, triage.ENOTFOUND):
		return f.Prev == nil, nil
	case err != nil:
		return false, err
	}
	return f.Prev != nil && prev.Version == f.Prev.Version, nil
}

// recordAttempts bounds updateRecord's retries.
const recordAttempts = 5

// updateRecord runs fn, which reads a ticket's facts and saves its SLA
// record at the version it read, in a transaction, again when another
// writer saved the record first. With several job workers (PostgreSQL),
// a ticket's events, checks and recomputes run at once; each attempt
// reads afresh, so the last writer computes from everything, and the
// job does not fail into river's backoff for a race it can settle now.
func (s *Service) updateRecord(ctx context.Context, fn func(tx triage.Tx) error) error {
	var err error
	for range recordAttempts {
		err = s.Store.Update(ctx, fn)
		if !triage.IsCode(err, triage.ESTALE) && !triage.IsCode(err, triage.ECONFLICT) {
			return err
		}
	}
	return err
}

// CheckArgs are the arguments of a check job.
type CheckArgs struct {
	TicketID string    `json:"ticket_id"`
	At       time.Time `json:"at"`
}

// schedule queues a check at each instant the record needs one. The
// unique key makes a check already waiting for the same instant absorb
// the new one, so recomputing often does not pile up jobs.
func schedule(ctx context.Context, tx triage.Tx, r *triage.TicketSLA, now time.Time) error {
	seen := map[time.Time]bool{}
	for _, t := range r.Targets {
		for _, at := range checks(t) {
			if seen[at] {
				continue
			}
			seen[at] = true
			if err := enqueueCheck(ctx, tx, r.TicketID, at, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// scheduleNext queues a check at the earliest instant the record needs
// one, and none after it: that check (HandleCheck) schedules every later
// instant when it runs. Recompute follows every ticket event, on the
// store's one writer (SQLite); a job insert for each warning and due time
// of each target was most of what it wrote. Checks queued earlier for
// instants the clocks no longer have stay and find nothing to do.
func scheduleNext(ctx context.Context, tx triage.Tx, r *triage.TicketSLA, now time.Time) error {
	var next time.Time
	for _, t := range r.Targets {
		for _, at := range checks(t) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	if next.IsZero() {
		return nil
	}
	return enqueueCheck(ctx, tx, r.TicketID, next, now)
}

// enqueueCheck queues a check of a ticket's clocks at an instant, at once
// when the instant has passed.
func enqueueCheck(ctx context.Context, tx triage.Tx, ticketID string, at, now time.Time) error {
	j, err := JobCheck.Job(CheckArgs{TicketID: ticketID, At: at})
	if err != nil {
		return err
	}
	j.RunAt, j.UniqueKey = at, fmt.Sprintf("sla.check:%s:%d", ticketID, at.UnixMicro())
	if !at.After(now) {
		j.RunAt = time.Time{}
	}
	return tx.Enqueue(ctx, j)
}
