package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// passwordFlow: an admin gives an agent an account with a password
// through the API; the agent signs in with the Chinese form (a wrong
// password first), writes an internal note (a cookie write, which needs
// the CSRF token the page sends), sees their session listed, and signs
// out. Each effect is checked through the API.
func (u *ui) passwordFlow(t *testing.T) {
	const email, password = "wangxiaoming@aurora.example", "极光-王小明-2026"
	var agent struct{ ID, Name string }
	if err := u.send("POST", "/v1/agents", map[string]any{"name": "王小明", "email": email, "skills": []string{"支付与退款"}}, &agent); err != nil {
		t.Fatal(err)
	}
	if err := u.send("PATCH", "/v1/agents/"+agent.ID+"/account", map[string]any{"role": "agent", "password": password}, nil, "If-Match: *"); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 1366, 768)
	step(t, ctx, "open the sign-in page",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")))
	page := text(t, ctx, `.signin-page`)
	for _, want := range []string{"邮箱", "密码", "登录", "忘记密码", "使用 API 令牌登录"} {
		if !strings.Contains(page, want) {
			t.Errorf("the sign-in page does not say %q:\n%s", want, page)
		}
	}
	if visible := jsEval[bool](t, ctx, `document.getElementById('token').checkVisibility()`); visible {
		t.Error("the token field is shown at once; it belongs behind the advanced link")
	}

	step(t, ctx, "a wrong password",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "不是这个密码不是"),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`#login-error:not(:empty)`)))
	if got := text(t, ctx, `#login-error`); got != "邮箱或密码不正确。" {
		t.Errorf("wrong password says %q", got)
	}
	// The browser reports the refused sign-in's 401 in the console: that
	// one is expected.
	u.errors()
	jsEval[bool](t, ctx, `(document.getElementById('password').value = '', true)`)
	step(t, ctx, "the right password",
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
	if who := text(t, ctx, `.who-name`); who != "王小明" {
		t.Errorf("signed in as %q, want 王小明", who)
	}
	if tok := jsEval[string](t, ctx, `sessionStorage.getItem('trg:token') || ''`); tok != "" {
		t.Errorf("a password sign-in left a token in the page: %q", tok)
	}
	if readable := jsEval[bool](t, ctx, `document.cookie.includes('triage_session')`); readable {
		t.Error("the session cookie is readable by the page; it must be HttpOnly")
	}

	var sessions struct {
		Items []struct {
			ID        string
			UserAgent string `json:"user_agent"`
		}
	}
	if err := u.api("GET", "/v1/auth/sessions?agent="+agent.ID, &sessions); err != nil {
		t.Fatal(err)
	}
	if len(sessions.Items) != 1 || !strings.Contains(sessions.Items[0].UserAgent, "Chrome") {
		t.Fatalf("the agent's sessions through the API: %+v, want the browser's one", sessions.Items)
	}

	// A write with the cookie: an internal note on a ticket.
	tk := u.ticketWithDraft(t)
	note := "王小明用密码登录后写的内部备注"
	step(t, ctx, "open a ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.ID("composer")))
	step(t, ctx, "write a note",
		chromedp.Click(chromedp.ID("mode-note")),
		chromedp.SendKeys(chromedp.ID("composer"), note),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-note`)))
	var comments struct {
		Items []struct {
			Body     string
			AuthorID string `json:"author_id"`
		}
	}
	found := false
	for range 50 {
		if err := u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments); err != nil {
			t.Fatal(err)
		}
		for _, c := range comments.Items {
			found = found || (strings.TrimSpace(c.Body) == note && c.AuthorID == agent.ID)
		}
		if found {
			break
		}
		jsEval[bool](t, ctx, `new Promise(r => setTimeout(() => r(true), 100))`)
	}
	if !found {
		t.Errorf("no comment by 王小明 with the note; comments: %+v", comments.Items)
	}

	step(t, ctx, "sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("email")))
	if err := u.api("GET", "/v1/auth/sessions?agent="+agent.ID, &sessions); err != nil {
		t.Fatal(err)
	}
	if len(sessions.Items) != 0 {
		t.Errorf("after signing out the agent still has sessions: %+v", sessions.Items)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
