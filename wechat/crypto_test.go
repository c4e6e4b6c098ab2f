package wechat

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// The official WXBizMsgCrypt samples (企业微信 "加解密库下载与返回码" and
// the 公众平台 cryptoDemo), as published in every language's Sample file.
// The values are Tencent's; the expected outputs are theirs too, not
// computed by this package.
const (
	// 企业微信 sample: token, EncodingAESKey and corp id.
	sampleToken  = "QDG6eK"
	sampleAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleCorpID = "wx5823bf96d3bd56c7"

	// 使用示例一：验证回调URL (GET).
	verifySig     = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	verifyTS      = "1409659589"
	verifyNonce   = "263014780"
	verifyEchoStr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	verifyPlain   = "1616140317555161061"

	// 使用示例二：对用户回复的消息解密 (POST).
	postSig     = "477715d11cdb4164915debcba66cb864d751f3e6"
	postTS      = "1409659813"
	postNonce   = "1372623149"
	postEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	postBody    = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[" + postEncrypt + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
	postPlain   = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n" +
		"<FromUserName><![CDATA[mycreate]]></FromUserName>\n" +
		"<CreateTime>1409659813</CreateTime>\n" +
		"<MsgType><![CDATA[text]]></MsgType>\n" +
		"<Content><![CDATA[hello]]></Content>\n" +
		"<MsgId>4561255354251345929</MsgId>\n" +
		"<AgentID>218</AgentID>\n" +
		"</xml>"

	// 公众平台 cryptoDemo (Java WXBizMsgCryptTest): encryption with a
	// fixed random prefix, the only published vector for the encrypt
	// direction. Same algorithm; the appid plays the receiveid.
	demoAESKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	demoAppID    = "wxb11529c136998cb6"
	demoRandom   = "aaaabbbbccccdddd"
	demoMsg      = "我是中文abcd123"
	demoEncrypt  = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	demoMsg2     = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
	demoEncrypt2 = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
)

func TestSignatureVectors(t *testing.T) {
	for _, tc := range []struct {
		name, ts, nonce, payload, want string
	}{
		{"URL verification", verifyTS, verifyNonce, verifyEchoStr, verifySig},
		{"POST notification", postTS, postNonce, postEncrypt, postSig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Signature(sampleToken, tc.ts, tc.nonce, tc.payload); got != tc.want {
				t.Fatalf("Signature = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOpenVectors(t *testing.T) {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, sig, ts, nonce, payload, want string
	}{
		{"echostr", verifySig, verifyTS, verifyNonce, verifyEchoStr, verifyPlain},
		{"message", postSig, postTS, postNonce, postEncrypt, postPlain},
		{"upper-case signature", strings.ToUpper(postSig), postTS, postNonce, postEncrypt, postPlain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Open(tc.sig, tc.ts, tc.nonce, tc.payload)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("Open = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEncryptVectors(t *testing.T) {
	key, err := DecodeAESKey(demoAESKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, msg, want string }{
		{"short Chinese text", demoMsg, demoEncrypt},
		{"XML with Chinese", demoMsg2, demoEncrypt2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encrypt(key, []byte(demoRandom), []byte(tc.msg), demoAppID)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Encrypt = %s\nwant      %s", got, tc.want)
			}
			msg, receiver, err := Decrypt(key, got)
			if err != nil || string(msg) != tc.msg || receiver != demoAppID {
				t.Fatalf("Decrypt = %q, %q, %v", msg, receiver, err)
			}
		})
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	// Lengths around the 32-byte padding block, including a multiple of
	// it (a whole block of padding) and the empty message.
	for n := range 70 {
		msg := bytes.Repeat([]byte("客"), n)[:n]
		enc, sig, err := c.Seal(msg, "1700000000", "nonce")
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Open(sig, "1700000000", "nonce", enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("n=%d: Open = %q, %v", n, got, err)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCrypto(sampleToken, sampleAESKey, "ww0000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	foreign, foreignSig, err := other.Seal([]byte("<xml/>"), postTS, postNonce)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := DecodeAESKey(sampleAESKey)
	short, _ := Encrypt(key, make([]byte, 16), nil, "")
	signed := func(payload string) string { return Signature(sampleToken, postTS, postNonce, payload) }
	for _, tc := range []struct {
		name, sig, ts, nonce, payload string
		want                          error
		code                          string
	}{
		{"signature of another token", Signature("other", postTS, postNonce, postEncrypt), postTS, postNonce, postEncrypt, ErrBadSignature, triage.EUNAUTHORIZED},
		{"timestamp changed", postSig, "1409659814", postNonce, postEncrypt, ErrBadSignature, triage.EUNAUTHORIZED},
		{"nonce changed", postSig, postTS, "1", postEncrypt, ErrBadSignature, triage.EUNAUTHORIZED},
		{"payload changed", postSig, postTS, postNonce, "A" + postEncrypt[1:], ErrBadSignature, triage.EUNAUTHORIZED},
		{"empty signature", "", postTS, postNonce, postEncrypt, ErrBadSignature, triage.EUNAUTHORIZED},
		{"another corp id inside", foreignSig, postTS, postNonce, foreign, ErrWrongReceiver, triage.EFORBIDDEN},
		{"not base64", signed("%%%"), postTS, postNonce, "%%%", ErrMalformed, triage.EINVALID},
		{"not whole blocks", signed("AAAA"), postTS, postNonce, "AAAA", ErrMalformed, triage.EINVALID},
		{"bad padding", signed(postEncrypt[:len(postEncrypt)-24] + "AAAAAAAAAAAAAAAAAAAAAA=="), postTS, postNonce, postEncrypt[:len(postEncrypt)-24] + "AAAAAAAAAAAAAAAAAAAAAA==", ErrMalformed, triage.EINVALID},
		{"empty message and receiver", signed(short), postTS, postNonce, short, ErrWrongReceiver, triage.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Open(tc.sig, tc.ts, tc.nonce, tc.payload)
			if !errors.Is(err, tc.want) || triage.ErrorCode(err) != tc.code {
				t.Fatalf("Open = %v (code %s), want %v with code %s", err, triage.ErrorCode(err), tc.want, tc.code)
			}
		})
	}
}

func TestNewCryptoValidates(t *testing.T) {
	for _, tc := range []struct{ name, token, key, corp, field string }{
		{"no token", "", sampleAESKey, sampleCorpID, "token"},
		{"token with a space", "a b", sampleAESKey, sampleCorpID, "token"},
		{"short key", sampleToken, sampleAESKey[:42], sampleCorpID, "encoding_aes_key"},
		{"key with a symbol", sampleToken, sampleAESKey[:42] + "+", sampleCorpID, "encoding_aes_key"},
		{"no corp id", sampleToken, sampleAESKey, "", "corp_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCrypto(tc.token, tc.key, tc.corp)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tc.field {
				t.Fatalf("NewCrypto = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}
