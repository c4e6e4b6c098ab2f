package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Review of published articles. With RequireReview set, an edit of a
// published article by a person does not touch the live text: it is kept as
// a revision (a draft of the article's next version) that its author
// submits, and another editor or admin approves or rejects. Approving
// writes the revision's text as the article's next version. Nobody
// approves their own change, except an admin who says why; the reason is
// kept with the revision and the version it wrote.

// MaxOverrideRunes bounds an admin's reason for approving their own change.
const MaxOverrideRunes = 500

// ReviewRequired says whether people's changes go through review now: the
// admins' saved setting (kb_review), else RequireReview, the default the
// service was started with.
func (s *Service) ReviewRequired(ctx context.Context, r triage.Reader) (bool, error) {
	saved, err := r.WorkflowSettings(ctx)
	if err != nil {
		return false, err
	}
	if saved.Version == 0 {
		return s.RequireReview, nil
	}
	return saved.KBReview, nil
}

// reviews reports whether the edit of a by p must go through review.
// Work without a principal (the CLI, imports, jobs) is the service's own.
func (s *Service) reviews(ctx context.Context, r triage.Reader, p *triage.Principal, a *triage.Article) (bool, error) {
	if p == nil || a.Status != triage.ArticlePublished {
		return false, nil
	}
	return s.ReviewRequired(ctx, r)
}

// unpublishedAuthors are the actors who wrote the text an article would
// publish: whoever changed its text in a version after the last published
// one (all versions when it never was). A reviewer who only moved it
// (sent it back, submitted it) is not among them.
func unpublishedAuthors(vs []*triage.ArticleVersion) map[string]bool {
	from := 0
	for i, v := range vs {
		if v.Status == triage.ArticlePublished {
			from = i + 1
		}
	}
	out := map[string]bool{}
	for i := from; i < len(vs); i++ {
		v := vs[i]
		if i == 0 || textChanged(vs[i-1], v) {
			out[v.Actor] = true
		}
	}
	return out
}

func textChanged(a, b *triage.ArticleVersion) bool {
	return a.Title != b.Title || a.Body != b.Body || a.Category != b.Category || !slices.Equal(a.Tags, b.Tags)
}

