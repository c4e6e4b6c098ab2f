package kb

import (
	"context"
	"fmt"

	"github.com/triagehq/triage"
)

// change is what a write asks to do to an article, as far as permissions
// go.
type change struct {
	create bool // a new draft
	move   bool // a status change to `to`; the zero change is an edit
	to     triage.ArticleStatus
	bulk   bool // an import, which creates and publishes without review
}

// authorize decides whether p may make change c to a (nil when creating).
// Editors curate the KB and admins may do anything; agents propose: they
// write drafts and hand them to review, and an editor takes it from there.
// Work without a principal is the service's own (the CLI, jobs) and is
// trusted.
func authorize(p *triage.Principal, a *triage.Article, c change) error {
	if p == nil {
		return nil
	}
	switch p.Role {
	case triage.RoleAdmin, triage.RoleEditor:
		return nil
	case triage.RoleAgent:
		return authorizeAgent(p, a, c)
	case triage.RoleViewer:
		return forbidden("viewers may read the knowledge base but not change it")
	}
	return forbidden(fmt.Sprintf("role %q may not change the knowledge base", p.Role))
}

func authorizeAgent(p *triage.Principal, a *triage.Article, c change) error {
	switch {
	case c.bulk:
		return forbidden("only editors and admins may import articles")
	case c.create:
		return nil
	case a.AuthorID != p.Actor():
		return forbidden("agents may change only the articles they wrote; ask an editor")
	case a.Status != triage.ArticleDraft:
		return forbidden(fmt.Sprintf("the article is %s; agents may change their articles only while they are drafts, ask an editor", a.Status))
	case c.move && c.to != triage.ArticleInReview:
		return forbidden(fmt.Sprintf("agents may only submit their drafts for review, not make them %s; an editor publishes and archives", c.to))
	}
	return nil
}

// Moves returns the statuses the caller may move a to: the review
// workflow's next statuses (ArticleStatus.Next) that their role allows.
// With review required, publishing is not for one who wrote the text,
// except an admin (who gives a reason).
func (s *Service) Moves(ctx context.Context, a *triage.Article) []triage.ArticleStatus {
	p := triage.PrincipalFromContext(ctx)
	moves := []triage.ArticleStatus{}
	for _, to := range a.Status.Next() {
		if authorize(p, a, change{move: true, to: to}) != nil {
			continue
		}
		if to == triage.ArticlePublished && p != nil && !s.mayPublish(ctx, p, a) {
			continue
		}
		moves = append(moves, to)
	}
	return moves
}

// mayPublish is checkPublish's answer for a button: a read that fails
// leaves the button out; the save would say why.
func (s *Service) mayPublish(ctx context.Context, p *triage.Principal, a *triage.Article) bool {
	review, err := s.ReviewRequired(ctx, s.Store)
	if err != nil {
		return false
	}
	if !review || p.Role == triage.RoleAdmin {
		return true
	}
	vs, err := s.Store.ArticleVersions(ctx, a.ID)
	return err == nil && !unpublishedAuthors(vs)[p.Actor()]
}

func forbidden(msg string) error { return &triage.Error{Code: triage.EFORBIDDEN, Message: msg} }
