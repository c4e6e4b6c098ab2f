package triage

import (
	"context"
	"slices"
	"time"
)

// RevisionStatus is where a proposed change to a published article is in
// its review.
type RevisionStatus string

// A revision is a draft while its author works on it, in review once
// submitted, and approved (its text became the article's), rejected or
// withdrawn at the end.
const (
	RevisionDraft     RevisionStatus = "draft"
	RevisionInReview  RevisionStatus = "in_review"
	RevisionApproved  RevisionStatus = "approved"
	RevisionRejected  RevisionStatus = "rejected"
	RevisionWithdrawn RevisionStatus = "withdrawn"
)

// RevisionStatuses lists every revision status.
func RevisionStatuses() []RevisionStatus {
	return []RevisionStatus{RevisionDraft, RevisionInReview, RevisionApproved, RevisionRejected, RevisionWithdrawn}
}

// Valid reports whether s is a known status.
func (s RevisionStatus) Valid() bool { return slices.Contains(RevisionStatuses(), s) }

// Open reports whether the revision can still change: a draft or one in
// review.
func (s RevisionStatus) Open() bool { return s == RevisionDraft || s == RevisionInReview }

// Review actions on a revision.
const (
	RevisionSubmit   = "submit"   // draft → in_review, by its author
	RevisionApprove  = "approve"  // in_review → approved, by another editor or admin
	RevisionReject   = "reject"   // in_review → rejected, by an editor or admin
	RevisionWithdraw = "withdraw" // open → withdrawn, by its author
)

// RevisionActions lists the review actions.
func RevisionActions() []string {
	return []string{RevisionSubmit, RevisionApprove, RevisionReject, RevisionWithdraw}
}

// ArticleRevision is a proposed change to a published article. While
// review is required, an edit of a published article is kept here and the
// published text stays live; approving it writes its text as the
// article's next version.
type ArticleRevision struct {
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	// BaseVersion is the article's version the change was written
	// against; approving it after the article moved on is a conflict.
	BaseVersion int               `json:"base_version"`
	Title       string            `json:"title"`
	Body        string            `json:"body"`
	Category    string            `json:"category"`
	Tags        []string          `json:"tags"`
	Visibility  ArticleVisibility `json:"visibility"`
	Status      RevisionStatus    `json:"status"`
	// AuthorID is the actor who wrote the change (Principal.Actor).
	AuthorID string `json:"author_id"`
	Note     string `json:"note"`
	// ReviewerID decided it; ReviewNote is what they said.
	ReviewerID string `json:"reviewer_id"`
	ReviewNote string `json:"review_note"`
	// Override is the reason an admin gave for approving their own
	// change; "" when someone else approved it.
	Override  string     `json:"override"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	DecidedAt *time.Time `json:"decided_at"`
	// Version counts the revision's own saves, for If-Match.
	Version int `json:"version"`
}

// RevisionFilter selects revisions; zero values mean any.
type RevisionFilter struct {
	ArticleID string
	Status    []RevisionStatus
	AuthorID  string
}

// RevisionAction is a review step on a revision.
type RevisionAction struct {
	Action string `json:"action"`
	Note   string `json:"note"`
	// Override, on approve, lets an admin approve their own change; it is
	// the reason, kept with the revision and the article's version.
	Override string `json:"override"`
}

// RevisionReader holds the store's reads of article revisions.
type RevisionReader interface {
	// ArticleRevision returns one revision; ENOTFOUND when there is none.
	ArticleRevision(ctx context.Context, id string) (*ArticleRevision, error)
	// ArticleRevisions lists revisions newest first (CreatedAt, then id).
	ArticleRevisions(ctx context.Context, f RevisionFilter) ([]*ArticleRevision, error)
}

// RevisionWriter holds the store's writes of article revisions.
type RevisionWriter interface {
	// CreateArticleRevision stores r at Version 1; ENOTFOUND when its
	// article does not exist, ECONFLICT when the id is taken.
	CreateArticleRevision(ctx context.Context, r *ArticleRevision) error
	// UpdateArticleRevision stores r if the stored version is still
	// r.Version and then increments it; ESTALE otherwise.
	UpdateArticleRevision(ctx context.Context, r *ArticleRevision) error
}
