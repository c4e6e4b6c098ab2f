package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/triagehq/triage/mail/mailtest"
)

// TestUITriggerOnMail is issue 20's journey as written: an admin adds the
// trigger "subject contains 发票 → team 支付结算组" in the browser and sees
// it fire on the next mail. The mail is a real one, delivered by Dovecot
// to the after-sales mailbox (whose mail goes to 物流售后组) that the
// service reads over IMAP; the API then has the ticket in 支付结算组 and the
// automation's log has the firing, whose line on the page names the old
// team, never a blank.
func TestUITriggerOnMail(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Dovecot, the service with demo data and a browser; skipped with -short")
	}
	chromiumPath(t)
	dove := mailtest.Start(t)
	const support, supportPass = "support@aurora.example", "客服授权码-20"
	const customer = "lin.xiaoyu@example.cn"
	dove.AddUser(support, supportPass)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, dove.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	u := startUIWith(t, "--mail-ca", ca)
	var teams struct{ Items []struct{ ID, Name string } }
	if err := u.api("GET", "/v1/teams", &teams); err != nil {
		t.Fatal(err)
	}
	billing, logistics := "", ""
	for _, tm := range teams.Items {
		switch tm.Name {
		case "支付结算组":
			billing = tm.ID
		case "物流售后组":
			logistics = tm.ID
		}
	}
	if billing == "" || logistics == "" {
		t.Fatalf("the demo's teams: %+v", teams.Items)
	}

	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	step(t, ctx, "open the automations page and the form",
		chromedp.Navigate(u.url+"/app/admin/automations"),
		chromedp.WaitVisible(chromedp.ID("add-automation")),
		chromedp.Click(chromedp.ID("add-automation")),
		chromedp.WaitVisible(chromedp.ID("au-name")))
	step(t, ctx, "add the trigger",
		chromedp.SetValue(chromedp.ID("au-name"), "主题含发票 → 支付结算组"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].field"]`), "title"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].op"]`), "contains"),
		chromedp.SetValue(chromedp.CSS(`[name="conditions[0].value"]`), "发票"),
		chromedp.SetValue(chromedp.CSS(`[name="actions[0].type"]`), "set_team"),
		chromedp.SetValue(chromedp.CSS(`select[name="actions[0].value"]`), billing),
		chromedp.Click(chromedp.ID("au-save")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id] .row-actions`)))
	var autos struct{ Items []struct{ ID, Name string } }
	if err := u.api("GET", "/v1/automations", &autos); err != nil || len(autos.Items) != 1 || autos.Items[0].Name != "主题含发票 → 支付结算组" {
		t.Fatalf("automations after saving: %+v %v", autos.Items, err)
	}
	auto := autos.Items[0].ID

	// The after-sales mailbox, read over IMAP from Dovecot: its mail goes
	// to 物流售后组 unless something moves it.
	if err := u.send("POST", "/v1/mailboxes", map[string]any{"name": "售后客服邮箱", "address": support, "host": dove.Host,
		"port": dove.IMAPSPort, "tls": "tls", "username": support, "password": supportPass, "team_id": logistics}, nil); err != nil {
		t.Fatal(err)
	}
	subject := "发票抬头开错了，麻烦重开一张"
	raw := fmt.Sprintf("From: =?UTF-8?B?%s?= <%s>\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <invoice-trigger-1@example.cn>\r\n"+
		"Date: Mon, 7 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
		base64.StdEncoding.EncodeToString([]byte("林小雨")), customer, support, base64.StdEncoding.EncodeToString([]byte(subject)),
		base64.StdEncoding.EncodeToString([]byte("订单 SO20261207031 的电子发票抬头写成了个人，需要改成公司抬头。")))
	dove.Deliver(support, "", []byte(raw))

	var tk struct {
		ID, Title, Channel string
		TeamID             string `json:"team_id"`
	}
	waitAPI(t, "the mail to become a ticket in 支付结算组", func() bool {
		var page struct{ Items []idOnly }
		if err := u.api("GET", "/v1/tickets?requester="+customer, &page); err != nil || len(page.Items) == 0 {
			return false
		}
		return u.api("GET", "/v1/tickets/"+page.Items[0].ID, &tk) == nil && tk.TeamID == billing
	})
	if tk.Channel != "email" || tk.Title != subject {
		t.Fatalf("the ticket from the mail: %+v", tk)
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
	if len(runs.Items) != 1 || runs.Items[0].AutomationID != auto || runs.Items[0].Event != "ticket.created" ||
		len(runs.Items[0].Changes) != 1 || runs.Items[0].Changes[0].Code != "automation.set" || runs.Items[0].Changes[0].Args["to"] != billing {
		t.Fatalf("the automation log of the mail's ticket: %+v", runs.Items)
	}
	from, _ := runs.Items[0].Changes[0].Args["from"].(string)
	wantFrom := "无"
	for _, tm := range teams.Items {
		if tm.ID == from {
			wantFrom = tm.Name
		}
	}
	step(t, ctx, "see the firing in the log",
		chromedp.Navigate(u.url+"/app/admin/automations"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id="`+auto+`"] .row-actions button`)),
		chromedp.Click(chromedp.CSS(`tr[data-id="`+auto+`"] .row-actions button`)),
		chromedp.WaitVisible(chromedp.CSS(`.auto-log tr[data-automation="`+auto+`"] a[href="/app/tickets/`+tk.ID+`"]`)))
	// The demo's own traffic fires the trigger too: read the mail's row.
	line := jsEval[string](t, ctx, `document.querySelector('.auto-log a[href="/app/tickets/`+tk.ID+`"]').closest('tr').textContent`)
	if !strings.Contains(line, "团队："+wantFrom+" → 支付结算组") {
		t.Fatalf("the log line reads %q; want 团队：%s → 支付结算组", line, wantFrom)
	}
	u.shot(t, ctx, "admin-automations-mail-log-1366")
	phone := u.tab(t, 390, 844)
	u.signIn(t, phone)
	step(t, phone, "the log on a phone",
		chromedp.Navigate(u.url+"/app/admin/automations"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-builtin]`)),
		chromedp.WaitVisible(chromedp.CSS(`.auto-log tr[data-automation]`)))
	u.shot(t, phone, "admin-automations-mail-log-390")
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
