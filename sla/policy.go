package sla

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Escalation triggers and actions.
const (
	OnWarning = "warning"
	OnBreach  = "breach"

	// ActionNotifyLead names the team lead in the sla.warning or
	// sla.breached event, for webhooks to deliver to them.
	ActionNotifyLead = "notify_lead"
	// ActionRaisePriority makes the ticket one step more urgent.
	ActionRaisePriority = "raise_priority"
	// ActionAssignLead assigns the ticket to its team's lead.
	ActionAssignLead = "assign_lead"
	// ActionAssignQueue takes the ticket from its assignee and puts it
	// back in the queue, for routing to pick someone else.
	ActionAssignQueue = "assign_queue"
)

// Actions lists every escalation action.
func Actions() []string {
	return []string{ActionNotifyLead, ActionRaisePriority, ActionAssignLead, ActionAssignQueue}
}

// Metrics lists the SLA metrics in the order a ticket meets them.
func Metrics() []string {
	return []string{triage.MetricFirstResponse, triage.MetricNextResponse, triage.MetricResolution}
}

// Target bounds: at least a second (tests use seconds), at most a year of
// business time; a target in days has at most MaxTargetDays of them.
const (
	MinTarget          = time.Second
	MaxTarget          = 8760 * time.Hour
	MaxTargetDays      = 1000
	DefaultWarnPercent = 80
	MaxEscalations     = 20
)

// Target is an SLA target as written: whole business days of the
// policy's calendar and business time, "3d", "1d4h", "4h" or "1h30m".
type Target struct {
	Days int
	Time time.Duration
}

// ParseTarget reads a target: an optional number of business days ("3d"),
// then a duration like "4h", "90m" or "1h30m" of whole seconds; at least
// one of them. A day is a working day of the calendar (see Hours.Day), so
// the calendar decides how long "3d" is; it is checked against the bounds
// when a calendar converts it.
func ParseTarget(field, s string) (Target, error) {
	s = strings.TrimSpace(s)
	bad := triage.Invalid(field, "%s %q is not a target like 3d (business days), 4h, 30m or 1d4h", field, s)
	var t Target
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days := s[:i]
		if days == "" || len(days) > 4 || strings.Trim(days, "0123456789") != "" {
			return Target{}, bad
		}
		for _, c := range days {
			t.Days = t.Days*10 + int(c-'0')
		}
		s = s[i+1:]
		switch {
		case t.Days == 0 && s == "":
			return Target{}, triage.Invalid(field, "%s must be at least 1s of business time", field)
		case t.Days > MaxTargetDays:
			return Target{}, triage.Invalid(field, "%s has %d business days; at most %d are allowed", field, t.Days, MaxTargetDays)
		}
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-"):
			return Target{}, bad
		case d < MinTarget && t.Days == 0, d < 0, d > MaxTarget:
			return Target{}, triage.Invalid(field, "%s must be between 1s and %s of business time", field, FormatDuration(MaxTarget))
		case d%time.Second != 0:
			return Target{}, triage.Invalid(field, "%s must be a whole number of seconds", field)
		}
		t.Time = d
	}
	return t, nil
}

// String writes the target the way policies keep it: "3d", "1d4h",
// "1h30m" ("90m" becomes "1h30m").
func (t Target) String() string {
	switch {
	case t.Days == 0:
		return FormatDuration(t.Time)
	case t.Time == 0:
		return fmt.Sprintf("%dd", t.Days)
	}
	return fmt.Sprintf("%dd%s", t.Days, FormatDuration(t.Time))
}

// In is the business time the target allows in a calendar: its days, each
// as long as the calendar's working day, and its time. It fails when the
// calendar has no working day to count in, or when the result is past the
// bounds.
func (t Target) In(h *Hours) (time.Duration, error) {
	d := t.Time
	if t.Days > 0 {
		day := h.Day()
		if day <= 0 {
			return 0, triage.Invalid("calendar", "the calendar has no working day, so a target in days (%s) cannot be counted", t)
		}
		d += time.Duration(t.Days) * day
	}
	if d < MinTarget || d > MaxTarget {
		return 0, triage.Invalid("target", "%s is %s of business time in this calendar; targets must be between 1s and %s", t, FormatDuration(d), FormatDuration(MaxTarget))
	}
	return d, nil
}

