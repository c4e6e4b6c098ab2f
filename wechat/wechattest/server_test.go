package wechattest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/wechat"
)

// These tests speak raw HTTP to the fake, without the wechat client, so
// that the fake's wire format is checked against the docs on its own.

func get(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func post(t *testing.T, u, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func errcode(m map[string]any) int { return int(m["errcode"].(float64)) }

func token(t *testing.T, s *Server) string {
	t.Helper()
	m := get(t, s.URL+"/cgi-bin/gettoken?corpid="+s.CorpID+"&corpsecret="+s.Secret)
	if errcode(m) != 0 {
		t.Fatalf("gettoken = %v", m)
	}
	return m["access_token"].(string)
}

func TestGettoken(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	for _, tc := range []struct {
		name, query string
		code        int
	}{
		{"wrong corp id", "corpid=nope&corpsecret=" + s.Secret, wechat.CodeInvalidCorpID},
		{"wrong secret", "corpid=" + s.CorpID + "&corpsecret=nope", wechat.CodeInvalidSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := get(t, s.URL+"/cgi-bin/gettoken?"+tc.query)
			if errcode(m) != tc.code || m["access_token"] != nil || !strings.Contains(m["errmsg"].(string), "more info at") {
				t.Fatalf("gettoken = %v, want errcode %d", m, tc.code)
			}
		})
	}
	m := get(t, s.URL+"/cgi-bin/gettoken?corpid="+s.CorpID+"&corpsecret="+s.Secret)
	if m["expires_in"].(float64) != 7200 {
		t.Fatalf("expires_in = %v", m["expires_in"])
	}
	s.Clock.Advance(time.Hour)
	m2 := get(t, s.URL+"/cgi-bin/gettoken?corpid="+s.CorpID+"&corpsecret="+s.Secret)
	if m2["access_token"] != m["access_token"] || m2["expires_in"].(float64) != 3600 {
		t.Fatalf("within validity: %v, want the same token with 3600 s left", m2)
	}
	s.Clock.Advance(time.Hour)
	m3 := get(t, s.URL+"/cgi-bin/gettoken?corpid="+s.CorpID+"&corpsecret="+s.Secret)
	if m3["access_token"] == m["access_token"] || m3["expires_in"].(float64) != 7200 {
		t.Fatalf("after expiry: %v, want a new token", m3)
	}
}

func TestAuthAndBodyChecks(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	tok := token(t, s)
	list := s.URL + "/cgi-bin/kf/account/list?access_token="
	for _, tc := range []struct {
		name, url, body string
		code            int
	}{
		{"no token", s.URL + "/cgi-bin/kf/account/list", `{}`, wechat.CodeMissingToken},
		{"unknown token", list + "forged", `{}`, wechat.CodeInvalidToken},
		{"a \\u escape", list + tok, `{"offset":0,"x":"\u4f60"}`, wechat.CodeEscapedChars},
		{"not JSON", list + tok, `{"offset":`, wechat.CodeInvalidParameter},
		{"an escaped backslash before u is fine", list + tok, `{"x":"C:\\users"}`, 0},
		{"limit above 100", list + tok, `{"limit":101}`, wechat.CodeInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if m := post(t, tc.url, tc.body); errcode(m) != tc.code {
				t.Fatalf("answer = %v, want errcode %d", m, tc.code)
			}
		})
	}
	if m := get(t, list+tok); errcode(m) != wechat.CodeInvalidParameter {
		t.Fatalf("GET on a POST API = %v", m)
	}
	s.Clock.Advance(2 * time.Hour)
	if m := post(t, list+tok, `{}`); errcode(m) != wechat.CodeTokenExpired {
		t.Fatalf("expired token = %v", m)
	}
	tok = token(t, s)
	s.RevokeToken()
	if m := post(t, list+tok, `{}`); errcode(m) != wechat.CodeInvalidToken {
		t.Fatalf("revoked token = %v", m)
	}
}

