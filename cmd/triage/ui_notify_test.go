package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triagehq/triage/mail"
)

// TestUIMailNotifications: a person chooses, on their own 我的账号安全
// page, which notifications also come by e-mail (issue 18); the choice is
// checked through the API; a ticket assigned to them then arrives as a
// Chinese mail with the ticket's link at the SMTP server the service
// sends through (the test's sink); once they untick it, the next
// assignment is in the bell's centre but not mailed.
func TestUIMailNotifications(t *testing.T) {
	u := startUI(t)
	const email, password = "qianmin@aurora.example", "极光-钱敏-2026"
	var agent struct{ ID, Name string }
	if err := u.send("POST", "/v1/agents", map[string]any{"name": "钱敏", "email": email, "skills": []string{"支付与退款"}}, &agent); err != nil {
		t.Fatal(err)
	}
	if err := u.send("PATCH", "/v1/agents/"+agent.ID+"/account", map[string]any{"role": "agent", "password": password}, nil, "If-Match: *"); err != nil {
		t.Fatal(err)
	}
	var tok struct{ Secret string }
	if err := u.send("POST", "/v1/tokens", map[string]any{"name": "钱敏的脚本", "role": "agent", "agent_id": agent.ID}, &tok); err != nil {
		t.Fatal(err)
	}
	prefs := func() []string {
		t.Helper()
		var p struct{ Mail []string }
		if err := u.sendAs(tok.Secret, "GET", "/v1/notifications/prefs", nil, &p); err != nil {
			t.Fatal(err)
		}
		return p.Mail
	}
	if got := prefs(); len(got) != 0 {
		t.Fatalf("before choosing: %v", got)
	}

	ctx := u.tab(t, 1366, 768)
	step(t, ctx, "sign in with the password",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
	step(t, ctx, "tick assigned and mention for e-mail",
		chromedp.Navigate(u.url+"/app/security"),
		chromedp.WaitVisible(chromedp.ID("notify-mail-assigned")),
		chromedp.Click(chromedp.ID("notify-mail-assigned")),
		chromedp.Click(chromedp.ID("notify-mail-mention")),
		chromedp.Click(chromedp.ID("notify-save")))
	waitAPI(t, "the choice through the API", func() bool { return slices.Equal(prefs(), []string{"assigned", "mention"}) })
	if s := text(t, ctx, `#security-notify`); !strings.Contains(s, "邮件通知") || !strings.Contains(s, "工单分配给我") {
		t.Errorf("the section says %q", s)
	}
	if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
		u.screenshot(t, ctx, dir, "security-mail-notifications.png")
		phone := u.tab(t, 390, 844)
		// The tabs share the browser's cookies: the phone is signed in.
		step(t, phone, "the choice on a phone",
			chromedp.Navigate(u.url+"/app/security"),
			chromedp.WaitVisible(chromedp.ID("notify-mail-assigned")),
			chromedp.ScrollIntoView(chromedp.ID("security-notify")))
		u.capture(t, phone, dir, "security-mail-notifications-phone.png", chromedp.CaptureScreenshot())
	}

	// A ticket assigned to her: the notification, then the mail.
	mailsTo := func() []*mail.Message {
		var out []*mail.Message
		for _, m := range u.sink.Messages() {
			if len(m.To) == 1 && strings.EqualFold(m.To[0], email) {
				msg, err := mail.NewParser(mail.Limits{}).Parse(m.Data)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, msg)
			}
		}
		return out
	}
	assign := func(title string) string {
		t.Helper()
		var tk struct{ ID string }
		if err := u.send("POST", "/v1/tickets", map[string]any{"title": title, "body": "订单 2026120788 退款还没到账", "assignee_id": agent.ID,
			"requester": map[string]any{"name": "孙先生", "email": "sun@example.com"}}, &tk); err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	first := assign("退款一周未到账（邮件通知测试）")
	waitAPI(t, "the assignment mailed", func() bool { return len(mailsTo()) == 1 })
	m := mailsTo()[0]
	if !strings.Contains(m.Subject, "【分配给您】退款一周未到账（邮件通知测试）") {
		t.Errorf("the mail's subject is %q", m.Subject)
	}
	if !strings.Contains(m.FullText, "钱敏，您好") || !strings.Contains(m.FullText, "/app/tickets/"+first) || !strings.Contains(m.FullText, "分配给了您") {
		t.Errorf("the mail says:\n%s", m.FullText)
	}

	// She unticks it: the next assignment is in the centre, not mailed.
	step(t, ctx, "untick assigned",
		chromedp.Navigate(u.url+"/app/security"),
		chromedp.WaitVisible(chromedp.CSS(`#notify-mail-assigned:checked`)),
		chromedp.Click(chromedp.ID("notify-mail-assigned")),
		chromedp.Click(chromedp.ID("notify-save")))
	waitAPI(t, "the new choice through the API", func() bool { return slices.Equal(prefs(), []string{"mention"}) })
	second := assign("发票抬头写错了（邮件通知测试）")
	waitAPI(t, "the second assignment in the centre", func() bool {
		var list struct {
			Items []struct {
				TicketID string `json:"ticket_id"`
			}
		}
		if err := u.sendAs(tok.Secret, "GET", "/v1/notifications", nil, &list); err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list.Items, func(n struct {
			TicketID string `json:"ticket_id"`
		}) bool {
			return n.TicketID == second
		})
	})
	time.Sleep(2 * time.Second) // the mail job, had one been queued, runs at once
	if n := len(mailsTo()); n != 1 {
		t.Errorf("%d mails after unticking, want still 1", n)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