// FormatDuration writes d the way targets are written: "1h30m", "45s",
// "2h"; whole seconds, without the zero units time.Duration.String adds.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	d = d.Round(time.Second)
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// ValidatePolicy checks a policy and normalises it in place: targets in
// canonical form ("90m" becomes "1h30m"), tag lower-cased like ticket
// tags. It does not check that the team and calendar exist; the service
// does, inside its transaction.
func ValidatePolicy(p *triage.SLAPolicy) error {
	p.Name = strings.TrimSpace(p.Name)
	p.TeamID = strings.TrimSpace(p.TeamID)
	p.Category = strings.TrimSpace(p.Category)
	p.CalendarID = strings.TrimSpace(p.CalendarID)
	switch {
	case p.Name == "":
		return triage.Invalid("name", "name is required")
	case utf8.RuneCountInString(p.Name) > triage.MaxNameRunes:
		return triage.Invalid("name", "name is longer than %d characters", triage.MaxNameRunes)
	case !p.Priority.Valid():
		return triage.Invalid("priority", "priority %q is not one of P1, P2, P3, P4", p.Priority)
	case utf8.RuneCountInString(p.Category) > 64 || !utf8.ValidString(p.Category):
		return triage.Invalid("category", "category must be valid text of at most 64 characters")
	case p.WarnPercent < 0 || p.WarnPercent > 99:
		return triage.Invalid("warn_percent", "warn_percent must be from 0 (no warning) to 99")
	case len(p.Escalations) > MaxEscalations:
		return triage.Invalid("escalations", "escalations has %d entries; at most %d are allowed", len(p.Escalations), MaxEscalations)
	}
	if strings.TrimSpace(p.Tag) != "" {
		tags, err := triage.CleanTags("tag", []string{p.Tag})
		if err != nil {
			return err
		}
		p.Tag = tags[0]
	} else {
		p.Tag = ""
	}
	set := 0
	for _, t := range []struct {
		field string
		v     *string
	}{{"first_response", &p.FirstResponse}, {"next_response", &p.NextResponse}, {"resolution", &p.Resolution}} {
		if strings.TrimSpace(*t.v) == "" {
			*t.v = ""
			continue
		}
		d, err := ParseTarget(t.field, *t.v)
		if err != nil {
			return err
		}
		*t.v = d.String()
		set++
	}
	if set == 0 {
		return triage.Invalid("first_response", "a policy needs at least one target: first_response, next_response or resolution")
	}
	if p.Escalations == nil {
		p.Escalations = []triage.Escalation{}
	}
	for i := range p.Escalations {
		e := &p.Escalations[i]
		field := fmt.Sprintf("escalations[%d]", i)
		e.On, e.Metric, e.Action = strings.TrimSpace(e.On), strings.TrimSpace(e.Metric), strings.TrimSpace(e.Action)
		switch {
		case e.On != OnWarning && e.On != OnBreach:
			return triage.Invalid(field+".on", "%s.on must be warning or breach", field)
		case e.Metric != "" && !slices.Contains(Metrics(), e.Metric):
			return triage.Invalid(field+".metric", "%s.metric must be empty (any) or one of %s", field, strings.Join(Metrics(), ", "))
		case !slices.Contains(Actions(), e.Action):
			return triage.Invalid(field+".action", "%s.action must be one of %s", field, strings.Join(Actions(), ", "))
		case e.On == OnWarning && p.WarnPercent == 0:
			return triage.Invalid(field+".on", "%s acts on a warning, but warn_percent is 0 so none is sent", field)
		}
	}
	return nil
}

// target is one of a policy's targets in a calendar: the business time
// it allows and the target as the policy writes it.
type policyTarget struct {
	d    time.Duration
	text string
}

// targets returns a policy's targets by metric, in the calendar h; absent
// ones, and any the calendar cannot count, are left out.
func targets(p *triage.SLAPolicy, h *Hours) map[string]policyTarget {
	out := map[string]policyTarget{}
	for m, s := range map[string]string{
		triage.MetricFirstResponse: p.FirstResponse,
		triage.MetricNextResponse:  p.NextResponse,
		triage.MetricResolution:    p.Resolution,
	} {
		if s == "" {
			continue
		}
		t, err := ParseTarget(m, s)
		if err != nil {
			continue
		}
		if d, err := t.In(h); err == nil {
			out[m] = policyTarget{d, t.String()}
		}
	}
	return out
}

