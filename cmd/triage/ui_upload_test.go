package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUILooseEnds: loose ends of the last review, on one server.
func TestUILooseEnds(t *testing.T) {
	u := startUI(t)
	t.Run("a reply with a file from a password session", func(t *testing.T) { u.passwordUpload(t) })
	t.Run("the admin token's name in Chinese", func(t *testing.T) { u.adminTokenName(t) })
	t.Run("the import page's file fields in Chinese", func(t *testing.T) { u.importFileFields(t) })
	t.Run("a macro reply over a newer one asks first", func(t *testing.T) { u.macroOverNewer(t) })
}

// passwordUpload: an agent signed in with a password (a session cookie,
// no token in the page) replies with a file. The upload is a multipart
// request the page makes by itself, not through api.call, so it must
// carry the session's CSRF token like every other write; the file's
// thumbnail is read back with the cookie alone. The comment and its file
// are checked through the API.
func (u *ui) passwordUpload(t *testing.T) {
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
	// The browser's cookie is shared by the tabs that follow.
	step(t, ctx, "sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("email")))
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

// adminTokenName: signed in with TRIAGE_ADMIN_TOKEN, the header names the
// token 系统管理员, not after the variable; the token's name through
// the API is unchanged (it is data).
func (u *ui) adminTokenName(t *testing.T) {
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		ctx := u.tab(t, size[0], size[1])
		u.signIn(t, ctx)
		got := jsEval[string](t, ctx, `document.querySelector('.who-name').textContent`)
		if got != "系统管理员" {
			t.Errorf("at %dx%d the header names the admin %q, want 系统管理员", size[0], size[1], got)
		}
		u.shot(t, ctx, fmt.Sprintf("admin_token_%d", size[0]))
	}
	var me struct{ Name string }
	if err := u.api("GET", "/v1/me", &me); err != nil {
		t.Fatal(err)
	}
	if me.Name != "admin (TRIAGE_ADMIN_TOKEN)" {
		t.Errorf("the token's name through the API is %q", me.Name)
	}
}

// importFileFields: the import page's file fields show a Chinese button
// (选择文件) and the chosen file's name, not Chromium's "Choose File"; the
// input itself is visually hidden but keeps its form label and the
// keyboard's focus; a submit without a file says so in Chinese.
// TestUIImport runs an import through these fields.
func (u *ui) importFileFields(t *testing.T) {
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		ctx := u.tab(t, size[0], size[1])
		u.signIn(t, ctx)
		step(t, ctx, "open the import page",
			chromedp.Navigate(u.url+"/app/admin/imports"),
			chromedp.WaitVisible(chromedp.ID("import-form")))
		if got := text(t, ctx, `#import-form .file-field label`); got != "选择文件" {
			t.Errorf("the file button says %q, want 选择文件", got)
		}
		if got := text(t, ctx, `#import-form .file-field .file-name`); got != "未选择文件" {
			t.Errorf("before a choice the field says %q, want 未选择文件", got)
		}
		// Hidden to the eye (1px, clipped), not to the keyboard or a screen
		// reader: it keeps its label and takes the focus.
		state := jsEval[map[string]any](t, ctx, `(() => {
			const i = document.getElementById('imp-file');
			const r = i.getBoundingClientRect();
			i.focus();
			return { w: r.width, labels: Array.from(i.labels).map(l => l.getAttribute('aria-hidden') === 'true' ? '' : l.textContent).filter(Boolean).join('|'), focused: document.activeElement === i };
		})()`)
		if state["w"].(float64) > 1 || state["labels"] != "导出文件" || state["focused"] != true {
			t.Errorf("the hidden input: %v; want 1px wide, labelled 导出文件, focusable", state)
		}
		step(t, ctx, "submit without a file",
			chromedp.Click(chromedp.ID("imp-start")),
			chromedp.WaitVisible(chromedp.CSS(`#import-form .field-error`)))
		if got := text(t, ctx, `#import-form .field-error`); got != "请选择导出文件" {
			t.Errorf("a submit without a file says %q", got)
		}
		if size[0] == 390 {
			// The row fits the phone's width.
			if over := jsEval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); over {
				t.Error("the import page scrolls sideways at 390px")
			}
		}
		u.shot(t, ctx, fmt.Sprintf("import_empty_%d", size[0]))
		if size[0] != 1366 {
			continue
		}
		file := filepath.Join(t.TempDir(), "zendesk-导出.json")
		export := `{"ticket":{"id":98765,"subject":"退款没到账"}}` + "\n"
		if err := os.WriteFile(file, []byte(export), 0o600); err != nil {
			t.Fatal(err)
		}
		step(t, ctx, "choose a file",
			chromedp.SetUploadFiles(chromedp.ID("imp-file"), []string{file}))
		if got := text(t, ctx, `#import-form .file-field .file-name`); got != "zendesk-导出.json" {
			t.Errorf("after the choice the field says %q", got)
		}
		u.shot(t, ctx, "import_chosen")
	}
}

