package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIAutomations is the automations journey of issue 20: an admin adds
// the trigger "subject contains 发票 → team 支付结算组" through the form;
// the next ticket about an invoice, filed for another team, is moved to
// 支付结算组 by it, which the API shows in the ticket, its history and the
// automation's log; the log on the page says why in Chinese; the page
// fits a phone.
func TestUIAutomations(t *testing.T) {
	u := startUI(t)
	var teams struct{ Items []struct{ ID, Name string } }
	if err := u.api("GET", "/v1/teams", &teams); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, tm := range teams.Items {
		ids[tm.Name] = tm.ID
	}
	billing, logistics := ids["支付结算组"], ids["物流售后组"]
	if billing == "" || logistics == "" {
		t.Fatalf("the demo's teams: %+v", teams.Items)
	}
	shots := os.Getenv("TRIAGE_UI_SHOTS")

	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	step(t, ctx, "open the automations page and the form",
		chromedp.Navigate(u.url+"/app/admin/automations"),
		chromedp.WaitVisible(chromedp.ID("add-automation")),
		chromedp.WaitVisible(chromedp.CSS(`.auto-templates li`)),
		chromedp.Click(chromedp.ID("add-automation")),
		chromedp.WaitVisible(chromedp.ID("au-name")))
	step(t, ctx, "fill in the trigger",
		chromedp.SetValue(chromedp.ID("au-name"), "发票 → 支付结算组"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].field"]`), "title"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].op"]`), "contains"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].value"]`), "发票"),
		chromedp.SetValue(chromedp.CSS(`[name="actions[0].type"]`), "set_team"),
		chromedp.SetValue(chromedp.CSS(`select[name="actions[0].value"]`), billing))
	step(t, ctx, "dry-run it from the form",
		chromedp.Click(chromedp.ID("au-dry")),
		chromedp.WaitVisible(chromedp.CSS(`.dry-out .card p`)))
	if got := text(t, ctx, `.dry-out .card p`); !strings.Contains(got, "在最近") {
		t.Fatalf("the dry run says %q", got)
	}
	if shots != "" {
		u.screenshot(t, ctx, shots, "admin-automations-form-1366.png")
	}
	step(t, ctx, "save it",
		chromedp.Click(chromedp.ID("au-save")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id] .row-actions`)))

	var autos struct {
		Items []struct {
			ID, Name, Kind string
			Events         []string
			Conditions     []struct{ Field, Op, Value string }
			Actions        []struct{ Type, Value string }
			Enabled        bool
		}
	}
	if err := u.api("GET", "/v1/automations", &autos); err != nil {
		t.Fatal(err)
	}
	if len(autos.Items) != 1 {
		t.Fatalf("automations: %+v", autos.Items)
	}
	a := autos.Items[0]
	if a.Name != "发票 → 支付结算组" || a.Kind != "trigger" || !a.Enabled || len(a.Events) != 1 || a.Events[0] != "ticket.created" ||
		len(a.Conditions) != 1 || a.Conditions[0] != (struct{ Field, Op, Value string }{"title", "contains", "发票"}) ||
		len(a.Actions) != 1 || a.Actions[0] != (struct{ Type, Value string }{"set_team", billing}) {
		t.Fatalf("the saved trigger: %+v", a)
	}

	// The next mail-like ticket about an invoice, filed for logistics.
	var tk struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "发票抬头开错了，需要重开", "body": "订单 20261207 的电子发票抬头写错了",
		"channel": "email", "team_id": logistics, "requester": map[string]string{"name": "刘先生", "email": "liu@example.com"}}, &tk); err != nil {
		t.Fatal(err)
	}
	var got struct {
		TeamID string `json:"team_id"`
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err := u.api("GET", "/v1/tickets/"+tk.ID, &got); err != nil {
			t.Fatal(err)
		}
		if got.TeamID == billing {
			break
		}
	}
	if got.TeamID != billing {
		t.Fatalf("the ticket's team is %q, want 支付结算组 (%s)", got.TeamID, billing)
	}
	var hist struct {
		Items []struct {
			Field, Old, New, Actor string
			Why                    []struct{ Code string }
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/history", &hist); err != nil {
		t.Fatal(err)
	}
	moved := false
	for _, h := range hist.Items {
		if h.Field == "team_id" && h.Old == logistics && h.New == billing && h.Actor == "token:automation:trigger" &&
			len(h.Why) > 0 && h.Why[0].Code == "automation.fired" {
			moved = true
		}
	}
	if !moved {
		t.Fatalf("no history entry of the trigger's team change: %+v", hist.Items)
	}
	var runs struct {
		Items []struct {
			AutomationID string `json:"automation_id"`
			Event        string
			Changes      []struct {
				Code string
				Args map[string]any
			}
		}
	}
	if err := u.api("GET", "/v1/automations/log?ticket_id="+tk.ID, &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs.Items) != 1 || runs.Items[0].AutomationID != a.ID || runs.Items[0].Event != "ticket.created" ||
		len(runs.Items[0].Changes) != 1 || runs.Items[0].Changes[0].Code != "automation.set" || runs.Items[0].Changes[0].Args["to"] != billing {
		t.Fatalf("the log of the ticket: %+v", runs.Items)
	}

	step(t, ctx, "see the firing in the log, said in Chinese",
		chromedp.Click(chromedp.CSS(`tr[data-id="`+a.ID+`"] .row-actions button`)),
		chromedp.WaitVisible(chromedp.CSS(`.auto-log tr[data-automation="`+a.ID+`"]`)))
	if line := text(t, ctx, `.auto-log tr[data-automation="`+a.ID+`"]`); !strings.Contains(line, "自动化「发票 → 支付结算组」在「工单创建」时触发") ||
		!strings.Contains(line, "团队：物流售后组 → 支付结算组") {
		t.Fatalf("the log line: %q", line)
	}
	if shots != "" {
		u.screenshot(t, ctx, shots, "admin-automations-1366.png")
	}

	// Edit: rename it and move it to position 5; then disable it.
	step(t, ctx, "edit the trigger",
		chromedp.Click(chromedp.CSS(`tr[data-id="`+a.ID+`"] .row-actions button:nth-child(3)`)),
		chromedp.WaitVisible(chromedp.ID("au-name")),
		chromedp.SetValue(chromedp.ID("au-name"), "发票工单 → 支付结算组"),
		chromedp.SetValue(chromedp.ID("au-position"), "5"),
		chromedp.Click(chromedp.ID("au-save")),
		chromedp.WaitNotPresent(chromedp.ID("au-name")))
	var one struct {
		Name     string
		Position int
		Enabled  bool
		Version  int
	}
	if err := u.api("GET", "/v1/automations/"+a.ID, &one); err != nil {
		t.Fatal(err)
	}
	if one.Name != "发票工单 → 支付结算组" || one.Position != 5 || !one.Enabled || one.Version != 2 {
		t.Fatalf("after the edit: %+v", one)
	}
	step(t, ctx, "disable it",
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id="`+a.ID+`"] .badge-ok`)),
		chromedp.Click(chromedp.CSS(`tr[data-id="`+a.ID+`"] .row-actions button:nth-child(4)`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id="`+a.ID+`"] .badge-warn`)))
	if err := u.api("GET", "/v1/automations/"+a.ID, &one); err != nil || one.Enabled {
		t.Fatalf("after disabling: %+v %v", one, err)
	}
	// A template: new and unassigned for 30 minutes → the team lead.
	step(t, ctx, "add a time rule from a template",
		chromedp.Click(chromedp.CSS(`button[data-template="new_unassigned_lead"]`)),
		chromedp.WaitVisible(chromedp.ID("au-after")),
		chromedp.Click(chromedp.ID("au-save")),
		chromedp.WaitNotPresent(chromedp.ID("au-after")))
	var rules struct {
		Items []struct {
			Kind    string
			Age     struct{ Since, After string }
			Actions []struct{ Type, To string }
			Enabled bool
		}
	}
	if err := u.api("GET", "/v1/automations", &rules); err != nil {
		t.Fatal(err)
	}
	if n := len(rules.Items); n != 2 || rules.Items[0].Kind != "time" || rules.Items[0].Age.After != "30m" || rules.Items[0].Age.Since != "created" ||
		!rules.Items[0].Enabled || rules.Items[0].Actions[0].Type != "email" || rules.Items[0].Actions[0].To != "team_lead" {
		t.Fatalf("after adding the template: %+v", rules.Items)
	}

	step(t, ctx, "add and remove condition and action rows",
		chromedp.Click(chromedp.ID("add-automation")),
		chromedp.WaitVisible(chromedp.ID("au-name")),
		chromedp.Click(chromedp.ID("au-add-condition")),
		chromedp.WaitVisible(chromedp.CSS(`[name="conditions[1].field"]`)),
		chromedp.Click(chromedp.CSS(`[data-row="condition"]:nth-child(2) .btn-danger-ghost`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[name="conditions[1].field"]`)),
		chromedp.Click(chromedp.ID("au-add-action")),
		chromedp.WaitVisible(chromedp.CSS(`[name="actions[1].tags"]`)))
	if n := jsEval[float64](t, ctx, `document.querySelectorAll('[data-row]').length`); n != 3 {
		t.Fatalf("%v rows, want 1 condition and 2 actions", n)
	}
	step(t, ctx, "dry-run the saved trigger from its row, then delete the time rule",
		chromedp.Click(chromedp.CSS(`tr[data-id="`+a.ID+`"] .row-actions button:nth-child(2)`)),
		chromedp.WaitVisible(chromedp.CSS(`.dry-out .card p`)),
		chromedp.Click(chromedp.CSS(`tr[data-id]:not([data-id="`+a.ID+`"]) .row-actions button:nth-child(5)`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.modal button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`dialog.modal button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`tr[data-id]:not([data-id="`+a.ID+`"])`)))
	if err := u.api("GET", "/v1/automations", &rules); err != nil || len(rules.Items) != 1 {
		t.Fatalf("after deleting the time rule: %+v %v", rules.Items, err)
	}

	phone := u.tab(t, 390, 844)
	u.signIn(t, phone)
	step(t, phone, "open the page on a phone",
		chromedp.Navigate(u.url+"/app/admin/automations"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id]`)),
		chromedp.Click(chromedp.ID("add-automation")),
		chromedp.WaitVisible(chromedp.ID("au-name")))
	if over := jsEval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
		t.Errorf("the page is wider than a 390 px phone: %v px", jsEval[float64](t, phone, `document.documentElement.scrollWidth`))
	}
	if shots != "" {
		u.screenshot(t, phone, shots, "admin-automations-390.png")
	} else {
		u.screenshot(t, phone, filepath.Join(t.TempDir()), "phone.png") // renders without error
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
