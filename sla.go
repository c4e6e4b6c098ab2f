package triage

import "time"

// Calendar is a business-hours calendar: the hours in which the clocks of
// SLA targets run. Dates and hours are wall-clock times in TimeZone.
type Calendar struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// TimeZone is an IANA name such as Asia/Shanghai.
	TimeZone string `json:"time_zone"`
	// Hours are the weekly opening hours. A day may have several ranges,
	// for a lunch break.
	Hours []OpeningHours `json:"hours"`
	// Holidays are dates the calendar is closed although they are weekdays
	// (or open only the hours the day gives).
	Holidays []CalendarDay `json:"holidays"`
	// Workdays are make-up working days (调休): dates that are open
	// although they fall on a weekend. Without hours of its own, a
	// make-up day keeps the hours of a Monday.
	Workdays []CalendarDay `json:"workdays"`
	// Default marks the calendar of policies that name none. Exactly one
	// calendar is the default.
	Default bool `json:"default"`
	// Note says where the dates come from.
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// OpeningHours is one weekly range: Start to End on each of Days.
type OpeningHours struct {
	// Days are mon, tue, wed, thu, fri, sat, sun.
	Days  []string `json:"days"`
	Start string   `json:"start"` // "09:00"
	End   string   `json:"end"`   // "18:00"; "24:00" is midnight at the end of the day
}

// TimeRange is a range of wall-clock time within one day.
type TimeRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// CalendarDay is a date that differs from the weekly hours.
type CalendarDay struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
	// Hours, when given, are the day's only opening hours: a half-day
	// holiday, or a make-up day with hours of its own.
	Hours []TimeRange `json:"hours,omitempty"`
	// Provisional marks a date derived ahead of the official
	// announcement; check it when the announcement comes.
	Provisional bool `json:"provisional,omitempty"`
}

// NewCalendar creates a calendar.
type NewCalendar struct {
	Name     string         `json:"name"`
	TimeZone string         `json:"time_zone"`
	Hours    []OpeningHours `json:"hours"`
	Holidays []CalendarDay  `json:"holidays"`
	Workdays []CalendarDay  `json:"workdays"`
	Default  bool           `json:"default"`
	Note     string         `json:"note"`
}

// CalendarUpdate is a partial update of a calendar. Default can only be
// set: a calendar stops being the default when another one becomes it.
type CalendarUpdate struct {
	Name     Opt[string]         `json:"name"`
	TimeZone Opt[string]         `json:"time_zone"`
	Hours    Opt[[]OpeningHours] `json:"hours"`
	Holidays Opt[[]CalendarDay]  `json:"holidays"`
	Workdays Opt[[]CalendarDay]  `json:"workdays"`
	Default  Opt[bool]           `json:"default"`
	Note     Opt[string]         `json:"note"`
}

// SLA metrics: the three clocks a ticket can run.
const (
	MetricFirstResponse = "first_response"
	MetricNextResponse  = "next_response"
	MetricResolution    = "resolution"
)

