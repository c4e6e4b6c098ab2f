// Package wechattest is a fake 企业微信 server for 微信客服, following the
// documented protocol so that the wechat package and the service's WeChat
// channel can be tested without Tencent's servers, which these machines
// cannot reach.
//
// It serves gettoken (tokens expire on a controllable Clock, and can be
// revoked early), kf/account/list, kf/sync_msg (opaque cursors, has_more
// paging, the callback's Token checked, three days of history),
// kf/send_msg (the 48-hour window, five replies, session states, msgid
// idempotency, and every message recorded per customer and account),
// kf/send_msg_on_event, kf/service_state/get and /trans, media/upload and
// media/get. It refuses what the docs say is refused, with the documented
// errcodes, and can be told to rate-limit or fail any API.
//
// A test makes a customer write with Text, Image, Write…: the fake queues
// the message and POSTs an encrypted, signed notification to the callback
// URL, as 企业微信 does; the code under test then pulls the message with
// kf/sync_msg.
//
// Where the docs do not say which errcode a refusal has, the fake picks
// one and the comment says "assumed"; those are the behaviours a real corp
// must confirm.
package wechattest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/triagehq/triage/wechat"
)

// Options configure a Server. Zero values get working defaults.
type Options struct {
	// CorpID, Secret, Token and EncodingAESKey are the corp's values;
	// generated when empty.
	CorpID, Secret, Token, EncodingAESKey string
	// CallbackURL receives notifications; settable later.
	CallbackURL string
	// Start is the Clock's first time; 2026-12-08 10:00 Beijing time when
	// zero.
	Start time.Time
	// TokenTTL is expires_in of gettoken; 7200 s when zero.
	TokenTTL time.Duration
	// PageSize caps a kf/sync_msg page below the requested limit, to test
	// paging; 1000 when zero.
	PageSize int
	// CallbackRetries is how many times a failed notification is repeated
	// (the same signed request); 3 when zero, as documented. Negative
	// means none.
	CallbackRetries int
	// HTTPClient sends notifications; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Server is the fake. Its exported methods are for tests; its HTTP
// handler is the API. Safe for concurrent use.
type Server struct {
	*httptest.Server
	Clock *Clock

	CorpID, Secret, Token, EncodingAESKey string

	crypto   *wechat.Crypto
	ttl      time.Duration
	pageSize int
	retries  int
	client   *http.Client

	mu          sync.Mutex
	callbackURL string
	tokens      map[string]*accessToken
	current     string
	accounts    []*account
	log         []*entry
	cursors     map[string]int
	msgTokens   map[string]time.Time
	sessions    map[sessionKey]*session
	sent        []Sent
	sentIDs     map[string]bool // open_kfid + "/" + msgid
	media       map[string]*mediaItem
	codes       map[string]*eventCode
	limits      map[string]*limiter
	failures    map[string][]failure
	emptyPages  int
	calls       map[string]int
	pending     map[string]bool // open_kfid with events not yet notified
	notified    []Delivery
	welcomeConf bool
	nicknames   map[string]string // external_userid → nickname
}

// New starts a fake server; Close it when done.
func New(opts Options) *Server {
	s := &Server{
		CorpID: opts.CorpID, Secret: opts.Secret, Token: opts.Token, EncodingAESKey: opts.EncodingAESKey,
		ttl: opts.TokenTTL, pageSize: opts.PageSize, retries: opts.CallbackRetries, client: opts.HTTPClient,
		callbackURL: opts.CallbackURL,
		tokens:      map[string]*accessToken{}, cursors: map[string]int{}, msgTokens: map[string]time.Time{},
		sessions: map[sessionKey]*session{}, sentIDs: map[string]bool{}, media: map[string]*mediaItem{},
		codes: map[string]*eventCode{}, limits: map[string]*limiter{}, failures: map[string][]failure{},
		calls: map[string]int{}, pending: map[string]bool{}, nicknames: map[string]string{},
	}
	if s.CorpID == "" {
		s.CorpID = "ww" + randomHex(8)
	}
	if s.Secret == "" {
		s.Secret = randomHex(21)
	}
	if s.Token == "" {
		s.Token = randomAlnum(32)
	}
	if s.EncodingAESKey == "" {
		s.EncodingAESKey = randomAlnum(43)
	}
	c, err := wechat.NewCrypto(s.Token, s.EncodingAESKey, s.CorpID)
	if err != nil {
		panic(fmt.Sprintf("wechattest: %v", err)) // a test's own bad option
	}
	s.crypto = c
	if s.ttl <= 0 {
		s.ttl = 7200 * time.Second
	}
	if s.pageSize <= 0 || s.pageSize > wechat.MaxSyncLimit {
		s.pageSize = wechat.MaxSyncLimit
	}
	switch {
	case s.retries == 0:
		s.retries = 3
	case s.retries < 0:
		s.retries = 0
	}
	if s.client == nil {
		s.client = http.DefaultClient
	}
	start := opts.Start
	if start.IsZero() {
		start = time.Date(2026, 12, 8, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	}
	s.Clock = NewClock(start)

	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", s.gettoken)
	for api, h := range map[string]func(http.ResponseWriter, *http.Request, []byte){
		"kf/account/list":        s.accountList,
		"kf/sync_msg":            s.syncMsg,
		"kf/send_msg":            s.sendMsg,
		"kf/send_msg_on_event":   s.sendMsgOnEvent,
		"kf/service_state/get":   s.serviceStateGet,
		"kf/service_state/trans": s.serviceStateTrans,
		"kf/customer/batchget":   s.customerBatchget,
	} {
		mux.HandleFunc("/cgi-bin/"+api, s.authed(api, http.MethodPost, true, h))
	}
	mux.HandleFunc("/cgi-bin/media/upload", s.authed("media/upload", http.MethodPost, false, s.mediaUpload))
	mux.HandleFunc("/cgi-bin/media/get", s.authed("media/get", http.MethodGet, false, s.mediaGet))
	s.Server = httptest.NewServer(mux)
	return s
}

// Clock is a settable clock shared by the fake and the code under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// SetCallbackURL sets where notifications go.
func (s *Server) SetCallbackURL(u string) {
	s.mu.Lock()
	s.callbackURL = u
	s.mu.Unlock()
}

// Config is a wechat.Config for a client of this server, on its clock.
func (s *Server) Config() wechat.Config {
	return wechat.Config{CorpID: s.CorpID, Secret: s.Secret, BaseURL: s.URL, HTTPClient: s.Client(), Now: s.Clock.Now}
}

// CallbackConfig is a wechat.CallbackConfig for this server's callbacks,
// on its clock.
func (s *Server) CallbackConfig() wechat.CallbackConfig {
	return wechat.CallbackConfig{Token: s.Token, EncodingAESKey: s.EncodingAESKey, CorpID: s.CorpID, Now: s.Clock.Now}
}

// Calls returns how many requests reached api (e.g. "gettoken",
// "kf/send_msg"), refused ones included.
func (s *Server) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

// RevokeToken invalidates the current access_token before its expiry, as
// 企业微信 may "出于运营需要": calls with it get 40014, and the next
// gettoken issues a new one.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[s.current]; t != nil {
		t.revoked = true
	}
	s.current = ""
}

