package triage

import (
	"context"
	"time"
)

// Source is one suggested source beside a ticket: a knowledge-base article
// or a similar resolved ticket, with every score that ranked it.
type Source struct {
	// N is the source's number in the draft's citations, from 1.
	N     int    `json:"n"`
	Kind  string `json:"kind"` // DocArticle or DocTicket
	ID    string `json:"id"`
	Title string `json:"title"`
	// Snippet is the best-matching paragraph (for a ticket, its text).
	Snippet string `json:"snippet"`
	// Resolution is the reply that solved a ticket.
	Resolution string `json:"resolution,omitempty"`
	Category   string `json:"category"`
	URL        string `json:"url"`
	// Ranks are 1-based; 0 means the source was not in that list.
	LexicalRank  int     `json:"lexical_rank"`
	LexicalScore float64 `json:"lexical_score"`
	VectorRank   int     `json:"vector_rank"`
	VectorScore  float64 `json:"vector_score"`
	Fused        float64 `json:"fused"`
	// Relevance is the one figure an agent is shown, from 0 to 1: how
	// close the source is in meaning to the ticket (the cosine of their
	// vectors). Sources below the service's cut-off are not suggested.
	Relevance float64 `json:"relevance"`
	// Why says which lists ranked the source and how.
	Why Reason `json:"why,omitzero"`
}

// Draft modes.
const (
	DraftLLM        = "llm"        // written by the configured model
	DraftExtractive = "extractive" // assembled from the best sources
	DraftNone       = "none"       // no source good enough to draft from
	DraftTemplate   = "template"   // the fixed reply of its kind, from no source
)

// Draft kinds: what sort of reply a ticket gets.
const (
	DraftKindNormal     = "normal"     // an answer from the sources
	DraftKindClarifying = "clarifying" // the ticket says nothing to answer yet
	DraftKindSafety     = "safety"     // a hazard to someone: stop, unplug, keep away
	DraftKindEscalation = "escalation" // a threat to complain to 12315, a lawyer or the media
)

// Draft is a suggested reply that cites its sources as [n].
type Draft struct {
	Mode string `json:"mode"`
	// Kind is DraftKindNormal, …Clarifying, …Safety or …Escalation.
	Kind      string `json:"kind,omitempty"`
	Text      string `json:"text"`
	Citations []int  `json:"citations"`
	// Model names the LLM that wrote it.
	Model string `json:"model,omitempty"`
	// Fallback says why an LLM draft was not used (an error, a timeout, an
	// output that failed validation).
	Fallback *Reason `json:"fallback,omitempty"`
}

// Suggestions is what an agent sees beside a ticket. It is stored, so
// feedback can refer to exactly what was shown, and the KB gap report can
// find tickets the KB did not answer.
type Suggestions struct {
	ID       string   `json:"id"`
	TicketID string   `json:"ticket_id"`
	Articles []Source `json:"articles"`
	Tickets  []Source `json:"tickets"`
	Draft    Draft    `json:"draft"`
	// BestArticle is the fused score of the best article, 0 when none.
	BestArticle float64 `json:"best_article"`
	// Degraded says the sources were found by their words alone: the
	// embedder failed or outran its time budget, as Reason says. Stores
	// keep Reason; Degraded is whether there is one.
	Degraded  bool      `json:"degraded"`
	Reason    *Reason   `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Feedback actions.
const (
	FeedbackAccepted = "accepted"
	FeedbackEdited   = "edited"
	FeedbackRejected = "rejected"
)

// FeedbackDraft is the SourceKind of a verdict on the draft.
const FeedbackDraft = "draft"

// Feedback is an agent's verdict on one suggested source or on the draft.
type Feedback struct {
	ID           string `json:"id"`
	SuggestionID string `json:"suggestion_id"`
	TicketID     string `json:"ticket_id"`
	// SourceKind is DocArticle, DocTicket or "draft"; SourceID is empty
	// for the draft.
	SourceKind string `json:"source_kind"`
	SourceID   string `json:"source_id"`
	Action     string `json:"action"`
	// FinalText is what the agent sent after editing.
	FinalText string    `json:"final_text,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// NewFeedback is an agent's verdict as sent.
type NewFeedback struct {
	SourceKind string `json:"source_kind"`
	SourceID   string `json:"source_id"`
	Action     string `json:"action"`
	FinalText  string `json:"final_text"`
	Reason     string `json:"reason"`
}

// FeedbackCount sums the verdicts on one source.
type FeedbackCount struct {
	SourceKind string `json:"source_kind"`
	SourceID   string `json:"source_id"`
	Accepted   int    `json:"accepted"`
	Edited     int    `json:"edited"`
	Rejected   int    `json:"rejected"`
}

// SuggestionFilter selects stored suggestions.
type SuggestionFilter struct {
	Since time.Time
	// MaxBestArticle keeps suggestions whose best article scored at most
	// this (the tickets the KB did not answer); 0 means any.
	MaxBestArticle float64
	Limit          int
}

// Drafter writes a reply from numbered sources; an LLM implements it.
type Drafter interface {
	Model() string
	Draft(ctx context.Context, req DraftRequest) (string, error)
}

// DraftRequest is what a drafter may see: the ticket's text with personal
// data already masked, and the sources it may use.
type DraftRequest struct {
	Title   string
	Body    string
	Sources []Source
}
