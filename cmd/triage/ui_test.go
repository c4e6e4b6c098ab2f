package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/triagehq/triage/mail/mailtest"
)

// The web UI tested in a real headless Chromium against the real server
// with the demo data: the flows an agent and a KB editor go through, and
// every page at a laptop's and a phone's width. A failing step saves a
// screenshot in testdata/failures (ignored by git). Set TRIAGE_UI_SHOTS to a
// directory to keep a screenshot of every page as well.

const uiAdmin = "trg_uitestadmintoken000000000000000"

// chromiumPath finds the browser, or skips the test with a clear message,
// or fails it when CI said the UI test must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TRIAGE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "the web UI test needs Chromium (Debian: apt-get install chromium fonts-wqy-microhei), or TRIAGE_CHROMIUM=/path/to/chrome"
	if os.Getenv("TRIAGE_UI_REQUIRED") == "1" {
		t.Fatal(msg + "; TRIAGE_UI_REQUIRED=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

// ui is a running server and a browser to drive it.
type ui struct {
	t       *testing.T
	url     string
	browser context.Context
	mu      sync.Mutex
	console []string // uncaught exceptions and console errors of the current tab
	reports evalReports
	merged  string // a ticket mergeFlow merged into another
	// sink takes the server's outbound mail (survey links go only by
	// mail), unless the test gave its own --smtp-url.
	sink *mailtest.Sink
}

func startUI(t *testing.T) *ui { return startUIWith(t) }

// startUIWith is startUI with more flags for `triage serve`.
func startUIWith(t *testing.T, extra ...string) *ui {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the service with demo data and a browser; skipped with -short")
	}
	exe := chromiumPath(t)
	t.Setenv("TRIAGE_ADMIN_TOKEN", uiAdmin)
	// The data directory is made before the server's cleanup is
	// registered, so that cleanups (last in, first out) stop the server
	// before they remove its index.
	data := t.TempDir()
	reports := seedEvalReports(t, data)
	var sink *mailtest.Sink
	if !slices.Contains(extra, "--smtp-url") {
		sink = mailtest.StartSink(t)
		extra = append(extra, "--smtp-url", sink.URL(), "--mail-from", "极光商城客服 <support@aurora.example>")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "error"}
		done <- run(ctx, append(args, extra...), &out, &out)
	}()
	t.Cleanup(func() { cancel(); <-done })
	base := waitFor(t, &out, "url")

	// A fresh profile each run; Chromium's helpers can still write to it
	// for a moment after it exits, so removal retries.
	profile, err := os.MkdirTemp("", "triage-ui-chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 768),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	// The server must be ready (demo data loaded, text index caught up)
	// before a page asks for suggestions.
	u := &ui{t: t, url: base, browser: browser, reports: reports, sink: sink}
	u.waitReady()
	return u
}

func (u *ui) waitReady() {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var page struct{ Items []json.RawMessage }
		if err := u.api("GET", "/v1/tickets?limit=1", &page); err == nil && len(page.Items) > 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	u.t.Fatal("the demo data did not load within a minute")
}

// api calls the API directly, to check what the UI did.
func (u *ui) api(method, path string, v any) error {
	req, err := http.NewRequest(method, u.url+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+uiAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// send calls the API with a JSON body, to set up what a page shows;
// headers are "Name: value".
func (u *ui) send(method, path string, body, v any, headers ...string) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, u.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+uiAdmin)
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, msg)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// tab opens a new tab of the given size that records the page's errors,
// and saves a screenshot of it if the test fails.
func (u *ui) tab(t *testing.T, width, height int64) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(u.browser)
	t.Cleanup(cancel)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				u.mu.Lock()
				u.console = append(u.console, m.String())
				u.mu.Unlock()
			}
		}
	}()
	vp := []chromedp.EmulateViewportOption{}
	if width < 600 {
		vp = append(vp, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, vp...)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			u.screenshot(t, ctx, filepath.Join("testdata", "failures"), sanitize(t.Name())+".png")
		}
	})
	return ctx
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// screenshot saves the whole page as a PNG.
func (u *ui) screenshot(t *testing.T, ctx context.Context, dir, name string) {
	u.capture(t, ctx, dir, name, chromedp.FullScreenshot(100))
}

