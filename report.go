package triage

import (
	"slices"
	"time"
)

// ReportGroup is the dimension a report breaks its figures down by.
type ReportGroup string

const (
	GroupNone     ReportGroup = ""
	GroupDay      ReportGroup = "day"
	GroupAgent    ReportGroup = "agent"
	GroupTeam     ReportGroup = "team"
	GroupCategory ReportGroup = "category"
	GroupPriority ReportGroup = "priority"
	GroupChannel  ReportGroup = "channel"
)

// ReportGroups lists the groups a report may ask for.
func ReportGroups() []ReportGroup {
	return []ReportGroup{GroupNone, GroupDay, GroupAgent, GroupTeam, GroupCategory, GroupPriority, GroupChannel}
}

// Valid reports whether g is a known group.
func (g ReportGroup) Valid() bool { return slices.Contains(ReportGroups(), g) }

// ReportQuery selects what a store aggregate counts. Each aggregate says
// which of a ticket's times falls in [From, To) and which one a day group
// uses: a figure is counted when its event happened.
type ReportQuery struct {
	From, To time.Time
	Group    ReportGroup
	// Offset is the report's time zone east of UTC: days start at local
	// midnight. A fixed offset, because China keeps no daylight saving.
	Offset time.Duration
	// Filters; empty means any.
	AssigneeID, TeamID, Category string
}

// Group keys are "" for tickets without the grouped value (no assignee,
// no team, no category); day keys are YYYY-MM-DD in the query's zone.

// VolumeStats counts ticket events of one group: created by created_at,
// solved and merged by solved_at (a merge sets it), closed by closed_at.
// Solved leaves merged tickets out.
type VolumeStats struct {
	Key     string `json:"key"`
	Created int    `json:"created"`
	Solved  int    `json:"solved"`
	Merged  int    `json:"merged"`
	Closed  int    `json:"closed"`
}

// DurationMetric names a ticket duration a report measures.
type DurationMetric string

const (
	// FirstResponse is created_at to first_response_at, counted when the
	// first response happened.
	FirstResponse DurationMetric = "first_response"
	// Resolution is created_at to solved_at, counted when the ticket was
	// solved; merged tickets are left out, nobody solved them.
	Resolution DurationMetric = "resolution"
)

// DurationStats summarises one duration over a group's tickets, in
// calendar time. Percentiles are nearest-rank: exact values of real
// tickets, not interpolations.
type DurationStats struct {
	Key string        `json:"key"`
	N   int           `json:"n"`
	Avg time.Duration `json:"avg"`
	P50 time.Duration `json:"p50"`
	P90 time.Duration `json:"p90"`
	Max time.Duration `json:"max"`
}

// BacklogStats counts a group's tickets open at an instant: created before
// it and not solved by then. Ages are measured at that instant.
type BacklogStats struct {
	Key        string     `json:"key"`
	Open       int        `json:"open"`
	Unassigned int        `json:"unassigned"`
	Under1d    int        `json:"age_under_1d"`
	Under3d    int        `json:"age_1d_3d"`
	Under7d    int        `json:"age_3d_7d"`
	Over7d     int        `json:"age_over_7d"`
	Oldest     *time.Time `json:"oldest_created_at"`
}

// AccuracyStats compares what triage predicted at intake with the values
// a group's tickets had when they closed (the "value at close"), for
// tickets closed in the range, merged ones left out. A prediction counts
// when triage made it (not a value set by hand at creation) and it named
// a value; an abstention is a category triage left to a person.
type AccuracyStats struct {
	Key               string `json:"key"`
	Closed            int    `json:"closed"`
	CategoryPredicted int    `json:"category_predicted"`
	CategoryCorrect   int    `json:"category_correct"`
	CategoryAbstained int    `json:"category_abstained"`
	PriorityPredicted int    `json:"priority_predicted"`
	PriorityCorrect   int    `json:"priority_correct"`
	AssigneePredicted int    `json:"assignee_predicted"`
	AssigneeCorrect   int    `json:"assignee_correct"`
}

// FeedbackStats sums agents' verdicts on suggestions given in the range:
// all sources, and the draft alone. An agent group is who gave the
// verdict; team, category, priority and channel are the ticket's.
type FeedbackStats struct {
	Key           string `json:"key"`
	Accepted      int    `json:"accepted"`
	Edited        int    `json:"edited"`
	Rejected      int    `json:"rejected"`
	DraftAccepted int    `json:"draft_accepted"`
	DraftEdited   int    `json:"draft_edited"`
	DraftRejected int    `json:"draft_rejected"`
}
