package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUINewTicketByPhone: a phone agent logs a call from the inbox's
// 新建工单: typing the caller's phone shows their earlier ticket beside
// the form; the ticket is made with the channel phone and the caller, as
// the API shows.
func TestUINewTicketByPhone(t *testing.T) {
	u := startUI(t)
	phone := fmt.Sprintf("139%08d", time.Now().UnixNano()%100000000)
	var prior struct{ ID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "上次来电：快递丢件", "body": "客户说快递丢了", "channel": "phone", "requester": map[string]any{"name": "冯先生", "phone": phone}}, &prior); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		ctx := u.tab(t, size[0], size[1])
		u.signIn(t, ctx)
		step(t, ctx, "open the new-ticket form from the inbox",
			chromedp.Navigate(u.url+"/app/inbox"),
			chromedp.WaitVisible(chromedp.CSS(`main[data-ready="1"]`)),
			chromedp.Click(chromedp.ID("new-ticket")),
			chromedp.WaitVisible(chromedp.ID("nt-title")))
		if v := jsEval[string](t, ctx, `document.getElementById('nt-channel').value`); v != "phone" {
			t.Errorf("the channel starts as %q, want phone", v)
		}
		title := fmt.Sprintf("来电：退货运费谁出 %dx%d", size[0], size[1])
		step(t, ctx, "type the caller and see their other ticket",
			chromedp.SendKeys(chromedp.ID("nt-name"), "冯先生"),
			chromedp.SendKeys(chromedp.ID("nt-phone"), phone),
			chromedp.WaitVisible(chromedp.CSS(`#nt-others li[data-id="`+prior.ID+`"]`)))
		if s := text(t, ctx, `#nt-others`); !strings.Contains(s, "上次来电：快递丢件") {
			t.Errorf("the caller's tickets say %q", s)
		}
		if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
			u.screenshot(t, ctx, dir, fmt.Sprintf("new-ticket-%dx%d.png", size[0], size[1]))
		}
		step(t, ctx, "create the ticket",
			chromedp.SendKeys(chromedp.ID("nt-title"), title),
			chromedp.SendKeys(chromedp.ID("nt-body"), "客户来电询问退货运费由谁承担"),
			chromedp.Click(chromedp.ID("nt-submit")),
			chromedp.WaitVisible(chromedp.ID("composer")))
		id := jsEval[string](t, ctx, `location.pathname.split('/').pop()`)
		var got struct {
			Title, Channel string
			Requester      struct{ Name, Phone string }
		}
		if err := u.api("GET", "/v1/tickets/"+id, &got); err != nil {
			t.Fatal(err)
		}
		if got.Title != title || got.Channel != "phone" || got.Requester.Name != "冯先生" || got.Requester.Phone != phone {
			t.Errorf("the ticket through the API = %+v", got)
		}
	}
	var list struct{ Items []struct{ ID string } }
	if err := u.api("GET", "/v1/tickets?requester="+phone, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 3 {
		t.Errorf("the caller has %d tickets, want 3 (one before, two logged)", len(list.Items))
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
