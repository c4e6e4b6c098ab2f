package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// setup starts a fake with one account and returns it, a client on its
// clock and the account's open_kfid.
func setup(t *testing.T, opts wechattest.Options) (*wechattest.Server, *wechat.Client, string) {
	t.Helper()
	fake := wechattest.New(opts)
	t.Cleanup(fake.Close)
	c, err := wechat.NewClient(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, fake.AddAccount("售后客服")
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func wantKind(t *testing.T, err error, kind wechat.Kind, code int) {
	t.Helper()
	var e *wechat.APIError
	if !errors.As(err, &e) || e.Kind() != kind || e.Code != code {
		t.Fatalf("error = %v, want kind %s with errcode %d", err, kind, code)
	}
}

func TestAccountsIsTheConnectionTest(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	for i := range 120 {
		fake.AddAccount("客服" + string(rune('A'+i%26)))
	}
	got, err := c.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 121 || got[0].OpenKfID != kf || got[0].Name != "售后客服" || !got[0].ManagePrivilege {
		t.Fatalf("Accounts = %d accounts, first %+v", len(got), got[0])
	}
	if n := fake.Calls("kf/account/list"); n != 2 {
		t.Fatalf("kf/account/list called %d times for 121 accounts, want 2 pages", n)
	}

	for _, tc := range []struct {
		name   string
		alter  func(*wechat.Config)
		code   int
		secret string
	}{
		{"wrong secret", func(c *wechat.Config) { c.Secret = "not-the-secret-0123456789" }, wechat.CodeInvalidSecret, "not-the-secret-0123456789"},
		{"wrong corp id", func(c *wechat.Config) { c.CorpID = "wwnotthiscorp" }, wechat.CodeInvalidCorpID, fake.Secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fake.Config()
			tc.alter(&cfg)
			bad, err := wechat.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = bad.Accounts(ctx)
			wantKind(t, err, wechat.KindConfig, tc.code)
			if !errors.Is(err, wechat.ErrConfig) || wechat.Retryable(err) {
				t.Fatalf("%v: want ErrConfig, not retryable", err)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Fatalf("error reveals the secret: %v", err)
			}
		})
	}
}

func TestTransportErrorsHideSecrets(t *testing.T) {
	fake, _, _ := setup(t, wechattest.Options{})
	cfg := fake.Config()
	fake.Close()
	c, err := wechat.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Accounts(context.Background())
	wantKind(t, err, wechat.KindUnavailable, 0)
	if !wechat.Retryable(err) || strings.Contains(err.Error(), fake.Secret) || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("transport error = %v; want retryable, secret redacted", err)
	}
}