func TestRateLimitWindow(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	tok := token(t, s)
	s.SetRateLimit("kf/account/list", 2, time.Minute)
	u := s.URL + "/cgi-bin/kf/account/list?access_token=" + tok
	codes := []int{}
	for range 3 {
		codes = append(codes, errcode(post(t, u, `{}`)))
	}
	s.Clock.Advance(time.Minute)
	codes = append(codes, errcode(post(t, u, `{}`)))
	if want := []int{0, 0, wechat.CodeRateLimited, 0}; !equal(codes, want) {
		t.Fatalf("errcodes = %v, want %v", codes, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSyncWireFormat(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	kf := s.AddAccount("客服")
	ctx := context.Background()
	s.Text(ctx, kf, "wm1", "你好")
	s.EnterSession(ctx, kf, "wm2", "", "")
	m := post(t, s.URL+"/cgi-bin/kf/sync_msg?access_token="+token(t, s), `{"limit":1000}`)
	if errcode(m) != 0 || m["has_more"].(float64) != 0 || m["next_cursor"].(string) == "" {
		t.Fatalf("sync_msg = %v", m)
	}
	list := m["msg_list"].([]any)
	msg, ev := list[0].(map[string]any), list[1].(map[string]any)
	if msg["origin"].(float64) != 3 || msg["msgtype"] != "text" || msg["text"].(map[string]any)["content"] != "你好" || msg["open_kfid"] != kf {
		t.Fatalf("text entry = %v", msg)
	}
	// Events carry the customer inside "event", not at the top level.
	if _, ok := ev["open_kfid"]; ok || ev["origin"].(float64) != 4 || ev["event"].(map[string]any)["external_userid"] != "wm2" {
		t.Fatalf("event entry = %v", ev)
	}
}

func TestMediaWireFormat(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	tok := token(t, s)
	var body bytes.Buffer
	body.WriteString("--b\r\nContent-Disposition: form-data; name=\"media\"; filename=\"说明.txt\"; filelength=12\r\nContent-Type: application/octet-stream\r\n\r\nhello world!\r\n--b--\r\n")
	resp, err := http.Post(s.URL+"/cgi-bin/media/upload?type=file&access_token="+tok, "multipart/form-data; boundary=b", &body)
	if err != nil {
		t.Fatal(err)
	}
	var up map[string]any
	json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if errcode(up) != 0 || up["type"] != "file" {
		t.Fatalf("upload = %v", up)
	}
	if _, isString := up["created_at"].(string); !isString {
		t.Fatalf("created_at = %#v, want a string as in the doc", up["created_at"])
	}
	resp, err = http.Get(s.URL + "/cgi-bin/media/get?access_token=" + tok + "&media_id=" + up["media_id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "hello world!" || resp.Header.Get("Content-Disposition") != `attachment; filename="说明.txt"` {
		t.Fatalf("media/get = %q, %v", data, resp.Header)
	}
	if m := get(t, s.URL+"/cgi-bin/media/get?access_token="+tok+"&media_id=nope"); errcode(m) != wechat.CodeInvalidMediaID {
		t.Fatalf("unknown media = %v", m)
	}
	if m := post(t, s.URL+"/cgi-bin/media/upload?type=gif&access_token="+tok, ""); errcode(m) != wechat.CodeInvalidType {
		t.Fatalf("type gif = %v", m)
	}
}

// TestNotificationWireFormat checks a notification against the doc with
// its own SHA1 and the package's Decrypt, whose vectors are Tencent's.
func TestNotificationWireFormat(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	kf := s.AddAccount("客服")
	var gotQuery url.Values
	var gotBody []byte
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.Query()
		gotBody, _ = io.ReadAll(r.Body)
	}))
	defer cb.Close()
	s.SetCallbackURL(cb.URL)
	w, _ := s.Text(context.Background(), kf, "wm1", "hi")
	if !w.Delivery.OK() || w.Delivery.Attempts != 1 {
		t.Fatalf("delivery = %+v", w.Delivery)
	}
	var env struct {
		ToUserName, Encrypt string
	}
	if err := xml.Unmarshal(gotBody, &env); err != nil || env.ToUserName != s.CorpID {
		t.Fatalf("body = %s, %v", gotBody, err)
	}
	parts := []string{s.Token, gotQuery.Get("timestamp"), gotQuery.Get("nonce"), env.Encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	if hex.EncodeToString(sum[:]) != gotQuery.Get("msg_signature") {
		t.Fatal("msg_signature is not SHA1 of the sorted token, timestamp, nonce and Encrypt")
	}
	if gotQuery.Get("timestamp") != "1796695200" { // the clock's start, 2026-12-08 10:00 +08:00
		t.Fatalf("timestamp = %s", gotQuery.Get("timestamp"))
	}
	key, _ := wechat.DecodeAESKey(s.EncodingAESKey)
	plain, receiver, err := wechat.Decrypt(key, env.Encrypt)
	if err != nil || receiver != s.CorpID {
		t.Fatalf("Decrypt: receiver %q, %v", receiver, err)
	}
	var n struct {
		ToUserName, MsgType, Event, Token, OpenKfId string
		CreateTime                                  int64
	}
	if err := xml.Unmarshal(plain, &n); err != nil {
		t.Fatal(err)
	}
	if n.ToUserName != s.CorpID || n.MsgType != "event" || n.Event != "kf_msg_or_event" || n.Token != w.Delivery.Token || n.OpenKfId != kf || n.CreateTime != 1796695200 {
		t.Fatalf("notification = %+v", n)
	}
}
