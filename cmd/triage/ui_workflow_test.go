package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// workflowSettings is GET /v1/settings/workflow as the tests read it.
type workflowSettings struct {
	KBReview         bool   `json:"kb_review"`
	CloseSolvedAfter string `json:"close_solved_after"`
	Changes          []struct {
		Setting, From, To string
		ActorName         string `json:"actor_name"`
	}
}

// TestUIWorkflowSettings: the admin settings of issues 14 and 20 driven in
// a browser and checked through the API. On the KB review page an admin
// turns review off and on again (each change in the audit trail); a new
// article an editor wrote and submitted is published by the admin from the
// queue (the approval kept in its version), while the editor may not
// publish it; an admin's own new article needs a reason. On the
// automations page the built-in closing of solved tickets changes from 4d
// to 2d and is then turned off. Both pages at 1366x768 and 390x844.
func TestUIWorkflowSettings(t *testing.T) {
	u := startUI(t)
	settings := func() workflowSettings {
		t.Helper()
		var s workflowSettings
		if err := u.api("GET", "/v1/settings/workflow", &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := settings(); !s.KBReview || s.CloseSolvedAfter != "4d" || len(s.Changes) != 0 {
		t.Fatalf("the defaults: %+v; want review on and 4d", s)
	}
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)

	t.Run("review on and off", func(t *testing.T) {
		step(t, ctx, "open the review page",
			chromedp.Navigate(u.url+"/app/kb/review"),
			chromedp.WaitVisible(chromedp.ID("kb-review-on")))
		if !jsEval[bool](t, ctx, `document.getElementById('kb-review-on').checked`) {
			t.Fatal("the switch shows review off; it is on by default")
		}
		step(t, ctx, "turn review off",
			chromedp.Click(chromedp.ID("kb-review-on")),
			chromedp.WaitVisible(chromedp.CSS(`.review-setting-last`)))
		if s := settings(); s.KBReview || len(s.Changes) != 1 || s.Changes[0].Setting != "kb_review" || s.Changes[0].From != "true" || s.Changes[0].To != "false" || s.Changes[0].ActorName == "" {
			t.Fatalf("after turning review off: %+v", s)
		}
		if got := text(t, ctx, `.review-setting-last`); !strings.Contains(got, "「开启」改为「关闭」") {
			t.Errorf("the page says %q", got)
		}
		step(t, ctx, "turn review on again",
			chromedp.Click(chromedp.ID("kb-review-on")),
			chromedp.Poll[chromedp.Void](`((document.querySelector('.review-setting-last') || {}).textContent || '').includes('「关闭」改为「开启」')`))
		if s := settings(); !s.KBReview || len(s.Changes) != 2 {
			t.Fatalf("after turning review on again: %+v", s)
		}
	})

	t.Run("a new article goes through review", func(t *testing.T) {
		var editor struct{ Secret string }
		if err := u.send("POST", "/v1/tokens", map[string]any{"name": "编辑 李静", "role": "editor"}, &editor); err != nil {
			t.Fatal(err)
		}
		var art struct {
			ID      string
			Version int
		}
		if err := u.sendAs(editor.Secret, "POST", "/v1/articles", map[string]any{"title": "电子发票多久能开好", "body": "下单后 24 小时内开具，发送到预留邮箱。", "category": "发票"}, &art); err != nil {
			t.Fatal(err)
		}
		// The editor may not publish what they wrote.
		if code, body := u.patchAs(t, editor.Secret, "/v1/articles/"+art.ID, `{"status":"published"}`); code != 403 || !strings.Contains(body, `"field":"override"`) {
			t.Fatalf("the author publishing their own article: %d %s; want a 403 naming override", code, body)
		}
		if code, body := u.patchAs(t, editor.Secret, "/v1/articles/"+art.ID, `{"status":"in_review"}`); code != 200 {
			t.Fatalf("submit: %d %s", code, body)
		}
		approve := `[data-act="approve"][data-id="` + art.ID + `"]`
		step(t, ctx, "the admin publishes it from the queue",
			chromedp.Navigate(u.url+"/app/kb/review"),
			chromedp.WaitVisible(chromedp.CSS(approve)),
			chromedp.Click(chromedp.CSS(approve)),
			chromedp.WaitNotPresent(chromedp.CSS(approve)))
		var got struct{ Status string }
		if err := u.api("GET", "/v1/articles/"+art.ID, &got); err != nil || got.Status != "published" {
			t.Fatalf("after the admin's approval: %+v %v", got, err)
		}
		var versions struct {
			Items []struct {
				Why []struct{ Code string }
			}
		}
		if err := u.api("GET", "/v1/articles/"+art.ID+"/versions", &versions); err != nil {
			t.Fatal(err)
		}
		last := versions.Items[len(versions.Items)-1]
		if len(last.Why) == 0 || last.Why[0].Code != "article.approved" {
			t.Fatalf("the published version's reasons: %+v; want article.approved", last.Why)
		}

		// The admin's own new article: publishing it asks for a reason.
		var own struct {
			ID      string
			Version int
		}
		if err := u.send("POST", "/v1/articles", map[string]any{"title": "专用发票需要哪些信息", "body": "公司名称、税号、地址电话、开户行及账号。"}, &own); err != nil {
			t.Fatal(err)
		}
		if err := u.send("PATCH", "/v1/articles/"+own.ID, map[string]any{"status": "in_review"}, &own, fmt.Sprintf(`If-Match: "%d"`, own.Version)); err != nil {
			t.Fatal(err)
		}
		approve = `[data-act="approve"][data-id="` + own.ID + `"]`
		step(t, ctx, "the admin publishes their own with a reason",
			chromedp.Navigate(u.url+"/app/kb/review"),
			chromedp.WaitVisible(chromedp.CSS(approve)),
			chromedp.Click(chromedp.CSS(approve)),
			chromedp.WaitVisible(chromedp.ID("ov-why")),
			chromedp.SendKeys(chromedp.ID("ov-why"), "财务要求今天上线"),
			modalOK,
			chromedp.WaitNotPresent(chromedp.CSS(approve)))
		if err := u.api("GET", "/v1/articles/"+own.ID+"/versions", &versions); err != nil {
			t.Fatal(err)
		}
		last = versions.Items[len(versions.Items)-1]
		if len(last.Why) == 0 || last.Why[0].Code != "article.self_approved" {
			t.Fatalf("the admin's own publish: %+v; want article.self_approved", last.Why)
		}
		// From the article's own page: 发布 asks the admin for the reason.
		var third struct{ ID string }
		if err := u.send("POST", "/v1/articles", map[string]any{"title": "发票可以寄纸质版吗", "body": "电子发票与纸质发票具有同等法律效力。"}, &third); err != nil {
			t.Fatal(err)
		}
		step(t, ctx, "publish the admin's own draft from its page",
			chromedp.Navigate(u.url+"/app/kb/"+third.ID),
			chromedp.WaitVisible(chromedp.CSS(`[data-move="published"]`)),
			chromedp.Click(chromedp.CSS(`[data-move="published"]`)),
			chromedp.WaitVisible(chromedp.ID("ov-why")),
			chromedp.SendKeys(chromedp.ID("ov-why"), "客户大量咨询，先上线"),
			modalOK,
			chromedp.WaitVisible(chromedp.CSS(`.status-published`)))
		if err := u.api("GET", "/v1/articles/"+third.ID+"/versions", &versions); err != nil {
			t.Fatal(err)
		}
		if w := versions.Items[len(versions.Items)-1].Why; len(w) == 0 || w[0].Code != "article.self_approved" {
			t.Fatalf("published from the article page: %+v; want article.self_approved", w)
		}
		u.shot(t, ctx, "kb-review-setting-1366")
		phone := u.tab(t, 390, 844)
		u.signIn(t, phone)
		step(t, phone, "the review page on a phone",
			chromedp.Navigate(u.url+"/app/kb/review"),
			chromedp.WaitVisible(chromedp.ID("kb-review-on")))
		u.shot(t, phone, "kb-review-setting-390")
	})

	t.Run("closing of solved tickets", func(t *testing.T) {
		form := `form[data-builtin="close_solved"]`
		step(t, ctx, "open the automations page",
			chromedp.Navigate(u.url+"/app/admin/automations"),
			chromedp.WaitVisible(chromedp.CSS(form)))
		if got := text(t, ctx, `.builtin-rule .builtin-state`); got != "已解决满 4d（工作时间）后关闭" {
			t.Fatalf("the built-in rule says %q", got)
		}
		step(t, ctx, "change it to 2d",
			chromedp.SetValue(chromedp.ID("builtin-close_solved-after"), "2d"),
			chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
			chromedp.Poll[chromedp.Void](`(document.querySelector('.builtin-rule .builtin-state') || {}).textContent === '已解决满 2d（工作时间）后关闭'`))
		s := settings()
		if s.CloseSolvedAfter != "2d" || s.Changes[0].Setting != "close_solved_after" || s.Changes[0].From != "4d" || s.Changes[0].To != "2d" {
			t.Fatalf("after the change: %+v", s)
		}
		step(t, ctx, "a time that is none is refused beside the field",
			chromedp.SetValue(chromedp.ID("builtin-close_solved-after"), "很快"),
			chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(form+` .field-error`)))
		step(t, ctx, "turn it off",
			chromedp.Click(chromedp.ID("builtin-close_solved-on")),
			chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
			chromedp.Poll[chromedp.Void](`(document.querySelector('.builtin-rule .builtin-state') || {}).textContent === '已停用'`))
		if s := settings(); s.CloseSolvedAfter != "off" || len(s.Changes) != 4 || s.Changes[0].From != "2d" || s.Changes[0].To != "off" {
			t.Fatalf("after turning it off: %+v", s)
		}
		var tpl struct {
			Builtin []struct {
				After   string
				Enabled bool
			}
		}
		if err := u.api("GET", "/v1/automations/templates", &tpl); err != nil || len(tpl.Builtin) != 1 || tpl.Builtin[0].Enabled || tpl.Builtin[0].After != "off" {
			t.Fatalf("the built-in rule through the API: %+v %v", tpl, err)
		}
		u.shot(t, ctx, "admin-automations-builtin-1366")
		phone := u.tab(t, 390, 844)
		u.signIn(t, phone)
		step(t, phone, "the automations page on a phone",
			chromedp.Navigate(u.url+"/app/admin/automations"),
			chromedp.WaitVisible(chromedp.CSS(form)))
		u.shot(t, phone, "admin-automations-builtin-390")
	})
	// The 403 (an admin's own article, before the reason) and the 400 (a
	// time that is none) are answers the pages handle; nothing else.
	for _, e := range u.errors() {
		if !strings.Contains(e, "status of 403") && !strings.Contains(e, "status of 400") {
			t.Errorf("page error: %v", e)
		}
	}
}

// patchAs sends a PATCH at any version with another token and returns
// the status and body.
func (u *ui) patchAs(t *testing.T, token, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("PATCH", u.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", "*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
