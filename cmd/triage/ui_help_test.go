package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIHelpCentre is the help-centre journey in a real browser: an editor
// marks an article 公开 in the KB editor and it is published; a customer on
// a phone (390×844) searches the help centre, opens the article and clicks
// 有帮助; the vote is then read back through the API (the KB gap report).
// An internal article published beside it never shows.
func TestUIHelpCentre(t *testing.T) {
	u := startUI(t)
	const title = "如何更换绑定的手机号"
	ed := u.tab(t, 1366, 768)
	u.signIn(t, ed)
	step(t, ed, "open the editor",
		chromedp.Navigate(u.url+"/app/kb"),
		chromedp.WaitVisible(chromedp.ID("new-article")),
		chromedp.Click(chromedp.ID("new-article")),
		chromedp.WaitVisible(chromedp.ID("art-body")))
	step(t, ed, "write a public article",
		chromedp.SendKeys(chromedp.ID("art-title"), title),
		chromedp.SendKeys(chromedp.ID("art-cat"), "账号与安全"),
		chromedp.SetValue(chromedp.ID("art-visibility"), "public"),
		chromedp.SendKeys(chromedp.ID("art-body"), "在 App 的「我的 → 账号与安全 → 手机号」里更换。\n\n1. 验证**原手机号**的短信验证码\n2. 输入新手机号并验证\n\n原手机号已停用时，请联系客服人工核验身份。"),
		chromedp.Click(chromedp.ID("save-article")),
		chromedp.WaitVisible(chromedp.CSS(`[data-move="in_review"]`)))
	id := jsEval[string](t, ed, `location.pathname.split('/').pop()`)
	var saved struct{ Visibility string }
	if err := u.api("GET", "/v1/articles/"+id, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Visibility != "public" {
		t.Fatalf("the editor saved visibility %q, want public", saved.Visibility)
	}
	var internal struct{ ID string }
	if err := u.send("POST", "/v1/articles", map[string]any{"title": "内部：手机号更换的人工核验口令", "body": "核验口令 HC-SECRET-7731，勿外传。", "category": "账号与安全"}, &internal); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{id, internal.ID} {
		if err := u.patchIfMatch("/v1/articles/"+a, `{"status":"published","override":"测试数据：同一位管理员写并发布"}`); err != nil {
			t.Fatal(err)
		}
	}
	// The text index follows the store a moment later.
	searchPath := "/help/search?q=" + url.QueryEscape("更换手机号")
	deadline := time.Now().Add(30 * time.Second)
	for {
		body := u.get(t, searchPath)
		if strings.Contains(body, "HC-SECRET") || strings.Contains(body, internal.ID) {
			t.Fatalf("the help centre's search shows the internal article")
		}
		if strings.Contains(body, "/help/articles/"+id) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the public article is not found by the help centre's search within 30 s")
		}
		time.Sleep(300 * time.Millisecond)
	}

	shots := os.Getenv("TRIAGE_UI_SHOTS")
	for _, size := range []struct {
		w, h int64
		name string
	}{{390, 844, "phone"}, {1366, 768, "desktop"}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := u.tab(t, size.w, size.h)
			step(t, ctx, "open the help centre",
				chromedp.Navigate(u.url+"/help"),
				chromedp.WaitVisible(chromedp.ID("q")))
			if shots != "" {
				u.screenshot(t, ctx, shots, "help-home-"+size.name+".png")
			}
			step(t, ctx, "search",
				chromedp.SendKeys(chromedp.ID("q"), "更换手机号"),
				chromedp.Submit(chromedp.ID("q")),
				chromedp.WaitVisible(chromedp.CSS(`.articles a[href="/help/articles/`+id+`"]`)))
			if shots != "" {
				u.screenshot(t, ctx, shots, "help-search-"+size.name+".png")
			}
			step(t, ctx, "open the article",
				chromedp.Click(chromedp.CSS(`.articles a[href="/help/articles/`+id+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#feedback button[value="yes"]`)))
			if got := jsEval[string](t, ctx, `document.title`); got != title+" - 帮助中心" {
				t.Errorf("title %q", got)
			}
			// The page fits the phone: nothing wider than the screen.
			if w := jsEval[float64](t, ctx, `document.documentElement.scrollWidth`); w > float64(size.w) {
				t.Errorf("the article page is %v px wide on a %d px screen", w, size.w)
			}
			if shots != "" {
				u.screenshot(t, ctx, shots, "help-article-"+size.name+".png")
			}
			step(t, ctx, "click 有帮助",
				chromedp.Click(chromedp.CSS(`#feedback button[value="yes"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#feedback .thanks`)))
			if s := text(t, ctx, `#feedback .thanks`); !strings.Contains(s, "谢谢您的反馈") {
				t.Errorf("after the vote the page says %q", s)
			}
			if shots != "" {
				u.screenshot(t, ctx, shots, "help-thanks-"+size.name+".png")
			}
			if errs := u.errors(); len(errs) > 0 {
				t.Errorf("page errors: %v", errs)
			}
		})
	}
	var gaps struct {
		Readers []struct {
			ID        string
			Helpful   int
			Unhelpful int
			Title     string
		}
	}
	if err := u.api("GET", "/v1/kb/gaps", &gaps); err != nil {
		t.Fatal(err)
	}
	if len(gaps.Readers) != 1 || gaps.Readers[0].ID != id || gaps.Readers[0].Helpful != 2 || gaps.Readers[0].Unhelpful != 0 || gaps.Readers[0].Title != title {
		t.Errorf("the gap report's readers: %+v, want the article with 2 helpful votes", gaps.Readers)
	}
	for _, p := range []string{"/help", "/help/sitemap.xml", "/help/categories/" + url.PathEscape("账号与安全")} {
		if body := u.get(t, p); strings.Contains(body, "HC-SECRET") || strings.Contains(body, internal.ID) {
			t.Errorf("%s shows the internal article", p)
		}
	}
}

// get fetches a page without a token.
func (u *ui) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(u.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return string(b)
}

// patchIfMatch changes a resource whatever its version.
func (u *ui) patchIfMatch(path, body string) error {
	req, err := http.NewRequest("PATCH", u.url+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+uiAdmin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", "*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return &httpError{resp.Status, string(b)}
	}
	return nil
}

type httpError struct{ status, body string }

func (e *httpError) Error() string { return e.status + ": " + e.body }