// capture saves what shot takes: the whole page, or only what fits the
// window (what a person sees before scrolling).
func (u *ui) capture(t *testing.T, ctx context.Context, dir, name string, shot chromedp.Action[[]byte]) {
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, shot)
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	abs, _ := filepath.Abs(p)
	t.Logf("screenshot: %s", abs)
}

// errors returns and clears the page errors recorded so far.
func (u *ui) errors() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.console
	u.console = nil
	return out
}

// step runs browser actions with a deadline, failing the test with what
// the step was for.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// One action at a time, so a failure names which of the step's actions
	// it was: a flaky wait is found from the log, not by re-running.
	for i, a := range actions {
		if err := chromedp.Do(sctx, a); err != nil {
			t.Fatalf("%s: action %d of %d: %v", what, i+1, len(actions), err)
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func jsEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// signIn pastes the token into the sign-in form's advanced part.
func (u *ui) signIn(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "open the sign-in page",
		chromedp.Navigate(u.url+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-token-toggle")),
		chromedp.Click(chromedp.ID("signin-token-toggle")),
		chromedp.WaitVisible(chromedp.ID("token")))
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.ID("token"), uiAdmin),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(`.topbar`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)))
}

type apiTicket struct {
	ID, Title, Category, Status string
}

// ticketWithDraft finds an unsolved demo ticket whose suggestions include
// a draft, for the agent flow.
func (u *ui) ticketWithDraft(t *testing.T) apiTicket {
	t.Helper()
	var page struct{ Items []apiTicket }
	if err := u.api("GET", "/v1/tickets?status=new,open&limit=50", &page); err != nil {
		t.Fatal(err)
	}
	for _, tk := range page.Items {
		var sg struct {
			Draft struct{ Mode, Text string }
		}
		if err := u.api("GET", "/v1/tickets/"+tk.ID+"/suggestions", &sg); err == nil && sg.Draft.Text != "" && sg.Draft.Mode != "none" {
			return tk
		}
	}
	t.Fatal("no unsolved demo ticket has a drafted reply")
	return apiTicket{}
}

func TestUI(t *testing.T) {
	u := startUI(t)
	t.Run("agent works a ticket", func(t *testing.T) { u.agentFlow(t) })
	t.Run("editor publishes an article", func(t *testing.T) { u.editorFlow(t) })
	t.Run("agent merges a duplicate", func(t *testing.T) { u.mergeFlow(t) })
	t.Run("agent sends a macro", func(t *testing.T) { u.macroFlow(t) })
	t.Run("evaluation reports", func(t *testing.T) { u.evalFlow(t) })
	t.Run("reasons are said in Chinese", func(t *testing.T) { u.reasonsFlow(t) })
	t.Run("customer answers a survey", func(t *testing.T) { u.surveyFlow(t) })
	t.Run("every page", func(t *testing.T) { u.everyPage(t) })
	t.Run("assets are content-hashed", func(t *testing.T) { u.assetsFlow(t) })
	t.Run("staff sign in with a password", func(t *testing.T) { u.passwordFlow(t) })
}

