package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIPasswordUpload: an agent signed in with a password (a session
// cookie, no token in the page) replies with a file. The upload is a
// multipart request the page makes by itself, not through api.call, so it
// must carry the session's CSRF token like every other write; the file's
// thumbnail is read back with the cookie alone. The comment and its file
// are checked through the API.
func TestUIPasswordUpload(t *testing.T) {
	u := startUI(t)
	const email, password = "zhaoliu@aurora.example", "极光-赵六-2026-附件"
	var agent struct{ ID string }
	if err := u.send("POST", "/v1/agents", map[string]any{"name": "赵六", "email": email}, &agent); err != nil {
		t.Fatal(err)
	}
	if err := u.send("PATCH", "/v1/agents/"+agent.ID+"/account", map[string]any{"role": "agent", "password": password}, nil, "If-Match: *"); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 1366, 768)
	u.passwordSignIn(t, ctx, email, password)

	// A 1×1 PNG, so the reply shows a thumbnail read with the cookie.
	png, err := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "退款截图.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	tk := u.ticketWithDraft(t)
	const reply = "您好，退款已经提交，截图见附件。"
	step(t, ctx, "open a ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.ID("composer")))
	step(t, ctx, "write a reply with a file",
		chromedp.SendKeys(chromedp.ID("composer"), reply),
		chromedp.SetUploadFiles(chromedp.ID("composer-files"), []string{file}),
		chromedp.WaitVisible(chromedp.CSS(`.chosen-files li`)))
	u.shot(t, ctx, "upload_chosen")
	step(t, ctx, "send it",
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply .attachment`)))

	var comments struct {
		Items []struct {
			Body        string
			Public      bool
			AuthorID    string `json:"author_id"`
			Attachments []struct {
				Name        string
				ContentType string `json:"content_type"`
				Size        int
			}
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range comments.Items {
		if strings.TrimSpace(c.Body) != reply {
			continue
		}
		found = true
		if !c.Public || c.AuthorID != agent.ID || len(c.Attachments) != 1 ||
			c.Attachments[0].Name != "退款截图.png" || c.Attachments[0].Size != len(png) {
			t.Errorf("the reply through the API: %+v, want public, by 赵六, with 退款截图.png (%d bytes)", c, len(png))
		}
	}
	if !found {
		t.Fatalf("no comment with the reply; comments: %+v", comments.Items)
	}
	// The thumbnail is fetched with the page's credential: with a cookie
	// session that is the cookie, not an empty "Authorization: Bearer".
	loaded := false
	for range 50 {
		if loaded = jsEval[bool](t, ctx, `(() => { const i = document.querySelector('.msg-reply .attachment img.thumb'); return !!i && i.complete && i.naturalWidth > 0; })()`); loaded {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !loaded {
		t.Error("the reply's image shows no thumbnail: it was not read with the session cookie")
	}
	u.shot(t, ctx, "upload_sent")
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// passwordSignIn signs in with the sign-in form's e-mail and password.
func (u *ui) passwordSignIn(t *testing.T, ctx context.Context, email, password string) {
	t.Helper()
	step(t, ctx, "sign in with a password",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
	if tok := jsEval[string](t, ctx, `sessionStorage.getItem('trg:token') || ''`); tok != "" {
		t.Fatalf("a password sign-in left a token in the page: %q", tok)
	}
}
