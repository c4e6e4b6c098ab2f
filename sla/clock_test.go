package sla

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// story builds the facts of one ticket's life, on the Chinese calendar,
// starting on a working Monday at 09:00.
type story struct {
	t        *testing.T
	ticket   *triage.Ticket
	hist     []*triage.HistoryEntry
	comments []*triage.Comment
	policy   *triage.SLAPolicy
	hours    *Hours
}

var monday = cst(2026, 3, 16, 9, 0)

func newStory(t *testing.T, p *triage.SLAPolicy) *story {
	s := &story{t: t, policy: p, hours: chinaHours(t)}
	s.ticket = &triage.Ticket{ID: "t-1", Title: "退款", Status: triage.StatusNew, Priority: p.Priority, CreatedAt: monday, UpdatedAt: monday}
	s.hist = []*triage.HistoryEntry{{TicketID: "t-1", Field: "status", New: "new", At: monday}}
	return s
}

func (s *story) status(at time.Time, to triage.Status) {
	s.hist = append(s.hist, &triage.HistoryEntry{TicketID: "t-1", Field: "status", Old: string(s.ticket.Status), New: string(to), At: at})
	s.ticket.Status = to
	switch to {
	case triage.StatusSolved:
		s.ticket.SolvedAt = &at
	case triage.StatusOpen:
		s.ticket.SolvedAt = nil
	}
}

func (s *story) reply(at time.Time) {
	s.comments = append(s.comments, &triage.Comment{TicketID: "t-1", Public: true, AuthorID: "a-1", CreatedAt: at})
	if s.ticket.FirstResponseAt == nil {
		s.ticket.FirstResponseAt = &at
	}
	if s.ticket.Status == triage.StatusNew {
		s.status(at, triage.StatusOpen)
	}
}

func (s *story) note(at time.Time) {
	s.comments = append(s.comments, &triage.Comment{TicketID: "t-1", Public: false, AuthorID: "a-1", CreatedAt: at})
}

func (s *story) customer(at time.Time) {
	s.comments = append(s.comments, &triage.Comment{TicketID: "t-1", Public: true, FromRequester: true, CreatedAt: at})
	if s.ticket.Status == triage.StatusPending || s.ticket.Status == triage.StatusSolved {
		s.status(at, triage.StatusOpen)
	}
}

func (s *story) compute(now time.Time, prev *triage.TicketSLA) *triage.TicketSLA {
	return Compute(Facts{Ticket: s.ticket, History: s.hist, Comments: s.comments, Policy: s.policy, CalendarID: "c-1", Hours: s.hours, Prev: prev, Now: now})
}

func target(t *testing.T, r *triage.TicketSLA, metric string, cycle int) triage.SLATarget {
	t.Helper()
	for _, x := range r.Targets {
		if x.Metric == metric && x.Cycle == cycle {
			return x
		}
	}
	t.Fatalf("no %s target (cycle %d) in %+v", metric, cycle, r.Targets)
	return triage.SLATarget{}
}

func timeIs(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want.In(shanghai))
	}
}

func policy(first, next, res string) *triage.SLAPolicy {
	return &triage.SLAPolicy{ID: "p-1", Name: "test", Priority: triage.P3, FirstResponse: first, NextResponse: next, Resolution: res, WarnPercent: 80}
}

func TestFirstResponse(t *testing.T) {
	cases := []struct {
		name   string
		play   func(s *story)
		now    time.Time
		status string
		due    time.Time
		warn   time.Time
	}{
		{"running", func(*story) {}, monday.Add(time.Hour), triage.SLARunning, cst(2026, 3, 16, 11, 0), cst(2026, 3, 16, 10, 36)},
		{"met by a reply", func(s *story) { s.reply(monday.Add(90 * time.Minute)) }, monday.Add(5 * time.Hour), triage.SLAMet, cst(2026, 3, 16, 11, 0), time.Time{}},
		{"a reply exactly at the target meets it", func(s *story) { s.reply(cst(2026, 3, 16, 11, 0)) }, monday.Add(5 * time.Hour), triage.SLAMet, cst(2026, 3, 16, 11, 0), time.Time{}},
		{"a note is no reply", func(s *story) { s.note(monday.Add(time.Minute)) }, cst(2026, 3, 16, 10, 59), triage.SLARunning, cst(2026, 3, 16, 11, 0), cst(2026, 3, 16, 10, 36)},
		{"breached at the instant", func(*story) {}, cst(2026, 3, 16, 11, 0), triage.SLABreached, cst(2026, 3, 16, 11, 0), time.Time{}},
		{"a late reply is a breach", func(s *story) { s.reply(cst(2026, 3, 16, 11, 1)) }, cst(2026, 3, 16, 12, 0), triage.SLABreached, cst(2026, 3, 16, 11, 0), time.Time{}},
		{"pending does not pause it", func(s *story) { s.status(monday.Add(time.Minute), triage.StatusPending) }, cst(2026, 3, 16, 11, 0), triage.SLABreached, cst(2026, 3, 16, 11, 0), time.Time{}},
		{"solving without a reply stops it", func(s *story) { s.status(monday.Add(time.Hour), triage.StatusSolved) }, cst(2026, 3, 17, 9, 0), triage.SLAMet, cst(2026, 3, 16, 11, 0), time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStory(t, policy("2h", "", ""))
			c.play(s)
			r := s.compute(c.now, nil)
			got := target(t, r, triage.MetricFirstResponse, 0)
			if got.Status != c.status {
				t.Fatalf("status %s, want %s: %+v", got.Status, c.status, got)
			}
			timeIs(t, "due", got.DueAt, c.due)
			if !c.warn.IsZero() {
				timeIs(t, "warn", got.WarnAt, c.warn)
			}
			if got.Status == triage.SLABreached {
				timeIs(t, "breached", got.BreachedAt, c.due)
			}
		})
	}
}

