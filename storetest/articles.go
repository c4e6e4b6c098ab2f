package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var articleTests = []test{
	{"round trip of every field", testArticleRoundTrip},
	{"update round trip", testArticleUpdate},
	{"stale version and not found", testArticleStale},
	{"errors", testArticleErrors},
	{"filters", testArticleFilters},
	{"pagination", testArticlePagination},
	{"page size limits", testArticleLimits},
	{"bad cursor", testArticleBadCursor},
	{"an update moves an article to the front", testArticleOrderFollowsUpdates},
	{"versions", testArticleVersions},
	{"versions errors", testArticleVersionErrors},
}

// newArticle is a minimal article updated at updated, with nil tags.
func newArticle(id string, updated time.Time) *triage.Article {
	return &triage.Article{
		ID:        id,
		Title:     "如何申请退款 " + id,
		Body:      "在订单详情页点击“申请退款”。",
		Category:  "退款",
		Status:    triage.ArticleDraft,
		AuthorID:  "editor-1",
		CreatedAt: updated,
		UpdatedAt: updated,
	}
}

// fullArticle sets every field, with times in another zone and with
// nanoseconds, so that the store has to convert and truncate them.
func fullArticle(id string) *triage.Article {
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	return &triage.Article{
		ID:          id,
		Title:       "退款多久到账？",
		Body:        "## 到账时间\n\n原路退回，一般 1-3 个工作日到账。\n\n* 银行卡：3-5 个工作日\n* 余额：即时",
		Category:    "退款",
		Tags:        []string{"退款", "到账", "faq"},
		Status:      triage.ArticlePublished,
		AuthorID:    "editor-1",
		CreatedAt:   created,
		UpdatedAt:   created.Add(2*time.Hour + 999),
		PublishedAt: ptr(created.Add(time.Hour + 1)),
	}
}

// wantArticle is a as a store returns it at version.
func wantArticle(a *triage.Article, version int) *triage.Article {
	w := *a
	w.Tags = append([]string{}, a.Tags...)
	w.CreatedAt = stored(a.CreatedAt)
	w.UpdatedAt = stored(a.UpdatedAt)
	w.PublishedAt = storedPtr(a.PublishedAt)
	w.Version = version
	if w.Visibility == "" {
		w.Visibility = triage.ArticleInternal // what nobody made public stays internal
	}
	return &w
}

// articleIDs returns the ids of articles, in order.
func articleIDs(as []*triage.Article) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// createArticles stores as in one transaction.
func createArticles(t *testing.T, s triage.Store, as ...*triage.Article) {
	t.Helper()
	update(t, s, func(tx triage.Tx) error {
		for _, a := range as {
			if err := tx.CreateArticle(t.Context(), a); err != nil {
				return err
			}
		}
		return nil
	})
}

func testArticleRoundTrip(t *testing.T, s triage.Store) {
	ctx := t.Context()
	full := fullArticle("a-1")
	bare := newArticle("a-2", base) // nil tags, no PublishedAt
	bare.Version = 9                // the store sets 1
	wFull, wBare := wantArticle(full, 1), wantArticle(bare, 1)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateArticle(ctx, full); err != nil {
			return err
		}
		if err := tx.CreateArticle(ctx, bare); err != nil {
			return err
		}
		// A transaction reads its own writes.
		got, err := tx.Article(ctx, "a-1")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.Article", got, wFull)
		list, _, err := tx.Articles(ctx, triage.ArticleFilter{})
		if err != nil {
			return err
		}
		if len(list) != 2 {
			t.Errorf("tx.Articles sees %d articles, want 2", len(list))
		}
		return nil
	})
	sameJSON(t, "created struct", full, wFull)
	sameJSON(t, "created struct with nil tags", bare, wBare)

	got, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Article", got, wFull)
	wantUTC(t, "Article", got.CreatedAt, got.UpdatedAt, *got.PublishedAt)
	got, err = s.Article(ctx, "a-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Article with nil tags", got, wBare)

	// a-1 was updated later (UpdatedAt 2026-11-22 12:30 UTC) than a-2 (09:00).
	list, next, err := s.Articles(ctx, triage.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Articles", list, []*triage.Article{wFull, wBare})
	if next != "" {
		t.Errorf("next cursor = %q on the only page", next)
	}
}

