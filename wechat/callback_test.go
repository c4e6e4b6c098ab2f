package wechat

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// clock is a settable clock for tests.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func sampleCallback(t *testing.T, now *clock) *Callback {
	t.Helper()
	cb, err := NewCallback(CallbackConfig{Token: sampleToken, EncodingAESKey: sampleAESKey, CorpID: sampleCorpID, Now: now.Now})
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func query(sig, ts, nonce string) url.Values {
	return url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
}

func unix(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func TestVerifyURLVector(t *testing.T) {
	now := &clock{time.Unix(1409659589+20, 0)}
	cb := sampleCallback(t, now)
	q := query(verifySig, verifyTS, verifyNonce)
	q.Set("echostr", verifyEchoStr)
	echo, err := cb.VerifyURL(q)
	if err != nil || echo != verifyPlain {
		t.Fatalf("VerifyURL = %q, %v; want %q", echo, err, verifyPlain)
	}

	// The same request parsed from a raw query whose "+" was not escaped:
	// the parser makes it a space, and the check must still pass.
	cb2 := sampleCallback(t, now)
	raw := "msg_signature=" + verifySig + "&timestamp=" + verifyTS + "&nonce=" + verifyNonce + "&echostr=" + verifyEchoStr
	q2, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q2.Get("echostr"), " ") {
		t.Fatal("test premise: the raw query should turn + into a space")
	}
	if echo, err := cb2.VerifyURL(q2); err != nil || echo != verifyPlain {
		t.Fatalf("VerifyURL(unescaped +) = %q, %v", echo, err)
	}
}

func TestOpenNotificationVector(t *testing.T) {
	now := &clock{time.Unix(1409659813, 0)}
	cb := sampleCallback(t, now)
	n, err := cb.Open(query(postSig, postTS, postNonce), []byte(postBody))
	if err != nil {
		t.Fatal(err)
	}
	if n.CorpID != sampleCorpID || n.MsgType != "text" || n.CreateTime.Unix() != 1409659813 || string(n.Raw) != postPlain {
		t.Fatalf("Open = %+v", n)
	}
}

func TestCallbackRefuses(t *testing.T) {
	at := time.Unix(1409659813, 0)
	good := func() (url.Values, []byte) { return query(postSig, postTS, postNonce), []byte(postBody) }
	for _, tc := range []struct {
		name  string
		now   time.Time
		alter func(q url.Values, body []byte) (url.Values, []byte)
		want  error
		code  string
	}{
		{"forged signature", at, func(q url.Values, b []byte) (url.Values, []byte) {
			q.Set("msg_signature", Signature("guessed", postTS, postNonce, postEncrypt))
			return q, b
		}, ErrBadSignature, triage.EUNAUTHORIZED},
		{"signature missing", at, func(q url.Values, b []byte) (url.Values, []byte) { q.Del("msg_signature"); return q, b }, ErrBadSignature, triage.EUNAUTHORIZED},
		{"timestamp missing", at, func(q url.Values, b []byte) (url.Values, []byte) { q.Del("timestamp"); return q, b }, ErrBadSignature, triage.EUNAUTHORIZED},
		{"timestamp not a number", at, func(q url.Values, b []byte) (url.Values, []byte) { q.Set("timestamp", "soon"); return q, b }, ErrBadSignature, triage.EUNAUTHORIZED},
		{"nonce missing", at, func(q url.Values, b []byte) (url.Values, []byte) { q.Del("nonce"); return q, b }, ErrBadSignature, triage.EUNAUTHORIZED},
		{"body altered", at, func(q url.Values, b []byte) (url.Values, []byte) {
			return q, []byte(strings.Replace(string(b), "Ryp", "Ryq", 1))
		}, ErrBadSignature, triage.EUNAUTHORIZED},
		{"six minutes late", at.Add(6 * time.Minute), nil, ErrStale, triage.EUNAUTHORIZED},
		{"six minutes early", at.Add(-6 * time.Minute), nil, ErrStale, triage.EUNAUTHORIZED},
		{"not XML", at, func(q url.Values, b []byte) (url.Values, []byte) { return q, []byte("hello") }, ErrMalformed, triage.EINVALID},
		{"no Encrypt", at, func(q url.Values, b []byte) (url.Values, []byte) {
			return q, []byte("<xml><ToUserName>x</ToUserName></xml>")
		}, ErrMalformed, triage.EINVALID},
		{"too large", at, func(q url.Values, b []byte) (url.Values, []byte) {
			return q, []byte("<xml><Encrypt>" + strings.Repeat("A", MaxBodyLen) + "</Encrypt></xml>")
		}, ErrMalformed, triage.ETOOLARGE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb := sampleCallback(t, &clock{tc.now})
			q, body := good()
			if tc.alter != nil {
				q, body = tc.alter(q, body)
			}
			_, err := cb.Open(q, body)
			if !errors.Is(err, tc.want) || triage.ErrorCode(err) != tc.code {
				t.Fatalf("Open = %v (code %q), want %v with code %s", err, triage.ErrorCode(err), tc.want, tc.code)
			}
		})
	}
}