func TestNextResponseCycles(t *testing.T) {
	s := newStory(t, policy("1h", "2h", ""))
	s.customer(monday.Add(10 * time.Minute)) // before the first reply: the first response covers it
	s.reply(monday.Add(30 * time.Minute))
	s.customer(cst(2026, 3, 16, 10, 0)) // cycle 1
	s.customer(cst(2026, 3, 16, 10, 5)) // same cycle
	s.reply(cst(2026, 3, 16, 11, 0))    // meets cycle 1
	s.customer(cst(2026, 3, 16, 17, 0)) // cycle 2: 1h today, 1h tomorrow
	r := s.compute(cst(2026, 3, 17, 9, 30), nil)
	if n := len(r.Targets); n != 3 {
		t.Fatalf("%d targets, want first response and two cycles: %+v", n, r.Targets)
	}
	c1 := target(t, r, triage.MetricNextResponse, 1)
	if c1.Status != triage.SLAMet || c1.Elapsed != "1h" {
		t.Fatalf("cycle 1: %+v", c1)
	}
	c2 := target(t, r, triage.MetricNextResponse, 2)
	if c2.Status != triage.SLARunning || c2.Remaining != "30m" {
		t.Fatalf("cycle 2: %+v", c2)
	}
	timeIs(t, "cycle 2 due", c2.DueAt, cst(2026, 3, 17, 10, 0))
}

func TestResolutionPauses(t *testing.T) {
	s := newStory(t, policy("", "", "4h"))
	s.reply(monday.Add(time.Hour))                        // 1h used
	s.status(monday.Add(time.Hour), triage.StatusPending) // paused
	r := s.compute(cst(2026, 3, 16, 15, 0), nil)
	res := target(t, r, triage.MetricResolution, 0)
	if res.Status != triage.SLAPaused || res.DueAt != nil || res.Remaining != "3h" {
		t.Fatalf("while pending: %+v", res)
	}
	// Without the pause it would have been due at 13:00; it resumes the
	// next morning with 3h left.
	s.customer(cst(2026, 3, 17, 9, 0))
	r = s.compute(cst(2026, 3, 17, 9, 0), r)
	res = target(t, r, triage.MetricResolution, 0)
	timeIs(t, "due after the pause", res.DueAt, cst(2026, 3, 17, 12, 0))
	// Solved, reopened, solved: the solved time does not count either.
	s.status(cst(2026, 3, 17, 10, 0), triage.StatusSolved)
	r = s.compute(cst(2026, 3, 17, 10, 0), r)
	if res = target(t, r, triage.MetricResolution, 0); res.Status != triage.SLAMet || res.Elapsed != "2h" {
		t.Fatalf("solved: %+v", res)
	}
	s.customer(cst(2026, 3, 18, 9, 0))
	r = s.compute(cst(2026, 3, 18, 9, 0), r)
	res = target(t, r, triage.MetricResolution, 0)
	timeIs(t, "due after reopening", res.DueAt, cst(2026, 3, 18, 11, 0))
	if res.Status != triage.SLARunning {
		t.Fatalf("a reopened ticket's resolution runs again: %+v", res)
	}
}

// TestOutcomesStand: a breach survives a priority change that would have
// excused it, and a met target survives one that would have failed it.
func TestOutcomesStand(t *testing.T) {
	s := newStory(t, policy("1h", "", "4h"))
	r := s.compute(cst(2026, 3, 16, 10, 30), nil) // first response breached at 10:00
	if fr := target(t, r, triage.MetricFirstResponse, 0); fr.Status != triage.SLABreached {
		t.Fatalf("want a breach: %+v", fr)
	}
	notified := cst(2026, 3, 16, 10, 0)
	r.Targets[0].NotifiedAt = &notified
	s.policy = policy("8h", "", "4h") // a lower priority's policy
	s.reply(cst(2026, 3, 16, 10, 45))
	r = s.compute(cst(2026, 3, 16, 11, 0), r)
	fr := target(t, r, triage.MetricFirstResponse, 0)
	if fr.Status != triage.SLABreached || fr.Target != "1h" || fr.NotifiedAt == nil {
		t.Fatalf("the breach was excused: %+v", fr)
	}
	timeIs(t, "late reply", fr.MetAt, cst(2026, 3, 16, 10, 45))

	s2 := newStory(t, policy("2h", "", ""))
	s2.reply(cst(2026, 3, 16, 10, 30))
	r2 := s2.compute(cst(2026, 3, 16, 10, 30), nil)
	s2.policy = policy("1h", "", "") // escalated to a stricter policy
	r2 = s2.compute(cst(2026, 3, 16, 12, 0), r2)
	if fr := target(t, r2, triage.MetricFirstResponse, 0); fr.Status != triage.SLAMet || fr.Target != "2h" {
		t.Fatalf("a reply in time turned into a breach: %+v", fr)
	}
}

