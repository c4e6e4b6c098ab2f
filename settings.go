package triage

import (
	"context"
	"time"
)

// WorkflowSettings are the workflow choices an admin makes on the admin
// screens, stored so that every replica and every restart sees the same:
// whether knowledge-base changes go through review, and how long a solved
// ticket waits before it is closed. Until an admin saves them (Version
// 0) the service uses the defaults it was started with (serve's
// --kb-review and --close-solved-after).
type WorkflowSettings struct {
	// KBReview makes every person's change to the knowledge base go
	// through review: a new article is published by someone other than
	// its authors, an edit of a published one becomes a revision another
	// editor approves.
	KBReview bool `json:"kb_review"`
	// CloseSolvedAfter is the business time a ticket stays solved before
	// it is closed ("4d", "36h"), or "off".
	CloseSolvedAfter string    `json:"close_solved_after"`
	UpdatedBy        string    `json:"updated_by,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version"`
}

// Or is s when an admin saved it, else def (at version 0): what the
// service runs with.
func (s *WorkflowSettings) Or(def WorkflowSettings) WorkflowSettings {
	if s != nil && s.Version > 0 {
		return *s
	}
	def.Version = 0
	return def
}

// WorkflowSettingsUpdate changes some of the settings; a field left out
// stays as it is.
type WorkflowSettingsUpdate struct {
	KBReview         Opt[bool]   `json:"kb_review"`
	CloseSolvedAfter Opt[string] `json:"close_solved_after"`
}

// SettingChange is one change of one setting, kept as its audit trail:
// who changed it from what to what, and when.
type SettingChange struct {
	ID      string    `json:"id"`
	Setting string    `json:"setting"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
}

// SettingsReader reads the workflow settings and their changes.
type SettingsReader interface {
	// WorkflowSettings returns the settings; the zero settings (at
	// version 0) when an admin never saved any.
	WorkflowSettings(ctx context.Context) (*WorkflowSettings, error)
	// SettingChanges lists the latest changes of settings, newest first
	// (At, then id), at most limit.
	SettingChanges(ctx context.Context, limit int) ([]*SettingChange, error)
}

// SettingsWriter saves the workflow settings and their changes.
type SettingsWriter interface {
	// PutWorkflowSettings saves s if the stored version is still
	// s.Version (0: never saved) and increments it; ESTALE otherwise.
	PutWorkflowSettings(ctx context.Context, s *WorkflowSettings) error
	// AddSettingChange records one change.
	AddSettingChange(ctx context.Context, c *SettingChange) error
}
