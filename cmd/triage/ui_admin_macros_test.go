package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIAdminMacros: an admin creates a macro for a team on the macros
// page, edits it (a new version), reads its versions and deletes it; the
// ticket view's 快捷回复 panel shows a macro's score as the 相关度 NN% the
// API gives; and a rule made on the rules page with 否定的词也算命中
// fires on 「没有漏电」. Each is checked through the API.
func TestUIAdminMacros(t *testing.T) {
	u := startUI(t)
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)

	var teams struct{ Items []struct{ ID, Name string } }
	if err := u.api("GET", "/v1/teams", &teams); err != nil || len(teams.Items) == 0 {
		t.Fatalf("no demo team: %v", err)
	}
	team := teams.Items[0]
	submit := chromedp.CSS(`dialog.modal button[type="submit"]`)
	setSelect := func(id, v string) {
		jsEval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event('change', { bubbles: true })); return true })()`, id, v))
	}
	step(t, ctx, "open the macros page and the new-macro form",
		chromedp.Navigate(u.url+"/app/admin/macros"),
		chromedp.WaitVisible(chromedp.ID("new-macro")),
		chromedp.Click(chromedp.ID("new-macro")),
		chromedp.WaitVisible(chromedp.ID("mc-title")))
	step(t, ctx, "write the macro",
		chromedp.SendKeys(chromedp.ID("mc-title"), "空调不制冷排查"),
		chromedp.SendKeys(chromedp.ID("mc-body"), "{{requester.name}}您好，请先确认空调模式为制冷、滤网干净。"),
		chromedp.SendKeys(chromedp.ID("mc-tags"), "空调, 排查"))
	setSelect("mc-scope", "team")
	setSelect("mc-team", team.ID)
	setSelect("mc-status", "pending")
	step(t, ctx, "save it", chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`.macros-admin td.macro-scope`)))

	var list struct {
		Items []struct {
			ID, Title, Body, Scope string
			Team_id                string
			Version                int
			Actions                struct {
				Status   string
				Add_tags []string
			}
		}
	}
	find := func() (int, bool) {
		if err := u.api("GET", "/v1/macros", &list); err != nil {
			t.Fatal(err)
		}
		for i, m := range list.Items {
			if m.Title == "空调不制冷排查" {
				return i, true
			}
		}
		return 0, false
	}
	i, ok := find()
	for deadline := time.Now().Add(10 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		i, ok = find()
	}
	if !ok {
		t.Fatal("the macro made on the page is not in the API")
	}
	m := list.Items[i]
	if m.Scope != "team" || m.Team_id != team.ID || m.Actions.Status != "pending" || strings.Join(m.Actions.Add_tags, ",") != "空调,排查" || m.Version != 1 {
		t.Fatalf("the macro is %+v", m)
	}
	row := `.macros-admin tr[data-id="` + m.ID + `"]`
	if got := text(t, ctx, row+` td.macro-scope`); !strings.Contains(got, team.Name) {
		t.Errorf("the scope cell shows %q, want the team %s", got, team.Name)
	}
	step(t, ctx, "edit it",
		chromedp.Click(chromedp.CSS(row+` [data-act="edit"]`)),
		chromedp.WaitVisible(chromedp.ID("mc-body")),
		chromedp.SendKeys(chromedp.ID("mc-body"), "如仍不制冷请联系售后。"),
		chromedp.SendKeys(chromedp.ID("mc-note"), "补充售后"),
		chromedp.Click(submit),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog.modal`)))
	// The list reloads after the save: wait for the new version.
	for range 50 {
		if i, _ = find(); list.Items[i].Version == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m2 := list.Items[i]; m2.Version != 2 || !strings.Contains(m2.Body, "如仍不制冷请联系售后。") {
		t.Fatalf("after the edit: %+v", m2)
	}
	step(t, ctx, "read its versions",
		// The list is drawn again after the save: click the new row's
		// button, not the old one the redraw removes.
		chromedp.Poll[chromedp.Void](`((document.querySelector('`+row+` td:nth-child(4)') || {}).textContent || '') === 'v2'`),
		chromedp.WaitVisible(chromedp.CSS(row+` [data-act="versions"]`)),
		chromedp.Click(chromedp.CSS(row+` [data-act="versions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.macro-versions tbody tr`)))
	if n := jsEval[int](t, ctx, `document.querySelectorAll('table.macro-versions tbody tr').length`); n != 2 {
		t.Errorf("the versions dialog lists %d versions, want 2", n)
	}
	if got := text(t, ctx, `table.macro-versions`); !strings.Contains(got, "补充售后") || strings.Contains(got, "令牌") {
		t.Errorf("the versions dialog shows %q", got)
	}
	step(t, ctx, "close the versions", chromedp.Click(chromedp.CSS(`dialog.modal button[value="cancel"]`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog.modal`)))
	step(t, ctx, "delete it",
		chromedp.Click(chromedp.CSS(row+` [data-act="delete"]`)),
		chromedp.WaitVisible(submit),
		chromedp.Click(submit),
		chromedp.WaitNotPresent(chromedp.CSS(row)))
	var gone struct{}
	if err := u.api("GET", "/v1/macros/"+m.ID, &gone); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("the deleted macro: %v", err)
	}

	// The 快捷回复 panel's figure is the API's relevance as a percentage.
	var mc struct{ ID string }
	if err := u.send("POST", "/v1/macros", map[string]any{"title": "洗衣机不排水", "body": "您好，洗衣机不排水请先清理排水过滤器。"}, &mc); err != nil {
		t.Fatal(err)
	}
	var tk struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "洗衣机不排水", "body": "洗衣机洗完不排水，桶里都是水"}, &tk); err != nil {
		t.Fatal(err)
	}
	var sugg struct {
		Items []struct {
			Macro     struct{ ID string }
			Relevance float64
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/macros", &sugg); err != nil || len(sugg.Items) == 0 || sugg.Items[0].Macro.ID != mc.ID {
		t.Fatalf("macro suggestions: %v %+v", err, sugg.Items)
	}
	want := fmt.Sprintf("%d%%", int(math.Round(100*sugg.Items[0].Relevance)))
	step(t, ctx, "open the ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`#macros .macro-relevance .relevance`)))
	if got := text(t, ctx, `#macros .macro-list li:first-child .macro-relevance`); got != "相关度 "+want {
		t.Errorf("the macro panel shows %q, want 相关度 %s", got, want)
	}

	// A rule that counts negated words, made on the rules page.
	step(t, ctx, "open the rules page and the new-rule form",
		chromedp.Navigate(u.url+"/app/admin/rules"),
		chromedp.WaitVisible(chromedp.CSS(`.page-head .btn-primary`)),
		chromedp.Click(chromedp.CSS(`.page-head .btn-primary`)),
		chromedp.WaitVisible(chromedp.ID("ru-name")))
	step(t, ctx, "write the rule",
		chromedp.SendKeys(chromedp.ID("ru-name"), "漏电排查（含否定）"),
		chromedp.SendKeys(chromedp.ID("ru-any"), "漏电"),
		chromedp.SendKeys(chromedp.ID("ru-tags"), "漏电排查"),
		chromedp.Click(chromedp.ID("ru-negated")),
		chromedp.Click(submit),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog.modal`)))
	var rules struct {
		Items []struct {
			ID, Name      string
			Match_negated bool
		}
	}
	found := false
	// The save answers after the dialog closes: wait for it.
	for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := u.api("GET", "/v1/rules", &rules); err != nil {
			t.Fatal(err)
		}
		for _, r := range rules.Items {
			found = found || r.Name == "漏电排查（含否定）"
		}
	}
	for _, r := range rules.Items {
		if r.Name == "漏电排查（含否定）" {
			if !r.Match_negated {
				t.Errorf("the rule made with the box ticked has match_negated false")
			}
		}
	}
	if !found {
		t.Fatal("the rule made on the page is not in the API")
	}
	var dry struct {
		Rules []struct{ Name string }
	}
	if err := u.send("POST", "/v1/rules/dry-run", map[string]any{"title": "插座", "body": "检查过了，没有漏电"}, &dry); err != nil {
		t.Fatal(err)
	}
	fired := false
	for _, r := range dry.Rules {
		fired = fired || r.Name == "漏电排查（含否定）"
	}
	if !fired {
		t.Errorf("the rule that counts negated words did not fire on 没有漏电: %+v", dry.Rules)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