func testArticleUpdate(t *testing.T, s triage.Store) {
	ctx := t.Context()
	in := fullArticle("a-1")
	createArticles(t, s, in)
	got, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	// Every field changes; CreatedAt and AuthorID are fixed at creation,
	// so the update gives the stored ones back.
	got.Title, got.Body, got.Category = "退款到账时间", "原路退回。", "支付"
	got.Tags, got.Status, got.PublishedAt = nil, triage.ArticleArchived, nil
	got.UpdatedAt = time.Date(2026, 11, 23, 1, 2, 3, 456789999, cst)
	got.CreatedAt, got.AuthorID = base.Add(-48*time.Hour), "someone-else"
	w := wantArticle(got, 2)
	w.CreatedAt, w.AuthorID = stored(in.CreatedAt), in.AuthorID
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, got) })
	if got.Version != 2 {
		t.Errorf("Version after update = %d, want 2", got.Version)
	}
	sameJSON(t, "updated struct", got, w)
	again, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Article after update", again, w)

	// Published again: PublishedAt is stored as given.
	again.Status, again.PublishedAt = triage.ArticlePublished, ptr(base.Add(72*time.Hour).In(cst))
	w = wantArticle(again, 3)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, again) })
	sameJSON(t, "republished struct", again, w)
	last, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Article after a second update", last, w)
}

func testArticleStale(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a := newArticle("a-1", base)
	createArticles(t, s, a)
	first := *a
	a.Title = "changed"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, a) })

	stale := first
	stale.Title = "stale"
	err := updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, &stale) })
	wantCode(t, err, triage.ESTALE)
	if stale.Version != 1 {
		t.Errorf("a stale update changed the caller's Version to %d", stale.Version)
	}
	got, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "changed" || got.Version != 2 {
		t.Errorf("after a stale update: %q at version %d, want %q at 2", got.Title, got.Version, "changed")
	}

	missing := newArticle("a-9", base)
	missing.Version = 1
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, missing) })
	wantCode(t, err, triage.ENOTFOUND)
	_, err = s.Article(ctx, "a-9")
	wantCode(t, err, triage.ENOTFOUND)
}

func testArticleErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createArticles(t, s, newArticle("a-1", base))
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"create with an empty id", func(tx triage.Tx) error { return tx.CreateArticle(ctx, newArticle("", base)) }, triage.EINVALID},
		{"update with an empty id", func(tx triage.Tx) error {
			a := newArticle("", base)
			a.Version = 1
			return tx.UpdateArticle(ctx, a)
		}, triage.EINVALID},
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateArticle(ctx, newArticle("a-1", base)) }, triage.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
	list, _, err := s.Articles(ctx, triage.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(articleIDs(list), []string{"a-1"}) || list[0].Title != newArticle("a-1", base).Title {
		t.Errorf("after failed writes Articles = %v, want a-1 as created", articleIDs(list))
	}
}

// articleFixtures differ in every filtered field; article i was last updated
// i hours after base, so the newest is the last.
func articleFixtures() []*triage.Article {
	mk := func(i int, st triage.ArticleStatus, cat, author, title, body string) *triage.Article {
		a := newArticle(fmt.Sprintf("k-%02d", i), base.Add(time.Duration(i)*time.Hour))
		// Created in the opposite order, so that a list by CreatedAt would
		// come out differently.
		a.CreatedAt = base.Add(-time.Duration(i) * time.Hour)
		a.Status, a.Category, a.AuthorID, a.Title, a.Body = st, cat, author, title, body
		return a
	}
	return []*triage.Article{
		mk(0, triage.ArticlePublished, "退款", "e1", "退款多久到账", "原路退回，1-3 个工作日。REFUND policy"),
		mk(1, triage.ArticleDraft, "物流", "e2", "Where is my parcel", "快递查询方法"),
		mk(2, triage.ArticleInReview, "退款", "e1", "100% 退款的条件", "七天无理由"),
		mk(3, triage.ArticleArchived, "账户", "e3", "修改密码", "password_reset 邮件"),
		mk(4, triage.ArticlePublished, "账户", "e2", "绑定手机号", "换绑需要验证旧手机号"),
		mk(5, triage.ArticlePublished, "物流", "e1", "Refund for a lost parcel", "丢件赔付"),
		mk(6, triage.ArticleDraft, "退款", "e3", "重复扣款怎么办", "passwordXreset 不是通配符"),
		mk(7, triage.ArticlePublished, "", "e2", "发票抬头", "如何修改发票"),
	}
}

