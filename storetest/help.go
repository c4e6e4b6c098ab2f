package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var helpTests = []test{
	{"article visibility round trip and filter", testArticleVisibility},
	{"article votes", testArticleVotes},
	{"article vote errors", testArticleVoteErrors},
	{"help settings", testHelpSettings},
}

func testArticleVisibility(t *testing.T, s triage.Store) {
	ctx := t.Context()
	pub := newArticle("v-pub", base.Add(time.Hour))
	pub.Visibility = triage.ArticlePublic
	internal := newArticle("v-int", base)
	internal.Visibility = triage.ArticleInternal
	unset := newArticle("v-unset", base.Add(-time.Hour)) // stays internal
	createArticles(t, s, pub, internal, unset)
	if unset.Visibility != triage.ArticleInternal {
		t.Errorf("created struct's visibility = %q, want internal", unset.Visibility)
	}
	for _, tc := range []struct {
		id   string
		want triage.ArticleVisibility
	}{{"v-pub", triage.ArticlePublic}, {"v-int", triage.ArticleInternal}, {"v-unset", triage.ArticleInternal}} {
		t.Run(tc.id, func(t *testing.T) {
			got, err := s.Article(ctx, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Visibility != tc.want {
				t.Errorf("visibility = %q, want %q", got.Visibility, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		f    triage.ArticleFilter
		want []string
	}{
		{"any", triage.ArticleFilter{}, []string{"v-pub", "v-int", "v-unset"}},
		{"public", triage.ArticleFilter{Visibility: triage.ArticlePublic}, []string{"v-pub"}},
		{"internal", triage.ArticleFilter{Visibility: triage.ArticleInternal}, []string{"v-int", "v-unset"}},
		{"public drafts", triage.ArticleFilter{Visibility: triage.ArticlePublic, Status: []triage.ArticleStatus{triage.ArticleDraft}}, []string{"v-pub"}},
		{"public published", triage.ArticleFilter{Visibility: triage.ArticlePublic, Status: []triage.ArticleStatus{triage.ArticlePublished}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := s.Articles(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ids", articleIDs(got), tc.want)
		})
	}
	// An update changes the visibility both ways.
	internal.Visibility = triage.ArticlePublic
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, internal) })
	pub.Visibility = triage.ArticleInternal
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, pub) })
	got, _, err := s.Articles(ctx, triage.ArticleFilter{Visibility: triage.ArticlePublic})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "public after updates", articleIDs(got), []string{"v-int"})
}

func testArticleVotes(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createArticles(t, s, newArticle("a-1", base), newArticle("a-2", base))
	votes := []*triage.ArticleVote{
		{ID: "v1", ArticleID: "a-1", Helpful: true, CreatedAt: base.In(cst)},
		{ID: "v2", ArticleID: "a-1", Helpful: false, CreatedAt: base.Add(time.Minute)},
		{ID: "v3", ArticleID: "a-2", Helpful: false, CreatedAt: base.Add(time.Hour)},
		{ID: "v4", ArticleID: "a-2", Helpful: false, CreatedAt: base.Add(2 * time.Hour)},
		{ID: "v5", ArticleID: "a-2", Helpful: true, CreatedAt: base.Add(3*time.Hour + 999)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, v := range votes {
			if err := tx.AddArticleVote(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	wantUTC(t, "vote", votes[0].CreatedAt)
	if votes[4].CreatedAt != stored(base.Add(3*time.Hour+999)) {
		t.Errorf("vote time = %v, want it truncated to microseconds", votes[4].CreatedAt)
	}
	for _, tc := range []struct {
		name  string
		since time.Time
		want  []triage.ArticleVoteCount
	}{
		{"all", time.Time{}, []triage.ArticleVoteCount{{ArticleID: "a-2", Helpful: 1, Unhelpful: 2}, {ArticleID: "a-1", Helpful: 1, Unhelpful: 1}}},
		{"since is inclusive", base.Add(time.Minute), []triage.ArticleVoteCount{{ArticleID: "a-2", Helpful: 1, Unhelpful: 2}, {ArticleID: "a-1", Unhelpful: 1}}},
		{"recent", base.Add(90 * time.Minute), []triage.ArticleVoteCount{{ArticleID: "a-2", Helpful: 1, Unhelpful: 1}}},
		{"none", base.Add(24 * time.Hour), []triage.ArticleVoteCount{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ArticleVoteCounts(ctx, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "counts", got, tc.want)
		})
	}
}

func testArticleVoteErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createArticles(t, s, newArticle("a-1", base))
	for _, tc := range []struct {
		name string
		v    triage.ArticleVote
		code string
	}{
		{"no id", triage.ArticleVote{ArticleID: "a-1", CreatedAt: base}, triage.EINVALID},
		{"no article", triage.ArticleVote{ID: "x", CreatedAt: base}, triage.EINVALID},
		{"unknown article", triage.ArticleVote{ID: "x", ArticleID: "nope", CreatedAt: base}, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddArticleVote(ctx, &tc.v) }), tc.code)
		})
	}
	update(t, s, func(tx triage.Tx) error {
		return tx.AddArticleVote(ctx, &triage.ArticleVote{ID: "dup", ArticleID: "a-1", CreatedAt: base})
	})
	err := updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddArticleVote(ctx, &triage.ArticleVote{ID: "dup", ArticleID: "a-1", CreatedAt: base})
	})
	wantCode(t, err, triage.ECONFLICT)
	counts, err := s.ArticleVoteCounts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "counts after failed votes", counts, []triage.ArticleVoteCount{{ArticleID: "a-1", Unhelpful: 1}})
}

func testHelpSettings(t *testing.T, s triage.Store) {
	ctx := t.Context()
	got, err := s.HelpSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.CompanyName != "" || got.LogoType != "" || len(got.Logo) != 0 || !got.UpdatedAt.IsZero() {
		t.Fatalf("settings never put = %+v, want the zero settings", got)
	}
	logo := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
	for _, put := range []triage.HelpSettings{
		{CompanyName: "好物商城", LogoType: "image/png", Logo: logo, UpdatedAt: base.In(cst).Add(999)},
		{CompanyName: "好物商城 2", UpdatedAt: base.Add(time.Hour)}, // the logo removed
	} {
		t.Run(put.CompanyName, func(t *testing.T) {
			h := put
			update(t, s, func(tx triage.Tx) error { return tx.PutHelpSettings(ctx, &h) })
			got, err := s.HelpSettings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantUTC(t, "settings", got.UpdatedAt)
			if got.CompanyName != put.CompanyName || got.LogoType != put.LogoType || !bytes.Equal(got.Logo, put.Logo) ||
				!got.UpdatedAt.Equal(stored(put.UpdatedAt)) {
				t.Errorf("settings = %q %q %d bytes %v, want %q %q %d bytes %v", got.CompanyName, got.LogoType, len(got.Logo), got.UpdatedAt,
					put.CompanyName, put.LogoType, len(put.Logo), stored(put.UpdatedAt))
			}
		})
	}
}
