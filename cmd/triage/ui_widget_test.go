package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIWidget puts the widget's script tag on a page of another origin
// (a company's shop), allowed by an admin, and in a browser clicks its
// 帮助 button: the request form opens in the frame (the help centre's
// frame-ancestors lets that origin frame it) and takes typing.
func TestUIWidget(t *testing.T) {
	u := startUI(t)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>极光商城</title></head>` +
			`<body><h1>极光商城</h1><script src="` + u.url + `/help/widget.js" async></script></body></html>`))
	}))
	t.Cleanup(shop.Close)
	if err := u.send("PATCH", "/v1/help/settings", map[string]any{"widget_origins": []string{shop.URL}}, nil); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 390, 844)
	step(t, ctx, "open the shop and click 帮助",
		chromedp.Navigate(shop.URL),
		chromedp.WaitVisible(chromedp.ID("triage-help-button")),
		chromedp.Click(chromedp.ID("triage-help-button")),
		chromedp.WaitVisible(chromedp.ID("triage-help-frame")))
	frames, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#triage-help-frame")))
	if err != nil || len(frames) == 0 {
		t.Fatalf("the frame: %v", err)
	}
	step(t, ctx, "the form in the frame takes typing",
		chromedp.WaitVisible(chromedp.CSS("#subject"), chromedp.FromNode(frames[0])),
		chromedp.SendKeys(chromedp.CSS("#subject"), "退款多久到账", chromedp.FromNode(frames[0])))
	got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#subject"), chromedp.FromNode(frames[0])))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "退款") {
		t.Errorf("the framed form's subject is %q", got)
	}
}