func TestCallbackRefusesAnotherCorp(t *testing.T) {
	now := &clock{unix("2026-12-08T10:00:00Z")}
	ours := sampleCallback(t, now)
	theirs, err := NewCrypto(sampleToken, sampleAESKey, "wwforeigncorp0001")
	if err != nil {
		t.Fatal(err)
	}
	ts := "1796724000" // 2026-12-08T10:00:00Z
	enc, sig, err := theirs.Seal([]byte("<xml><Event>kf_msg_or_event</Event></xml>"), ts, "42")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ours.Open(query(sig, ts, "42"), []byte("<xml><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>"))
	if !errors.Is(err, ErrWrongReceiver) || triage.ErrorCode(err) != triage.EFORBIDDEN {
		t.Fatalf("Open = %v, want ErrWrongReceiver", err)
	}
	q := query(sig, ts, "42")
	q.Set("echostr", enc)
	if _, err := ours.VerifyURL(q); !errors.Is(err, ErrWrongReceiver) {
		t.Fatalf("VerifyURL = %v, want ErrWrongReceiver", err)
	}
}

func TestCallbackRefusesReplays(t *testing.T) {
	now := &clock{time.Unix(1409659813, 0)}
	cb := sampleCallback(t, now)
	q := query(postSig, postTS, postNonce)
	if _, err := cb.Open(q, []byte(postBody)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    url.Values
	}{
		{"same request", query(postSig, postTS, postNonce)},
		{"same signature in upper case", query(strings.ToUpper(postSig), postTS, postNonce)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cb.Open(tc.q, []byte(postBody))
			if !errors.Is(err, ErrReplay) || triage.ErrorCode(err) != triage.EUNAUTHORIZED {
				t.Fatalf("replay: Open = %v, want ErrReplay", err)
			}
		})
	}

	// A request whose handling failed is forgotten, so 企业微信's retry
	// of it goes through, once.
	cb.Forget(q)
	if _, err := cb.Open(q, []byte(postBody)); err != nil {
		t.Fatalf("retry after Forget: %v", err)
	}
	if _, err := cb.Open(q, []byte(postBody)); !errors.Is(err, ErrReplay) {
		t.Fatalf("second retry: %v, want ErrReplay", err)
	}

	// Past the window the request is stale, not a replay, and the memory
	// of it is gone.
	now.t = now.t.Add(DefaultReplayWindow + time.Second)
	if _, err := cb.Open(q, []byte(postBody)); !errors.Is(err, ErrStale) {
		t.Fatalf("after the window: %v, want ErrStale", err)
	}
	key, _ := DecodeAESKey(sampleAESKey)
	enc, _ := Encrypt(key, make([]byte, 16), []byte("<xml/>"), sampleCorpID)
	ts := now.t.Unix()
	fresh := query(Signature(sampleToken, itoa(ts), "1", enc), itoa(ts), "1")
	if _, err := cb.Open(fresh, []byte("<xml><Encrypt>"+enc+"</Encrypt></xml>")); err != nil {
		t.Fatal(err)
	}
	if n := len(cb.seen.at); n != 1 {
		t.Fatalf("remembered %d signatures after the first expired, want 1", n)
	}
}

func TestReplayMemoryIsBounded(t *testing.T) {
	m := &replayMemory{max: 3, at: map[string]time.Time{}}
	now := unix("2026-12-08T10:00:00Z")
	for i, k := range []string{"a", "b", "c", "d", "e"} {
		if !m.admit(k, now.Add(time.Duration(i+1)*time.Minute), now) {
			t.Fatalf("admit(%s) refused", k)
		}
	}
	if len(m.at) != 3 {
		t.Fatalf("remembered %d, want 3", len(m.at))
	}
	// The earliest to expire were dropped first; the latest are kept.
	for _, k := range []string{"c", "d", "e"} {
		if m.admit(k, now.Add(time.Hour), now) {
			t.Fatalf("%s was forgotten, want kept", k)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
