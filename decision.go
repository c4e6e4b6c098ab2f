package triage

import "time"

// Scored is one candidate value with its score, for example a category and
// the model's probability for it.
type Scored struct {
	Value string  `json:"value"`
	Score float64 `json:"score"`
}

// Decision is what triage chose for one field of a ticket, how sure it is,
// and why.
type Decision struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`
	// Source names what decided: "rule", "model", "similar", "signals",
	// "routing", "queue", "manual" or "default".
	Source string `json:"source"`
	// Top holds the best candidates, best first (the model's top 3 for a
	// category).
	Top []Scored `json:"top,omitempty"`
	// Why explains the decision, the deciding reason first.
	Why Reasons `json:"why"`
}

// TriageRecord is what triage predicted for a ticket at intake, kept apart
// from the ticket's current values so that accuracy against the value at
// close can be measured.
type TriageRecord struct {
	TicketID     string    `json:"ticket_id"`
	Category     Decision  `json:"category"`
	Priority     Decision  `json:"priority"`
	Assignee     Decision  `json:"assignee"`
	NeedsReview  bool      `json:"needs_review"`
	ModelVersion string    `json:"model_version"`
	Explanation  Explain   `json:"explanation"`
	CreatedAt    time.Time `json:"created_at"`
}

// Explain is the evidence behind a triage decision, in the structured form
// the UI and the evaluation report show.
type Explain struct {
	Rules      []RuleHit      `json:"rules,omitempty"`
	Model      []Scored       `json:"model,omitempty"` // the model's probabilities, best first
	Neighbours []Neighbour    `json:"neighbours,omitempty"`
	Signals    []Signal       `json:"signals,omitempty"`
	Candidates []AgentOption  `json:"candidates,omitempty"`
	Timings    map[string]int `json:"timings_us,omitempty"`
}

// RuleHit records one keyword rule that fired.
type RuleHit struct {
	RuleID  string   `json:"rule_id"`
	Name    string   `json:"name"`
	Matched []string `json:"matched"`
	// Effect is what the rule did, or would have done had another rule
	// not won.
	Effect Reasons `json:"effect"`
}

// Neighbour is a similar resolved ticket whose category voted.
type Neighbour struct {
	TicketID   string  `json:"ticket_id"`
	Category   string  `json:"category"`
	Similarity float64 `json:"similarity"`
}

// Signal is one input to the priority decision.
type Signal struct {
	Name   string   `json:"name"` // rule, keyword, tier, sentiment, repeat, model
	Detail Reason   `json:"detail,omitzero"`
	Sets   Priority `json:"sets,omitempty"`
}

// AgentOption is one agent considered by routing and why it was or was not
// chosen.
type AgentOption struct {
	AgentID  string  `json:"agent_id"`
	Name     string  `json:"name"`
	Open     int     `json:"open"`
	Capacity int     `json:"capacity"`
	Load     float64 `json:"load"` // open tickets weighted by priority
	Online   bool    `json:"online"`
	Eligible bool    `json:"eligible"`
	Reason   Reason  `json:"reason,omitzero"`
}

// Manual says which of a new ticket's fields the client set by hand; those
// win over triage, which still records what it would have chosen.
type Manual struct {
	Priority, Category, Assignee, Team bool
}
