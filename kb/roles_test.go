package kb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// TestRoles is the permission table of the review workflow: who may do
// what to an article, by the caller's role, whether the caller wrote it,
// and its status. "ok" is allowed; 403 and 409 are the error codes
// EFORBIDDEN and ECONFLICT.
func TestRoles(t *testing.T) {
	const ok, forbidden, conflict = "ok", triage.EFORBIDDEN, triage.ECONFLICT
	type action struct {
		name string
		do   func(ctx context.Context, s *kb.Service, a *triage.Article) (*triage.Article, error)
	}
	edit := action{"edit", func(ctx context.Context, s *kb.Service, a *triage.Article) (*triage.Article, error) {
		return s.UpdateArticle(ctx, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some(a.Body + "补充说明。")})
	}}
	move := func(to triage.ArticleStatus) action {
		return action{"→" + string(to), func(ctx context.Context, s *kb.Service, a *triage.Article) (*triage.Article, error) {
			return s.UpdateArticle(ctx, a.ID, a.Version, status(to))
		}}
	}
	editAndSubmit := action{"edit+submit", func(ctx context.Context, s *kb.Service, a *triage.Article) (*triage.Article, error) {
		return s.UpdateArticle(ctx, a.ID, a.Version, triage.ArticleUpdate{Title: triage.Some("改过的标题"), Status: triage.Some(triage.ArticleInReview)})
	}}
	revert := action{"revert", func(ctx context.Context, s *kb.Service, a *triage.Article) (*triage.Article, error) {
		return s.Revert(ctx, a.ID, 1, a.Version)
	}}
	submit, publish, archive, toDraft := move(triage.ArticleInReview), move(triage.ArticlePublished), move(triage.ArticleArchived), move(triage.ArticleDraft)

	const (
		admin, editor, agent, viewer, nobody = "admin", "editor", "agent", "viewer", "system"
		own, other                           = true, false
	)
	draft, review, published, archived := triage.ArticleDraft, triage.ArticleInReview, triage.ArticlePublished, triage.ArticleArchived
	tests := []struct {
		role   string
		own    bool
		status triage.ArticleStatus
		action action
		want   string
	}{
		// Admins and editors may do anything the workflow allows.
		{admin, other, draft, edit, ok},
		{admin, other, published, edit, ok},
		{admin, other, draft, publish, ok},
		{admin, other, archived, toDraft, ok},
		{admin, other, archived, publish, conflict},
		{admin, other, published, revert, ok},
		{editor, other, draft, edit, ok},
		{editor, other, review, publish, ok},
		{editor, other, review, toDraft, ok},
		{editor, other, published, archive, ok},
		{editor, other, published, edit, ok},
		{editor, other, archived, edit, ok},
		{editor, other, archived, revert, ok},
		{editor, other, published, submit, conflict},
		{editor, other, archived, submit, conflict},
		{editor, own, archived, publish, conflict},
		// Agents write drafts and hand their own to review.
		{agent, own, draft, edit, ok},
		{agent, own, draft, submit, ok},
		{agent, own, draft, editAndSubmit, ok},
		{agent, own, draft, revert, ok},
		{agent, own, draft, toDraft, ok}, // no move at all
		{agent, own, draft, publish, forbidden},
		{agent, own, draft, archive, forbidden},
		{agent, own, review, edit, forbidden},
		{agent, own, review, toDraft, forbidden},
		{agent, own, review, publish, forbidden},
		{agent, own, published, edit, forbidden},
		{agent, own, published, archive, forbidden},
		{agent, own, published, revert, forbidden},
		{agent, own, archived, toDraft, forbidden},
		{agent, own, archived, publish, forbidden}, // not allowed to try, so not told about the workflow
		{agent, other, draft, edit, forbidden},
		{agent, other, draft, submit, forbidden},
		{agent, other, draft, revert, forbidden},
		{agent, other, published, edit, forbidden},
		// Viewers read.
		{viewer, other, draft, edit, forbidden},
		{viewer, other, draft, submit, forbidden},
		{viewer, other, review, publish, forbidden},
		{viewer, other, published, revert, forbidden},
		// The service itself (CLI, jobs) is trusted, within the workflow.
		{nobody, other, draft, publish, ok},
		{nobody, other, published, edit, ok},
		{nobody, other, archived, publish, conflict},
	}
	s := newService(t)
	ctxOf := map[string]context.Context{
		admin: as(triage.RoleAdmin, ""), editor: as(triage.RoleEditor, ""), agent: as(triage.RoleAgent, "ag1"),
		viewer: as(triage.RoleViewer, ""), nobody: system,
	}
	otherAgent := as(triage.RoleAgent, "ag2")
	for _, tt := range tests {
		owner := map[bool]string{true: "own", false: "other's"}[tt.own]
		t.Run(fmt.Sprintf("%s %s %s %s", tt.role, tt.action.name, owner, tt.status), func(t *testing.T) {
			author := otherAgent
			if tt.own {
				author = ctxOf[tt.role]
			}
			a := mustCreate(t, s, author, triage.NewArticle{Title: "如何开发票", Body: "在订单详情页申请。"})
			if tt.action.name == "revert" {
				a = mustUpdate(t, s, system, a, triage.ArticleUpdate{Body: triage.Some("第二版。")})
			}
			if tt.status != draft {
				a = mustUpdate(t, s, system, a, status(tt.status))
			}
			got, err := tt.action.do(ctxOf[tt.role], s, a)
			switch {
			case tt.want == ok && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == ok:
				if noop := tt.action.name == toDraft.name && tt.status == draft; got.Version <= a.Version && !noop {
					t.Fatalf("allowed but not saved: version %d", got.Version)
				}
			case triage.ErrorCode(err) != tt.want:
				t.Fatalf("error %v, want %s", err, tt.want)
			default:
				if now, _ := s.Article(system, a.ID); now.Version != a.Version {
					t.Fatal("a refused action saved a version")
				}
			}
			var e *triage.Error
			if tt.want == forbidden && errors.As(err, &e) && e.Message == "" {
				t.Fatal("403 without a message")
			}
		})
	}
}

func TestCreateByRole(t *testing.T) {
	s := newService(t)
	for _, tt := range []struct {
		ctx    context.Context
		want   string
		author string
	}{
		{as(triage.RoleAdmin, ""), "", "token:tok-admin"},
		{as(triage.RoleEditor, ""), "", "token:tok-editor"},
		{as(triage.RoleAgent, "ag7"), "", "agent:ag7"},
		{system, "", "system"},
		{as(triage.RoleViewer, ""), triage.EFORBIDDEN, ""},
		{as(triage.Role("guest"), ""), triage.EFORBIDDEN, ""},
	} {
		a, err := s.CreateArticle(tt.ctx, triage.NewArticle{Title: "新草稿"}, nil)
		if triage.ErrorCode(err) != tt.want {
			t.Fatalf("%s: error %v, want %q", triage.ActorFromContext(tt.ctx), err, tt.want)
		}
		if err == nil && (a.AuthorID != tt.author || a.Status != triage.ArticleDraft) {
			t.Fatalf("created %+v", a)
		}
	}
}
