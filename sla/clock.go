package sla

import (
	"cmp"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Facts are what a ticket's clocks are computed from. The computation is
// a pure function of them, so the same facts always give the same clocks,
// whether a job, an event or a read asks.
type Facts struct {
	Ticket   *triage.Ticket
	History  []*triage.HistoryEntry // oldest first, as the store lists it
	Comments []*triage.Comment      // oldest first
	// Policy is the policy that covers the ticket, nil for none; Hours is
	// its calendar.
	Policy     *triage.SLAPolicy
	CalendarID string
	Hours      *Hours
	// Prev is the stored record: outcomes already decided are kept, and
	// so are the marks of warnings and breaches already handled.
	Prev *triage.TicketSLA
	Now  time.Time
}

// Compute returns the ticket's SLA record as of f.Now. Its Version is the
// stored record's, ready for SaveTicketSLA.
func Compute(f Facts) *triage.TicketSLA {
	t := f.Ticket
	r := &triage.TicketSLA{
		TicketID: t.ID, CalendarID: f.CalendarID, Priority: t.Priority, AssigneeID: t.AssigneeID,
		TeamID: t.TeamID, Category: t.Category, Targets: []triage.SLATarget{}, ComputedAt: f.Now,
	}
	var fresh []triage.SLATarget
	if f.Policy != nil && f.Hours != nil {
		r.PolicyID, r.PolicyName = f.Policy.ID, f.Policy.Name
		tl := statusTimeline(t, f.History)
		for _, c := range clocks(t, f.Comments, tl, targets(f.Policy, f.Hours)) {
			fresh = append(fresh, c.evaluate(f.Hours, f.Policy.WarnPercent, f.Now))
		}
	}
	var prev []triage.SLATarget
	if f.Prev != nil {
		prev = f.Prev.Targets
		r.Version = f.Prev.Version
	}
	r.Targets = merge(prev, fresh)
	r.NextCheckAt = nextCheck(r.Targets)
	return r
}

// segment is a stretch of time in one status; a zero end is "until now".
type segment struct {
	start, end time.Time
	status     triage.Status
}

// statusTimeline reconstructs a ticket's statuses over time from the
// status changes in its history.
func statusTimeline(t *triage.Ticket, hist []*triage.HistoryEntry) []segment {
	var segs []segment
	status, start := triage.StatusNew, t.CreatedAt
	changes := 0
	for _, h := range hist {
		if h.Field != "status" {
			continue
		}
		changes++
		if h.Old == "" { // the creation entry
			status = triage.Status(h.New)
			continue
		}
		at := h.At
		if at.Before(start) {
			at = start
		}
		segs = append(segs, segment{start, at, status})
		status, start = triage.Status(h.New), at
	}
	if changes == 0 && t.SolvedAt != nil && stopped(t.Status) {
		// A ticket written without history (an import): solved at
		// SolvedAt, open before.
		segs = append(segs, segment{t.CreatedAt, *t.SolvedAt, triage.StatusOpen})
		start = *t.SolvedAt
	}
	// The ticket's own status is the truth about now.
	return append(segs, segment{start, time.Time{}, t.Status})
}

func stopped(s triage.Status) bool { return s == triage.StatusSolved || s == triage.StatusClosed }

// firstStop is the first instant at or after from at which the ticket was
// solved or closed, if any.
func firstStop(tl []segment, from time.Time) *time.Time {
	for _, s := range tl {
		if stopped(s.status) && !s.start.Before(from) {
			at := s.start
			return &at
		}
	}
	return nil
}

// clock is one target's clock before evaluation: when it runs and when it
// stopped.
type clock struct {
	metric string
	cycle  int
	target time.Duration
	// label is the target as the policy writes it ("3d", "4h").
	label string
	start time.Time
	// spans are when the clock ran; a zero end runs on.
	spans []segment
	stop  *time.Time
}

// clocks derives every clock of a ticket: first response from creation to
// the first public reply; a next response for each requester message that
// waits for a reply; resolution over the time spent new or open, paused
// while pending, until solved. Solving stops the response clocks too: a
// solved ticket is answered.
func clocks(t *triage.Ticket, comments []*triage.Comment, tl []segment, tg map[string]policyTarget) []clock {
	var out []clock
	if d, ok := tg[triage.MetricFirstResponse]; ok {
		stop := earliest(t.FirstResponseAt, firstStop(tl, t.CreatedAt))
		out = append(out, responseClock(triage.MetricFirstResponse, 0, d, t.CreatedAt, stop))
	}
	if d, ok := tg[triage.MetricNextResponse]; ok {
		responded := t.FirstResponseAt
		var open *time.Time
		cycle := 0
		for _, c := range comments {
			at := c.CreatedAt
			switch {
			case c.FromRequester:
				if responded != nil && !at.Before(*responded) && open == nil {
					open = &at
				}
			case c.Public:
				if responded == nil {
					responded = &at
				}
				if open != nil {
					cycle++
					stop := earliest(&at, firstStop(tl, *open))
					out = append(out, responseClock(triage.MetricNextResponse, cycle, d, *open, stop))
					open = nil
				}
			}
		}
		if open != nil {
			cycle++
			out = append(out, responseClock(triage.MetricNextResponse, cycle, d, *open, firstStop(tl, *open)))
		}
	}
	if d, ok := tg[triage.MetricResolution]; ok {
		c := clock{metric: triage.MetricResolution, target: d.d, label: d.text, start: t.CreatedAt}
		for _, s := range tl {
			if s.status == triage.StatusPending || stopped(s.status) {
				continue
			}
			c.spans = append(c.spans, s)
		}
		if last := tl[len(tl)-1]; stopped(last.status) {
			// Solved (and maybe closed since): stopped when the final
			// run of solved and closed began.
			i := len(tl) - 1
			for i > 0 && stopped(tl[i-1].status) {
				i--
			}
			at := tl[i].start
			c.stop = &at
		}
		out = append(out, c)
	}
	return out
}

func responseClock(metric string, cycle int, tg policyTarget, start time.Time, stop *time.Time) clock {
	end := time.Time{}
	if stop != nil {
		end = *stop
	}
	return clock{metric: metric, cycle: cycle, target: tg.d, label: tg.text, start: start, spans: []segment{{start: start, end: end}}, stop: stop}
}

func earliest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.Before(*b):
		return a
	}
	return b
}

