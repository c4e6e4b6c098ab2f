package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUISafetyJourney: an agent (signed in with their own token) opens a
// P1 safety ticket, sees the safety draft (stop using it, unplug it…) and
// no self-help advice, inserts a macro, edits it and sends it. The API
// then shows the ticket P1 for its hazard, the reply as sent, and the
// macro's use counted as edited.
func TestUISafetyJourney(t *testing.T) {
	u := startUI(t)
	var agent struct{ ID string }
	if err := u.send("POST", "/v1/agents", map[string]any{"name": "安全专员 周敏", "email": "zhoumin@aurora.example", "skills": []string{"设备使用与故障"}, "online": true}, &agent); err != nil {
		t.Fatal(err)
	}
	var tok struct{ Secret string }
	if err := u.send("POST", "/v1/tokens", map[string]any{"name": "周敏", "role": "agent", "agent_id": agent.ID}, &tok); err != nil {
		t.Fatal(err)
	}
	var macro struct{ ID string }
	if err := u.send("POST", "/v1/macros", map[string]any{
		"title": "安全问题跟进",
		"body":  "{{requester.name}}您好，您反映的情况已登记为安全问题，请勿继续使用。",
	}, &macro); err != nil {
		t.Fatal(err)
	}
	var tk struct {
		ID       string
		Priority string
	}
	if err := u.send("POST", "/v1/tickets", map[string]any{
		"title": "充电器冒烟了", "body": "手环充电的时候充电器冒烟，还有一股焦味，吓死了", "requester": map[string]string{"name": "孙女士"},
		"assignee_id": agent.ID,
	}, &tk); err != nil {
		t.Fatal(err)
	}
	if tk.Priority != "P1" {
		t.Fatalf("a smoking charger is %s, want P1", tk.Priority)
	}

	ctx := u.tab(t, 1366, 768)
	u.signInAs(t, ctx, tok.Secret)
	step(t, ctx, "open the ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-title`)),
		chromedp.WaitVisible(chromedp.CSS(`#draft .draft-text`)))
	draft := text(t, ctx, `#draft .draft-text`)
	for _, want := range []string{"停止使用", "断开电源", "联系"} {
		if !strings.Contains(draft, want) {
			t.Errorf("the draft %q lacks %s", draft, want)
		}
	}
	for _, bad := range []string{"擦拭", "重新配对", "[1]"} {
		if strings.Contains(draft, bad) {
			t.Errorf("the safety draft gives advice from the sources (%s): %q", bad, draft)
		}
	}
	if head := text(t, ctx, `#draft .draft-head`); !strings.Contains(head, "安全") {
		t.Errorf("the draft's head %q does not say it is a safety reply", head)
	}
	if p := text(t, ctx, `.dec-priority`); !strings.Contains(p, "P1") {
		t.Errorf("the triage panel shows priority %q, want P1", p)
	}
	// The macro shares no words with the ticket: the agent finds it by
	// its title in the macro search, and Enter inserts it.
	step(t, ctx, "insert the macro",
		chromedp.WaitVisible(chromedp.ID("macro-search")),
		chromedp.SendKeys(chromedp.ID("macro-search"), "安全问题跟进\n"))
	want := "孙女士您好，您反映的情况已登记为安全问题，请勿继续使用。"
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
		jsAppend("composer", "我们的安全专员会在30分钟内致电您。"),
		chromedp.WaitVisible(chromedp.CSS(`.composer-info .badge-warn`)), // 已修改
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply`)))

	var comments struct {
		Items []struct {
			Body, Author string
			Public       bool
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments); err != nil {
		t.Fatal(err)
	}
	if len(comments.Items) != 1 || !comments.Items[0].Public || comments.Items[0].Body != want+"我们的安全专员会在30分钟内致电您。" {
		t.Fatalf("comments = %+v; want the edited macro as one public reply", comments.Items)
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
	var sg struct {
		Draft struct{ Kind, Mode string }
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/suggestions", &sg); err != nil {
		t.Fatal(err)
	}
	if sg.Draft.Kind != "safety" {
		t.Errorf("the API's draft is %+v, want the safety kind", sg.Draft)
	}
	var after struct{ Priority string }
	if err := u.api("GET", "/v1/tickets/"+tk.ID, &after); err != nil {
		t.Fatal(err)
	}
	if after.Priority != "P1" {
		t.Errorf("after the reply the ticket is %s, want P1", after.Priority)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// jsAppend types text at the end of a text box, as SendKeys would at the
// caret, and tells the page (input event).
func jsAppend(id, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById(` + jsString(id) + `); el.value += ` + jsString(text) + `; el.dispatchEvent(new Event('input', { bubbles: true })); })()`)
}