// SetRateLimit makes api answer 45009 (接口调用超过限制) after n calls in
// a window of per on the Clock. api "kf/sync_msg#notoken" limits only the
// kf/sync_msg calls without the callback's Token, which the doc says are
// strictly limited. n <= 0 removes the limit.
func (s *Server) SetRateLimit(api string, n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.limits, api)
		return
	}
	s.limits[api] = &limiter{n: n, per: per}
}

// FailNext makes the next n calls of api (after their token is checked)
// answer errcode, e.g. -1 (系统繁忙) or 45033; with status != 0 they answer
// that HTTP status instead.
func (s *Server) FailNext(api string, n, errcode, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[api] = append(s.failures[api], failure{code: errcode, status: status})
	}
}

// EmptyPageNext makes the next n kf/sync_msg calls answer an empty list
// with has_more 1, which the doc warns can happen: a reader must follow
// has_more, not the list.
func (s *Server) EmptyPageNext(n int) {
	s.mu.Lock()
	s.emptyPages += n
	s.mu.Unlock()
}

type accessToken struct {
	expires time.Time
	revoked bool
}

type limiter struct {
	n     int
	per   time.Duration
	start time.Time
	count int
}

func (l *limiter) allow(now time.Time) bool {
	if now.Sub(l.start) >= l.per {
		l.start, l.count = now, 0
	}
	l.count++
	return l.count <= l.n
}

