package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triagehq/triage/wechat/wechattest"
)

// The WeChat journey in the browser, against the binary's code (`triage
// serve --wechat-api` pointed at a fake 企业微信, package wechattest):
//
//  1. an admin connects the corp in the UI (corp id, secret, Token,
//     EncodingAESKey, 客服账号 → team) and tests the connection; the API
//     shows it stored with its secrets sealed, never shown;
//  2. the fake verifies the callback URL the page shows, then a customer
//     writes: a ticket in the mapped team;
//  3. the agent sees WeChat's reply window on the ticket page and replies;
//     the reply arrives at the fake addressed to that customer and the
//     comment shows it sent;
//     then a servicer takes the session in the 企业微信 client: the page
//     says WeChat would refuse a reply from here, before one is written;
//  4. a customer whose last message is 50 hours old: the page says WeChat
//     can no longer deliver and offers another channel, and a reply sent
//     anyway is refused and neither stored nor sent.
func TestWeChatJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service with demo data and a browser; skipped with -short")
	}
	chromiumPath(t)
	fake := wechattest.New(wechattest.Options{Start: time.Now().Truncate(time.Second)})
	t.Cleanup(fake.Close)
	kf := fake.AddAccount("极光商城售后")
	u := startUIWith(t, "--wechat-api", fake.URL)
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	shot := func(name string) {
		if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
			u.screenshot(t, ctx, dir, name)
		}
	}
	var team struct{ ID string }
	if err := u.send("POST", "/v1/teams", map[string]string{"name": "微信售后组"}, &team); err != nil {
		t.Fatal(err)
	}

	// 1. Connect the corp.
	step(t, ctx, "open the WeChat page",
		chromedp.Navigate(u.url+"/app/admin/wechat"),
		chromedp.WaitVisible(chromedp.ID("add-wechat")),
		chromedp.Click(chromedp.ID("add-wechat")),
		chromedp.WaitVisible(chromedp.ID("wx-corp")))
	step(t, ctx, "fill in the corp",
		chromedp.SetValue(chromedp.ID("wx-name"), "极光商城微信客服"),
		chromedp.SetValue(chromedp.ID("wx-corp"), fake.CorpID),
		chromedp.SendKeys(chromedp.ID("wx-secret"), fake.Secret),
		chromedp.SendKeys(chromedp.ID("wx-token"), fake.Token),
		chromedp.SendKeys(chromedp.ID("wx-aeskey"), fake.EncodingAESKey),
		chromedp.SetValue(chromedp.ID("wx-kfid-0"), kf),
		chromedp.SetValue(chromedp.ID("wx-kfteam-0"), team.ID),
		chromedp.SetValue(chromedp.ID("wx-pause"), "0"),
		chromedp.SetValue(chromedp.ID("wx-welcome"), "您好，欢迎咨询极光商城！"),
		chromedp.Click(chromedp.ID("wx-bot")),
		chromedp.SetValue(chromedp.ID("wx-bot-servicer"), "zhangsan"))
	shot("wechat-form.png")
	step(t, ctx, "save it",
		chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.card.wechat-channel`)))
	var list struct {
		Items []struct {
			ID, Name   string
			CorpID     string `json:"corp_id"`
			SecretsSet bool   `json:"secrets_set"`
			Pause      int    `json:"pause_seconds"`
			Bot        bool   `json:"bot"`
			Servicer   string `json:"bot_servicer"`
			Welcome    string `json:"welcome"`
			Accounts   []struct {
				OpenKfID string `json:"open_kfid"`
				TeamID   string `json:"team_id"`
			}
		}
	}
	raw := apiRaw(t, u, "/v1/wechat/channels")
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].CorpID != fake.CorpID || !list.Items[0].SecretsSet || list.Items[0].Pause != 0 ||
		len(list.Items[0].Accounts) != 1 || list.Items[0].Accounts[0].OpenKfID != kf || list.Items[0].Accounts[0].TeamID != team.ID {
		t.Fatalf("channels after saving: %s", raw)
	}
	if c := list.Items[0]; !c.Bot || c.Servicer != "zhangsan" || c.Welcome != "您好，欢迎咨询极光商城！" {
		t.Fatalf("the bot and welcome settings after saving: %s", raw)
	}
	// The journey below is without the bot: switched off in the form.
	step(t, ctx, "switch the bot off",
		chromedp.Click(chromedp.CSS(`.wechat-channel [data-act="edit"]`)),
		chromedp.WaitVisible(chromedp.ID("wx-bot")),
		chromedp.Click(chromedp.ID("wx-bot")),
		chromedp.Click(chromedp.CSS(`dialog.modal button[type="submit"]`)))
	deadline := time.Now().Add(10 * time.Second)
	for {
		raw = apiRaw(t, u, "/v1/wechat/channels")
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			t.Fatal(err)
		}
		if !list.Items[0].Bot && list.Items[0].Welcome != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot still on after unticking it: %s", raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, secret := range []string{fake.Secret, fake.Token, fake.EncodingAESKey} {
		if strings.Contains(raw, secret) {
			t.Fatalf("the API shows a secret: %s", raw)
		}
	}
	step(t, ctx, "test the connection",
		chromedp.Click(chromedp.CSS(`.wechat-channel [data-act="test"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-channel .check-result[data-ok="true"]`)))
	shot("wechat-tested.png")

	// 2. The callback URL the page shows, verified by 企业微信; a customer writes.
	callback := strings.TrimSpace(text(t, ctx, `.wx-callback`))
	fake.SetCallbackURL(callback)
	if err := fake.VerifyCallback(context.Background()); err != nil {
		t.Fatalf("URL verification of %s: %v", callback, err)
	}
	const userA, userB = "wmJourneyCustomerA", "wmJourneyCustomerB"
	if _, err := fake.Text(context.Background(), kf, userA, "扫地机器人下单三天了还没发货，订单号 2026120799887"); err != nil {
		t.Fatal(err)
	}
	ticketA := waitTeamTicket(t, u, team.ID, "扫地机器人下单三天了还没发货")

	// 3. The agent replies in the UI.
	step(t, ctx, "open the WeChat ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+ticketA),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-window[data-can="true"]`)),
		chromedp.WaitVisible(chromedp.ID("composer")))
	const reply = "您好，您的订单已安排今天发货，请留意物流信息。"
	step(t, ctx, "reply and see it sent on WeChat",
		chromedp.SendKeys(chromedp.ID("composer"), reply),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-reply .wechat-state[data-state="sent"]`)))
	sent := fake.Sent(kf, userA)
	if len(sent) != 1 || sent[0].ExternalUserID != userA || sent[0].Text != reply {
		t.Fatalf("sent to the customer: %+v", sent)
	}

	// 3b. A servicer takes the session in the 企业微信 client: the page
	// says replies from here would be refused (95018) before the agent
	// writes one, and offers another channel.
	fake.AddServicer(kf, "zhangsan")
	fake.Queue(kf, userA)
	if _, err := fake.ServicerChange(context.Background(), kf, userA, wechattest.ChangeTake, "zhangsan", ""); err != nil {
		t.Fatal(err)
	}
	waitAPI(t, "the session state through the API", func() bool {
		var st struct {
			CanSend bool   `json:"can_send"`
			Reason  string `json:"reason"`
		}
		return u.api("GET", "/v1/tickets/"+ticketA+"/wechat", &st) == nil && !st.CanSend && st.Reason == "wechat_session_servicer"
	})
	step(t, ctx, "open the ticket a servicer took",
		chromedp.Navigate(u.url+"/app/tickets/"+ticketA),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-window[data-can="false"][data-reason="wechat_session_servicer"]`)))
	if got := text(t, ctx, `.wechat-window`); !strings.Contains(got, "企业微信") || !strings.Contains(got, "人工客服") {
		t.Fatalf("the notice for a servicer's session says %q", got)
	}
	shot("wechat-session-servicer.png")
	if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
		phone := u.tab(t, 390, 844)
		u.signIn(t, phone)
		step(t, phone, "the servicer's session on a phone",
			chromedp.Navigate(u.url+"/app/tickets/"+ticketA),
			chromedp.WaitVisible(chromedp.CSS(`.wechat-window[data-reason="wechat_session_servicer"]`)))
		u.capture(t, phone, dir, "wechat-session-servicer-phone.png", chromedp.CaptureScreenshot())
	}

	// 4. A customer who wrote 50 hours ago.
	fake.Clock.Advance(-50 * time.Hour)
	if _, err := fake.Write(context.Background(), wechattest.Incoming{OpenKfID: kf, ExternalUserID: userB, Type: "text", Text: "请问发票什么时候开？", Quiet: true}); err != nil {
		t.Fatal(err)
	}
	fake.Clock.Advance(50 * time.Hour)
	fake.Flush(context.Background())
	ticketB := waitTeamTicket(t, u, team.ID, "请问发票什么时候开")
	step(t, ctx, "open the ticket past the window",
		chromedp.Navigate(u.url+"/app/tickets/"+ticketB),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-window[data-can="false"][data-reason="wechat_window_closed"]`)))
	if got := text(t, ctx, `.wechat-window`); !strings.Contains(got, "48 小时") || !strings.Contains(got, "其他") && !strings.Contains(got, "电话") {
		t.Fatalf("the notice says %q", got)
	}
	shot("wechat-window-closed.png")
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
	step(t, ctx, "reply anyway",
		chromedp.SendKeys(chromedp.ID("composer"), "发票已开具"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.Sleep(time.Second))
	var comments struct{ Items []idOnly }
	if err := u.api("GET", "/v1/tickets/"+ticketB+"/comments", &comments); err != nil {
		t.Fatal(err)
	}
	if len(comments.Items) != 0 || len(fake.Sent(kf, userB)) != 0 {
		t.Fatalf("the refused reply: %d comments stored, %d sent", len(comments.Items), len(fake.Sent(kf, userB)))
	}
	// On a phone: the channel page and the notice past the window.
	if os.Getenv("TRIAGE_UI_SHOTS") != "" {
		phone := u.tab(t, 390, 844)
		u.signIn(t, phone)
		step(t, phone, "the channel page on a phone",
			chromedp.Navigate(u.url+"/app/admin/wechat"),
			chromedp.WaitVisible(chromedp.CSS(`.card.wechat-channel`)))
		u.screenshot(t, phone, os.Getenv("TRIAGE_UI_SHOTS"), "wechat-channels-phone.png")
		step(t, phone, "the ticket past the window on a phone",
			chromedp.Navigate(u.url+"/app/tickets/"+ticketB),
			chromedp.WaitVisible(chromedp.CSS(`.wechat-window[data-can="false"]`)))
		u.capture(t, phone, os.Getenv("TRIAGE_UI_SHOTS"), "wechat-window-phone.png", chromedp.CaptureScreenshot())
	}
	// The one error the page may report now is the refusal itself.
	for _, e := range u.errors() {
		if !strings.Contains(e, "409") {
			t.Errorf("the page reported an error: %s", e)
		}
	}
}

func apiRaw(t *testing.T, u *ui, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+uiAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitTeamTicket waits for the team's ticket whose title starts with prefix.
func waitTeamTicket(t *testing.T, u *ui, team, prefix string) string {
	t.Helper()
	var id string
	waitAPI(t, "the WeChat message to become a ticket", func() bool {
		var page struct {
			Items []struct{ ID, Title, Channel string }
		}
		if err := u.api("GET", "/v1/tickets?team="+team, &page); err != nil {
			return false
		}
		for _, x := range page.Items {
			if strings.HasPrefix(x.Title, prefix) && x.Channel == "wechat" {
				id = x.ID
				return true
			}
		}
		return false
	})
	return id
}
