package main

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/triagehq/triage/mail/mailtest"
)

// TestUIPortalJourney is the customer's side in a real browser on a phone
// (390×844), checked through the API:
//  1. a customer searches the help centre, opens the answer and marks it
//     helpful: the deflection report counts it;
//  2. another customer types a question no article fits, attaches a
//     photo and sends the form: a ticket with the photo, and the
//     acknowledgement mail in their (Dovecot) inbox;
//  3. they ask for a sign-in link, follow it from the mail, and see the
//     ticket; the agent replies (and writes an internal note, which they
//     never see); they answer; the agent solves; they rate it.
func TestUIPortalJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Dovecot, the service with demo data and a browser; skipped with -short")
	}
	chromiumPath(t)
	dove := mailtest.Start(t)
	const support, supportPass = "help@aurora.example", "客服授权码-7"
	const customer, customerPass = "lihua@163.example", "163-pw"
	dove.AddUser(support, supportPass)
	dove.AddUser(customer, customerPass)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, dove.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	u := startUIWith(t, "--addr", addr, "--mail-ca", ca, "--mail-from", "极光商城客服 <"+support+">",
		"--smtp-url", "smtp://"+url.QueryEscape(support)+":"+url.QueryEscape(supportPass)+"@"+dove.Host+":"+strconv.Itoa(dove.SubmissionPort))

	// A public article, published.
	const title = "退款多久能到账"
	var art struct{ ID string }
	if err := u.send("POST", "/v1/articles", map[string]any{"title": title, "category": "支付与退款", "visibility": "public",
		"body": "退款审核通过后原路退回：微信、支付宝一般 1-3 个工作日到账，银行卡 3-7 个工作日。"}, &art); err != nil {
		t.Fatal(err)
	}
	if err := u.patchIfMatch("/v1/articles/"+art.ID, `{"status":"published","override":"测试数据：同一位管理员写并发布"}`); err != nil {
		t.Fatal(err)
	}
	waitAPI(t, "the article in the help centre's search", func() bool {
		return strings.Contains(u.get(t, "/help/search?q="+url.QueryEscape("退款到账")), "/help/articles/"+art.ID)
	})

	// 1. Search, open, 有帮助.
	phone := u.tab(t, 390, 844)
	step(t, phone, "search the help centre",
		chromedp.Navigate(u.url+"/help"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "退款到账"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS(`.articles a[href="/help/articles/`+art.ID+`"]`)))
	step(t, phone, "open the answer and mark it helpful",
		chromedp.Click(chromedp.CSS(`.articles a[href="/help/articles/`+art.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#feedback button[value="yes"]`)),
		chromedp.Click(chromedp.CSS(`#feedback button[value="yes"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#feedback .thanks`)))
	var rep struct {
		Total struct {
			Searches, Views, Helpful, Deflected int
			FormTickets                         int `json:"form_tickets"`
		}
	}
	if err := u.api("GET", "/v1/reports/deflection", &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total.Searches < 1 || rep.Total.Views < 1 || rep.Total.Helpful != 1 || rep.Total.Deflected != 1 {
		t.Fatalf("deflection after 有帮助: %+v, want one search, a view, one helpful and one deflection", rep.Total)
	}

	// 2. The form, with a photo.
	photo := filepath.Join(t.TempDir(), "洗衣机.png")
	if err := os.WriteFile(photo, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 256)...), 0o600); err != nil {
		t.Fatal(err)
	}
	form := u.tab(t, 390, 844)
	step(t, form, "open the form",
		chromedp.Navigate(u.url+"/help/new"),
		chromedp.WaitVisible(chromedp.ID("subject")))
	step(t, form, "type a question no article fits",
		chromedp.SendKeys(chromedp.ID("subject"), "洗衣机安装师傅一直没上门"),
		chromedp.SendKeys(chromedp.ID("body"), "约了周六上午安装，等了一天没人来，电话也打不通。"),
		chromedp.SendKeys(chromedp.ID("email"), customer),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{photo}),
		chromedp.Sleep(1500*1e6))
	if hidden := jsEval[bool](t, form, `document.getElementById('offers').hidden`); !hidden {
		t.Errorf("an article was offered for a question none fits: %s", text(t, form, "#offers"))
	}
	if w := jsEval[float64](t, form, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the form is %v px wide on a 390 px screen", w)
	}
	if shots := os.Getenv("TRIAGE_UI_SHOTS"); shots != "" {
		u.screenshot(t, form, shots, "help-form-phone.png")
	}
	step(t, form, "send",
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("ticket-ref")))
	var list struct {
		Items []struct {
			ID, Title, Channel string
			Requester          struct{ Email string }
		}
	}
	if err := u.api("GET", "/v1/tickets?q="+url.QueryEscape("洗衣机安装"), &list); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, it := range list.Items {
		if it.Title == "洗衣机安装师傅一直没上门" && it.Channel == "web" && it.Requester.Email == customer {
			id = it.ID
		}
	}
	if id == "" {
		t.Fatalf("no web ticket from %s after the form: %+v", customer, list.Items)
	}
	var tk struct {
		Attachments []struct {
			Name        string
			ContentType string `json:"content_type"`
		} `json:"attachments"`
	}
	if err := u.api("GET", "/v1/tickets/"+id, &tk); err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 || tk.Attachments[0].ContentType != "image/png" {
		t.Errorf("the ticket's files: %+v, want the photo", tk.Attachments)
	}
	waitAPI(t, "the acknowledgement mail", func() bool {
		for _, m := range inboxOf(t, dove, customer, customerPass) {
			if strings.Contains(m.Subject, "我们已收到您的来信") && strings.Contains(m.Subject, "洗衣机") {
				return true
			}
		}
		return false
	})

	// 3. My tickets by a one-time link.
	step(t, form, "ask for a sign-in link",
		chromedp.Navigate(u.url+"/help/my"),
		chromedp.WaitVisible(chromedp.ID("my-email")),
		chromedp.SendKeys(chromedp.ID("my-email"), customer),
		chromedp.Click(chromedp.ID("send-link")),
		chromedp.WaitVisible(chromedp.ID("sent")))
	linkRe := regexp.MustCompile(`http://[^\s"<>]+/help/my/signin\?token=[A-Za-z0-9_-]+`)
	var link string
	waitAPI(t, "the sign-in mail", func() bool {
		for _, m := range inboxOf(t, dove, customer, customerPass) {
			if strings.Contains(m.Subject, "登录") {
				link = linkRe.FindString(m.FullText)
			}
		}
		return link != ""
	})
	step(t, form, "follow the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(`#my-tickets a[href="/help/my/tickets/`+id+`"]`)))
	if err := u.send("POST", "/v1/tickets/"+id+"/comments", map[string]any{"body": "您好，师傅明天上午 9 点前上门，给您添麻烦了。", "public": true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := u.send("POST", "/v1/tickets/"+id+"/comments", map[string]any{"body": "内部备注 NOTE-SECRET：安装商本周第三次爽约", "public": false}, nil); err != nil {
		t.Fatal(err)
	}
	step(t, form, "read the reply",
		chromedp.Click(chromedp.CSS(`#my-tickets a[href="/help/my/tickets/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.ID("thread")))
	if th := text(t, form, "#thread"); !strings.Contains(th, "师傅明天上午 9 点前上门") || strings.Contains(th, "NOTE-SECRET") {
		t.Fatalf("the requester's thread: %q, want the reply and never the note", th)
	}
	step(t, form, "answer",
		chromedp.SendKeys(chromedp.ID("reply-body"), "好的，明天家里有人。"),
		chromedp.Click(chromedp.ID("send-reply")))
	waitAPI(t, "the requester's answer", func() bool {
		var comments struct {
			Items []struct {
				Body          string
				FromRequester bool `json:"from_requester"`
			}
		}
		if err := u.api("GET", "/v1/tickets/"+id+"/comments", &comments); err != nil {
			t.Fatal(err)
		}
		last := comments.Items[len(comments.Items)-1]
		return last.FromRequester && last.Body == "好的，明天家里有人。"
	})
	if err := u.patchIfMatch("/v1/tickets/"+id, `{"status":"solved"}`); err != nil {
		t.Fatal(err)
	}
	step(t, form, "rate",
		chromedp.Navigate(u.url+"/help/my/tickets/"+id),
		chromedp.WaitVisible(chromedp.ID("send-rating")),
		chromedp.Click(chromedp.CSS(`input[name="rating"][value="5"]`)),
		chromedp.Click(chromedp.ID("send-rating")),
		chromedp.WaitVisible(chromedp.ID("rated")))
	var csat struct {
		Status string
		Rating int
	}
	if err := u.api("GET", "/v1/tickets/"+id+"/csat", &csat); err != nil {
		t.Fatal(err)
	}
	if csat.Status != "answered" || csat.Rating != 5 {
		t.Errorf("the ticket's survey: %+v, want answered with 5", csat)
	}
	if err := u.api("GET", "/v1/reports/deflection", &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total.FormTickets != 1 {
		t.Errorf("form tickets in the report: %d, want 1", rep.Total.FormTickets)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