func TestTokenIsCachedSharedAndRefreshed(t *testing.T) {
	fake, c, _ := setup(t, wechattest.Options{})
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Accounts(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fake.Calls("gettoken"); n != 1 {
		t.Fatalf("gettoken called %d times by 20 concurrent calls, want 1", n)
	}

	// Before the refresh point (5 minutes before the 7200 s expiry) the
	// token is cached.
	fake.Clock.Advance(7200*time.Second - 6*time.Minute)
	first, _ := c.AccessToken(ctx)
	c.Accounts(ctx)
	if n := fake.Calls("gettoken"); n != 1 {
		t.Fatalf("gettoken called %d times before the refresh point, want 1", n)
	}
	// Past it, gettoken is called again; within its validity 企业微信
	// returns the same token with the rest of its life ("有效期内重复获取
	// 返回相同结果"), and a new one once it expired. No call is ever
	// refused for an expired token on the way.
	accounts := fake.Calls("kf/account/list")
	fake.Clock.Advance(2 * time.Minute)
	if _, err := c.Accounts(ctx); err != nil {
		t.Fatal(err)
	}
	same, _ := c.AccessToken(ctx)
	if n := fake.Calls("gettoken"); n != 2 || same != first {
		t.Fatalf("at the refresh point: gettoken called %d times, token changed %v; want 2, unchanged", n, same != first)
	}
	for range 8 {
		fake.Clock.Advance(40 * time.Second)
		if _, err := c.Accounts(ctx); err != nil {
			t.Fatalf("around expiry: %v", err)
		}
	}
	if cur, _ := c.AccessToken(ctx); cur == first {
		t.Fatal("token not renewed after its expiry")
	}
	if n := fake.Calls("kf/account/list") - accounts; n != 9 {
		t.Fatalf("kf/account/list called %d times for 9 calls: some were refused and repeated", n)
	}
	if n := fake.Calls("gettoken"); n > 6 {
		t.Fatalf("gettoken called %d times around one expiry", n)
	}
}

func TestTokenRefusedIsRefreshedOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		refuse func(fake *wechattest.Server, stale *wechattest.Clock)
	}{
		// 企业微信 may invalidate a token early: 40014.
		{"revoked early (40014)", func(fake *wechattest.Server, _ *wechattest.Clock) { fake.RevokeToken() }},
		// The client's clock says the token is fresh, the server's that it
		// expired: 42001.
		{"expired on the server (42001)", func(fake *wechattest.Server, _ *wechattest.Clock) { fake.Clock.Advance(3 * time.Hour) }},
		// 40001 on a call (公众平台's "access_token无效"): a new gettoken
		// settles it, here by returning the same, valid token.
		{"40001 on a call", func(fake *wechattest.Server, _ *wechattest.Clock) {
			fake.FailNext("kf/account/list", 1, wechat.CodeInvalidSecret, 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := wechattest.New(wechattest.Options{})
			defer fake.Close()
			fake.AddAccount("客服")
			own := wechattest.NewClock(fake.Clock.Now())
			cfg := fake.Config()
			cfg.Now = own.Now
			c, err := wechat.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.Accounts(ctx); err != nil {
				t.Fatal(err)
			}
			tc.refuse(fake, own)
			if _, err := c.Accounts(ctx); err != nil {
				t.Fatalf("call after the token was refused: %v", err)
			}
			if g, a := fake.Calls("gettoken"), fake.Calls("kf/account/list"); g != 2 || a != 3 {
				t.Fatalf("gettoken %d, kf/account/list %d; want 2 and 3 (one refused, one repeated)", g, a)
			}
		})
	}
}

