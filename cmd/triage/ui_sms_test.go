package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triagehq/triage/notify"
)

// TestUISMSSignIn: a customer signs in to my tickets on a phone with a
// code that the company's SMS gateway (an httptest server outside
// triage, reached through --webhook-allow) received from `triage serve`,
// signed, and sees their ticket and not another number's.
func TestUISMSSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service and a browser; skipped with -short")
	}
	chromiumPath(t)
	const secret = "sms-gateway-secret-for-the-ui-test"
	var mu sync.Mutex
	var got []struct{ To, Code, Text string }
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := notify.Verify(secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), b, time.Now(), time.Minute); err != nil {
			t.Errorf("the gateway got a post it cannot verify: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p struct{ To, Code, Text string }
		_ = json.Unmarshal(b, &p)
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	}))
	t.Cleanup(gw.Close)
	u := startUIWith(t, "--webhook-allow", "127.0.0.1")
	if err := u.send("PATCH", "/v1/help/settings", map[string]any{"sms_webhook_url": gw.URL, "sms_secret": secret}, nil); err != nil {
		t.Fatal(err)
	}
	var mine, theirs struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "手机号提交的退款问题", "body": "退款一周了还没到账",
		"requester": map[string]string{"phone": "13800138000"}}, &mine); err != nil {
		t.Fatal(err)
	}
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "别的号码的问题", "body": "发票怎么开",
		"requester": map[string]string{"phone": "13900139000"}}, &theirs); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 390, 844)
	step(t, ctx, "ask for a code",
		chromedp.Navigate(u.url+"/help/my"),
		chromedp.WaitVisible(chromedp.ID("my-phone")),
		chromedp.SendKeys(chromedp.ID("my-phone"), "+86 138 0013 8000"),
		chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("code-form")))
	var code string
	waitAPI(t, "the SMS code at the gateway", func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(got) == 1 {
			code = got[0].Code
			if got[0].To != "13800138000" || !strings.Contains(got[0].Text, code) {
				t.Fatalf("the gateway got %+v", got[0])
			}
		}
		return code != ""
	})
	step(t, ctx, "sign in with it",
		chromedp.SendKeys(chromedp.ID("my-code"), code),
		chromedp.Click(chromedp.ID("code-signin")),
		chromedp.WaitVisible(chromedp.CSS(`#my-tickets a[href="/help/my/tickets/`+mine.ID+`"]`)))
	if n := jsEval[int](t, ctx, `document.querySelectorAll('a[href="/help/my/tickets/`+theirs.ID+`"]').length`); n != 0 {
		t.Errorf("the other number's ticket is listed")
	}
	// Through the API: the ticket the customer sees is the one with that
	// phone, untouched by signing in.
	var tk struct {
		Requester struct{ Phone string }
		Status    string
	}
	if err := u.api("GET", "/v1/tickets/"+mine.ID, &tk); err != nil || tk.Requester.Phone != "13800138000" {
		t.Fatalf("the ticket through the API: %+v %v", tk, err)
	}
	if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
		u.screenshot(t, ctx, dir, "sms-my-tickets-phone.png")
	}
}
