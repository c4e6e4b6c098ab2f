package triage

import (
	"context"
	"time"
)

// Shadow is a candidate model running beside the active one of its kind on
// every new ticket, predicting without deciding anything, until an admin
// promotes it (it becomes the active model) or discards it. The record is
// also the audit trail of that decision: who ended it, when and how.
type Shadow struct {
	ID string `json:"id"`
	// Kind is the model kind on trial: "category" or "priority".
	Kind string `json:"kind"`
	// CandidateID is the stored model on trial; ActiveID the model that
	// was active when the trial started (what the candidate is compared
	// with, as recorded per ticket). A rule-set trial has instead
	// CandidateRules, the whole rule set that would replace the stored
	// rules, and compares the field Kind names as triage decides it with
	// either rule set (same models, no neighbour votes on either side).
	CandidateID      string       `json:"candidate_id,omitempty"`
	CandidateVersion string       `json:"candidate_version,omitempty"`
	CandidateRules   []NewRule    `json:"candidate_rules,omitempty"`
	ActiveID         string       `json:"active_id,omitempty"`
	ActiveVersion    string       `json:"active_version,omitempty"`
	Status           ShadowStatus `json:"status"`
	StartedBy        string       `json:"started_by,omitempty"`
	StartedAt        time.Time    `json:"started_at"`
	// EndedBy and EndedAt say who promoted or discarded it, and when.
	EndedBy string     `json:"ended_by,omitempty"`
	EndedAt *time.Time `json:"ended_at,omitempty"`
}

// RuleTrial reports whether the candidate is a rule set, not a model.
func (s *Shadow) RuleTrial() bool { return s.CandidateID == "" }

// RuleFromNew is the rule a NewRule describes, before validation.
func RuleFromNew(in NewRule, id string, at time.Time) *Rule {
	return &Rule{
		ID: id, Name: in.Name, Position: in.Position, Enabled: in.Enabled == nil || *in.Enabled,
		Any: in.Any, All: in.All, None: in.None, Regex: in.Regex, Channels: in.Channels, Tiers: in.Tiers,
		SetCategory: in.SetCategory, SetPriority: in.SetPriority, AddTags: in.AddTags, Mode: in.Mode, Weight: in.Weight, Stop: in.Stop,
		MatchNegated: in.MatchNegated, CreatedAt: at, UpdatedAt: at,
	}
}

// AsStored rounds the times as the stores keep them.
func (s *Shadow) AsStored() {
	s.StartedAt = StoreTime(s.StartedAt)
	s.EndedAt = StoreTimePtr(s.EndedAt)
}

// ShadowStatus is where a shadow trial stands.
type ShadowStatus string

// Shadow statuses. One shadow per kind may be running at a time.
const (
	ShadowRunning   ShadowStatus = "running"
	ShadowPromoted  ShadowStatus = "promoted"
	ShadowDiscarded ShadowStatus = "discarded"
)

// ShadowStatuses lists the statuses in order.
func ShadowStatuses() []ShadowStatus {
	return []ShadowStatus{ShadowRunning, ShadowPromoted, ShadowDiscarded}
}

// Valid reports whether s is a known status.
func (s ShadowStatus) Valid() bool {
	for _, v := range ShadowStatuses() {
		if s == v {
			return true
		}
	}
	return false
}

// ShadowPrediction is what the active and the candidate model predicted
// for one new ticket, stored with the ticket at intake. Neither changes the
// ticket; the values at close are the labels both are scored against.
type ShadowPrediction struct {
	ShadowID            string    `json:"shadow_id"`
	TicketID            string    `json:"ticket_id"`
	Active              string    `json:"active"`
	ActiveConfidence    float64   `json:"active_confidence"`
	Candidate           string    `json:"candidate"`
	CandidateConfidence float64   `json:"candidate_confidence"`
	CreatedAt           time.Time `json:"created_at"`
}

// ShadowReader reads shadow trials and their predictions.
type ShadowReader interface {
	// Shadow returns one trial; ENOTFOUND when absent.
	Shadow(ctx context.Context, id string) (*Shadow, error)
	// Shadows lists the trials, newest first.
	Shadows(ctx context.Context) ([]*Shadow, error)
	// ShadowPredictions lists a trial's predictions in ticket creation
	// order (then ticket id).
	ShadowPredictions(ctx context.Context, shadowID string) ([]*ShadowPrediction, error)
}

// ShadowWriter records trials and their predictions.
type ShadowWriter interface {
	// CreateShadow stores a new running trial; ECONFLICT when one of its
	// kind is running already (a model trial and a rule-set trial of the
	// same kind count as one kind).
	CreateShadow(ctx context.Context, s *Shadow) error
	// EndShadow moves a running trial to promoted or discarded, with who
	// and when; ECONFLICT when it is not running.
	EndShadow(ctx context.Context, id string, status ShadowStatus, by string, at time.Time) error
	// SaveShadowPrediction stores one ticket's predictions; ECONFLICT
	// when the trial has one for the ticket already.
	SaveShadowPrediction(ctx context.Context, p *ShadowPrediction) error
}
