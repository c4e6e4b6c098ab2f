package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIKnowledgeReview: an editor's change to a published article goes
// through review (the published text stays live until another person
// approves it), and the KB gaps page lists a real group of unanswered
// tickets with their personal data masked. Each is checked through the API.
func TestUIKnowledgeReview(t *testing.T) {
	u := startUI(t)
	t.Run("an editor's change to a published article goes through review", func(t *testing.T) { u.reviewFlow(t) })
	t.Run("the KB gaps page lists a group", func(t *testing.T) { u.gapsFlow(t) })
}

// signInAs pastes another token into the sign-in form.
func (u *ui) signInAs(t *testing.T, ctx context.Context, token string) {
	t.Helper()
	step(t, ctx, "open the sign-in page",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-token-toggle")),
		chromedp.Click(chromedp.ID("signin-token-toggle")),
		chromedp.WaitVisible(chromedp.ID("token")))
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
}

func (u *ui) reviewFlow(t *testing.T) {
	var editor struct{ Secret string }
	if err := u.send("POST", "/v1/tokens", map[string]any{"name": "编辑 王芳", "role": "editor"}, &editor); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ID, Title string
		}
	}
	if err := u.api("GET", "/v1/articles?status=published&limit=1", &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("no published demo article: %v", err)
	}
	id := list.Items[0].ID
	var before struct {
		Body    string
		Version int
	}
	if err := u.api("GET", "/v1/articles/"+id, &before); err != nil {
		t.Fatal(err)
	}
	const added = "\n\n补充：节假日期间处理时间顺延。"

	ctx := u.tab(t, 1366, 768)
	u.signInAs(t, ctx, editor.Secret)
	step(t, ctx, "open the published article",
		chromedp.Navigate(u.url+"/app/kb/"+id),
		chromedp.WaitVisible(chromedp.ID("art-body")),
		chromedp.WaitVisible(chromedp.CSS(`.review-hint`)))
	jsEval[bool](t, ctx, `(document.getElementById('art-body').value += `+jsString(added)+`, true)`)
	step(t, ctx, "save the edit",
		chromedp.Click(chromedp.ID("save-article")),
		chromedp.WaitVisible(chromedp.CSS(`#article-revisions [data-revision="submit"]`)))

	var live struct {
		Body      string
		Version   int
		Revisions []struct{ ID, Status, Body, Author_name string }
	}
	if err := u.api("GET", "/v1/articles/"+id, &live); err != nil {
		t.Fatal(err)
	}
	if live.Body != before.Body || live.Version != before.Version {
		t.Fatalf("the edit changed the published article (v%d → v%d)", before.Version, live.Version)
	}
	if len(live.Revisions) != 1 || live.Revisions[0].Status != "draft" || !strings.HasSuffix(live.Revisions[0].Body, added) || live.Revisions[0].Author_name != "编辑 王芳" {
		t.Fatalf("revisions after the edit: %+v", live.Revisions)
	}
	rev := live.Revisions[0].ID
	step(t, ctx, "submit it for review",
		chromedp.Click(chromedp.CSS(`#article-revisions [data-revision="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#article-revisions .status-in_review`)))
	step(t, ctx, "the author cannot approve it",
		chromedp.Navigate(u.url+"/app/kb/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-act="approve-revision"][data-id="`+rev+`"]`)))
	if !jsEval[bool](t, ctx, `document.querySelector('[data-act="approve-revision"][data-id="`+rev+`"]').disabled`) {
		t.Fatal("the author's own approve button is enabled")
	}
	if got := text(t, ctx, `.revision-item[data-id="`+rev+`"]`); !strings.Contains(got, "编辑 王芳") || !strings.Contains(got, "节假日期间处理时间顺延") {
		t.Fatalf("the queue shows %q, want the author's name and the added line in the diff", got)
	}

	admin := u.tab(t, 1366, 768)
	u.signIn(t, admin)
	step(t, admin, "another person approves it",
		chromedp.Navigate(u.url+"/app/kb/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-act="approve-revision"][data-id="`+rev+`"]`)),
		chromedp.Click(chromedp.CSS(`[data-act="approve-revision"][data-id="`+rev+`"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-act="approve-revision"][data-id="`+rev+`"]`)))
	if err := u.api("GET", "/v1/articles/"+id, &live); err != nil {
		t.Fatal(err)
	}
	if live.Body != before.Body+added || live.Version != before.Version+1 || len(live.Revisions) != 0 {
		t.Fatalf("after approval: v%d, %d open revisions, body ends %q", live.Version, len(live.Revisions), live.Body[max(0, len(live.Body)-60):])
	}
	var versions struct {
		Items []struct {
			Actor      string
			Actor_name string
		}
	}
	if err := u.api("GET", "/v1/articles/"+id+"/versions", &versions); err != nil {
		t.Fatal(err)
	}
	last := versions.Items[len(versions.Items)-1]
	if last.Actor_name != "编辑 王芳" {
		t.Fatalf("the approved version's actor shows as %q (%s)", last.Actor_name, last.Actor)
	}
	step(t, admin, "the versions name people",
		chromedp.Navigate(u.url+"/app/kb/"+id+"?tab=versions"),
		chromedp.WaitVisible(chromedp.CSS(`table.versions tbody tr`)))
	if got := text(t, admin, `table.versions`); strings.Contains(got, "令牌") || !strings.Contains(got, "编辑 王芳") {
		t.Fatalf("the versions table shows %q", got)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string { return fmt.Sprintf("%q", s) }

func (u *ui) gapsFlow(t *testing.T) {
	tickets := []map[string]any{
		{"title": "空气净化器滤网报警灯一直亮", "body": "换了新滤网，空气净化器滤网报警灯还是一直亮，电话13812345678", "requester": map[string]string{"name": "赵子龙"}},
		{"title": "空气净化器滤网灯不灭", "body": "空气净化器换滤网后报警灯不灭，订单号 2026120755667788"},
	}
	var ids []string
	for _, tk := range tickets {
		var got struct{ ID string }
		if err := u.send("POST", "/v1/tickets", tk, &got); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	// Suggestions are made when an agent opens a ticket; the index
	// follows the store a moment later.
	var gaps struct {
		Unanswered []struct {
			Tickets, Terms, Titles []string
		}
	}
	found := -1
	for deadline := time.Now().Add(30 * time.Second); found < 0; time.Sleep(500 * time.Millisecond) {
		for _, id := range ids {
			var sg struct{ ID string }
			if err := u.api("GET", "/v1/tickets/"+id+"/suggestions?refresh=true", &sg); err != nil {
				t.Fatal(err)
			}
		}
		if err := u.api("GET", "/v1/kb/gaps", &gaps); err != nil {
			t.Fatal(err)
		}
		for i, g := range gaps.Unanswered {
			if slices.Contains(g.Tickets, ids[0]) && slices.Contains(g.Tickets, ids[1]) {
				found = i
			}
		}
		if found < 0 && time.Now().After(deadline) {
			t.Fatalf("the two tickets make no gap group: %+v", gaps.Unanswered)
		}
	}
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	group := `.gap-group:has(a[href="/app/tickets/` + ids[0] + `"])`
	step(t, ctx, "open the KB gaps",
		chromedp.Navigate(u.url+"/app/kb/gaps"),
		chromedp.WaitVisible(chromedp.CSS(group)))
	got := text(t, ctx, group)
	for _, want := range []string{"空气净化器", "滤网"} {
		if !strings.Contains(got, want) {
			t.Errorf("the group shows %q, want %s", got, want)
		}
	}
	for _, secret := range []string{"13812345678", "2026120755667788", "赵子龙"} {
		if strings.Contains(text(t, ctx, `main`), secret) {
			t.Errorf("the gaps page shows %s", secret)
		}
	}
	if !jsEval[bool](t, ctx, `!!document.querySelector('`+group+` a[href="/app/tickets/`+ids[1]+`"]')`) {
		t.Errorf("the group does not link the second ticket")
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