// SLAPolicy sets the targets of the tickets of one priority, optionally
// narrowed to a team, a category or a tag. Targets are durations of
// business time in the policy's calendar, written like "4h" or "1h30m";
// an empty target is not measured.
type SLAPolicy struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Priority Priority `json:"priority"`
	TeamID   string   `json:"team_id"`
	Category string   `json:"category"`
	Tag      string   `json:"tag"`
	// CalendarID is the business-hours calendar; empty means the default
	// calendar.
	CalendarID    string `json:"calendar_id"`
	FirstResponse string `json:"first_response"`
	NextResponse  string `json:"next_response"`
	Resolution    string `json:"resolution"`
	// WarnPercent warns when this share of a target's business time is
	// used up; 0 sends no warning.
	WarnPercent int          `json:"warn_percent"`
	Escalations []Escalation `json:"escalations"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	Version     int          `json:"version"`
}

// Escalation is what happens when a target warns or breaches.
type Escalation struct {
	// On is "warning" or "breach".
	On string `json:"on"`
	// Metric limits the escalation to one target; empty means any.
	Metric string `json:"metric"`
	// Action is notify_lead, raise_priority, assign_lead or assign_queue.
	Action string `json:"action"`
}

// NewSLAPolicy creates a policy.
type NewSLAPolicy struct {
	Name          string       `json:"name"`
	Priority      Priority     `json:"priority"`
	TeamID        string       `json:"team_id"`
	Category      string       `json:"category"`
	Tag           string       `json:"tag"`
	CalendarID    string       `json:"calendar_id"`
	FirstResponse string       `json:"first_response"`
	NextResponse  string       `json:"next_response"`
	Resolution    string       `json:"resolution"`
	WarnPercent   *int         `json:"warn_percent"`
	Escalations   []Escalation `json:"escalations"`
}

// SLAPolicyUpdate is a partial update of a policy.
type SLAPolicyUpdate struct {
	Name          Opt[string]       `json:"name"`
	Priority      Opt[Priority]     `json:"priority"`
	TeamID        Opt[string]       `json:"team_id"`
	Category      Opt[string]       `json:"category"`
	Tag           Opt[string]       `json:"tag"`
	CalendarID    Opt[string]       `json:"calendar_id"`
	FirstResponse Opt[string]       `json:"first_response"`
	NextResponse  Opt[string]       `json:"next_response"`
	Resolution    Opt[string]       `json:"resolution"`
	WarnPercent   Opt[int]          `json:"warn_percent"`
	Escalations   Opt[[]Escalation] `json:"escalations"`
}

// SLA target states.
const (
	SLARunning  = "running"
	SLAPaused   = "paused"
	SLAMet      = "met"
	SLABreached = "breached"
)

// TicketSLA is a ticket's SLA clocks: the targets of the policy that
// applies to it and when each was met or breached. The ticket's priority,
// assignee, team and category are copied in, as of the last computation,
// for the % met reports.
type TicketSLA struct {
	TicketID string `json:"ticket_id"`
	// PolicyID is empty when no policy applies; Targets is empty then.
	PolicyID   string      `json:"policy_id"`
	PolicyName string      `json:"policy_name"`
	CalendarID string      `json:"calendar_id"`
	Priority   Priority    `json:"priority"`
	AssigneeID string      `json:"assignee_id"`
	TeamID     string      `json:"team_id"`
	Category   string      `json:"category"`
	Targets    []SLATarget `json:"targets"`
	// NextCheckAt is the next instant a target warns or breaches.
	NextCheckAt *time.Time `json:"next_check_at"`
	ComputedAt  time.Time  `json:"computed_at"`
	Version     int        `json:"version"`
}

// SLATarget is one clock of a ticket.
type SLATarget struct {
	Metric string `json:"metric"`
	// Cycle numbers the next-response clocks: one per requester message
	// waiting for a reply.
	Cycle int `json:"cycle,omitempty"`
	// Target is the business time allowed, like "4h".
	Target    string    `json:"target"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	// DueAt is when the target breaches if nothing stops its clock; nil
	// while the clock is paused.
	DueAt  *time.Time `json:"due_at"`
	WarnAt *time.Time `json:"warn_at,omitempty"`
	// MetAt is when the clock stopped: the reply or the solve. A target
	// met after DueAt is breached, with MetAt set.
	MetAt      *time.Time `json:"met_at"`
	BreachedAt *time.Time `json:"breached_at"`
	// Elapsed is the business time used, up to MetAt or the computation.
	Elapsed string `json:"elapsed"`
	// Remaining is the business time left; empty once met or breached.
	Remaining string `json:"remaining,omitempty"`
	// WarnedAt and NotifiedAt record that the warning and the breach have
	// been handled, so that each happens once.
	WarnedAt   *time.Time `json:"warned_at,omitempty"`
	NotifiedAt *time.Time `json:"notified_at,omitempty"`
}

// SLAEvent records a warning or a breach and what was done about it.
type SLAEvent struct {
	ID       string `json:"id"`
	TicketID string `json:"ticket_id"`
	// Kind is "warning" or "breach".
	Kind     string    `json:"kind"`
	Metric   string    `json:"metric"`
	Cycle    int       `json:"cycle,omitempty"`
	PolicyID string    `json:"policy_id"`
	Target   string    `json:"target"`
	DueAt    time.Time `json:"due_at"`
	// LeadID is the lead of the ticket's team, when it has one.
	LeadID string `json:"lead_id"`
	// Actions are the escalation actions taken, as configured.
	Actions []string  `json:"actions"`
	At      time.Time `json:"at"`
}

// TicketSLAFilter selects SLA records for reports.
type TicketSLAFilter struct {
	// ComputedFrom keeps records computed at or after it: a target met or
	// breached in a window has a record computed after it.
	ComputedFrom time.Time
	// After is the ticket id to continue after; records come in ticket id
	// order.
	After string
	// Limit of 0 or less means 500.
	Limit int
}

// Survey is a ticket's satisfaction survey. Its link carries a random
// token that is stored only as a hash, like an API token.
type Survey struct {
	ID        string `json:"id"`
	TicketID  string `json:"ticket_id"`
	TokenHash string `json:"-"`
	// Rating is 1 to 5 once answered, 0 before.
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
	// The ticket's assignee, team and category, for the reports.
	AgentID    string     `json:"agent_id"`
	TeamID     string     `json:"team_id"`
	Category   string     `json:"category"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	Version    int        `json:"version"`
}

// SurveyFilter selects surveys sent or answered in [From, To).
type SurveyFilter struct {
	From, To time.Time
}

// SurveyAnswer is what a customer sends.
type SurveyAnswer struct {
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}
