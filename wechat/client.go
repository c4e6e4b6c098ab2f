package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// DefaultBaseURL is 企业微信's API host.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// Defaults of Config.
const (
	// DefaultRefreshBefore is how long before its expiry a cached
	// access_token is replaced. expires_in is normally 7200 seconds.
	DefaultRefreshBefore = 5 * time.Minute
	// DefaultTimeout bounds one HTTP exchange, a 20 MB media download
	// included; callers bound whole operations with their context.
	DefaultTimeout = 60 * time.Second
	// maxJSONAnswer bounds a JSON answer: a full kf/sync_msg page (1000
	// messages) is a few hundred kilobytes.
	maxJSONAnswer = 16 << 20
)

// Config configures a Client: the corp id ("我的企业" → 企业ID) and the
// secret of the app the corp authorised for 微信客服 ("微信客服" → "API" →
// 可调用接口的应用 → that app's Secret).
type Config struct {
	CorpID string
	Secret string

	// BaseURL replaces DefaultBaseURL, e.g. with a wechattest server.
	BaseURL string
	// HTTPClient is used for every call; one with DefaultTimeout when nil.
	HTTPClient *http.Client
	// Now is the clock that ages the cached token; time.Now when nil.
	Now func() time.Time
	// RefreshBefore is how long before expiry the token is renewed;
	// DefaultRefreshBefore when zero, and at most a quarter of its life.
	RefreshBefore time.Duration
}

// Client calls the 企业微信 API for one corp and secret. It caches the
// access_token until shortly before it expires, shares it between
// goroutines (one gettoken at a time) and, when a call is answered with an
// errcode meaning the token expired or is invalid, fetches a new one and
// repeats the call once. Safe for concurrent use.
type Client struct {
	corpID, secret string
	base           *url.URL
	http           *http.Client
	now            func() time.Time
	refreshBefore  time.Duration

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	fetching  chan struct{} // closed when the gettoken in flight ends
}

// NewClient checks cfg and returns its Client. Errors are triage.EINVALID
// naming the field.
func NewClient(cfg Config) (*Client, error) {
	if cfg.CorpID == "" {
		return nil, triage.Invalid("corp_id", "corp_id is required")
	}
	if cfg.Secret == "" {
		return nil, triage.Invalid("secret", "secret is required")
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, triage.Invalid("base_url", "base_url must be an http(s) URL")
	}
	c := &Client{corpID: cfg.CorpID, secret: cfg.Secret, base: base, http: cfg.HTTPClient, now: cfg.Now, refreshBefore: cfg.RefreshBefore}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.refreshBefore <= 0 {
		c.refreshBefore = DefaultRefreshBefore
	}
	return c, nil
}

// CorpID is the corp the client calls for.
func (c *Client) CorpID() string { return c.corpID }

// AccessToken returns a valid access_token, from the cache when it has
// one not about to expire, else from gettoken. Only one gettoken runs at a
// time: 企业微信 rate-limits it and bans an IP that repeats a wrong secret.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	for {
		c.mu.Lock()
		if c.token != "" && c.now().Before(c.refreshAt) {
			t := c.token
			c.mu.Unlock()
			return t, nil
		}
		if wait := c.fetching; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", &APIError{Op: "gettoken", Msg: "waiting for the token", Err: ctx.Err()}
			}
		}
		done := make(chan struct{})
		c.fetching = done
		c.mu.Unlock()

		token, life, err := c.fetchToken(ctx)

		c.mu.Lock()
		c.fetching = nil
		if err == nil {
			c.token = token
			c.refreshAt = c.now().Add(life - min(c.refreshBefore, life/4))
		}
		c.mu.Unlock()
		close(done)
		if err != nil {
			return "", err
		}
		return token, nil
	}
}

// invalidate drops token from the cache unless another goroutine already
// replaced it.
func (c *Client) invalidate(token string) {
	c.mu.Lock()
	if c.token == token {
		c.token = ""
	}
	c.mu.Unlock()
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	const op = "gettoken"
	u := c.endpoint("gettoken", url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, &APIError{Op: op, Msg: "building the request", Err: redact(err)}
	}
	body, _, err := c.exchange(op, req, maxJSONAnswer)
	if err != nil {
		return "", 0, err
	}
	var ans struct {
		envelope
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return "", 0, &APIError{Op: op, Msg: "unreadable answer", Err: err}
	}
	if ans.ErrCode != 0 {
		return "", 0, &APIError{Op: op, Code: ans.ErrCode, Msg: ans.ErrMsg}
	}
	if ans.AccessToken == "" || ans.ExpiresIn <= 0 {
		return "", 0, &APIError{Op: op, Msg: "answer without access_token or expires_in"}
	}
	return ans.AccessToken, time.Duration(ans.ExpiresIn) * time.Second, nil
}

