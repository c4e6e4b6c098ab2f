package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// macroFlow: an admin has written a macro; an agent opens a ticket, sees
// it suggested, inserts it with its key (1), edits the text and sends
// it. The API then shows the reply as sent, the macro's actions made on
// the ticket, and the use counted as edited.
func (u *ui) macroFlow(t *testing.T) {
	var macro struct {
		ID      string
		Version int
	}
	if err := u.send("POST", "/v1/macros", map[string]any{
		"title":   "退款到账说明",
		"body":    "{{requester.name}}您好，退款一般1-3个工作日原路退回，工单号 {{ticket.ref}}。",
		"actions": map[string]any{"status": "pending", "add_tags": []string{"macro-ui"}},
	}, &macro); err != nil {
		t.Fatal(err)
	}
	var tk struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{
		"title": "退款还没到账", "body": "申请退款好几天了，钱还没退回来", "requester": map[string]string{"name": "陈女士"},
	}, &tk); err != nil {
		t.Fatal(err)
	}
	want := "陈女士您好，退款一般1-3个工作日原路退回，工单号 " + tk.ID[24:] + "。"

	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	step(t, ctx, "open the ticket and see the macro suggested",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`#macros .macro-pick[data-macro="`+macro.ID+`"]`)))
	if got := text(t, ctx, `#macros .macro-list li:first-child .macro-pick`); !strings.Contains(got, "退款到账说明") {
		t.Fatalf("the first suggested macro is %q, want 退款到账说明", got)
	}
	step(t, ctx, "insert it with 1", chromedp.KeyEvent("1"))
	var reply string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if reply = jsEval[string](t, ctx, `document.getElementById('composer').value`); reply != "" {
			break
		}
	}
	if reply != want {
		t.Fatalf("after inserting, the reply box holds %q, want %q", reply, want)
	}
	step(t, ctx, "edit and send",
		chromedp.SendKeys(chromedp.ID("composer"), "抱歉久等"),
		chromedp.WaitVisible(chromedp.CSS(`.composer-info .badge-warn`)), // 已修改
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply`)))

	var comments struct {
		Items []struct {
			Body   string
			Public bool
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments); err != nil {
		t.Fatal(err)
	}
	if len(comments.Items) != 1 || !comments.Items[0].Public || comments.Items[0].Body != want+"抱歉久等" {
		t.Errorf("comments = %+v; want the edited macro as one public reply", comments.Items)
	}
	var got struct {
		Status string
		Tags   []string
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "pending" || !strings.Contains(strings.Join(got.Tags, ","), "macro-ui") {
		t.Errorf("ticket is %s with tags %v; want the macro's pending and macro-ui", got.Status, got.Tags)
	}
	var m struct {
		Uses       int `json:"uses"`
		EditedUses int `json:"edited_uses"`
	}
	if err := u.api("GET", "/v1/macros/"+macro.ID, &m); err != nil {
		t.Fatal(err)
	}
	if m.Uses != 1 || m.EditedUses != 1 {
		t.Errorf("macro counts %d uses, %d edited; want 1, 1", m.Uses, m.EditedUses)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
