package wechat

import (
	"container/heap"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// EventKfMsgOrEvent is the only Event a 微信客服 notification carries: it
// says "call kf/sync_msg with this Token", never what was written.
const EventKfMsgOrEvent = "kf_msg_or_event"

// Defaults of CallbackConfig.
const (
	// DefaultReplayWindow is how far a notification's timestamp may be
	// from now. 企业微信 retries a callback it got no answer to within
	// seconds, and the servers' clocks are NTP-synchronised; five minutes
	// leaves room for both and little for a captured request.
	DefaultReplayWindow = 5 * time.Minute
	// DefaultMaxRemembered bounds the signatures remembered for replay
	// detection. Only validly signed requests are remembered, so reaching
	// it takes the token, not just traffic.
	DefaultMaxRemembered = 100_000
	// MaxBodyLen bounds a notification body: 企业微信's are well under a
	// kilobyte.
	MaxBodyLen = 128 << 10
)

// CallbackConfig configures a Callback with what the admin set on the
// 企业微信 callback page ("接收事件服务器": Token and EncodingAESKey) and
// the corp id ("我的企业" → 企业ID), which is the receiveid of 微信客服
// callbacks.
type CallbackConfig struct {
	Token          string
	EncodingAESKey string
	CorpID         string

	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Window is the accepted distance between a request's timestamp and
	// now, and how long its signature is remembered; DefaultReplayWindow
	// when zero.
	Window time.Duration
	// MaxRemembered bounds the remembered signatures;
	// DefaultMaxRemembered when zero.
	MaxRemembered int
}

// Callback is the callback URL's side of the protocol: URL verification
// and encrypted notifications, with replay protection. Safe for
// concurrent use. The replay memory is per process: with several
// replicas behind one callback URL a replay could reach another one, and
// what it would achieve is one more kf/sync_msg call from the stored
// cursor, which repeats nothing.
type Callback struct {
	crypto *Crypto
	now    func() time.Time
	window time.Duration
	seen   *replayMemory
}

// NewCallback checks cfg and returns its Callback. Errors are
// triage.EINVALID naming the field.
func NewCallback(cfg CallbackConfig) (*Callback, error) {
	c, err := NewCrypto(cfg.Token, cfg.EncodingAESKey, cfg.CorpID)
	if err != nil {
		return nil, err
	}
	cb := &Callback{crypto: c, now: cfg.Now, window: cfg.Window}
	if cb.now == nil {
		cb.now = time.Now
	}
	if cb.window <= 0 {
		cb.window = DefaultReplayWindow
	}
	remembered := cfg.MaxRemembered
	if remembered <= 0 {
		remembered = DefaultMaxRemembered
	}
	cb.seen = &replayMemory{max: remembered, at: map[string]time.Time{}}
	return cb, nil
}

// Crypto returns the primitives behind cb, for a passive reply.
func (cb *Callback) Crypto() *Crypto { return cb.crypto }

// signed is what a request carries in its query string.
type signed struct {
	signature, timestamp, nonce string
	at                          time.Time
}

func (cb *Callback) query(q url.Values) (signed, error) {
	s := signed{
		signature: strings.ToLower(q.Get("msg_signature")),
		timestamp: q.Get("timestamp"),
		nonce:     q.Get("nonce"),
	}
	for _, f := range []struct{ name, v string }{{"msg_signature", s.signature}, {"timestamp", s.timestamp}, {"nonce", s.nonce}} {
		if f.v == "" {
			return s, &triage.Error{Code: triage.EUNAUTHORIZED, Field: f.name, Message: f.name + " is required", Err: ErrBadSignature}
		}
	}
	ts, err := strconv.ParseInt(s.timestamp, 10, 64)
	if err != nil {
		return s, &triage.Error{Code: triage.EUNAUTHORIZED, Field: "timestamp", Message: "timestamp must be Unix seconds", Err: ErrBadSignature}
	}
	s.at = time.Unix(ts, 0)
	return s, nil
}

// fresh refuses a timestamp further than the window from now. It runs
// after the signature check, so the timestamp is the one 企业微信 signed.
func (cb *Callback) fresh(s signed) error {
	d := cb.now().Sub(s.at)
	if d > cb.window || d < -cb.window {
		return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "timestamp", Message: "timestamp is outside the accepted window", Err: ErrStale}
	}
	return nil
}