func TestRetargetRunningClock(t *testing.T) {
	s := newStory(t, policy("4h", "", ""))
	r := s.compute(monday.Add(time.Hour), nil)
	warned := monday.Add(time.Hour)
	r.Targets[0].WarnedAt = &warned
	s.policy = policy("2h", "", "")
	r = s.compute(monday.Add(time.Hour), r)
	fr := target(t, r, triage.MetricFirstResponse, 0)
	timeIs(t, "retargeted due", fr.DueAt, cst(2026, 3, 16, 11, 0))
	if fr.WarnedAt != nil {
		t.Fatalf("a warning about the old target must not silence the new one")
	}
	timeIs(t, "next check", r.NextCheckAt, cst(2026, 3, 16, 10, 36))
}

func TestNoPolicy(t *testing.T) {
	s := newStory(t, policy("1h", "", ""))
	s.policy = nil
	r := s.compute(monday, nil)
	if r.PolicyID != "" || len(r.Targets) != 0 || r.Targets == nil || r.NextCheckAt != nil {
		t.Fatalf("without a policy: %+v", r)
	}
}

func TestTimelineWithoutHistory(t *testing.T) {
	// An imported ticket has no history: solved at SolvedAt, open before.
	s := newStory(t, policy("", "", "4h"))
	s.hist = nil
	solved := cst(2026, 3, 16, 12, 0)
	s.ticket.Status, s.ticket.SolvedAt = triage.StatusClosed, &solved
	r := s.compute(cst(2026, 3, 20, 9, 0), nil)
	if res := target(t, r, triage.MetricResolution, 0); res.Status != triage.SLAMet || res.Elapsed != "3h" {
		t.Fatalf("imported closed ticket: %+v", res)
	}
}

func TestMatchPrecedence(t *testing.T) {
	at := func(n int) time.Time { return monday.Add(time.Duration(n) * time.Minute) }
	ps := []*triage.SLAPolicy{
		{ID: "any", Priority: triage.P3, CreatedAt: at(0)},
		{ID: "tag", Priority: triage.P3, Tag: "vip", CreatedAt: at(1)},
		{ID: "tag2", Priority: triage.P3, Tag: "media", CreatedAt: at(2)},
		{ID: "cat", Priority: triage.P3, Category: "退款", CreatedAt: at(3)},
		{ID: "team", Priority: triage.P3, TeamID: "tm-1", CreatedAt: at(4)},
		{ID: "cat+tag", Priority: triage.P3, Category: "退款", Tag: "vip", CreatedAt: at(5)},
		{ID: "team+cat", Priority: triage.P3, TeamID: "tm-1", Category: "退款", CreatedAt: at(6)},
		{ID: "p2", Priority: triage.P2, CreatedAt: at(7)},
	}
	cases := []struct {
		name string
		t    triage.Ticket
		want string
	}{
		{"priority only", triage.Ticket{Priority: triage.P3}, "any"},
		{"other priority", triage.Ticket{Priority: triage.P2, TeamID: "tm-1"}, "p2"},
		{"no policy", triage.Ticket{Priority: triage.P1}, ""},
		{"tag", triage.Ticket{Priority: triage.P3, Tags: []string{"vip"}}, "tag"},
		{"two tags: the older policy", triage.Ticket{Priority: triage.P3, Tags: []string{"media", "vip"}}, "tag"},
		{"category beats tag", triage.Ticket{Priority: triage.P3, Category: "退款", Tags: []string{"media"}}, "cat"},
		{"team beats category", triage.Ticket{Priority: triage.P3, TeamID: "tm-1", Category: "发票"}, "team"},
		{"two conditions beat one", triage.Ticket{Priority: triage.P3, Category: "退款", Tags: []string{"vip"}}, "cat+tag"},
		{"team and category beat category and tag", triage.Ticket{Priority: triage.P3, TeamID: "tm-1", Category: "退款", Tags: []string{"vip"}}, "team+cat"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if p := Match(ps, &c.t); p != nil {
				got = p.ID
			}
			if got != c.want {
				t.Fatalf("Match = %q, want %q", got, c.want)
			}
		})
	}
}
