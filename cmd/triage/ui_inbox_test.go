package main

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIInboxSortViewsBulk: an agent sorts the inbox by priority, saves
// the list as a view, opens it from the side column, selects tickets and
// assigns them to a colleague in one action; a ticket changed by someone
// else after the page loaded is refused and named in the summary. Each
// effect is checked through the API.
func TestUIInboxSortViewsBulk(t *testing.T) {
	u := startUI(t)
	type agent struct{ ID, Token string }
	mkAgent := func(name string) agent {
		var a struct{ ID string }
		if err := u.send("POST", "/v1/agents", map[string]any{"name": name, "skills": []string{"批量视图测试"}, "capacity": 5}, &a); err != nil {
			t.Fatal(err)
		}
		var tok struct{ Secret string }
		if err := u.send("POST", "/v1/tokens", map[string]any{"name": name, "role": "agent", "agent_id": a.ID}, &tok); err != nil {
			t.Fatal(err)
		}
		return agent{a.ID, tok.Secret}
	}
	me, mate := mkAgent("孙悦"), mkAgent("钱坤")
	tag := fmt.Sprintf("bulk%d", time.Now().UnixNano()%100000)
	type tk struct {
		ID      string
		Version int
	}
	mk := func(title, prio string) tk {
		var x tk
		if err := u.send("POST", "/v1/tickets", map[string]any{"title": title, "body": "电话里客户说订单没到", "priority": prio, "tags": []string{tag}}, &x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	p4, p1, p2 := mk("低优先级工单", "P4"), mk("最紧急的工单", "P1"), mk("次紧急的工单", "P2")

	ctx := u.tab(t, 1366, 768)
	u.signInToken(t, ctx, me.Token)
	step(t, ctx, "open every ticket with the tag",
		chromedp.Navigate(u.url+"/app/inbox?view=all&tag="+url.QueryEscape(tag)),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-row[data-id="`+p2.ID+`"]`)))
	order := func() []string {
		return jsEval[[]string](t, ctx, `[...document.querySelectorAll('.ticket-list .ticket-row')].map(e => e.dataset.id)`)
	}
	if got := order(); !slices.Equal(got, []string{p2.ID, p1.ID, p4.ID}) {
		t.Fatalf("newest first = %v", got)
	}
	jsEval[bool](t, ctx, `(() => { const s = document.querySelector('select[name="sort"]'); s.value = 'priority'; s.dispatchEvent(new Event('change', { bubbles: true })); return true })()`)
	step(t, ctx, "sorted by priority",
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready="1"] .ticket-list .ticket-row-wrap:first-child .ticket-row[data-id="`+p1.ID+`"]`)))
	if got := order(); !slices.Equal(got, []string{p1.ID, p2.ID, p4.ID}) {
		t.Errorf("by priority = %v, want P1, P2, P4", got)
	}

	step(t, ctx, "save the view",
		chromedp.SendKeys(chromedp.CSS(`input[name="view_name"]`), "批量测试视图"),
		chromedp.Click(chromedp.CSS(`button[data-action="save-view"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.saved-views a.saved-view`)))
	var views struct {
		Items []struct{ ID, Name, Query string }
	}
	if err := u.send("GET", "/v1/views", nil, &views, "Authorization: Bearer "+me.Token); err != nil {
		t.Fatal(err)
	}
	if len(views.Items) != 1 || views.Items[0].Name != "批量测试视图" {
		t.Fatalf("views through the API = %+v", views.Items)
	}
	if q, _ := url.ParseQuery(views.Items[0].Query); q.Get("sort") != "priority" || q.Get("tag") != tag {
		t.Errorf("the view's query %q lacks sort=priority and tag=%s", views.Items[0].Query, tag)
	}
	step(t, ctx, "open the saved view",
		chromedp.Click(chromedp.CSS(`.saved-views a.saved-view`)),
		chromedp.WaitVisible(chromedp.CSS(`.saved-view-title`)),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-row[data-id="`+p4.ID+`"]`)))
	if got := order(); !slices.Equal(got, []string{p1.ID, p2.ID, p4.ID}) {
		t.Errorf("the saved view lists %v, want P1, P2, P4", got)
	}

	// Someone changes p4 after the page showed it.
	if err := u.send("PATCH", "/v1/tickets/"+p4.ID, map[string]any{"status": "open"}, nil, fmt.Sprintf(`If-Match: "%d"`, p4.Version)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{p1.ID, p2.ID, p4.ID} {
		step(t, ctx, "select "+id, chromedp.Click(chromedp.CSS(`input.row-select[data-id="`+id+`"]`)))
	}
	step(t, ctx, "assign the selected tickets to the colleague",
		chromedp.WaitVisible(chromedp.CSS(`.bulk-bar`)),
		chromedp.SetValue(chromedp.CSS(`select[name="bulk_assignee"]`), mate.ID),
		chromedp.Click(chromedp.CSS(`button[data-action="bulk-apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.bulk-result [data-updated="2"][data-failed="1"]`)))
	if s := text(t, ctx, `.bulk-result`); !strings.Contains(s, "已更新 2 张，失败 1 张") || !strings.Contains(s, "记录已被他人修改") {
		t.Errorf("the summary says %q", s)
	}
	for id, want := range map[string]string{p1.ID: mate.ID, p2.ID: mate.ID} {
		var got struct {
			AssigneeID string `json:"assignee_id"`
		}
		if err := u.api("GET", "/v1/tickets/"+id, &got); err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID != want {
			t.Errorf("ticket %s assignee %q, want %s", id, got.AssigneeID, want)
		}
	}
	var stale struct {
		AssigneeID string `json:"assignee_id"`
	}
	if err := u.api("GET", "/v1/tickets/"+p4.ID, &stale); err != nil {
		t.Fatal(err)
	}
	if stale.AssigneeID == mate.ID {
		t.Error("the ticket changed since the page loaded was assigned anyway")
	}
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		c := u.tab(t, size[0], size[1])
		u.signInToken(t, c, me.Token)
		step(t, c, "open the saved view",
			chromedp.Navigate(u.url+"/app/inbox?view=all&sort=priority&tag="+url.QueryEscape(tag)),
			chromedp.WaitVisible(chromedp.CSS(`.ticket-row[data-id="`+p4.ID+`"]`)),
			chromedp.Click(chromedp.CSS(`input.row-select[data-id="`+p4.ID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.bulk-bar`)))
		if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
			u.screenshot(t, c, dir, fmt.Sprintf("inbox-bulk-%dx%d.png", size[0], size[1]))
		}
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
