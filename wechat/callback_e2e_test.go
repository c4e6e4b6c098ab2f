package wechat_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// receiver is a callback endpoint as the wiring will have one: GET answers
// URL verification, POST opens a notification and acknowledges it.
type receiver struct {
	cb *wechat.Callback

	mu       sync.Mutex
	got      []wechat.Notification
	raw      []capture
	failNext int  // answer 500 to this many valid notifications
	forget   bool // and Forget them, so that the retry is accepted
}

type capture struct {
	query url.Values
	body  string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		echo, err := rc.cb.VerifyURL(q)
		if err != nil {
			http.Error(w, triage.ErrorMessage(err), status(err))
			return
		}
		io.WriteString(w, echo)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, wechat.MaxBodyLen+1))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.raw = append(rc.raw, capture{q, string(body)})
	n, err := rc.cb.Open(q, body)
	if err != nil {
		http.Error(w, triage.ErrorMessage(err), status(err))
		return
	}
	if rc.failNext > 0 {
		rc.failNext--
		if rc.forget {
			rc.cb.Forget(q)
		}
		http.Error(w, "store unavailable", http.StatusInternalServerError)
		return
	}
	rc.got = append(rc.got, n)
	io.WriteString(w, "success")
}

func status(err error) int {
	switch triage.ErrorCode(err) {
	case triage.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case triage.EFORBIDDEN:
		return http.StatusForbidden
	case triage.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func TestCallbackEndToEnd(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := context.Background()
	cb, err := wechat.NewCallback(fake.CallbackConfig())
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{cb: cb}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// The wiring's route may carry its own query: it is kept.
	fake.SetCallbackURL(srv.URL + "/channels/wechat/callback?conn=1")

	if err := fake.VerifyCallback(ctx); err != nil {
		t.Fatalf("URL verification: %v", err)
	}

	w, err := fake.Text(ctx, kf, "wmCustomer1", "你好，想退货")
	if err != nil || !w.Delivery.OK() || w.Delivery.Attempts != 1 {
		t.Fatalf("Text = %+v, %v", w, err)
	}
	if len(rc.got) != 1 {
		t.Fatalf("received %d notifications", len(rc.got))
	}
	n := rc.got[0]
	if n.Event != wechat.EventKfMsgOrEvent || n.OpenKfID != kf || n.CorpID != fake.CorpID || n.Token != w.Delivery.Token || n.MsgType != "event" {
		t.Fatalf("notification = %+v", n)
	}
	page, err := c.SyncMsg(ctx, wechat.SyncRequest{Token: n.Token, OpenKfID: n.OpenKfID})
	if err != nil || len(page.Messages) != 1 || page.Messages[0].Text.Content != "你好，想退货" || page.Messages[0].MsgID != w.MsgID {
		t.Fatalf("SyncMsg = %+v, %v", page, err)
	}

	// The captured request, sent again, is a replay; altered, a forgery.
	replay := func(c capture) int {
		u := srv.URL + "/channels/wechat/callback?" + c.query.Encode()
		resp, err := http.Post(u, "text/xml", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first := rc.raw[0]
	if s := replay(first); s != http.StatusUnauthorized {
		t.Fatalf("replayed notification answered %d, want 401", s)
	}
	forged := capture{first.query, strings.Replace(first.body, "<Encrypt><![CDATA[", "<Encrypt><![CDATA[A", 1)}
	if s := replay(forged); s != http.StatusUnauthorized {
		t.Fatalf("forged notification answered %d, want 401", s)
	}
	if len(rc.got) != 1 {
		t.Fatalf("%d notifications accepted, want 1", len(rc.got))
	}

	// A handler that fails without forgetting: 企业微信's retry (the same
	// request) is refused as a replay and the notification is lost to
	// the callback (the next sync still reads the message).
	rc.failNext, rc.forget = 1, false
	w, _ = fake.Text(ctx, kf, "wmCustomer1", "在吗")
	if w.Delivery.OK() || w.Delivery.Attempts != 4 || w.Delivery.Status != http.StatusUnauthorized {
		t.Fatalf("retry without Forget: %+v", w.Delivery)
	}
	// With Forget, the retry is accepted.
	rc.failNext, rc.forget = 1, true
	w, _ = fake.Text(ctx, kf, "wmCustomer1", "在吗？")
	if !w.Delivery.OK() || w.Delivery.Attempts != 2 {
		t.Fatalf("retry after Forget: %+v", w.Delivery)
	}
}

func TestCallbackRefusesAnotherCorpsServer(t *testing.T) {
	ours := wechattest.New(wechattest.Options{})
	defer ours.Close()
	// Same token and key, another corp: signatures match, the receiveid
	// inside does not.
	theirs := wechattest.New(wechattest.Options{Token: ours.Token, EncodingAESKey: ours.EncodingAESKey, Start: ours.Clock.Now()})
	defer theirs.Close()
	cb, err := wechat.NewCallback(ours.CallbackConfig())
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{cb: cb}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	theirs.SetCallbackURL(srv.URL)
	kf := theirs.AddAccount("x")
	w, err := theirs.Text(context.Background(), kf, "wm1", "hi")
	if err != nil || w.Delivery.Status != http.StatusForbidden || len(rc.got) != 0 {
		t.Fatalf("another corp's notification: %+v, %v", w.Delivery, err)
	}
	if err := theirs.VerifyCallback(context.Background()); err == nil {
		t.Fatal("another corp's URL verification succeeded")
	}
	_, err = cb.Open(rc.raw[0].query, []byte(rc.raw[0].body))
	if !errors.Is(err, wechat.ErrWrongReceiver) {
		t.Fatalf("Open = %v, want ErrWrongReceiver", err)
	}
}