// reach returns the instant at which the clock has run for d, if it gets
// there: never while it is paused or after it stopped.
func (c clock) reach(h *Hours, d time.Duration) (time.Time, bool) {
	for _, s := range c.spans {
		if s.end.IsZero() {
			at, err := h.Add(s.start, d)
			return at, err == nil
		}
		e := h.Elapsed(s.start, s.end)
		if d <= e {
			at, err := h.Add(s.start, d)
			return at, err == nil
		}
		d -= e
	}
	return time.Time{}, false
}

// elapsed is the business time the clock ran before at.
func (c clock) elapsed(h *Hours, at time.Time) time.Duration {
	var sum time.Duration
	for _, s := range c.spans {
		end := s.end
		if end.IsZero() || end.After(at) {
			end = at
		}
		sum += h.Elapsed(s.start, end)
	}
	return sum
}

// evaluate states the clock as of now. A target breaches at the instant
// its business time runs out: met means stopped at or before that instant.
func (c clock) evaluate(h *Hours, warnPercent int, now time.Time) triage.SLATarget {
	t := triage.SLATarget{Metric: c.metric, Cycle: c.cycle, Target: c.label, StartedAt: c.start}
	due, dueOK := c.reach(h, c.target)
	if c.stop != nil {
		stop := *c.stop
		t.MetAt = &stop
		t.Elapsed = FormatDuration(c.elapsed(h, stop))
		switch {
		case dueOK && due.Before(stop):
			t.Status, t.DueAt, t.BreachedAt = triage.SLABreached, &due, &due
		case dueOK:
			t.Status, t.DueAt = triage.SLAMet, &due
		default:
			// Met with time to spare: show when it would have been due
			// had the clock run on from the stop.
			more := c
			more.spans = append(slices.Clone(c.spans), segment{start: stop})
			t.Status = triage.SLAMet
			if d, ok := more.reach(h, c.target); ok {
				t.DueAt = &d
			}
		}
		return t
	}
	used := c.elapsed(h, now)
	t.Elapsed = FormatDuration(used)
	if warnPercent > 0 {
		if w, ok := c.reach(h, c.target*time.Duration(warnPercent)/100); ok {
			t.WarnAt = &w
		}
	}
	switch {
	case dueOK && !due.After(now):
		t.Status, t.DueAt, t.BreachedAt = triage.SLABreached, &due, &due
	case dueOK:
		t.Status, t.DueAt = triage.SLARunning, &due
		t.Remaining = FormatDuration(c.target - used)
	default:
		t.Status = triage.SLAPaused
		t.Remaining = FormatDuration(c.target - used)
	}
	return t
}