// checkPublish decides, with review required, whether p may publish a
// and says why in the version: a new or unpublished article is published
// by someone who wrote none of its text (publishing it is the review;
// the author hands it over by submitting it, in_review), except an admin
// who gives the reason (override).
func checkPublish(ctx context.Context, tx triage.Tx, p *triage.Principal, a *triage.Article, override string) (triage.Reasons, error) {
	vs, err := tx.ArticleVersions(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if !unpublishedAuthors(vs)[p.Actor()] {
		if override != "" {
			return nil, triage.Invalid("override", "override is only for publishing an article you wrote")
		}
		return triage.Reasons{triage.NewReason(triage.ReasonArticleApproved, a.AuthorID, p.Actor())}, nil
	}
	if p.Role != triage.RoleAdmin {
		return nil, &triage.Error{Code: triage.EFORBIDDEN, Field: "override", Message: "nobody publishes their own change: another editor or an admin must review it"}
	}
	if override == "" {
		return nil, &triage.Error{Code: triage.EFORBIDDEN, Field: "override", Message: "you wrote this article: an admin may publish their own change only with a reason (override)"}
	}
	return triage.Reasons{triage.NewReason(triage.ReasonArticleSelfApproved, p.Actor(), override)}, nil
}

// propose keeps next, an edit of the published article a, as the caller's
// revision: their open draft revision of a when there is one, else a new
// one. A revision in review that its author edits again goes back to draft:
// the reviewer must see what they approve.
func (s *Service) propose(ctx context.Context, tx triage.Tx, p *triage.Principal, a, next *triage.Article, note string) (*triage.ArticleRevision, error) {
	if p.Role == triage.RoleViewer {
		return nil, forbidden("viewers may read the knowledge base but not change it")
	}
	actor := p.Actor()
	open, err := tx.ArticleRevisions(ctx, triage.RevisionFilter{ArticleID: a.ID, AuthorID: actor, Status: []triage.RevisionStatus{triage.RevisionDraft, triage.RevisionInReview}})
	if err != nil {
		return nil, err
	}
	now := s.now()
	if len(open) > 0 {
		r := open[0]
		r.BaseVersion, r.Title, r.Body, r.Category, r.Tags, r.Visibility = a.Version, next.Title, next.Body, next.Category, slices.Clone(next.Tags), next.Visibility
		r.Status, r.UpdatedAt = triage.RevisionDraft, now
		if note != "" {
			r.Note = note
		}
		return r, tx.UpdateArticleRevision(ctx, r)
	}
	r := &triage.ArticleRevision{
		ID: triage.NewID(), ArticleID: a.ID, BaseVersion: a.Version,
		Title: next.Title, Body: next.Body, Category: next.Category, Tags: slices.Clone(next.Tags), Visibility: next.Visibility,
		Status: triage.RevisionDraft, AuthorID: actor, Note: note, CreatedAt: now, UpdatedAt: now,
	}
	return r, tx.CreateArticleRevision(ctx, r)
}

// Revision returns one revision.
func (s *Service) Revision(ctx context.Context, id string) (*triage.ArticleRevision, error) {
	return s.Store.ArticleRevision(ctx, id)
}

// Revisions lists revisions newest first.
func (s *Service) Revisions(ctx context.Context, f triage.RevisionFilter) ([]*triage.ArticleRevision, error) {
	for _, st := range f.Status {
		if !st.Valid() {
			return nil, triage.Invalid("status", "status %q is not one of %s", st, joinRevisionStatuses())
		}
	}
	return s.Store.ArticleRevisions(ctx, f)
}

func joinRevisionStatuses() string {
	var ss []string
	for _, st := range triage.RevisionStatuses() {
		ss = append(ss, string(st))
	}
	return strings.Join(ss, ", ")
}

// Review takes one step of a revision's review (submit, approve, reject,
// withdraw) at the revision's version ifMatch (0: any). Approving writes
// the revision's text as the article's next version and returns the
// article as it now is; the other steps return it unchanged.
func (s *Service) Review(ctx context.Context, id string, ifMatch int, act triage.RevisionAction) (*triage.ArticleRevision, *triage.Article, error) {
	act.Note, act.Override = strings.TrimSpace(act.Note), strings.TrimSpace(act.Override)
	switch {
	case !slices.Contains(triage.RevisionActions(), act.Action):
		return nil, nil, triage.Invalid("action", "action %q is not one of %s", act.Action, strings.Join(triage.RevisionActions(), ", "))
	case utf8.RuneCountInString(act.Note) > MaxNoteRunes:
		return nil, nil, triage.Invalid("note", "note is longer than %d characters", MaxNoteRunes)
	case utf8.RuneCountInString(act.Override) > MaxOverrideRunes:
		return nil, nil, triage.Invalid("override", "override is longer than %d characters", MaxOverrideRunes)
	case act.Override != "" && act.Action != triage.RevisionApprove:
		return nil, nil, triage.Invalid("override", "override is the reason an admin approves their own change; it goes with approve only")
	}
	p := triage.PrincipalFromContext(ctx)
	type result struct {
		r *triage.ArticleRevision
		a *triage.Article
	}
	res, err := write(ctx, s, nil, func(tx triage.Tx) (result, error) {
		r, err := tx.ArticleRevision(ctx, id)
		if err != nil {
			return result{}, err
		}
		if err := triage.CheckVersion("revision "+id, r.Version, ifMatch); err != nil {
			return result{}, err
		}
		a, err := tx.Article(ctx, r.ArticleID)
		if err != nil {
			return result{}, err
		}
		if err := authorizeReview(p, r, act); err != nil {
			return result{}, err
		}
		from := r.Status
		switch act.Action {
		case triage.RevisionSubmit:
			r.Status = triage.RevisionInReview
		case triage.RevisionWithdraw:
			r.Status = triage.RevisionWithdrawn
		case triage.RevisionReject:
			r.Status = triage.RevisionRejected
		case triage.RevisionApprove:
			r.Status = triage.RevisionApproved
		}
		if err := checkRevisionMove(from, act.Action); err != nil {
			return result{}, err
		}
		now := s.now()
		r.UpdatedAt = now
		if act.Action == triage.RevisionSubmit {
			if act.Note != "" {
				r.Note = act.Note
			}
		} else if act.Action != triage.RevisionWithdraw {
			r.ReviewerID, r.ReviewNote, r.Override = p.Actor(), act.Note, act.Override
			r.DecidedAt = &now
		} else {
			r.DecidedAt = &now
		}
		if act.Action == triage.RevisionApprove {
			if a.Version != r.BaseVersion {
				return result{}, &triage.Error{Code: triage.ECONFLICT, Field: "base_version",
					Message: fmt.Sprintf("the article moved on to version %d since this revision was written against version %d; its author must edit it again", a.Version, r.BaseVersion)}
			}
			next := *a
			next.Title, next.Body, next.Category, next.Tags, next.Visibility = r.Title, r.Body, r.Category, slices.Clone(r.Tags), r.Visibility
			if err := triage.ValidateArticle(&next); err != nil {
				return result{}, err
			}
			why := triage.Reasons{triage.NewReason(triage.ReasonArticleApproved, r.AuthorID, p.Actor())}
			if act.Override != "" {
				why = triage.Reasons{triage.NewReason(triage.ReasonArticleSelfApproved, r.AuthorID, act.Override)}
			}
			why = append(why, describe(a, &next)...)
			if edited(a, &next) {
				// The version is the author's text: its actor is the
				// author; the reviewer is in its reasons.
				if err := s.saveAs(ctx, tx, &next, a.Status, r.AuthorID, r.Note, why); err != nil {
					return result{}, err
				}
				a = &next
			}
		}
		return result{r, a}, tx.UpdateArticleRevision(ctx, r)
	})
	return res.r, res.a, err
}

// checkRevisionMove refuses a step the revision's status does not allow.
func checkRevisionMove(from triage.RevisionStatus, action string) error {
	ok := false
	switch action {
	case triage.RevisionSubmit:
		ok = from == triage.RevisionDraft
	case triage.RevisionApprove, triage.RevisionReject:
		ok = from == triage.RevisionInReview
	case triage.RevisionWithdraw:
		ok = from.Open()
	}
	if ok {
		return nil
	}
	return &triage.Error{Code: triage.ECONFLICT, Field: "action", Message: fmt.Sprintf("a %s revision cannot take the step %q", from, action)}
}

// authorizeReview decides whether p may take act on r. Authors submit and
// withdraw their own revisions; editors and admins approve and reject,
// never their own change, except an admin who gives the reason.
func authorizeReview(p *triage.Principal, r *triage.ArticleRevision, act triage.RevisionAction) error {
	if p == nil {
		return nil
	}
	own := r.AuthorID == p.Actor()
	switch act.Action {
	case triage.RevisionSubmit, triage.RevisionWithdraw:
		if own || p.Role == triage.RoleAdmin {
			return nil
		}
		return forbidden("only the revision's author (or an admin) may submit or withdraw it")
	}
	if p.Role != triage.RoleAdmin && p.Role != triage.RoleEditor {
		return forbidden("only editors and admins review revisions")
	}
	if act.Action == triage.RevisionApprove && own {
		if p.Role != triage.RoleAdmin {
			return &triage.Error{Code: triage.EFORBIDDEN, Field: "override", Message: "nobody approves their own change: another editor or an admin must review it"}
		}
		if act.Override == "" {
			return &triage.Error{Code: triage.EFORBIDDEN, Field: "override", Message: "you wrote this revision: an admin may approve their own change only with a reason (override)"}
		}
	}
	if act.Action == triage.RevisionApprove && !own && act.Override != "" {
		return triage.Invalid("override", "override is only for approving your own change")
	}
	return nil
}

// saveAs is save with the version's actor given.
func (s *Service) saveAs(ctx context.Context, tx triage.Tx, a *triage.Article, from triage.ArticleStatus, actor, note string, why triage.Reasons) error {
	now := s.now()
	a.UpdatedAt = now
	if a.Status == triage.ArticlePublished && from != triage.ArticlePublished {
		a.PublishedAt = &now
	}
	if err := tx.UpdateArticle(ctx, a); err != nil {
		return err
	}
	return addVersion(ctx, tx, versionOf(a, actor, note, why))
}

// CompareRevision is the line diff from the live article to the revision.
func CompareRevision(a *triage.Article, r *triage.ArticleRevision) *Diff {
	live := versionOf(a, a.AuthorID, "", nil)
	prop := &triage.ArticleVersion{ArticleID: a.ID, Version: a.Version + 1, Title: r.Title, Body: r.Body, Category: r.Category, Tags: r.Tags, Status: a.Status}
	return Compare(live, prop)
}