// agentFlow: sign in, open a ticket from the inbox, see its category and
// suggestions, accept the draft and send it.
func (u *ui) agentFlow(t *testing.T) {
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	tk := u.ticketWithDraft(t)

	// Find it in the inbox by its title, and open it.
	step(t, ctx, "search the inbox",
		chromedp.Navigate(u.url+"/app/inbox?view=all&q="+url.QueryEscape(tk.Title)),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-row[data-id="`+tk.ID+`"]`)))
	step(t, ctx, "open the ticket",
		chromedp.Click(chromedp.CSS(`.ticket-row[data-id="`+tk.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-title`)))
	if got := text(t, ctx, `.ticket-title`); got != tk.Title {
		t.Fatalf("ticket page shows %q, want %q", got, tk.Title)
	}
	step(t, ctx, "triage panel", chromedp.WaitVisible(chromedp.CSS(`.dec-category .dec-value`)))
	var full struct {
		Triage struct{ Category struct{ Value string } }
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID, &full); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `.dec-category .dec-value`); got != full.Triage.Category.Value {
		t.Errorf("triage panel shows category %q, the API says %q", got, full.Triage.Category.Value)
	}
	step(t, ctx, "suggestions panel",
		chromedp.WaitVisible(chromedp.CSS(`#suggestions .source`)),
		chromedp.WaitVisible(chromedp.CSS(`#draft [data-act="accept"]`)))
	if n := jsEval[int](t, ctx, `document.querySelectorAll('#suggestions .source .scores').length`); n == 0 {
		t.Error("the sources show no scores")
	}

	// The help overlay lists this page's keys; Escape closes it.
	step(t, ctx, "open the shortcuts help",
		chromedp.KeyEvent("?"),
		chromedp.WaitVisible(chromedp.CSS(`dialog.keys-help`)))
	if help := text(t, ctx, `dialog.keys-help`); !strings.Contains(help, "采纳建议回复") {
		t.Errorf("the shortcuts help does not list accepting the draft: %q", help)
	}
	step(t, ctx, "close the shortcuts help",
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog.keys-help`)))

	// Accept the draft with its key, as an agent would: it goes into the
	// reply box; send it.
	step(t, ctx, "accept the draft with a", chromedp.KeyEvent("a"))
	reply := jsEval[string](t, ctx, `document.getElementById('composer').value`)
	if strings.TrimSpace(reply) == "" || regexp.MustCompile(`\[\d+\]`).MatchString(reply) {
		t.Fatalf("after accepting, the reply box holds %q (want the draft without its [n] markers)", reply)
	}
	step(t, ctx, "send the reply",
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply`)),
		chromedp.WaitVisible(chromedp.CSS(`#draft .verdict`)))

	var comments struct {
		Items []struct {
			Body   string
			Public bool
		}
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments); err != nil {
		t.Fatal(err)
	}
	sent := false
	for _, c := range comments.Items {
		sent = sent || (c.Public && strings.TrimSpace(c.Body) == strings.TrimSpace(reply))
	}
	if !sent {
		t.Errorf("no public comment with the accepted draft; comments: %+v", comments.Items)
	}
	var stats struct {
		Drafts struct{ Accepted int }
	}
	if err := u.api("GET", "/v1/suggestions/stats", &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Drafts.Accepted != 1 {
		t.Errorf("draft feedback: %d accepted, want 1", stats.Drafts.Accepted)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// editorFlow: write an article, submit it for review, approve and publish
// it from the review queue (an admin's own article: with a reason), and
// find it with search.
func (u *ui) editorFlow(t *testing.T) {
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	const title = "手环游泳后无法充电的处理方法"
	step(t, ctx, "open the editor",
		chromedp.Navigate(u.url+"/app/kb"),
		chromedp.WaitVisible(chromedp.ID("new-article")),
		chromedp.Click(chromedp.ID("new-article")),
		chromedp.WaitVisible(chromedp.ID("art-body")))
	step(t, ctx, "write the article",
		chromedp.SendKeys(chromedp.ID("art-title"), title),
		chromedp.SendKeys(chromedp.ID("art-cat"), "设备使用与故障"),
		chromedp.SendKeys(chromedp.ID("art-tags"), "手环, 充电"),
		chromedp.SendKeys(chromedp.ID("art-body"), "## 原因\n游泳后充电触点残留水分，会导致**无法充电**。\n\n## 处理\n- 用干布擦干触点\n- 静置 2 小时后再充电\n"),
		chromedp.WaitVisible(chromedp.CSS(`.preview strong`)))
	step(t, ctx, "save the draft",
		chromedp.Click(chromedp.ID("save-article")),
		chromedp.WaitVisible(chromedp.CSS(`[data-move="in_review"]`)))
	id := jsEval[string](t, ctx, `location.pathname.split('/').pop()`)
	step(t, ctx, "submit for review",
		chromedp.Click(chromedp.CSS(`[data-move="in_review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-in_review`)))
	step(t, ctx, "open the review queue",
		chromedp.Navigate(u.url+"/app/kb/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-act="approve"][data-id="`+id+`"]`)))
	// Review is required: the admin wrote it, so publishing it asks for
	// the reason of the override (TestUIWorkflowSettings has another
	// person approving a new article).
	step(t, ctx, "approve and publish, with the reason of an override",
		chromedp.Click(chromedp.CSS(`[data-act="approve"][data-id="`+id+`"]`)),
		chromedp.WaitVisible(chromedp.ID("ov-why")),
		chromedp.SendKeys(chromedp.ID("ov-why"), "值班只有一位管理员"),
		modalOK,
		chromedp.WaitNotPresent(chromedp.CSS(`[data-act="approve"][data-id="`+id+`"]`)))
	var art struct{ Status string }
	if err := u.api("GET", "/v1/articles/"+id, &art); err != nil {
		t.Fatal(err)
	}
	if art.Status != "published" {
		t.Fatalf("after approval the article is %q, want published", art.Status)
	}

	// The index follows the store a moment later: search until it shows.
	hit := chromedp.CSS(`#search-results [data-id="` + id + `"]`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		step(t, ctx, "search from the top bar",
			chromedp.Navigate(u.url+"/app/inbox"),
			chromedp.WaitVisible(chromedp.ID("global-search")),
			chromedp.SendKeys(chromedp.ID("global-search"), "游泳后无法充电\n"),
			chromedp.WaitVisible(chromedp.CSS(`main[data-ready] #search-results`)))
		if jsEval[bool](t, ctx, `!!document.querySelector('#search-results [data-id="`+id+`"]')`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the published article is not found by search; results: %s", text(t, ctx, `#search-results`))
		}
		time.Sleep(500 * time.Millisecond)
	}
	step(t, ctx, "open the result", chromedp.Click(hit+" a"), chromedp.WaitVisible(chromedp.CSS(`.status-published`)))
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// mergeFlow: a customer writes twice about one refund; the second ticket
// shows the first as a probable duplicate, and the agent merges it there
// after confirming. The merged ticket then points at the survivor, which
// lists it.
func (u *ui) mergeFlow(t *testing.T) {
	who := map[string]string{"name": "周女士", "email": "zhou.merge@example.com"}
	var first, second apiTicket
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "订单 8812 的退款一直没有到账", "body": "我上周申请的退款到现在还没有到账，订单号 8812，请尽快处理。", "requester": who, "channel": "email"}, &first); err != nil {
		t.Fatal(err)
	}
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "订单 8812 的退款还没有到账", "body": "我上周申请的退款到现在还没有到账，订单号 8812，麻烦尽快处理。", "requester": who, "channel": "email"}, &second); err != nil {
		t.Fatal(err)
	}
	// Duplicates are found by a job after the ticket is stored.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var links struct {
			Items []struct {
				Relation string
				TicketID string `json:"ticket_id"`
			}
		}
		if err := u.api("GET", "/v1/tickets/"+second.ID+"/links", &links); err != nil {
			t.Fatal(err)
		}
		if len(links.Items) > 0 && links.Items[0].Relation == "duplicate_of" && links.Items[0].TicketID == first.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second ticket was not linked to the first as a duplicate: %+v", links.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}

	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	dup := `#links .link-item[data-relation="duplicate_of"][data-id="` + first.ID + `"]`
	step(t, ctx, "open the second ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+second.ID),
		chromedp.WaitVisible(chromedp.CSS(dup)))
	if why := text(t, ctx, dup+` .link-why`); !strings.Contains(why, "同一客户") {
		t.Errorf("the duplicate's reason is not said in Chinese: %q", why)
	}
	step(t, ctx, "merge it into the first",
		chromedp.Click(chromedp.CSS(dup+` [data-act="merge"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.modal .btn-danger`)))
	if msg := text(t, ctx, `dialog.modal`); !strings.Contains(msg, first.Title) || !strings.Contains(msg, second.Title) {
		t.Errorf("the confirmation does not name both tickets: %q", msg)
	}
	step(t, ctx, "confirm",
		chromedp.Click(chromedp.CSS(`dialog.modal .btn-danger`)),
		chromedp.WaitVisible(chromedp.CSS(`.merged-banner a.merged-into`)))
	var got struct {
		Status     string
		MergedInto string `json:"merged_into"`
	}
	if err := u.api("GET", "/v1/tickets/"+second.ID, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "closed" || got.MergedInto != first.ID {
		t.Fatalf("after merging, the ticket is %s merged into %q, want closed into %s", got.Status, got.MergedInto, first.ID)
	}
	u.merged = second.ID
	step(t, ctx, "follow the banner to the survivor",
		chromedp.Click(chromedp.CSS(`.merged-banner a.merged-into`)),
		chromedp.WaitVisible(chromedp.CSS(`#links .link-item[data-relation="merged_from"][data-id="`+second.ID+`"]`)))
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
