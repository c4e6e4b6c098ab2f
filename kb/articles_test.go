package kb_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

func TestCreateArticle(t *testing.T) {
	s := newService(t)
	ctx := as(triage.RoleAgent, "ag1")
	a := mustCreate(t, s, ctx, triage.NewArticle{Title: "  如何修改收货地址  ", Body: "在订单发货前，可以在「订单详情」中修改收货地址。", Category: "物流", Tags: []string{"地址", "物流", "地址"}})
	if a.Version != 1 || a.Status != triage.ArticleDraft || a.AuthorID != "agent:ag1" || a.Title != "如何修改收货地址" || !slices.Equal(a.Tags, []string{"地址", "物流"}) || a.PublishedAt != nil {
		t.Fatalf("created %+v", a)
	}
	got, err := s.Article(system, a.ID)
	if err != nil || got.Title != a.Title || got.Version != 1 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	vs := versions(t, s, a.ID)
	if len(vs) != 1 || vs[0].Version != 1 || triage.Sentence(vs[0].Why, vs[0].Note) != "created" || vs[0].Actor != "agent:ag1" || vs[0].Body != a.Body || vs[0].Status != triage.ArticleDraft {
		t.Fatalf("versions %+v", vs[0])
	}

	for _, tt := range []struct {
		name  string
		in    triage.NewArticle
		field string
	}{
		{"no title", triage.NewArticle{Title: "  ", Body: "正文"}, "title"},
		{"long title", triage.NewArticle{Title: strings.Repeat("长", triage.MaxArticleTitleRunes+1)}, "title"},
		{"huge body", triage.NewArticle{Title: "t", Body: strings.Repeat("x", triage.MaxArticleBodyBytes+1)}, "body"},
		{"bad tag", triage.NewArticle{Title: "t", Tags: []string{"a b"}}, "tags"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateArticle(ctx, tt.in, nil)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("error %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestCreateArticleIdempotent(t *testing.T) {
	s := newService(t)
	ctx := as(triage.RoleEditor, "")
	idem := &triage.Idempotency{Scope: "tok-editor", Key: "k-1", RequestHash: "h", Status: 201}
	a, err := s.CreateArticle(ctx, triage.NewArticle{Title: "退款多久到账"}, idem)
	if err != nil {
		t.Fatal(err)
	}
	again := *idem
	_, err = s.CreateArticle(ctx, triage.NewArticle{Title: "退款多久到账"}, &again)
	if !errors.Is(err, triage.ErrReplay) {
		t.Fatalf("second create with the same key: %v, want ErrReplay", err)
	}
	list, _, err := s.Articles(system, triage.ArticleFilter{})
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("articles after a replay: %d, %v", len(list), err)
	}
	rec, err := s.Store.Idempotency(system, "tok-editor", "k-1")
	if err != nil || !strings.Contains(string(rec.Body), a.ID) {
		t.Fatalf("stored replay %+v, %v", rec, err)
	}
}

func TestUpdateArticle(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	a := mustCreate(t, s, ed, triage.NewArticle{Title: "发票怎么开", Body: "在订单页申请。", Category: "发票"})

	t.Run("edit", func(t *testing.T) {
		b := mustUpdate(t, s, ed, a, triage.ArticleUpdate{Body: triage.Some("在订单详情页点击「申请发票」。"), Tags: triage.Some([]string{"发票", "Invoice"})})
		if b.Version != 2 || b.Body != "在订单详情页点击「申请发票」。" || !slices.Equal(b.Tags, []string{"发票", "invoice"}) || !b.UpdatedAt.After(a.UpdatedAt) || !b.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("updated %+v", b)
		}
		vs := versions(t, s, a.ID)
		if len(vs) != 2 || triage.Sentence(vs[1].Why, vs[1].Note) != "edited body, tags" || vs[1].Actor != "token:tok-editor" || vs[1].Body != b.Body {
			t.Fatalf("version 2 %+v", vs[1])
		}
		a = b
	})
	t.Run("nothing changes", func(t *testing.T) {
		b := mustUpdate(t, s, ed, a, triage.ArticleUpdate{Title: triage.Some(" 发票怎么开 "), Status: triage.Some(triage.ArticleDraft), Note: "no-op"})
		if b.Version != a.Version || len(versions(t, s, a.ID)) != 2 {
			t.Fatalf("a save without changes made version %d", b.Version)
		}
	})
	t.Run("stale version", func(t *testing.T) {
		_, err := s.UpdateArticle(ed, a.ID, 1, triage.ArticleUpdate{Body: triage.Some("x")})
		wantCode(t, err, triage.ESTALE)
	})
	t.Run("any version", func(t *testing.T) {
		b, err := s.UpdateArticle(ed, a.ID, 0, triage.ArticleUpdate{Category: triage.Some("财务")})
		if err != nil || b.Category != "财务" {
			t.Fatalf("%+v, %v", b, err)
		}
		a = b
	})
	t.Run("null clears", func(t *testing.T) {
		b := mustUpdate(t, s, ed, a, triage.ArticleUpdate{Category: triage.Opt[string]{Set: true, Null: true}, Tags: triage.Opt[[]string]{Set: true, Null: true}})
		if b.Category != "" || b.Tags == nil || len(b.Tags) != 0 {
			t.Fatalf("%+v", b)
		}
		a = b
	})
	t.Run("publish sets PublishedAt and keeps it", func(t *testing.T) {
		b := mustUpdate(t, s, ed, a, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Note: "审核通过"})
		if b.Status != triage.ArticlePublished || b.PublishedAt == nil || !b.PublishedAt.Equal(b.UpdatedAt) {
			t.Fatalf("published %+v", b)
		}
		vs := versions(t, s, a.ID)
		if last := vs[len(vs)-1]; last.Note != "审核通过" || last.Status != triage.ArticlePublished {
			t.Fatalf("version %+v", last)
		}
		c := mustUpdate(t, s, ed, b, status(triage.ArticleArchived))
		if c.PublishedAt == nil || !c.PublishedAt.Equal(*b.PublishedAt) {
			t.Fatalf("archived %+v", c)
		}
		if vs := versions(t, s, a.ID); triage.Sentence(vs[len(vs)-1].Why, vs[len(vs)-1].Note) != "published → archived" {
			t.Fatalf("default note %q", triage.Sentence(vs[len(vs)-1].Why, vs[len(vs)-1].Note))
		}
		a = c
	})
	t.Run("impossible move", func(t *testing.T) {
		_, err := s.UpdateArticle(ed, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some("改"), Status: triage.Some(triage.ArticlePublished)})
		var e *triage.Error
		if !errors.As(err, &e) || e.Code != triage.ECONFLICT || e.Field != "status" || !slices.Equal(e.Allowed, []string{"draft"}) {
			t.Fatalf("archived → published: %v", err)
		}
		if got, _ := s.Article(system, a.ID); got.Body == "改" {
			t.Fatal("a refused save changed the body")
		}
	})
	for _, tt := range []struct {
		name  string
		u     triage.ArticleUpdate
		field string
	}{
		{"null title", triage.ArticleUpdate{Title: triage.Opt[string]{Set: true, Null: true}}, "title"},
		{"empty title", triage.ArticleUpdate{Title: triage.Some(" ")}, "title"},
		{"unknown status", triage.ArticleUpdate{Status: triage.Some(triage.ArticleStatus("deleted"))}, "status"},
		{"null status", triage.ArticleUpdate{Status: triage.Opt[triage.ArticleStatus]{Set: true, Null: true}}, "status"},
		{"long note", triage.ArticleUpdate{Body: triage.Some("x"), Note: strings.Repeat("注", kb.MaxNoteRunes+1)}, "note"},
		{"bad tags", triage.ArticleUpdate{Tags: triage.Some([]string{""})}, "tags"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateArticle(ed, a.ID, a.Version, tt.u)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("error %v, want invalid %s", err, tt.field)
			}
		})
	}
	t.Run("missing article", func(t *testing.T) {
		_, err := s.UpdateArticle(ed, "nope", 0, triage.ArticleUpdate{Body: triage.Some("x")})
		wantCode(t, err, triage.ENOTFOUND)
	})
}

