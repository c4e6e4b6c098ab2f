package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Revisions of published articles: kept as given, versioned, listed newest
// first by article, status and author, and gone with their article.
var revisionTests = []test{
	{"revisions round trip, update and filters", testRevisionRoundTrip},
	{"revision errors", testRevisionErrors},
}

func newRevision(id, articleID string, created time.Time) *triage.ArticleRevision {
	return &triage.ArticleRevision{ID: id, ArticleID: articleID, BaseVersion: 1, Title: "退款多久到账？", Body: "一般 1-3 个工作日。",
		Category: "退款", Visibility: triage.ArticleInternal, Status: triage.RevisionDraft, AuthorID: "agent:a-1", Note: "补充时效",
		CreatedAt: created, UpdatedAt: created}
}

func testRevisionRoundTrip(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	createArticles(t, s, fullArticle("ar-1"), newArticle("ar-2", created))
	r1 := newRevision("rv-1", "ar-1", created)
	r1.Tags = []string{"退款", "到账"}
	r2 := newRevision("rv-2", "ar-1", created.Add(time.Minute))
	r3 := newRevision("rv-3", "ar-2", created.Add(2*time.Minute))
	r3.AuthorID = "token:tk-1"
	update(t, s, func(tx triage.Tx) error {
		for _, r := range []*triage.ArticleRevision{r1, r2, r3} {
			if err := tx.CreateArticleRevision(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if r1.Version != 1 {
		t.Fatalf("created version = %d, want 1", r1.Version)
	}
	got, err := s.ArticleRevision(ctx, "rv-1")
	if err != nil {
		t.Fatal(err)
	}
	want := *r1
	want.CreatedAt, want.UpdatedAt = stored(r1.CreatedAt), stored(r1.UpdatedAt)
	sameJSON(t, "ArticleRevision", got, &want)
	wantUTC(t, "ArticleRevision", got.CreatedAt, got.UpdatedAt)

	// Decide one: the reviewer, their note, an override and the time.
	decided := created.Add(time.Hour + 999)
	got.Status, got.ReviewerID, got.ReviewNote, got.Override, got.DecidedAt, got.UpdatedAt =
		triage.RevisionApproved, "agent:a-2", "可以", "紧急修正", &decided, decided
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticleRevision(ctx, got) })
	if got.Version != 2 {
		t.Fatalf("updated version = %d, want 2", got.Version)
	}
	again, err := s.ArticleRevision(ctx, "rv-1")
	if err != nil {
		t.Fatal(err)
	}
	want2 := *got
	want2.DecidedAt = ptr(stored(decided))
	sameJSON(t, "updated ArticleRevision", again, &want2)

	for _, tc := range []struct {
		name string
		f    triage.RevisionFilter
		want []string
	}{
		{"all, newest first", triage.RevisionFilter{}, []string{"rv-3", "rv-2", "rv-1"}},
		{"by article", triage.RevisionFilter{ArticleID: "ar-1"}, []string{"rv-2", "rv-1"}},
		{"by status", triage.RevisionFilter{Status: []triage.RevisionStatus{triage.RevisionDraft}}, []string{"rv-3", "rv-2"}},
		{"by two statuses", triage.RevisionFilter{Status: []triage.RevisionStatus{triage.RevisionApproved, triage.RevisionInReview}}, []string{"rv-1"}},
		{"by author", triage.RevisionFilter{AuthorID: "token:tk-1"}, []string{"rv-3"}},
		{"none", triage.RevisionFilter{ArticleID: "ar-2", Status: []triage.RevisionStatus{triage.RevisionApproved}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.ArticleRevisions(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, r := range list {
				ids = append(ids, r.ID)
			}
			sameJSON(t, "ids", ids, tc.want)
		})
	}
}

func testRevisionErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 30, 15, 0, time.UTC)
	createArticles(t, s, newArticle("ar-1", created))
	if _, err := s.ArticleRevision(ctx, "nope"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("missing revision: %v, want ENOTFOUND", err)
	}
	if err := updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateArticleRevision(ctx, newRevision("rv-1", "missing", created))
	}); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("revision of a missing article: %v, want ENOTFOUND", err)
	}
	r := newRevision("rv-1", "ar-1", created)
	update(t, s, func(tx triage.Tx) error { return tx.CreateArticleRevision(ctx, r) })
	if err := updateErr(t, s, func(tx triage.Tx) error { return tx.CreateArticleRevision(ctx, newRevision("rv-1", "ar-1", created)) }); !triage.IsCode(err, triage.ECONFLICT) {
		t.Errorf("duplicate id: %v, want ECONFLICT", err)
	}
	stale := *r
	stale.Version = 7
	if err := updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateArticleRevision(ctx, &stale) }); !triage.IsCode(err, triage.ESTALE) {
		t.Errorf("stale update: %v, want ESTALE", err)
	}
	missing := newRevision("rv-9", "ar-1", created)
	missing.Version = 1
	if err := updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateArticleRevision(ctx, missing) }); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("update of a missing revision: %v, want ENOTFOUND", err)
	}
}