// envelope is what every JSON answer carries.
type envelope struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// tokenRefused lists the errcodes after which a new token is fetched and
// the call repeated: 40014 不合法的access_token and 42001 access_token已过期
// (企业微信 may invalidate a token before expires_in, says the gettoken
// doc), and 40001, which the 公众平台 family returns for an invalid token
// too; if the secret is what is wrong, the new gettoken says so.
func tokenRefused(code int) bool {
	return code == CodeInvalidToken || code == CodeTokenExpired || code == CodeInvalidSecret
}

// answer is what call returns: the body and header of a 200 whose errcode
// was 0, or of a media download.
type answer struct {
	body   []byte
	header http.Header
}

// call sends the request that build makes with a current token. When the
// answer is an errcode that means the token was refused, it fetches a new
// token and calls once more. media says a 200 that is not JSON (a file)
// is an answer too.
func (c *Client) call(ctx context.Context, op string, build func(token string) (*http.Request, error), limit int64, media bool) (answer, error) {
	for attempt := 0; ; attempt++ {
		token, err := c.AccessToken(ctx)
		if err != nil {
			return answer{}, err
		}
		req, err := build(token)
		if err != nil {
			return answer{}, &APIError{Op: op, Msg: "building the request", Err: redact(err)}
		}
		body, header, err := c.exchange(op, req, limit)
		if err != nil {
			return answer{}, err
		}
		if media && isFile(header) {
			return answer{body, header}, nil
		}
		var env envelope
		if err := json.Unmarshal(body, &env); err != nil {
			return answer{}, &APIError{Op: op, Msg: "unreadable answer", Err: err}
		}
		if env.ErrCode == 0 {
			return answer{body, header}, nil
		}
		if attempt == 0 && tokenRefused(env.ErrCode) {
			c.invalidate(token)
			continue
		}
		return answer{}, &APIError{Op: op, Code: env.ErrCode, Msg: env.ErrMsg}
	}
}

// exchange does one HTTP round trip and reads at most limit bytes.
func (c *Client) exchange(op string, req *http.Request, limit int64) ([]byte, http.Header, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, &APIError{Op: op, Msg: "request failed", Err: redact(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, &APIError{Op: op, Msg: "reading the answer", Err: redact(err)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, &APIError{Op: op, Status: resp.StatusCode, Msg: http.StatusText(resp.StatusCode)}
	}
	if int64(len(body)) > limit {
		return nil, nil, &APIError{Op: op, Msg: fmt.Sprintf("answer larger than %d bytes", limit)}
	}
	return body, resp.Header, nil
}

// postJSON calls a POST API with a JSON body and decodes the answer into
// out.
func (c *Client) postJSON(ctx context.Context, api string, in, out any) error {
	payload, err := encodeJSON(in)
	if err != nil {
		return &APIError{Op: api, Msg: "encoding the request", Err: err}
	}
	ans, err := c.call(ctx, api, func(token string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(api, url.Values{"access_token": {token}}), bytes.NewReader(payload))
		if err == nil {
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		return req, err
	}, maxJSONAnswer, false)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(ans.body, out); err != nil {
			return &APIError{Op: api, Msg: "unreadable answer", Err: err}
		}
	}
	return nil
}

// encodeJSON encodes without HTML escapes: 企业微信 refuses a body with
// \uXXXX escapes (40033 不合法的请求字符), and clean has removed the
// characters Go would still escape.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func (c *Client) endpoint(api string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/cgi-bin/" + api
	u.RawQuery = q.Encode()
	return u.String()
}

// redact removes the access_token and corpsecret that *url.Error puts in
// its message with the URL.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(unparsable URL)", Err: ue.Err}
	}
	q := u.Query()
	for _, k := range []string{"access_token", "corpsecret"} {
		if q.Has(k) {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}