func TestArticlesFilter(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	for i := range 5 {
		a := mustCreate(t, s, ed, triage.NewArticle{Title: fmt.Sprintf("文章%d", i), Category: "售后"})
		if i%2 == 0 {
			mustUpdate(t, s, ed, a, status(triage.ArticlePublished))
		}
	}
	list, next, err := s.Articles(system, triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished}, Limit: 2})
	if err != nil || len(list) != 2 || next == "" {
		t.Fatalf("first page: %d, %q, %v", len(list), next, err)
	}
	rest, next, err := s.Articles(system, triage.ArticleFilter{Status: []triage.ArticleStatus{triage.ArticlePublished}, Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next != "" {
		t.Fatalf("second page: %d, %q, %v", len(rest), next, err)
	}
	for _, tt := range []struct {
		name  string
		f     triage.ArticleFilter
		field string
	}{
		{"status", triage.ArticleFilter{Status: []triage.ArticleStatus{"gone"}}, "status"},
		{"negative limit", triage.ArticleFilter{Limit: -1}, "limit"},
		{"large limit", triage.ArticleFilter{Limit: triage.MaxPageSize + 1}, "limit"},
		{"cursor", triage.ArticleFilter{Cursor: "not-a-cursor"}, "cursor"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.Articles(system, tt.f)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("error %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestVersionsAndRevert(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	v1 := mustCreate(t, s, ed, triage.NewArticle{Title: "退款多久到账", Body: "原路退回，1-3 个工作日到账。\n", Category: "退款", Tags: []string{"退款"}})
	v2 := mustUpdate(t, s, ed, v1, triage.ArticleUpdate{Body: triage.Some("原路退回，3-7 个工作日到账。\n如未到账请联系客服。\n")})
	v3 := mustUpdate(t, s, ed, v2, triage.ArticleUpdate{Title: triage.Some("退款到账时间"), Tags: triage.Some([]string{"退款", "到账"}), Status: triage.Some(triage.ArticlePublished)})

	v4, err := s.Revert(ed, v1.ID, 1, v3.Version)
	if err != nil {
		t.Fatal(err)
	}
	if v4.Version != 4 || v4.Title != v1.Title || v4.Body != v1.Body || v4.Category != v1.Category || !slices.Equal(v4.Tags, v1.Tags) {
		t.Fatalf("revert to v1 gave %+v", v4)
	}
	if v4.Status != triage.ArticlePublished || !v4.PublishedAt.Equal(*v3.PublishedAt) {
		t.Fatalf("revert changed the status: %+v", v4)
	}
	vs := versions(t, s, v1.ID)
	var notes []string
	for i, v := range vs {
		if v.Version != i+1 {
			t.Fatalf("versions out of order: %d at %d", v.Version, i)
		}
		notes = append(notes, triage.Sentence(v.Why, v.Note))
	}
	if want := []string{"created", "edited body", "edited title, tags; draft → published", "reverted to version 1"}; !slices.Equal(notes, want) {
		t.Fatalf("notes %q, want %q", notes, want)
	}
	one, err := s.Version(system, v1.ID, 1)
	if err != nil || one.Body != v1.Body || one.Title != v1.Title {
		t.Fatalf("version 1 %+v, %v", one, err)
	}

	t.Run("stale", func(t *testing.T) {
		_, err := s.Revert(ed, v1.ID, 2, v3.Version)
		wantCode(t, err, triage.ESTALE)
	})
	t.Run("unknown version", func(t *testing.T) {
		_, err := s.Revert(ed, v1.ID, 9, 0)
		var e *triage.Error
		if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != "version" {
			t.Fatalf("error %v", err)
		}
		_, err = s.Revert(ed, v1.ID, 0, 0)
		wantCode(t, err, triage.EINVALID)
	})
	t.Run("to the same text writes nothing", func(t *testing.T) {
		same, err := s.Revert(ed, v1.ID, 1, 0)
		if err != nil || same.Version != 4 || len(versions(t, s, v1.ID)) != 4 {
			t.Fatalf("%+v, %v", same, err)
		}
	})
	t.Run("history only grows", func(t *testing.T) {
		v5, err := s.Revert(ed, v1.ID, 3, 0)
		if err != nil || v5.Version != 5 || v5.Title != v3.Title {
			t.Fatalf("%+v, %v", v5, err)
		}
		vs := versions(t, s, v1.ID)
		if len(vs) != 5 || vs[2].Title != v3.Title || vs[3].Title != v1.Title {
			t.Fatal("a revert rewrote history")
		}
	})
	t.Run("missing article", func(t *testing.T) {
		_, err := s.Versions(system, "nope")
		wantCode(t, err, triage.ENOTFOUND)
		_, err = s.Version(system, v1.ID, 99)
		wantCode(t, err, triage.ENOTFOUND)
	})
}

func TestDiffVersions(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "")
	a := mustCreate(t, s, ed, triage.NewArticle{Title: "退款多久到账", Body: "原路退回。\n1-3 个工作日到账。\n"})
	mustUpdate(t, s, ed, a, triage.ArticleUpdate{Body: triage.Some("原路退回。\n3-7 个工作日到账。\n")})
	d, err := s.Diff(system, a.ID, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := "--- v1/body\n+++ v2/body\n@@ -1,2 +1,2 @@\n 原路退回。\n-1-3 个工作日到账。\n+3-7 个工作日到账。\n"
	if d.Unified != want {
		t.Fatalf("unified:\n%s\nwant:\n%s", d.Unified, want)
	}
	body := d.Fields[1]
	if body.Field != "body" || len(body.Hunks) != 1 {
		t.Fatalf("body diff %+v", body)
	}
	del := body.Hunks[0].Lines[1]
	if del.Op != kb.OpDelete || del.OldNo != 2 || del.NewNo != 0 || len(del.Spans) == 0 {
		t.Fatalf("deleted line %+v", del)
	}
	if _, err := s.Diff(system, a.ID, 1, 7); triage.ErrorCode(err) != triage.ENOTFOUND {
		t.Fatalf("diff with a missing version: %v", err)
	}
	if _, err := s.Diff(system, a.ID, 0, 1); triage.ErrorCode(err) != triage.EINVALID {
		t.Fatalf("diff from version 0: %v", err)
	}
}