// VerifyURL answers 企业微信's URL verification: a GET with
// msg_signature, timestamp, nonce and echostr, whose answer is the
// decrypted echostr, written as is. A wrong signature, corp id, stale
// timestamp or replay is an error; nothing is echoed then.
func (cb *Callback) VerifyURL(q url.Values) (string, error) {
	s, err := cb.query(q)
	if err != nil {
		return "", err
	}
	// Base64 has no spaces: a space here is a "+" that a proxy or the
	// sender left unescaped and the query parser turned into a space.
	echo := strings.ReplaceAll(q.Get("echostr"), " ", "+")
	if echo == "" {
		return "", triage.Invalid("echostr", "echostr is required")
	}
	plain, err := cb.open(s, echo)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// Notification is a decrypted callback. For 微信客服 it only says that
// OpenKfID has something new: the messages themselves come from
// kf/sync_msg called with Token (valid ten minutes).
type Notification struct {
	// CorpID is ToUserName: the corp the notification is for.
	CorpID     string
	CreateTime time.Time
	MsgType    string
	// Event is EventKfMsgOrEvent for 微信客服; other apps of the corp
	// sharing the URL send other events, which the caller ignores.
	Event    string
	Token    string
	OpenKfID string
	// Raw is the decrypted XML, for events this type does not name.
	Raw []byte
}

// Open checks and decrypts a POSTed notification: query q and the XML
// body whose Encrypt element carries the payload. It refuses a wrong
// signature (EUNAUTHORIZED, ErrBadSignature), a stale timestamp
// (EUNAUTHORIZED, ErrStale), another corp's message (EFORBIDDEN,
// ErrWrongReceiver), a request already accepted (EUNAUTHORIZED, ErrReplay)
// and anything malformed (EINVALID, ErrMalformed). It never panics.
func (cb *Callback) Open(q url.Values, body []byte) (Notification, error) {
	s, err := cb.query(q)
	if err != nil {
		return Notification{}, err
	}
	if len(body) > MaxBodyLen {
		return Notification{}, &triage.Error{Code: triage.ETOOLARGE, Message: "notification body is too large", Err: ErrMalformed}
	}
	var envelope struct {
		ToUserName string `xml:"ToUserName"`
		AgentID    string `xml:"AgentID"`
		Encrypt    string `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(body, &envelope); err != nil || envelope.Encrypt == "" {
		return Notification{}, refuse(triage.EINVALID, ErrMalformed, "body must be XML with an Encrypt element")
	}
	plain, err := cb.open(s, strings.TrimSpace(envelope.Encrypt))
	if err != nil {
		return Notification{}, err
	}
	var inner struct {
		ToUserName string `xml:"ToUserName"`
		CreateTime int64  `xml:"CreateTime"`
		MsgType    string `xml:"MsgType"`
		Event      string `xml:"Event"`
		Token      string `xml:"Token"`
		OpenKfID   string `xml:"OpenKfId"`
	}
	if err := xml.Unmarshal(plain, &inner); err != nil {
		return Notification{}, refuse(triage.EINVALID, ErrMalformed, "decrypted notification is not XML")
	}
	return Notification{
		CorpID:     inner.ToUserName,
		CreateTime: time.Unix(inner.CreateTime, 0),
		MsgType:    inner.MsgType,
		Event:      inner.Event,
		Token:      inner.Token,
		OpenKfID:   inner.OpenKfID,
		Raw:        plain,
	}, nil
}

// open is the checks both requests share, in an order that gives a
// forger nothing: signature, freshness, decryption and receiver, and only
// then replay memory, so that only authentic requests are remembered.
func (cb *Callback) open(s signed, payload string) ([]byte, error) {
	if !cb.crypto.Verify(s.signature, s.timestamp, s.nonce, payload) {
		return nil, refuse(triage.EUNAUTHORIZED, ErrBadSignature, "msg_signature does not match")
	}
	if err := cb.fresh(s); err != nil {
		return nil, err
	}
	plain, err := cb.crypto.decrypt(payload)
	if err != nil {
		return nil, err
	}
	if !cb.seen.admit(s.signature, s.at.Add(cb.window), cb.now()) {
		return nil, refuse(triage.EUNAUTHORIZED, ErrReplay, "this request was already accepted")
	}
	return plain, nil
}

// Forget drops the memory of an accepted request whose handling failed
// before it was acknowledged, so that 企业微信's retry of it (the same
// signed request) is accepted rather than refused as a replay.
func (cb *Callback) Forget(q url.Values) {
	cb.seen.forget(strings.ToLower(q.Get("msg_signature")))
}

// replayMemory remembers accepted signatures until their request would be
// refused as stale anyway, in a min-heap by that time.
type replayMemory struct {
	mu  sync.Mutex
	max int
	at  map[string]time.Time
	q   expiryHeap
}

// admit records key until expires and reports whether it was new.
func (m *replayMemory) admit(key string, expires, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.q) > 0 && !m.q[0].expires.After(now) {
		e := heap.Pop(&m.q).(expiry)
		if m.at[e.key].Equal(e.expires) {
			delete(m.at, e.key)
		}
	}
	if _, ok := m.at[key]; ok {
		return false
	}
	for len(m.at) >= m.max && len(m.q) > 0 {
		e := heap.Pop(&m.q).(expiry)
		if m.at[e.key].Equal(e.expires) {
			delete(m.at, e.key)
		}
	}
	m.at[key] = expires
	heap.Push(&m.q, expiry{key: key, expires: expires})
	return true
}

// forget removes key; its heap entry goes when it expires (admit checks
// that an entry still matches before deleting).
func (m *replayMemory) forget(key string) {
	m.mu.Lock()
	delete(m.at, key)
	m.mu.Unlock()
}

type expiry struct {
	key     string
	expires time.Time
}

type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
