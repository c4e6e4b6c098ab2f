package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/mail/mailtest"
)

// The e-mail journey, end to end, against a real Dovecot (IMAP for the
// support mailbox and the customer's, submission for what the service
// sends) and the real binary's code with the demo data, its forms driven
// in Chromium:
//
//  1. an admin adds the support mailbox in the UI and tests the connection;
//  2. a GBK mail from a QQ邮箱-style client arrives in the mailbox and is
//     imported, triaged and assigned;
//  3. the agent replies in the UI with a file; the reply arrives in the
//     customer's mailbox threaded under their mail;
//  4. the customer answers from their client, quoting our mail; the answer
//     lands on the same ticket with the quote stripped;
//  5. the agent solves the ticket; the survey mail goes out, and the page
//     says so only once it has;
//  6. the customer's rating arrives through the survey link;
//  7. an admin edits a template and imports a skipped mail from the log.
func TestMailJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Dovecot, the service with demo data and a browser; skipped with -short")
	}
	chromiumPath(t) // skip before starting anything when there is no browser
	dove := mailtest.Start(t)
	const support, supportPass = "support@aurora.example", "客服授权码-9"
	const customer, customerPass = "wangzhe@qq.com", "qq-pw"
	dove.AddUser(support, supportPass)
	dove.AddUser(customer, customerPass)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, dove.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	// A fixed port, so that survey links (made from --addr) point here.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	u := startUIWith(t, "--addr", addr, "--mail-ca", ca, "--mail-from", "极光商城客服 <"+support+">",
		"--smtp-url", "smtp://"+url.QueryEscape(support)+":"+url.QueryEscape(supportPass)+"@"+dove.Host+":"+strconv.Itoa(dove.SubmissionPort))
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)

	// 1. The admin adds the mailbox and tests it before saving.
	step(t, ctx, "open the mailboxes page",
		chromedp.Navigate(u.url+"/app/admin/mailboxes"),
		chromedp.WaitVisible(chromedp.ID("add-mailbox")),
		chromedp.Click(chromedp.ID("add-mailbox")),
		chromedp.WaitVisible(chromedp.ID("mb-host")))
	step(t, ctx, "fill in the mailbox",
		chromedp.SetValue(chromedp.ID("mb-preset"), "exmail"),
		chromedp.SetValue(chromedp.ID("mb-name"), "售后客服邮箱"),
		chromedp.SetValue(chromedp.ID("mb-address"), support),
		chromedp.SetValue(chromedp.ID("mb-host"), dove.Host),
		chromedp.SetValue(chromedp.ID("mb-port"), strconv.Itoa(dove.IMAPSPort)),
		chromedp.SetValue(chromedp.ID("mb-user"), support),
		chromedp.SendKeys(chromedp.ID("mb-pass"), supportPass))
	step(t, ctx, "test the connection",
		chromedp.Click(chromedp.ID("mb-test")),
		chromedp.WaitVisible(chromedp.CSS(`.check-result`)))
	if got := text(t, ctx, `.check-result`); strings.Count(got, "连接成功") != 2 {
		t.Fatalf("the connection test says %q, want IMAP and SMTP connected", got)
	}
	step(t, ctx, "save the mailbox",
		chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.card.mailbox`)))
	var boxes struct {
		Items []struct {
			ID, Host, Address string
			PasswordSet       bool `json:"password_set"`
			Enabled           bool
		}
	}
	if err := u.api("GET", "/v1/mailboxes", &boxes); err != nil {
		t.Fatal(err)
	}
	if len(boxes.Items) != 1 || !boxes.Items[0].PasswordSet || !boxes.Items[0].Enabled || boxes.Items[0].Host != dove.Host {
		t.Fatalf("mailboxes after saving: %+v", boxes.Items)
	}

	// 2. A GBK mail from QQ邮箱 arrives.
	qq, err := os.ReadFile(filepath.Join("..", "..", "mail", "testdata", "qq-gbk-new.eml"))
	if err != nil {
		t.Fatal(err)
	}
	dove.Deliver(support, "", qq)
	var tk struct {
		ID, Title, Channel, Category string
		AssigneeID                   string `json:"assignee_id"`
		TeamID                       string `json:"team_id"`
		Requester                    struct{ Email string }
	}
	waitAPI(t, "the mail to become a ticket", func() bool {
		var page struct {
			Items []idOnly `json:"items"`
		}
		if err := u.api("GET", "/v1/tickets?requester="+customer, &page); err != nil || len(page.Items) == 0 {
			return false
		}
		return u.api("GET", "/v1/tickets/"+page.Items[0].ID, &tk) == nil
	})
	if tk.Channel != "email" || tk.Title != "扫地机器人一直没有发货" || tk.Category == "" || tk.AssigneeID == "" {
		t.Fatalf("imported ticket: %+v (want channel email, triaged and assigned)", tk)
	}

	// 3. The agent replies in the UI with a file.
	file := filepath.Join(t.TempDir(), "发货单.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 发货单 SF1234567890"), 0o600); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`.msg-customer [data-mail]`)),
		chromedp.WaitVisible(chromedp.ID("composer")))
	const reply = "王先生您好：\n\n您的扫地机器人已于今天发货，快递单号 SF1234567890，发货单见附件。"
	step(t, ctx, "write the reply with a file",
		chromedp.SendKeys(chromedp.ID("composer"), reply),
		chromedp.SetUploadFiles(chromedp.ID("composer-files"), []string{file}),
		chromedp.WaitVisible(chromedp.CSS(`.chosen-files li`)))
	step(t, ctx, "send it and see it mailed",
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply .attachment`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply .mail-state[data-state="sent"]`)))
	got := inboxOf(t, dove, customer, customerPass)
	if len(got) != 1 {
		t.Fatalf("%d mails in the customer's inbox, want the reply", len(got))
	}
	out := got[0]
	if !slices.Contains(out.InReplyTo, "tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com") || out.TicketRef == "" ||
		!strings.Contains(out.Subject, tk.Title) || !strings.Contains(out.Text, "SF1234567890") ||
		len(out.Attachments) != 1 || out.Attachments[0].Filename != "发货单.pdf" {
		t.Fatalf("the reply as the customer got it: subject %q in-reply-to %v text %q files %+v", out.Subject, out.InReplyTo, out.Text, out.Attachments)
	}

	// 4. The customer answers from their client, quoting our mail.
	answer := fmt.Sprintf("From: =?gb18030?B?zfWGtA==?= <%s>\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <tencent_answer_2@qq.com>\r\n"+
		"In-Reply-To: <%s>\r\nReferences: <tencent_3F2A1B4C5D6E7F8091A2B3C4@qq.com> <%s>\r\nDate: Mon, 07 Dec 2026 15:00:00 +0800\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n收到了，谢谢！明天应该能到。\r\n\r\n"+
		"------------------ 原始邮件 ------------------\r\n发件人: \"极光商城客服\" <%s>\r\n发送时间: 2026年12月7日(星期一) 下午2:00\r\n主题: %s\r\n\r\n%s\r\n",
		customer, support, b64("回复："+out.Subject), out.MessageID, out.MessageID, support, out.Subject, strings.ReplaceAll(reply, "\n", "\r\n"))
	dove.Deliver(support, "", []byte(answer))
	var comments struct {
		Items []struct {
			Body          string
			FromRequester bool `json:"from_requester"`
		}
	}
	waitAPI(t, "the customer's answer on the ticket", func() bool {
		return u.api("GET", "/v1/tickets/"+tk.ID+"/comments", &comments) == nil && len(comments.Items) == 2
	})
	if last := comments.Items[1]; !last.FromRequester || strings.TrimSpace(last.Body) != "收到了，谢谢！明天应该能到。" {
		t.Fatalf("the answer on the ticket: %+v (want the customer's words without the quote)", last)
	}

	// 5. Solving sends the survey; the page says sent once it is.
	step(t, ctx, "reload and solve the ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`[data-status="solved"]`)),
		chromedp.Click(chromedp.CSS(`[data-status="solved"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.csat-mail[data-state="sent"]`)))
	shot := func(name string) {
		if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
			u.screenshot(t, ctx, dir, name)
		}
	}
	shot("mail-ticket.png")
	if s := text(t, ctx, `.csat-mail`); !strings.Contains(s, "已发送") {
		t.Errorf("the survey row says %q", s)
	}
	var sv struct {
		Status string
		Mail   *struct{ Status string }
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/csat", &sv); err != nil || sv.Mail == nil || sv.Mail.Status != "sent" {
		t.Fatalf("the page said sent while the API says %+v (%v)", sv.Mail, err)
	}

	// 6. The customer rates through the link in the mail.
	got = inboxOf(t, dove, customer, customerPass)
	var link string
	for _, m := range got {
		if sm := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/app/survey/(csat_[a-z2-7]+)`).FindStringSubmatch(m.Text); sm != nil {
			link = sm[1]
		}
	}
	if link == "" {
		t.Fatalf("no survey link in the customer's mail: %d mails", len(got))
	}
	resp, err := http.Post(u.url+"/v1/csat/"+link, "application/json", bytes.NewReader([]byte(`{"rating":5,"comment":"发货很快，客服很耐心"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := u.api("GET", "/v1/tickets/"+tk.ID+"/csat", &sv); err != nil || sv.Status != "answered" {
		t.Fatalf("after the rating the survey is %+v (%v, POST %s)", sv, err, resp.Status)
	}

	// 7. Templates and the mail log.
	step(t, ctx, "turn the acknowledgement on",
		chromedp.Navigate(u.url+"/app/admin/templates"),
		chromedp.WaitVisible(chromedp.ID("tpl-enabled-ack")),
		chromedp.Click(chromedp.ID("tpl-enabled-ack")),
		chromedp.SetValue(chromedp.ID("tpl-subject-ack"), "已收到您的来信：{{ticket.title}}"),
		chromedp.Click(chromedp.CSS(`[data-act="save"][data-name="ack"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.template[data-name="ack"] .badge-ok`)))
	var tpl struct {
		Subject string
		Enabled bool
	}
	shot("mail-templates.png")
	if err := u.api("GET", "/v1/mail/templates/ack", &tpl); err != nil || !tpl.Enabled || tpl.Subject != "已收到您的来信：{{ticket.title}}" {
		t.Fatalf("the template after saving: %+v %v", tpl, err)
	}
	auto, err := os.ReadFile(filepath.Join("..", "..", "mail", "testdata", "autoreply-qq.eml"))
	if err != nil {
		t.Fatal(err)
	}
	dove.Deliver(support, "", auto)
	waitAPI(t, "the auto-reply in the mail log", func() bool {
		var page struct{ Items []idOnly }
		return u.api("GET", "/v1/mail/messages?status=skipped", &page) == nil && len(page.Items) == 1
	})
	step(t, ctx, "see the mailbox's state",
		chromedp.Navigate(u.url+"/app/admin/mailboxes"),
		chromedp.WaitVisible(chromedp.CSS(`.card.mailbox`)))
	shot("mail-mailboxes.png")
	step(t, ctx, "import the skipped mail from the log",
		chromedp.Navigate(u.url+"/app/admin/mail?status=skipped"),
		chromedp.WaitVisible(chromedp.CSS(`[data-act="import"]`)),
		chromedp.Click(chromedp.CSS(`[data-act="import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.modal button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.ticket-title`)))
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

type idOnly struct{ ID string }

// waitAPI polls cond for up to a minute.
func waitAPI(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// inboxOf reads a Dovecot user's inbox.
func inboxOf(t *testing.T, s *mailtest.Server, user, pass string) []*mail.Message {
	t.Helper()
	f, err := mail.NewFetcher(mail.IMAPConfig{Host: s.Host, Port: s.IMAPSPort, TLS: mail.TLSImplicit, Username: user, Password: pass,
		TLSConfig: s.TLSConfig(), Timeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out []*mail.Message
	if _, err := f.Once(context.Background(), mail.Position{}, func(_ context.Context, m *mail.Message, _ mail.Position) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
