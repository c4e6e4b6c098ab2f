package wechat

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// FuzzCallbackOpen feeds Open arbitrary queries and bodies: it must never
// panic, and must refuse with a *triage.Error whatever is not a valid,
// fresh, first-time notification.
func FuzzCallbackOpen(f *testing.F) {
	f.Add(postSig, postTS, postNonce, []byte(postBody))
	f.Add("", "", "", []byte(""))
	f.Add(postSig, "-1", postNonce, []byte("<xml><Encrypt>"))
	f.Add(postSig, postTS, postNonce, []byte("<!DOCTYPE x [<!ENTITY a \"b\">]><xml><Encrypt>&a;</Encrypt></xml>"))
	f.Fuzz(func(t *testing.T, sig, ts, nonce string, body []byte) {
		cb, err := NewCallback(CallbackConfig{Token: sampleToken, EncodingAESKey: sampleAESKey, CorpID: sampleCorpID, Now: (&clock{time.Unix(1409659813, 0)}).Now})
		if err != nil {
			t.Fatal(err)
		}
		n, err := cb.Open(url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}, body)
		if err != nil {
			var e *triage.Error
			if !errors.As(err, &e) {
				t.Fatalf("Open returned %T %v, want *triage.Error", err, err)
			}
			return
		}
		if len(n.Raw) == 0 && n.MsgType == "" {
			t.Fatalf("accepted an empty notification")
		}
	})
}

// FuzzCallbackOpenSigned reaches past the signature: the fuzzer's bytes
// are encrypted and signed as 企业微信 would, or used as a signed Encrypt
// value, so that decryption, unpadding, the length field, the receiver
// check and the XML parse all see arbitrary input.
func FuzzCallbackOpenSigned(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Event>kf_msg_or_event</Event><Token>T</Token><OpenKfId>wk1</OpenKfId></xml>"), "", false)
	f.Add([]byte("not xml"), "", false)
	f.Add([]byte{}, postEncrypt, true)
	f.Add([]byte{}, "AAAAAAAAAAAAAAAAAAAAAA==", true)
	f.Add([]byte{}, demoEncrypt, true)
	key, err := DecodeAESKey(sampleAESKey)
	if err != nil {
		f.Fatal(err)
	}
	const ts = 1409659813
	f.Fuzz(func(t *testing.T, plain []byte, encrypt string, raw bool) {
		cb, err := NewCallback(CallbackConfig{Token: sampleToken, EncodingAESKey: sampleAESKey, CorpID: sampleCorpID, Now: (&clock{time.Unix(ts, 0)}).Now})
		if err != nil {
			t.Fatal(err)
		}
		if !raw {
			encrypt, err = Encrypt(key, make([]byte, 16), plain, sampleCorpID)
			if err != nil {
				t.Fatal(err)
			}
		}
		q := url.Values{"timestamp": {strconv.Itoa(ts)}, "nonce": {"n"}, "msg_signature": {Signature(sampleToken, strconv.Itoa(ts), "n", encrypt)}}
		n, err := cb.Open(q, []byte("<xml><Encrypt><![CDATA["+encrypt+"]]></Encrypt></xml>"))
		if err != nil {
			var e *triage.Error
			if !errors.As(err, &e) {
				t.Fatalf("Open returned %T %v, want *triage.Error", err, err)
			}
			return
		}
		if !raw && string(n.Raw) != string(plain) {
			t.Fatalf("Raw = %q, want the plaintext %q", n.Raw, plain)
		}
		// Accepted once, refused the second time.
		if _, err := cb.Open(q, []byte("<xml><Encrypt><![CDATA["+encrypt+"]]></Encrypt></xml>")); !errors.Is(err, ErrReplay) {
			t.Fatalf("second Open = %v, want ErrReplay", err)
		}
	})
}