// key identifies a target across computations.
type key struct {
	metric string
	cycle  int
}

func decided(t triage.SLATarget) bool {
	return t.Status == triage.SLAMet || t.Status == triage.SLABreached
}

// merge combines the stored targets with freshly computed ones. Outcomes
// are kept once decided, so re-prioritising a ticket (or editing its
// policy) can neither excuse a breach nor spoil a reply that met the
// target of its time:
//   - a breach stands, though its MetAt follows the facts (a late reply);
//   - a met target stays as it was while it is still met at the same
//     instant; a reopened ticket's resolution runs again;
//   - marks of handled warnings carry over while the target is unchanged.
func merge(prev, fresh []triage.SLATarget) []triage.SLATarget {
	old := map[key]triage.SLATarget{}
	for _, p := range prev {
		old[key{p.Metric, p.Cycle}] = p
	}
	var out []triage.SLATarget
	seen := map[key]bool{}
	for _, f := range fresh {
		k := key{f.Metric, f.Cycle}
		seen[k] = true
		p, ok := old[k]
		switch {
		case !ok:
			out = append(out, f)
		case p.Status == triage.SLABreached:
			p.MetAt, p.Remaining = f.MetAt, ""
			if f.MetAt != nil {
				p.Elapsed = f.Elapsed
			}
			out = append(out, p)
		case p.Status == triage.SLAMet && decided(f) && sameTime(p.MetAt, f.MetAt):
			out = append(out, p)
		default:
			if p.Target == f.Target {
				f.WarnedAt = p.WarnedAt
				f.NotifiedAt = p.NotifiedAt
			}
			out = append(out, f)
		}
	}
	for _, p := range prev {
		// A decided outcome survives a policy that no longer measures it.
		if k := (key{p.Metric, p.Cycle}); !seen[k] && decided(p) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b triage.SLATarget) int {
		return cmp.Or(cmp.Compare(slices.Index(Metrics(), a.Metric), slices.Index(Metrics(), b.Metric)), cmp.Compare(a.Cycle, b.Cycle))
	})
	if out == nil {
		out = []triage.SLATarget{}
	}
	return out
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// nextCheck is the next instant a check must run: a warning or a breach
// not yet handled. It may be in the past, when one is overdue.
func nextCheck(ts []triage.SLATarget) *time.Time {
	var next *time.Time
	for _, t := range ts {
		for _, at := range checks(t) {
			next = earliest(next, &at)
		}
	}
	if next != nil {
		at := *next
		return &at
	}
	return nil
}

// checks are the instants at which a target needs handling.
func checks(t triage.SLATarget) []time.Time {
	var out []time.Time
	if t.Status == triage.SLARunning && t.WarnAt != nil && t.WarnedAt == nil {
		out = append(out, *t.WarnAt)
	}
	if (t.Status == triage.SLARunning || t.Status == triage.SLABreached) && t.DueAt != nil && t.NotifiedAt == nil {
		out = append(out, *t.DueAt)
	}
	return out
}