func testArticleFilters(t *testing.T, s triage.Store) {
	ctx := t.Context()
	fixtures := articleFixtures()
	createArticles(t, s, fixtures...)

	status := func(sts ...triage.ArticleStatus) func(*triage.Article) bool {
		return func(a *triage.Article) bool { return slices.Contains(sts, a.Status) }
	}
	contains := func(q string) func(*triage.Article) bool {
		return func(a *triage.Article) bool {
			q := strings.ToLower(q)
			return strings.Contains(strings.ToLower(a.Title), q) || strings.Contains(strings.ToLower(a.Body), q)
		}
	}
	and := func(ps ...func(*triage.Article) bool) func(*triage.Article) bool {
		return func(a *triage.Article) bool {
			for _, p := range ps {
				if !p(a) {
					return false
				}
			}
			return true
		}
	}
	category := func(c string) func(*triage.Article) bool {
		return func(a *triage.Article) bool { return a.Category == c }
	}
	author := func(id string) func(*triage.Article) bool {
		return func(a *triage.Article) bool { return a.AuthorID == id }
	}
	cases := []struct {
		name  string
		f     triage.ArticleFilter
		match func(*triage.Article) bool
	}{
		{"one status", triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished}}, status(triage.ArticlePublished)},
		{"several statuses", triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticleDraft, triage.ArticleInReview}},
			status(triage.ArticleDraft, triage.ArticleInReview)},
		{"category", triage.ArticleFilter{Category: "退款"}, category("退款")},
		{"author", triage.ArticleFilter{AuthorID: "e1"}, author("e1")},
		{"text in Chinese", triage.ArticleFilter{Text: "退款"}, contains("退款")},
		{"text ignores Latin case", triage.ArticleFilter{Text: "refund"}, contains("refund")},
		{"text in body", triage.ArticleFilter{Text: "手机号"}, contains("手机号")},
		{"text percent is literal", triage.ArticleFilter{Text: "100%"}, contains("100%")},
		{"text underscore is literal", triage.ArticleFilter{Text: "password_reset"}, contains("password_reset")},
		{"statuses and category", triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished, triage.ArticleDraft}, Category: "物流"},
			and(status(triage.ArticlePublished, triage.ArticleDraft), category("物流"))},
		{"status, author and text", triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished}, AuthorID: "e1", Text: "REFUND"},
			and(status(triage.ArticlePublished), author("e1"), contains("refund"))},
		{"category and author", triage.ArticleFilter{Category: "账户", AuthorID: "e3"}, and(category("账户"), author("e3"))},
		{"nothing matches", triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticleArchived}, Category: "退款"},
			func(*triage.Article) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var wantIDs []string
			for _, a := range slices.Backward(fixtures) { // most recently updated first
				if tc.match(a) {
					wantIDs = append(wantIDs, a.ID)
				}
			}
			if tc.name != "nothing matches" && (len(wantIDs) == 0 || len(wantIDs) == len(fixtures)) {
				t.Fatalf("fixture problem: the filter should match some articles but not all; matches %d", len(wantIDs))
			}
			got, next, err := s.Articles(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Errorf("Articles returned a nil slice, want an empty one")
			}
			if !slices.Equal(articleIDs(got), wantIDs) {
				t.Errorf("Articles(%+v) = %v, want %v", tc.f, articleIDs(got), wantIDs)
			}
			if next != "" {
				t.Errorf("next cursor = %q on the only page", next)
			}
		})
	}
}