// Match picks the policy of a ticket: among the policies of the ticket's
// priority whose team, category and tag (each when set) are the ticket's,
// the most specific wins. Precedence:
//
//  1. more conditions beat fewer (team + category beats team alone);
//  2. with as many conditions, team beats category, and category beats tag;
//  3. then the oldest policy, then the smallest id.
//
// It returns nil when no policy covers the ticket.
func Match(policies []*triage.SLAPolicy, t *triage.Ticket) *triage.SLAPolicy {
	var best *triage.SLAPolicy
	for _, p := range policies {
		switch {
		case p.Priority != t.Priority,
			p.TeamID != "" && p.TeamID != t.TeamID,
			p.Category != "" && p.Category != t.Category,
			p.Tag != "" && !slices.Contains(t.Tags, p.Tag):
			continue
		}
		if best == nil || morePrecise(p, best) {
			best = p
		}
	}
	return best
}

// specificity orders policies by rule 1 and then rule 2 of Match.
func specificity(p *triage.SLAPolicy) int {
	n, bits := 0, 0
	if p.TeamID != "" {
		n, bits = n+1, bits|4
	}
	if p.Category != "" {
		n, bits = n+1, bits|2
	}
	if p.Tag != "" {
		n, bits = n+1, bits|1
	}
	return n*8 + bits
}

func morePrecise(a, b *triage.SLAPolicy) bool {
	if c := cmp.Compare(specificity(a), specificity(b)); c != 0 {
		return c > 0
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// newPolicy builds a policy from an API request.
func newPolicy(in triage.NewSLAPolicy) *triage.SLAPolicy {
	warn := DefaultWarnPercent
	if in.WarnPercent != nil {
		warn = *in.WarnPercent
	}
	return &triage.SLAPolicy{
		Name: in.Name, Priority: in.Priority, TeamID: in.TeamID, Category: in.Category, Tag: in.Tag,
		CalendarID: in.CalendarID, FirstResponse: in.FirstResponse, NextResponse: in.NextResponse,
		Resolution: in.Resolution, WarnPercent: warn, Escalations: in.Escalations,
	}
}

// applyPolicyUpdate changes p in place and validates the result.
func applyPolicyUpdate(p *triage.SLAPolicy, u triage.SLAPolicyUpdate) error {
	if u.Name.Null || u.Priority.Null || u.WarnPercent.Null {
		return triage.Invalid("body", "name, priority and warn_percent cannot be null")
	}
	str := func(o triage.Opt[string], dst *string) {
		if o.Set {
			*dst = o.V // null clears: V is ""
		}
	}
	str(u.Name, &p.Name)
	str(u.TeamID, &p.TeamID)
	str(u.Category, &p.Category)
	str(u.Tag, &p.Tag)
	str(u.CalendarID, &p.CalendarID)
	str(u.FirstResponse, &p.FirstResponse)
	str(u.NextResponse, &p.NextResponse)
	str(u.Resolution, &p.Resolution)
	if u.Priority.Set {
		p.Priority = u.Priority.V
	}
	if u.WarnPercent.Set {
		p.WarnPercent = u.WarnPercent.V
	}
	if u.Escalations.Set {
		p.Escalations = u.Escalations.V
	}
	return ValidatePolicy(p)
}

// DefaultPolicies are the policies a new store starts with, one per
// priority, on the default calendar: replies and resolutions in business
// hours, warnings at 80% and the team lead named in every warning and
// breach. They change nothing on the ticket by themselves.
func DefaultPolicies() []*triage.SLAPolicy {
	notify := []triage.Escalation{{On: OnWarning, Action: ActionNotifyLead}, {On: OnBreach, Action: ActionNotifyLead}}
	mk := func(p triage.Priority, name, first, next, res string) *triage.SLAPolicy {
		return &triage.SLAPolicy{Name: name, Priority: p, FirstResponse: first, NextResponse: next, Resolution: res,
			WarnPercent: DefaultWarnPercent, Escalations: slices.Clone(notify)}
	}
	return []*triage.SLAPolicy{
		mk(triage.P1, "P1 紧急", "30m", "1h", "4h"),
		mk(triage.P2, "P2 高", "1h", "2h", "9h"),
		mk(triage.P3, "P3 普通", "4h", "8h", "27h"),
		mk(triage.P4, "P4 低", "9h", "18h", "45h"),
	}
}
