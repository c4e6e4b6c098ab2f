package kb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/triagehq/triage"
)

// TestReview walks a published article's edit through review: the edit is
// a revision and the published text stays live; its author cannot approve
// it, another editor can, and the text then goes live as the next version
// with both people in its reasons.
func TestReview(t *testing.T) {
	s := newService(t)
	s.RequireReview = true
	alice, bob, admin := as(triage.RoleEditor, "alice"), as(triage.RoleEditor, "bob"), as(triage.RoleAdmin, "root")
	a := mustCreate(t, s, alice, triage.NewArticle{Title: "退款多久到账", Body: "原路退回。"})
	a = mustUpdate(t, s, bob, a, status(triage.ArticlePublished))

	live, r, err := s.Save(alice, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some("原路退回，一般1-3个工作日到账。"), Note: "补充时效"})
	if err != nil {
		t.Fatal(err)
	}
	if r == nil || r.Status != triage.RevisionDraft || r.BaseVersion != a.Version || r.AuthorID != "agent:alice" {
		t.Fatalf("revision = %+v, want alice's draft on version %d", r, a.Version)
	}
	if live.Body != "原路退回。" || live.Version != a.Version || live.Status != triage.ArticlePublished {
		t.Fatalf("published article changed by an edit under review: %+v", live)
	}
	// A second edit by the same author updates the same revision.
	_, r2, err := s.Save(alice, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some("原路退回，一般1-3个工作日到账，节假日顺延。")})
	if err != nil || r2.ID != r.ID || r2.Version != 2 {
		t.Fatalf("second edit: %v, %+v; want revision %s at version 2", err, r2, r.ID)
	}
	// Edit and move in one save is refused while review is required.
	_, _, err = s.Save(alice, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some("x"), Status: triage.Some(triage.ArticleArchived)})
	wantCode(t, err, triage.EINVALID)

	steps := []struct {
		name string
		ctx  context.Context
		act  triage.RevisionAction
		want string // error code, "" for success
	}{
		{"approving a draft is too early", bob, triage.RevisionAction{Action: triage.RevisionApprove}, triage.ECONFLICT},
		{"only the author submits", bob, triage.RevisionAction{Action: triage.RevisionSubmit}, triage.EFORBIDDEN},
		{"the author submits", alice, triage.RevisionAction{Action: triage.RevisionSubmit}, ""},
		{"the author cannot approve their own change", alice, triage.RevisionAction{Action: triage.RevisionApprove}, triage.EFORBIDDEN},
		{"nor with a reason unless an admin", alice, triage.RevisionAction{Action: triage.RevisionApprove, Override: "急"}, triage.EFORBIDDEN},
		{"an override is only for one's own change", bob, triage.RevisionAction{Action: triage.RevisionApprove, Override: "急"}, triage.EINVALID},
		{"an unknown step", bob, triage.RevisionAction{Action: "merge"}, triage.EINVALID},
		{"another editor approves", bob, triage.RevisionAction{Action: triage.RevisionApprove, Note: "好"}, ""},
		{"a decided revision stays decided", bob, triage.RevisionAction{Action: triage.RevisionReject}, triage.ECONFLICT},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, _, err := s.Review(st.ctx, r.ID, 0, st.act)
			if st.want == "" && err != nil {
				t.Fatal(err)
			}
			if st.want != "" {
				wantCode(t, err, st.want)
			}
		})
	}
	got, err := s.Article(system, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != "原路退回，一般1-3个工作日到账，节假日顺延。" || got.Version != a.Version+1 || got.Status != triage.ArticlePublished {
		t.Fatalf("after approval: %+v", got)
	}
	vs := versions(t, s, a.ID)
	last := vs[len(vs)-1]
	if last.Actor != "agent:alice" || len(last.Why) == 0 || last.Why[0].Code != triage.ReasonArticleApproved {
		t.Fatalf("approved version: actor %q why %+v", last.Actor, last.Why)
	}
	rv, err := s.Revision(system, r.ID)
	if err != nil || rv.Status != triage.RevisionApproved || rv.ReviewerID != "agent:bob" || rv.DecidedAt == nil {
		t.Fatalf("approved revision: %v %+v", err, rv)
	}

	// An admin approves their own change only with a reason, kept.
	_, r3, err := s.Save(admin, a.ID, got.Version, triage.ArticleUpdate{Title: triage.Some("退款多久能到账")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Review(admin, r3.ID, 0, triage.RevisionAction{Action: triage.RevisionSubmit}); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Review(admin, r3.ID, 0, triage.RevisionAction{Action: triage.RevisionApprove})
	wantCode(t, err, triage.EFORBIDDEN)
	r3, after, err := s.Review(admin, r3.ID, 0, triage.RevisionAction{Action: triage.RevisionApprove, Override: "价格页今晚上线，编辑都不在"})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Override == "" || after.Title != "退款多久能到账" {
		t.Fatalf("override approval: %+v / %+v", r3, after)
	}
	vs = versions(t, s, a.ID)
	if w := vs[len(vs)-1].Why; w[0].Code != triage.ReasonArticleSelfApproved {
		t.Fatalf("self-approved version why = %+v", w)
	}

	// A revision written against an older version cannot be approved.
	_, r4, err := s.Save(alice, a.ID, after.Version, triage.ArticleUpdate{Body: triage.Some("旧基础上的修改")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Review(alice, r4.ID, 0, triage.RevisionAction{Action: triage.RevisionSubmit}); err != nil {
		t.Fatal(err)
	}
	_, r5, err := s.Save(bob, a.ID, after.Version, triage.ArticleUpdate{Category: triage.Some("退款")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Review(bob, r5.ID, 0, triage.RevisionAction{Action: triage.RevisionSubmit}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Review(alice, r5.ID, 0, triage.RevisionAction{Action: triage.RevisionApprove}); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Review(bob, r4.ID, 0, triage.RevisionAction{Action: triage.RevisionApprove})
	wantCode(t, err, triage.ECONFLICT)

	// The author withdraws; a viewer proposes nothing.
	if _, _, err := s.Review(alice, r4.ID, 0, triage.RevisionAction{Action: triage.RevisionWithdraw}); err != nil {
		t.Fatal(err)
	}
	cur, _ := s.Article(system, a.ID)
	_, _, err = s.Save(as(triage.RoleViewer, ""), a.ID, cur.Version, triage.ArticleUpdate{Body: triage.Some("x")})
	wantCode(t, err, triage.EFORBIDDEN)
	// Without a principal (the CLI, imports) the edit is in place.
	if got, r, err := s.Save(system, a.ID, cur.Version, triage.ArticleUpdate{Body: triage.Some("系统导入")}); err != nil || r != nil || got.Body != "系统导入" {
		t.Fatalf("system edit: %v %+v %+v", err, r, got)
	}
}

// TestReviewOff: without RequireReview an editor edits a published article
// in place, as before.
func TestReviewOff(t *testing.T) {
	s := newService(t)
	ed := as(triage.RoleEditor, "alice")
	a := mustCreate(t, s, ed, triage.NewArticle{Title: "发票", Body: "可开电子发票。"})
	a = mustUpdate(t, s, ed, a, status(triage.ArticlePublished))
	got, r, err := s.Save(ed, a.ID, a.Version, triage.ArticleUpdate{Body: triage.Some("可开电子发票和专票。")})
	if err != nil || r != nil || got.Body != "可开电子发票和专票。" {
		t.Fatalf("edit in place: %v %+v %+v", err, r, got)
	}
}

// TestNewArticleReview: with review required, a new article is published
// by someone who wrote none of its text; its author cannot, an admin who
// wrote it only with a reason, and the version keeps who approved it.
func TestNewArticleReview(t *testing.T) {
	s := newService(t)
	s.RequireReview = true
	alice, bob, admin := as(triage.RoleEditor, "alice"), as(triage.RoleEditor, "bob"), as(triage.RoleAdmin, "root")
	a := mustCreate(t, s, alice, triage.NewArticle{Title: "发票怎么开", Body: "在订单详情申请。"})
	if moves := s.Moves(alice, a); slices.Contains(moves, triage.ArticlePublished) {
		t.Errorf("the author may move to %v; publishing is not among them", moves)
	}
	if moves := s.Moves(bob, a); !slices.Contains(moves, triage.ArticlePublished) {
		t.Errorf("another editor may move to %v; want publishing among them", moves)
	}
	_, err := s.UpdateArticle(alice, a.ID, a.Version, status(triage.ArticlePublished))
	wantCode(t, err, triage.EFORBIDDEN)
	a = mustUpdate(t, s, alice, a, status(triage.ArticleInReview))
	// bob sends it back and alice edits it: bob only moved it, so he may
	// still publish what alice wrote.
	a = mustUpdate(t, s, bob, a, status(triage.ArticleDraft))
	a = mustUpdate(t, s, alice, a, triage.ArticleUpdate{Body: triage.Some("在订单详情页点「申请发票」。")})
	a = mustUpdate(t, s, alice, a, status(triage.ArticleInReview))
	_, err = s.UpdateArticle(alice, a.ID, a.Version, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Override: "急"})
	wantCode(t, err, triage.EFORBIDDEN)
	_, err = s.UpdateArticle(bob, a.ID, a.Version, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Override: "急"})
	wantCode(t, err, triage.EINVALID)
	_, err = s.UpdateArticle(bob, a.ID, a.Version, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Body: triage.Some("改一下")})
	wantCode(t, err, triage.EINVALID)
	a = mustUpdate(t, s, bob, a, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Note: "已核对"})
	vs, err := s.Versions(bob, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := vs[len(vs)-1]
	if a.Status != triage.ArticlePublished || len(last.Why) == 0 || last.Why[0].Code != triage.ReasonArticleApproved || last.Actor != "agent:bob" {
		t.Fatalf("published version = %+v; want bob's approval in its reasons", last)
	}

	// An admin's own article: refused without a reason, published with
	// one, and the reason is kept.
	b := mustCreate(t, s, admin, triage.NewArticle{Title: "开专票", Body: "需要税号。"})
	_, err = s.UpdateArticle(admin, b.ID, b.Version, status(triage.ArticlePublished))
	wantCode(t, err, triage.EFORBIDDEN)
	b = mustUpdate(t, s, admin, b, triage.ArticleUpdate{Status: triage.Some(triage.ArticlePublished), Override: "周末无人审核，客户急需"})
	vs, err = s.Versions(admin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if w := vs[len(vs)-1].Why; b.Status != triage.ArticlePublished || len(w) == 0 || w[0].Code != triage.ReasonArticleSelfApproved {
		t.Fatalf("admin's own publish: %+v; want the override in its reasons", w)
	}

	// Review off in the saved setting, which wins over the default the
	// service started with: the author publishes their own.
	if err := s.Store.Update(t.Context(), func(tx triage.Tx) error {
		return tx.PutWorkflowSettings(t.Context(), &triage.WorkflowSettings{KBReview: false, CloseSolvedAfter: "4d"})
	}); err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, s, alice, triage.NewArticle{Title: "退货地址", Body: "见售后页。"})
	mustUpdate(t, s, alice, c, status(triage.ArticlePublished))
}