// testArticlePagination walks 120 articles page by page. Groups of seven
// share an UpdatedAt, ids are not in update order, and CreatedAt runs the
// other way, so page boundaries fall inside groups and only the
// (UpdatedAt, id) key keeps pages apart.
func testArticlePagination(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = 120
	var all []*triage.Article
	for i := range n {
		a := newArticle(fmt.Sprintf("p-%03d", (i*37)%n), base.Add(time.Duration(i/7)*time.Minute))
		a.CreatedAt = base.Add(-time.Duration(i) * time.Minute)
		if i%2 == 0 {
			a.Status = triage.ArticlePublished
		}
		if i%3 == 0 {
			a.Category = "物流"
		}
		all = append(all, a)
	}
	createArticles(t, s, all...)
	slices.SortFunc(all, func(a, b *triage.Article) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	keep := func(p func(a *triage.Article) bool) []string {
		return articleIDs(slices.DeleteFunc(slices.Clone(all), func(a *triage.Article) bool { return !p(a) }))
	}
	published := []triage.ArticleStatus{triage.ArticlePublished}
	for _, tc := range []struct {
		name   string
		filter triage.ArticleFilter
		want   []string
	}{
		{"limit 11", triage.ArticleFilter{Limit: 11}, articleIDs(all)},
		{"limit 7", triage.ArticleFilter{Limit: 7}, articleIDs(all)},
		{"limit divides the total", triage.ArticleFilter{Limit: 40}, articleIDs(all)},
		{"limit 1", triage.ArticleFilter{Limit: 1}, articleIDs(all)},
		{"by status", triage.ArticleFilter{Limit: 9, Status: published},
			keep(func(a *triage.Article) bool { return a.Status == triage.ArticlePublished })},
		{"by status and category", triage.ArticleFilter{Limit: 4, Status: published, Category: "物流"},
			keep(func(a *triage.Article) bool { return a.Status == triage.ArticlePublished && a.Category == "物流" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			var got []string
			seen := map[string]bool{}
			for page := 0; ; page++ {
				if page > n {
					t.Fatalf("more than %d pages: the cursor does not advance", n)
				}
				as, next, err := s.Articles(ctx, f)
				if err != nil {
					t.Fatalf("page %d: %v", page, err)
				}
				if len(as) == 0 && page > 0 {
					t.Fatalf("page %d is empty: the cursor before it promised more", page)
				}
				if len(as) > f.Limit {
					t.Fatalf("page %d has %d articles, limit %d", page, len(as), f.Limit)
				}
				for _, a := range as {
					if seen[a.ID] {
						t.Fatalf("page %d repeats %s", page, a.ID)
					}
					seen[a.ID] = true
					got = append(got, a.ID)
				}
				if next == "" {
					break
				}
				if len(as) != f.Limit {
					t.Fatalf("page %d has %d articles but a next cursor; only the last page may be short", page, len(as))
				}
				f.Cursor = next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages gave %d articles in this order:\n%v\nwant %d:\n%v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
}

func testArticleLimits(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = triage.MaxPageSize + 10
	var all []*triage.Article
	for i := range n {
		all = append(all, newArticle(fmt.Sprintf("l-%03d", i), base.Add(time.Duration(i)*time.Second)))
	}
	createArticles(t, s, all...)
	for _, tc := range []struct {
		name  string
		limit int
		want  int
	}{
		{"zero means the default", 0, triage.DefaultPageSize},
		{"negative means the default", -5, triage.DefaultPageSize},
		{"above the maximum is capped", 10 * triage.MaxPageSize, triage.MaxPageSize},
		{"the maximum", triage.MaxPageSize, triage.MaxPageSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := s.Articles(ctx, triage.ArticleFilter{Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("Limit %d gave %d articles, want %d", tc.limit, len(got), tc.want)
			}
			if next == "" {
				t.Errorf("no next cursor with %d articles left", n-len(got))
			}
		})
	}
}

func testArticleBadCursor(t *testing.T, s triage.Store) {
	createArticles(t, s, newArticle("a-1", base))
	for _, c := range []string{"not a cursor", "e30", "!!!"} {
		_, _, err := s.Articles(t.Context(), triage.ArticleFilter{Cursor: c})
		wantCode(t, err, triage.EINVALID)
	}
	got, next, err := s.Articles(t.Context(), triage.ArticleFilter{Text: "没有这个词"})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 || next != "" {
		t.Errorf("Articles matching nothing = %#v, %q; want an empty slice and no cursor", got, next)
	}
}

func testArticleOrderFollowsUpdates(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createArticles(t, s, newArticle("a-1", base), newArticle("a-2", base.Add(time.Hour)), newArticle("a-3", base.Add(2*time.Hour)))
	a, err := s.Article(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	a.Body, a.UpdatedAt = "新的正文", base.Add(3*time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateArticle(ctx, a) })
	list, _, err := s.Articles(ctx, triage.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a-1", "a-3", "a-2"}; !slices.Equal(articleIDs(list), want) {
		t.Errorf("Articles after updating a-1 = %v, want %v", articleIDs(list), want)
	}
}

// versionOf is a version row of a, as the service writes one with each save.
func versionOf(a *triage.Article, actor, note string) *triage.ArticleVersion {
	return &triage.ArticleVersion{ArticleID: a.ID, Version: a.Version, Title: a.Title, Body: a.Body,
		Category: a.Category, Tags: a.Tags, Status: a.Status, Actor: actor, Note: note, CreatedAt: a.UpdatedAt}
}

// wantVersion is v as a store returns it.
func wantVersion(v *triage.ArticleVersion) *triage.ArticleVersion {
	w := *v
	w.Tags = append([]string{}, v.Tags...)
	w.CreatedAt = stored(v.CreatedAt)
	return &w
}

func testArticleVersions(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a := fullArticle("a-1")
	var vs []*triage.ArticleVersion
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateArticle(ctx, a); err != nil {
			return err
		}
		v := versionOf(a, "editor-1", "")
		v.Why = triage.Reasons{triage.NewReason(triage.ReasonArticleCreated)}
		vs = append(vs, v)
		if err := tx.AddArticleVersion(ctx, v); err != nil {
			return err
		}
		if err := tx.CreateArticle(ctx, newArticle("a-2", base)); err != nil {
			return err
		}
		// A transaction reads its own versions.
		got, err := tx.ArticleVersions(ctx, "a-1")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.ArticleVersions", got, []*triage.ArticleVersion{wantVersion(v)})
		return nil
	})
	for i, edit := range []func(){
		func() { a.Title, a.Tags = "退款到账时间", nil },
		func() { a.Status = triage.ArticleArchived },
	} {
		edit()
		a.UpdatedAt = a.UpdatedAt.Add(time.Duration(i+1) * time.Hour)
		update(t, s, func(tx triage.Tx) error {
			if err := tx.UpdateArticle(ctx, a); err != nil {
				return err
			}
			v := versionOf(a, "reviewer-1", fmt.Sprintf("edit %d", i+1))
			vs = append(vs, v)
			return tx.AddArticleVersion(ctx, v)
		})
	}
	var want []*triage.ArticleVersion
	for _, v := range vs {
		w := wantVersion(v)
		want = append(want, w)
		sameJSON(t, fmt.Sprintf("added version %d", v.Version), v, w)
	}

	got, err := s.ArticleVersions(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "ArticleVersions", got, want)
	wantUTC(t, "ArticleVersions", got[0].CreatedAt)
	for _, w := range want {
		one, err := s.ArticleVersion(ctx, "a-1", w.Version)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, fmt.Sprintf("ArticleVersion %d", w.Version), one, w)
	}

	// Versions are listed by number, whatever order they were added in.
	update(t, s, func(tx triage.Tx) error {
		for _, n := range []int{3, 1, 2} {
			v := versionOf(newArticle("a-2", base), "editor-1", "")
			v.Version = n
			if err := tx.AddArticleVersion(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	got, err = s.ArticleVersions(ctx, "a-2")
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, v := range got {
		nums = append(nums, v.Version)
		if v.Tags == nil {
			t.Errorf("version %d was added with nil tags and reads back nil, want []", v.Version)
		}
	}
	if !slices.Equal(nums, []int{1, 2, 3}) {
		t.Errorf("ArticleVersions(a-2) lists versions %v, want [1 2 3]", nums)
	}

	// An article without versions has an empty list; no article is
	// ENOTFOUND.
	createArticles(t, s, newArticle("a-3", base))
	none, err := s.ArticleVersions(ctx, "a-3")
	if err != nil {
		t.Fatal(err)
	}
	if none == nil || len(none) != 0 {
		t.Errorf("ArticleVersions of an article without versions = %#v, want an empty slice", none)
	}
	_, err = s.ArticleVersions(ctx, "a-9")
	wantCode(t, err, triage.ENOTFOUND)
	_, err = s.ArticleVersion(ctx, "a-1", 4)
	wantCode(t, err, triage.ENOTFOUND)
	_, err = s.ArticleVersion(ctx, "a-9", 1)
	wantCode(t, err, triage.ENOTFOUND)
}

func testArticleVersionErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a := newArticle("a-1", base)
	createArticles(t, s, a)
	first := versionOf(a, "editor-1", "created")
	update(t, s, func(tx triage.Tx) error { return tx.AddArticleVersion(ctx, first) })
	version := func(article string, n int) *triage.ArticleVersion {
		v := versionOf(a, "editor-1", "again")
		v.ArticleID, v.Version = article, n
		return v
	}
	for _, tc := range []struct {
		name string
		v    *triage.ArticleVersion
		code string
	}{
		{"duplicate version", version("a-1", 1), triage.ECONFLICT},
		{"missing article", version("a-9", 1), triage.ENOTFOUND},
		{"empty article id", version("", 1), triage.EINVALID},
		{"version 0", version("a-1", 0), triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := updateErr(t, s, func(tx triage.Tx) error { return tx.AddArticleVersion(ctx, tc.v) })
			wantCode(t, err, tc.code)
		})
	}
	got, err := s.ArticleVersions(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "ArticleVersions after failed adds", got, []*triage.ArticleVersion{wantVersion(first)})
}