func TestSyncPagesMessagesAndMedia(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{PageSize: 2})
	ctx := context.Background()
	pic := pngBytes(t)
	w1, _ := fake.Text(ctx, kf, "wmCustomer1", "你好，我的订单 20261208 还没发货")
	w2, _ := fake.Image(ctx, kf, "wmCustomer1", "订单截图.png", pic)
	fake.Write(ctx, wechattest.Incoming{OpenKfID: kf, ExternalUserID: "wmCustomer1", Type: wechat.MsgLocation, Location: &wechat.Location{Latitude: 31.23, Longitude: 121.47, Name: "上海", Address: "人民广场"}})
	fake.Write(ctx, wechattest.Incoming{OpenKfID: kf, ExternalUserID: "wmCustomer1", Type: wechat.MsgLink, Link: &wechat.Link{Title: "物流", URL: "https://example.com/t"}})
	fake.Write(ctx, wechattest.Incoming{OpenKfID: kf, ExternalUserID: "wmCustomer1", Type: wechat.MsgFile, Filename: "发票.pdf", Data: []byte("%PDF-1.4 invoice")})
	if w1.Delivery.Err != wechattest.ErrNoCallbackURL {
		t.Fatalf("no callback URL set: delivery = %+v", w1.Delivery)
	}

	var got []wechat.Message
	var pages []int
	cursor, err := c.SyncEach(ctx, wechat.SyncRequest{Token: w2.Delivery.Token, OpenKfID: kf}, func(p wechat.SyncPage) error {
		pages = append(pages, len(p.Messages))
		got = append(got, p.Messages...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || pages[0] != 2 || pages[2] != 1 {
		t.Fatalf("pages = %v, want 2, 2, 1", pages)
	}
	types := []wechat.MsgType{wechat.MsgText, wechat.MsgImage, wechat.MsgLocation, wechat.MsgLink, wechat.MsgFile}
	for i, m := range got {
		if m.Type != types[i] || m.Origin != wechat.OriginCustomer || m.ExternalUserID != "wmCustomer1" || m.OpenKfID != kf || m.Sent().IsZero() {
			t.Fatalf("message %d = %+v", i, m)
		}
	}
	if got[0].MsgID != w1.MsgID || got[0].Text.Content != "你好，我的订单 20261208 还没发货" {
		t.Fatalf("text = %+v", got[0])
	}
	if got[2].Location.Name != "上海" || got[3].Link.URL != "https://example.com/t" {
		t.Fatalf("location %+v, link %+v", got[2].Location, got[3].Link)
	}
	d, err := c.GetMedia(ctx, got[1].MediaID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Filename != "订单截图.png" || d.ContentType != "image/png" || !bytes.Equal(d.Data, pic) {
		t.Fatalf("GetMedia = %q %q %d bytes", d.Filename, d.ContentType, len(d.Data))
	}

	// From the stored cursor nothing is repeated; a new message follows.
	page, err := c.SyncMsg(ctx, wechat.SyncRequest{Cursor: cursor})
	if err != nil || len(page.Messages) != 0 || page.HasMore {
		t.Fatalf("after the last cursor: %+v, %v", page, err)
	}
	fake.Text(ctx, kf, "wmCustomer2", "在吗")
	page, err = c.SyncMsg(ctx, wechat.SyncRequest{Cursor: cursor})
	if err != nil || len(page.Messages) != 1 || page.Messages[0].ExternalUserID != "wmCustomer2" {
		t.Fatalf("next message: %+v, %v", page, err)
	}

	// Media live three days, and so does the history.
	fake.Clock.Advance(73 * time.Hour)
	_, err = c.GetMedia(ctx, got[1].MediaID(), 0)
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidMediaID)
	page, err = c.SyncMsg(ctx, wechat.SyncRequest{})
	if err != nil || len(page.Messages) != 0 {
		t.Fatalf("after three days: %d messages, %v", len(page.Messages), err)
	}
}

func TestSyncFollowsEmptyPagesWithHasMore(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	fake.Text(ctx, kf, "wm1", "一")
	fake.EmptyPageNext(2)
	var n, calls int
	if _, err := c.SyncEach(ctx, wechat.SyncRequest{}, func(p wechat.SyncPage) error {
		calls++
		n += len(p.Messages)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 || calls != 3 {
		t.Fatalf("read %d messages in %d pages, want 1 in 3 (two empty with has_more)", n, calls)
	}

	// A failing fn stops the loop and returns the cursor it had.
	boom := errors.New("store down")
	fake.Text(ctx, kf, "wm1", "二")
	cursor, err := c.SyncEach(ctx, wechat.SyncRequest{Cursor: "x"}, func(wechat.SyncPage) error { return boom })
	if err == nil || cursor != "x" {
		t.Fatalf("SyncEach with an unknown cursor = %q, %v", cursor, err)
	}
	page, _ := c.SyncMsg(ctx, wechat.SyncRequest{})
	cursor, err = c.SyncEach(ctx, wechat.SyncRequest{}, func(wechat.SyncPage) error { return boom })
	if !errors.Is(err, boom) || cursor != "" {
		t.Fatalf("SyncEach with a failing store = %q, %v", cursor, err)
	}
	_ = page
}

func TestSyncTokenAndRateLimit(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	w, _ := fake.Text(ctx, kf, "wm1", "你好")
	fake.SetRateLimit("kf/sync_msg#notoken", 1, time.Minute)

	if _, err := c.SyncMsg(ctx, wechat.SyncRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.SyncMsg(ctx, wechat.SyncRequest{})
	wantKind(t, err, wechat.KindRateLimited, wechat.CodeRateLimited)
	if !wechat.Retryable(err) || !errors.Is(err, wechat.ErrRateLimited) {
		t.Fatalf("%v: want retryable ErrRateLimited", err)
	}
	// With the notification's Token the strict limit does not apply.
	if _, err := c.SyncMsg(ctx, wechat.SyncRequest{Token: w.Delivery.Token}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SyncMsg(ctx, wechat.SyncRequest{Token: "ENCnotatoken"})
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidMsgToken)
	fake.Clock.Advance(11 * time.Minute)
	_, err = c.SyncMsg(ctx, wechat.SyncRequest{Token: w.Delivery.Token})
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidMsgToken)

	for _, tc := range []struct {
		name  string
		req   wechat.SyncRequest
		field string
	}{
		{"limit above 1000", wechat.SyncRequest{Limit: 1001}, "limit"},
		{"long cursor", wechat.SyncRequest{Cursor: strings.Repeat("c", 65)}, "cursor"},
		{"voice format", wechat.SyncRequest{VoiceFormat: 2}, "voice_format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SyncMsg(ctx, tc.req)
			var e *triage.Error
			if !errors.As(err, &e) || e.Field != tc.field {
				t.Fatalf("SyncMsg = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}

func TestSendWithinWeChatLimits(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	const user = "wmCustomer1"
	fake.Text(ctx, kf, user, "请问什么时候发货？")

	m, err := wechat.NewText(user, kf, "comment-1", "您好，您的订单今天发出。\u2028谢谢\x01")
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.SendMsg(ctx, m)
	if err != nil || id != "comment-1" {
		t.Fatalf("SendMsg = %q, %v", id, err)
	}
	sent := fake.Sent(kf, user)
	if len(sent) != 1 || sent[0].Text != "您好，您的订单今天发出。\n谢谢" || sent[0].MsgID != "comment-1" {
		t.Fatalf("Sent = %+v", sent)
	}

	// A retry with the same msgid is not delivered twice.
	_, err = c.SendMsg(ctx, m)
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidParameter)
	if n := len(fake.Sent(kf, user)); n != 1 {
		t.Fatalf("%d messages after a repeated msgid, want 1", n)
	}

	// Five in all after the customer's message; the sixth is refused.
	for i := 2; i <= 5; i++ {
		m, _ := wechat.NewText(user, kf, "", "第"+string(rune('0'+i))+"条")
		if _, err := c.SendMsg(ctx, m); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
	m6, _ := wechat.NewText(user, kf, "", "第6条")
	_, err = c.SendMsg(ctx, m6)
	wantKind(t, err, wechat.KindCannotReply, wechat.CodeReplyLimit)
	if !errors.Is(err, wechat.ErrCannotReply) || !errors.Is(err, wechat.ErrReplyLimit) || errors.Is(err, wechat.ErrReplyWindow) || wechat.Retryable(err) {
		t.Fatalf("sixth reply: %v", err)
	}

	// The customer writing again opens a new window.
	fake.Text(ctx, kf, user, "好的")
	if _, err := c.SendMsg(ctx, m6); err != nil {
		t.Fatalf("after the customer wrote again: %v", err)
	}

	// 48 hours later nothing goes through.
	fake.Clock.Advance(48 * time.Hour)
	m7, _ := wechat.NewText(user, kf, "", "还在吗")
	_, err = c.SendMsg(ctx, m7)
	wantKind(t, err, wechat.KindCannotReply, wechat.CodeReplyWindow)
	if !errors.Is(err, wechat.ErrReplyWindow) {
		t.Fatalf("after 48 h: %v", err)
	}

	// Refused before any call: too long, bad msgid, no customer.
	calls := fake.Calls("kf/send_msg")
	for _, tc := range []struct {
		name  string
		make  func() (wechat.Outgoing, error)
		field string
	}{
		{"2049 bytes", func() (wechat.Outgoing, error) { return wechat.NewText(user, kf, "", strings.Repeat("好", 683)) }, "text.content"},
		{"msgid with a dot", func() (wechat.Outgoing, error) { return wechat.NewText(user, kf, "a.b", "x") }, "msgid"},
		{"no customer", func() (wechat.Outgoing, error) { return wechat.NewText("", kf, "", "x") }, "touser"},
		{"empty text", func() (wechat.Outgoing, error) { return wechat.NewText(user, kf, "", "") }, "text.content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := tc.make()
			_, err := c.SendMsg(ctx, m)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tc.field {
				t.Fatalf("SendMsg = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
	if fake.Calls("kf/send_msg") != calls {
		t.Fatal("an invalid message reached the server")
	}
}

func TestSendRefusedInServicerState(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	fake.AddServicer(kf, "zhangsan")
	fake.Text(ctx, kf, "wm1", "转人工")

	state, _, err := c.ServiceState(ctx, kf, "wm1")
	if err != nil || state != wechat.StateUntreated {
		t.Fatalf("ServiceState = %v, %v; want 未处理", state, err)
	}
	if _, err := c.TransServiceState(ctx, kf, "wm1", wechat.StateBot, ""); err != nil {
		t.Fatal(err)
	}
	code, err := c.TransServiceState(ctx, kf, "wm1", wechat.StateServicer, "zhangsan")
	if err != nil || code == "" {
		t.Fatalf("to a servicer: code %q, %v", code, err)
	}
	state, servicer, err := c.ServiceState(ctx, kf, "wm1")
	if err != nil || state != wechat.StateServicer || servicer != "zhangsan" || state.APISendable() {
		t.Fatalf("ServiceState = %v %q, %v", state, servicer, err)
	}
	m, _ := wechat.NewText("wm1", kf, "", "您好")
	_, err = c.SendMsg(ctx, m)
	wantKind(t, err, wechat.KindCannotReply, wechat.CodeSessionState)
	if !errors.Is(err, wechat.ErrSessionState) {
		t.Fatalf("%v: want ErrSessionState", err)
	}

	// The code of the move sends one message, a text, then no more.
	ev, _ := wechat.NewText("ignored", "ignored", "", "已为您转接人工客服张三")
	if _, err := c.SendOnEvent(ctx, code, ev); err != nil {
		t.Fatal(err)
	}
	if s := fake.Sent(kf, "wm1"); len(s) != 1 || s[0].Code != code || s[0].Text != "已为您转接人工客服张三" {
		t.Fatalf("Sent = %+v", s)
	}
	_, err = c.SendOnEvent(ctx, code, ev)
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidParameter)

	for _, tc := range []struct {
		name     string
		to       wechat.ServiceState
		servicer string
		code     int
	}{
		{"to someone who is not a servicer", wechat.StateServicer, "lisi", wechat.CodeNotServicer},
		{"back to the bot", wechat.StateBot, "", wechat.CodeBadTransition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.TransServiceState(ctx, kf, "wm1", tc.to, tc.servicer)
			wantKind(t, err, wechat.KindOther, tc.code)
		})
	}
	if _, err := c.TransServiceState(ctx, kf, "wm1", wechat.StateEnded, ""); err != nil {
		t.Fatal(err)
	}
	_, err = c.TransServiceState(ctx, kf, "wm1", wechat.StateQueued, "")
	wantKind(t, err, wechat.KindOther, wechat.CodeBadTransition)
	// The customer writing again reopens the session.
	fake.Text(ctx, kf, "wm1", "还有一个问题")
	if _, err := c.SendMsg(ctx, m); err != nil {
		t.Fatalf("after the customer wrote again: %v", err)
	}
}

func TestWelcomeOnEnterSession(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	code, _, err := fake.EnterSession(ctx, kf, "wm1", "shop", "order=42")
	if err != nil || code == "" {
		t.Fatalf("EnterSession = %q, %v", code, err)
	}
	page, err := c.SyncMsg(ctx, wechat.SyncRequest{})
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("SyncMsg = %+v, %v", page, err)
	}
	ev := page.Messages[0]
	if ev.Type != wechat.MsgEvent || ev.Origin != wechat.OriginSystem || ev.Event.EventType != wechat.EventEnterSession ||
		ev.Event.WelcomeCode != code || ev.Event.SceneParam != "order=42" || ev.ExternalUserID != "wm1" || ev.OpenKfID != kf {
		t.Fatalf("event = %+v %+v", ev, ev.Event)
	}
	menu, err := wechat.NewMenu("wm1", kf, "", wechat.Menu{HeadContent: "您好，请选择：", List: []wechat.MenuItem{
		{Type: "click", Click: &wechat.MenuClick{ID: "order", Content: "查订单"}},
		{Type: "view", View: &wechat.MenuView{URL: "https://help.example.com", Content: "帮助中心"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendOnEvent(ctx, code, menu); err != nil {
		t.Fatal(err)
	}

	// A welcome code lives 20 seconds.
	fake.Clock.Advance(49 * time.Hour)
	code, _, _ = fake.EnterSession(ctx, kf, "wm1", "", "")
	fake.Clock.Advance(21 * time.Second)
	text, _ := wechat.NewText("x", "x", "", "欢迎")
	_, err = c.SendOnEvent(ctx, code, text)
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidParameter)
}

func TestUploadAndSendMedia(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	fake.Text(ctx, kf, "wm1", "发张图")
	pic := pngBytes(t)
	up, err := c.UploadMedia(ctx, wechat.MediaImage, "dir/回复图.png", pic)
	if err != nil || up.MediaID == "" || up.Type != wechat.MediaImage || !up.CreatedAt.Equal(fake.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("UploadMedia = %+v, %v", up, err)
	}
	m, err := wechat.NewMediaMessage("wm1", kf, "", wechat.MsgImage, up.MediaID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	s := fake.Sent(kf, "wm1")
	if len(s) != 1 || s[0].Type != wechat.MsgImage || s[0].Filename != "回复图.png" || !bytes.Equal(s[0].Data, pic) {
		t.Fatalf("Sent = %+v", s)
	}
	d, err := c.GetMedia(ctx, up.MediaID, 0)
	if err != nil || d.Filename != "回复图.png" {
		t.Fatalf("GetMedia = %+v, %v", d.Filename, err)
	}

	_, err = c.UploadMedia(ctx, wechat.MediaVoice, "语音.amr", []byte("not an AMR file"))
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidMediaType)
	_, err = c.GetMedia(ctx, "no-such-media", 0)
	wantKind(t, err, wechat.KindOther, wechat.CodeInvalidMediaID)
	_, err = c.GetMedia(ctx, up.MediaID, 10)
	if err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Fatalf("GetMedia over maxBytes = %v", err)
	}
	for _, tc := range []struct {
		name string
		t    wechat.MediaType
		data []byte
		code string
	}{
		{"unknown type", "gif", pic, triage.EINVALID},
		{"five bytes", wechat.MediaFile, []byte("12345"), triage.ETOOLARGE},
		{"voice over 2 MB", wechat.MediaVoice, make([]byte, 2<<20+1), triage.ETOOLARGE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.UploadMedia(ctx, tc.t, "f", tc.data)
			if triage.ErrorCode(err) != tc.code {
				t.Fatalf("UploadMedia = %v, want %s", err, tc.code)
			}
		})
	}
}

func TestRefusedDeliveryArrivesAsAnEvent(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	fake.Text(ctx, kf, "wm1", "你好")
	page, _ := c.SyncMsg(ctx, wechat.SyncRequest{})
	fake.SetRejects(kf, "wm1", true)
	m, _ := wechat.NewText("wm1", kf, "c42", "您好")
	if _, err := c.SendMsg(ctx, m); err != nil {
		t.Fatalf("accepted, even if not delivered: %v", err)
	}
	ds := fake.Flush(ctx)
	if len(ds) != 1 || ds[0].OpenKfID != kf {
		t.Fatalf("Flush = %+v", ds)
	}
	next, err := c.SyncMsg(ctx, wechat.SyncRequest{Cursor: page.NextCursor})
	if err != nil || len(next.Messages) != 1 {
		t.Fatalf("SyncMsg = %+v, %v", next, err)
	}
	ev := next.Messages[0].Event
	if ev == nil || ev.EventType != wechat.EventMsgSendFail || ev.FailMsgID != "c42" || ev.FailType != wechat.FailRejectedByUser {
		t.Fatalf("event = %+v", ev)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	fake.Text(ctx, kf, "wm1", "你好")
	m, _ := wechat.NewText("wm1", kf, "", "您好")
	for _, tc := range []struct {
		name      string
		errcode   int
		status    int
		kind      wechat.Kind
		sentinel  error
		retryable bool
	}{
		{"系统繁忙", -1, 0, wechat.KindUnavailable, wechat.ErrUnavailable, true},
		{"concurrency limit", wechat.CodeConcurrencyLimit, 0, wechat.KindRateLimited, wechat.ErrRateLimited, true},
		{"rate limit", wechat.CodeRateLimited, 0, wechat.KindRateLimited, wechat.ErrRateLimited, true},
		{"API switched off", wechat.CodeAPISwitchOff, 0, wechat.KindConfig, wechat.ErrConfig, false},
		{"untrusted IP", wechat.CodeUntrustedIP, 0, wechat.KindConfig, wechat.ErrConfig, false},
		{"session ended", wechat.CodeSessionEnded, 0, wechat.KindCannotReply, wechat.ErrSessionState, false},
		{"HTTP 502", 0, 502, wechat.KindUnavailable, wechat.ErrUnavailable, true},
		{"HTTP 404", 0, 404, wechat.KindOther, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.FailNext("kf/send_msg", 1, tc.errcode, tc.status)
			_, err := c.SendMsg(ctx, m)
			var e *wechat.APIError
			if !errors.As(err, &e) || e.Kind() != tc.kind || e.Code != tc.errcode || e.Status != tc.status || wechat.Retryable(err) != tc.retryable {
				t.Fatalf("SendMsg = %v (kind %s), want kind %s", err, wechat.KindOf(err), tc.kind)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Fatalf("%v is not %v", err, tc.sentinel)
			}
		})
	}
	// After the failures the same message goes through.
	if _, err := c.SendMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
}