type failure struct{ code, status int }

// gettoken: GET ?corpid=&corpsecret= → access_token, expires_in. Within
// its validity the same token is returned, as the doc says.
func (s *Server) gettoken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["gettoken"]++
	if f, ok := s.nextFailure("gettoken"); ok {
		s.fail(w, f)
		return
	}
	if l := s.limits["gettoken"]; l != nil && !l.allow(s.Clock.Now()) {
		writeErr(w, wechat.CodeRateLimited, "api freq out of limit")
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("corpid") != s.CorpID:
		writeErr(w, wechat.CodeInvalidCorpID, "invalid corpid")
		return
	case q.Get("corpsecret") != s.Secret:
		writeErr(w, wechat.CodeInvalidSecret, "invalid credential")
		return
	}
	now := s.Clock.Now()
	t := s.tokens[s.current]
	// Within its validity the same token is returned ("有效期内重复获取返
	// 回相同结果"), with the rest of its life; in its last second a new one.
	if t == nil || t.revoked || t.expires.Sub(now) < time.Second {
		s.current = randomAlnum(64)
		t = &accessToken{expires: now.Add(s.ttl)}
		s.tokens[s.current] = t
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": s.current, "expires_in": int(t.expires.Sub(now) / time.Second)})
}

// authed wraps an API: method, access_token (41001 missing, 40014
// unknown or revoked, 42001 expired), injected failures, rate limits and,
// for JSON APIs, a body without \uXXXX escapes (40033). The handler runs
// with s.mu held.
func (s *Server) authed(api, method string, jsonBody bool, h func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			b, err := readAll(r, 32<<20)
			if err != nil {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			body = b
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls[api]++
		if r.Method != method {
			// assumed: the docs do not say what a wrong method gets.
			writeErr(w, wechat.CodeInvalidParameter, "invalid request method")
			return
		}
		token := r.URL.Query().Get("access_token")
		t := s.tokens[token]
		switch {
		case token == "":
			writeErr(w, wechat.CodeMissingToken, "access_token missing")
			return
		case t == nil || t.revoked:
			writeErr(w, wechat.CodeInvalidToken, "invalid access_token")
			return
		case !s.Clock.Now().Before(t.expires):
			writeErr(w, wechat.CodeTokenExpired, "access_token expired")
			return
		}
		if f, ok := s.nextFailure(api); ok {
			s.fail(w, f)
			return
		}
		if l := s.limits[api]; l != nil && !l.allow(s.Clock.Now()) {
			writeErr(w, wechat.CodeRateLimited, "api freq out of limit")
			return
		}
		if jsonBody {
			if hasUnicodeEscape(body) {
				writeErr(w, wechat.CodeEscapedChars, "invalid request character, \\uxxxx is not allowed")
				return
			}
			if !json.Valid(body) {
				// assumed: the doc says errmsg carries this warning.
				writeErr(w, wechat.CodeInvalidParameter, "Warning: wrong json format.")
				return
			}
		}
		h(w, r, body)
	}
}

func (s *Server) nextFailure(api string) (failure, bool) {
	q := s.failures[api]
	if len(q) == 0 {
		return failure{}, false
	}
	s.failures[api] = q[1:]
	return q[0], true
}

func (s *Server) fail(w http.ResponseWriter, f failure) {
	if f.status != 0 {
		http.Error(w, http.StatusText(f.status), f.status)
		return
	}
	writeErr(w, f.code, "injected failure")
}

// hasUnicodeEscape reports whether a JSON text has a \uXXXX escape in a
// string, reading escapes properly so that an escaped backslash before a
// "u" is not one.
func hasUnicodeEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			if b[i+1] == 'u' {
				return true
			}
			i++
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	b, _ := json.Marshal(v)
	w.Write(b)
}

// writeErr answers an errcode the way 企业微信 does: HTTP 200, errcode and
// an errmsg with a hint and a link to the query tool.
func writeErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{
		"errcode": code,
		"errmsg":  fmt.Sprintf("%s, hint: [%s], more info at https://open.work.weixin.qq.com/devtool/query?e=%d", msg, randomHex(8), code),
	})
}

func readAll(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("body larger than %d bytes", limit)
	}
	return b, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomAlnum(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// ctxOr returns ctx, or a background context when nil, for test helpers.
func ctxOr(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
