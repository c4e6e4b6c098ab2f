package kb_test

import (
	"errors"
	"testing"

	"github.com/triagehq/triage"
)

func TestArticleVisibility(t *testing.T) {
	s := newService(t)
	ctx := as(triage.RoleEditor, "")
	a := mustCreate(t, s, ctx, triage.NewArticle{Title: "退款多久到账"})
	if a.Visibility != triage.ArticleInternal {
		t.Fatalf("a new article's visibility is %q, want internal", a.Visibility)
	}
	pub := mustCreate(t, s, ctx, triage.NewArticle{Title: "如何开发票", Visibility: triage.ArticlePublic})
	if pub.Visibility != triage.ArticlePublic {
		t.Fatalf("created public: visibility %q", pub.Visibility)
	}
	a = mustUpdate(t, s, ctx, a, triage.ArticleUpdate{Visibility: triage.Opt[triage.ArticleVisibility]{Set: true, V: triage.ArticlePublic}})
	if a.Visibility != triage.ArticlePublic || a.Version != 2 {
		t.Fatalf("after making it public: %q v%d", a.Visibility, a.Version)
	}
	vs := versions(t, s, a.ID)
	if got := triage.Sentence(vs[len(vs)-1].Why, ""); got != "edited visibility" {
		t.Errorf("the version says %q, want %q", got, "edited visibility")
	}
	for _, tc := range []struct {
		name string
		in   triage.NewArticle
		u    triage.ArticleUpdate
	}{
		{"create unknown", triage.NewArticle{Title: "t", Visibility: "everyone"}, triage.ArticleUpdate{}},
		{"update unknown", triage.NewArticle{}, triage.ArticleUpdate{Visibility: triage.Opt[triage.ArticleVisibility]{Set: true, V: "world"}}},
		{"update null", triage.NewArticle{}, triage.ArticleUpdate{Visibility: triage.Opt[triage.ArticleVisibility]{Set: true, Null: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.in.Title != "" {
				_, err = s.CreateArticle(ctx, tc.in, nil)
			} else {
				_, err = s.UpdateArticle(ctx, a.ID, 0, tc.u)
			}
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != "visibility" {
				t.Fatalf("error %v, want invalid visibility", err)
			}
		})
	}
}
