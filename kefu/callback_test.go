package kefu_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
)

// notification builds a signed, encrypted notification as 企业微信 sends
// one, with the corp id, token and clock given.
func notification(t *testing.T, e *env, corp, token string, at time.Time, nonce string) (url.Values, string) {
	t.Helper()
	c, err := wechat.NewCrypto(token, e.fake.EncodingAESKey, corp)
	if err != nil {
		t.Fatal(err)
	}
	plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>"+
		"<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCtoken]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>", corp, at.Unix(), e.kf)
	ts := strconv.FormatInt(at.Unix(), 10)
	enc, sig, err := c.Seal([]byte(plain), ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}},
		fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", corp, enc)
}

func (e *env) syncJobs(t *testing.T) int {
	t.Helper()
	jobs, err := e.app.Jobs.Queued(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == kefu.JobSync.String() {
			n++
		}
	}
	return n
}

// TestCallbackRefuses drives the callback route as 企业微信 and as a
// forger would: only an authentic, fresh, first-seen notification for the
// channel's corp is taken (and queues a sync); the rest are refused with
// 401/403/400/404 and queue nothing.
func TestCallbackRefuses(t *testing.T) {
	e := newEnv(t, opts{})
	now := e.fake.Clock.Now()
	path := e.http.URL + "/channels/wechat/" + e.channel.ID
	valid, validBody := notification(t, e, e.fake.CorpID, e.fake.Token, now, "1111")
	forged := url.Values{"msg_signature": {strings.Repeat("a", 40)}, "timestamp": valid["timestamp"], "nonce": valid["nonce"]}
	otherCorp, otherBody := notification(t, e, "wwanothercorp", e.fake.Token, now, "2222")
	wrongToken, wrongTokenBody := notification(t, e, e.fake.CorpID, "not-the-token", now, "3333")
	stale, staleBody := notification(t, e, e.fake.CorpID, e.fake.Token, now.Add(-10*time.Minute), "4444")
	for _, tc := range []struct {
		name   string
		path   string
		q      url.Values
		body   string
		status int
		queued int // sync jobs waiting after the request
	}{
		{"authentic", path, valid, validBody, 200, 1},
		{"the same request again (replay)", path, valid, validBody, 401, 1},
		{"forged signature", path, forged, validBody, 401, 1},
		{"signed with another token", path, wrongToken, wrongTokenBody, 401, 1},
		{"another corp's message", path, otherCorp, otherBody, 403, 1},
		{"ten minutes old", path, stale, staleBody, 401, 1},
		{"no signature", path, url.Values{}, validBody, 401, 1},
		{"not XML", path, valid, "{}", 400, 1},
		{"unknown channel", e.http.URL + "/channels/wechat/nope", valid, validBody, 404, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Post(tc.path+"?"+tc.q.Encode(), "text/xml", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, b)
			}
			if n := e.syncJobs(t); n != tc.queued {
				t.Fatalf("%d sync jobs queued, want %d", n, tc.queued)
			}
		})
	}

	t.Run("URL verification", func(t *testing.T) {
		if err := e.fake.VerifyCallback(e.ctx); err != nil {
			t.Fatalf("authentic verification: %v", err)
		}
		// Distinctive enough that no random request id in the error body
		// can contain it by chance ("abc" did, now and then).
		const forgedEcho = "forged-echostr-must-not-be-echoed"
		q := url.Values{"msg_signature": {strings.Repeat("b", 40)}, "timestamp": {strconv.FormatInt(now.Unix(), 10)}, "nonce": {"5"}, "echostr": {forgedEcho}}
		res, err := http.Get(path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 401 || strings.Contains(string(b), forgedEcho) {
			t.Fatalf("forged verification: %d %s", res.StatusCode, b)
		}
	})
}