// macroOverNewer: a reply sent through a macro says which comment it was
// written after, as a typed one does: when a colleague replied in the
// meantime the server refuses it (412, ticket.newer_reply) and the page
// asks first; sent anyway, it goes through the macro (its status change
// is made), checked through the API.
func (u *ui) macroOverNewer(t *testing.T) {
	mkAgent := func(name string) (id, token string) {
		var a struct{ ID string }
		if err := u.send("POST", "/v1/agents", map[string]any{"name": name, "capacity": 5}, &a); err != nil {
			t.Fatal(err)
		}
		var tok struct{ Secret string }
		if err := u.send("POST", "/v1/tokens", map[string]any{"name": name, "role": "agent", "agent_id": a.ID}, &tok); err != nil {
			t.Fatal(err)
		}
		return a.ID, tok.Secret
	}
	meID, me := mkAgent("钱多多")
	_, mate := mkAgent("孙悟净")
	var macro struct{ ID string }
	if err := u.send("POST", "/v1/macros", map[string]any{
		"title": "退款进度说明", "body": "{{requester.name}}您好，退款已经提交，一般1-3个工作日原路退回。",
		"actions": map[string]any{"status": "pending"},
	}, &macro); err != nil {
		t.Fatal(err)
	}
	var tk struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{
		"title": "退款进度怎么样了", "body": "申请退款三天了，想问一下退款进度", "requester": map[string]string{"name": "冯女士"},
	}, &tk); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 1366, 768)
	u.signInToken(t, ctx, me)
	step(t, ctx, "open the ticket and insert the macro",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`#macros .macro-pick[data-macro="`+macro.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`#macros .macro-pick[data-macro="`+macro.ID+`"]`)))
	want := "冯女士您好，退款已经提交，一般1-3个工作日原路退回。"
	var reply string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && reply != want; time.Sleep(100 * time.Millisecond) {
		reply = jsEval[string](t, ctx, `document.getElementById('composer').value`)
	}
	if reply != want {
		t.Fatalf("after inserting, the reply box holds %q, want %q", reply, want)
	}
	var theirs struct{ ID string }
	if err := u.sendAs(mate, "POST", "/v1/tickets/"+tk.ID+"/comments", map[string]any{"body": "您好，退款已加急处理。", "public": true}, &theirs); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "send the macro over the colleague's reply and be asked",
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`#collision .collision`)))
	if q := text(t, ctx, `#collision`); !strings.Contains(q, "孙悟净") {
		t.Errorf("the question says %q, want the colleague named", q)
	}
	u.errors() // the refused send's 412, expected
	u.shot(t, ctx, "macro_newer_reply")
	step(t, ctx, "send it anyway",
		chromedp.Click(chromedp.ID("send-anyway")),
		chromedp.WaitNotPresent(chromedp.CSS(`#collision`)))
	var comments struct {
		Items []struct {
			Body     string
			AuthorID string `json:"author_id"`
		}
	}
	var got struct{ Status string }
	waitAPI(t, "the macro's reply", func() bool {
		return u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments) == nil && len(comments.Items) == 2
	})
	if c := comments.Items[1]; c.AuthorID != meID || strings.TrimSpace(c.Body) != want {
		t.Errorf("the second comment: %+v, want the macro's text by 钱多多", c)
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID, &got); err != nil || got.Status != "pending" {
		t.Errorf("the ticket's status %q (%v), want pending (the macro's action)", got.Status, err)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
