package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// fakeClock replaces time in the retry and breaker code: Sleep records the
// wait and moves the clock instead of blocking, so a 7-second Retry-After
// is tested in microseconds.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

type embReq struct {
	Input      []string `json:"input"`
	Model      string   `json:"model"`
	Dimensions int      `json:"dimensions"`
}

// fakeAPI speaks the OpenAI embeddings API. Each text's vector is
// [len(text), 1, 0, …] so tests can tell which vector belongs to which
// text. fail, when set, answers a request instead (by its number, from 1).
type fakeAPI struct {
	t        *testing.T
	dim      int
	requests atomic.Int32
	mu       sync.Mutex
	got      []embReq
	fail     func(n int, w http.ResponseWriter, r *http.Request) bool
	reorder  bool
	dup      bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1))
	if !strings.HasSuffix(r.URL.Path, "/embeddings") || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer sk-test" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"bad key","type":"invalid_request_error"}}`)
		return
	}
	if f.fail != nil && f.fail(n, w, r) {
		return
	}
	var req embReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("decode: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, req)
	f.mu.Unlock()
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	var data []item
	for i, s := range req.Input {
		v := make([]float32, f.dim)
		v[0], v[1] = float32(len([]rune(s))), 1
		data = append(data, item{"embedding", v, i})
	}
	if f.reorder {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	if f.dup && len(data) > 1 {
		data[1].Index = data[0].Index
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

func newTestEmbedder(t *testing.T, api *fakeAPI, clock *fakeClock, mod func(*OpenAIConfig)) *OpenAI {
	t.Helper()
	api.t = t
	mux := http.NewServeMux()
	mux.Handle("/compat/v1/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := OpenAIConfig{
		BaseURL: srv.URL + "/compat/v1", APIKey: "sk-test", Model: "text-embedding-3-small", Dimensions: api.dim,
		BatchSize: 2, Resilience: Resilience{Sleep: clock.Sleep, Now: clock.Now, Jitter: func() float64 { return 0.5 }},
	}
	if mod != nil {
		mod(&cfg)
	}
	e, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if !triage.IsCode(err, code) {
		t.Fatalf("error %v has code %q, want %q", err, triage.ErrorCode(err), code)
	}
}

func TestOpenAIBatchingAndOrder(t *testing.T) {
	for _, reorder := range []bool{false, true} {
		t.Run(fmt.Sprintf("reorder=%v", reorder), func(t *testing.T) {
			api := &fakeAPI{dim: 4, reorder: reorder}
			e := newTestEmbedder(t, api, newFakeClock(), nil)
			texts := []string{"a", "bb", "", "ccc", "dddd", "eeeee"}
			vecs, err := e.Embed(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if got := api.requests.Load(); got != 3 {
				t.Errorf("%d requests for 5 non-empty texts in batches of 2, want 3", got)
			}
			for _, r := range api.got {
				if r.Model != "text-embedding-3-small" || r.Dimensions != 4 || len(r.Input) > 2 {
					t.Errorf("request %+v", r)
				}
			}
			for i, v := range vecs {
				if len(v) != 4 {
					t.Fatalf("vector %d has %d dims", i, len(v))
				}
				if texts[i] == "" {
					if v[0] != 0 || v[1] != 0 {
						t.Errorf("empty text got %v, want zero vector", v)
					}
					continue
				}
				n := float64(len(texts[i]))
				want := n / math.Sqrt(n*n+1) // [len, 1] normalised
				if math.Abs(float64(v[0])-want) > 1e-6 {
					t.Errorf("vector %d = %v, want first component %.4f (order by index)", i, v, want)
				}
			}
		})
	}
}

// TestOpenAIDimensionsOmitted: servers that reject the dimensions field
// (older models, many local servers) must not get it when only Dim is set.
func TestOpenAIDimensionsOmitted(t *testing.T) {
	api := &fakeAPI{dim: 4}
	e := newTestEmbedder(t, api, newFakeClock(), func(c *OpenAIConfig) { c.Dimensions, c.Dim = 0, 4 })
	if _, err := e.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if len(api.got) != 1 || api.got[0].Dimensions != 0 {
		t.Errorf("requests %+v, want one without dimensions", api.got)
	}
}

func TestOpenAIRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		value func(now time.Time) string
		want  time.Duration
	}{
		{"seconds", func(time.Time) string { return "7" }, 7 * time.Second},
		{"http date", func(now time.Time) string { return now.Add(12 * time.Second).Format(http.TimeFormat) }, 12 * time.Second},
		{"capped", func(time.Time) string { return "3600" }, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			api := &fakeAPI{dim: 4, fail: func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				w.Header().Set("Retry-After", tt.value(clock.Now()))
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit"}}`)
				return true
			}}
			e := newTestEmbedder(t, api, clock, nil)
			if _, err := e.Embed(context.Background(), []string{"x"}); err != nil {
				t.Fatal(err)
			}
			sleeps := clock.Sleeps()
			if len(sleeps) != 1 || sleeps[0] < tt.want {
				t.Errorf("waited %v, want one wait of at least %v", sleeps, tt.want)
			}
			if api.requests.Load() != 2 {
				t.Errorf("%d requests, want 2", api.requests.Load())
			}
		})
	}
}

func TestOpenAIServerErrorsThenSuccess(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{dim: 4, fail: func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n > 2 {
			return false
		}
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"boom","type":"server_error"}}`)
		return true
	}}
	e := newTestEmbedder(t, api, clock, nil)
	if _, err := e.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
	sleeps := clock.Sleeps()
	// Equal jitter at 0.5: 0.75 × 500 ms, then 0.75 × 1 s.
	want := []time.Duration{375 * time.Millisecond, 750 * time.Millisecond}
	if fmt.Sprint(sleeps) != fmt.Sprint(want) {
		t.Errorf("backoff %v, want %v", sleeps, want)
	}
}

func TestOpenAIBreaker(t *testing.T) {
	clock := newFakeClock()
	var down atomic.Bool
	down.Store(true)
	api := &fakeAPI{dim: 4, fail: func(n int, w http.ResponseWriter, r *http.Request) bool {
		if !down.Load() {
			return false
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}}
	e := newTestEmbedder(t, api, clock, func(c *OpenAIConfig) {
		c.MaxRetries = 1
		c.BreakerThreshold = 2
		c.BreakerCooldown = time.Minute
	})
	ctx := context.Background()
	for i := range 2 {
		_, err := e.Embed(ctx, []string{"x"})
		wantCode(t, err, triage.EUNAVAILABLE)
		if got := api.requests.Load(); got != int32(2*(i+1)) {
			t.Fatalf("after failure %d: %d requests, want %d (one retry each)", i+1, got, 2*(i+1))
		}
	}
	if s := e.breaker.state(); s != "open" {
		t.Fatalf("breaker %s after 2 failures, want open", s)
	}
	_, err := e.Embed(ctx, []string{"x"})
	wantCode(t, err, triage.EUNAVAILABLE)
	if got := api.requests.Load(); got != 4 {
		t.Fatalf("open breaker let a request through (%d requests)", got)
	}
	// The open breaker says so as a reason of its own, with the time
	// left before it tries again, for search to report as it is.
	var te *triage.Error
	if !errors.As(err, &te) || te.Reason == nil || te.Reason.Code != triage.ReasonSearchVectorBreakerOpen || te.Reason.Args["seconds"] != float64(60) {
		t.Fatalf("open breaker's error carries reason %+v, want %s with 60 seconds", te, triage.ReasonSearchVectorBreakerOpen)
	}
	clock.Advance(time.Minute)
	if s := e.breaker.state(); s != "half-open" {
		t.Fatalf("breaker %s after the cool-down, want half-open", s)
	}
	// A failed trial opens it again.
	_, err = e.Embed(ctx, []string{"x"})
	wantCode(t, err, triage.EUNAVAILABLE)
	if s := e.breaker.state(); s != "open" {
		t.Fatalf("breaker %s after a failed trial, want open", s)
	}
	clock.Advance(time.Minute)
	down.Store(false)
	if _, err := e.Embed(ctx, []string{"x"}); err != nil {
		t.Fatalf("trial after recovery: %v", err)
	}
	if s := e.breaker.state(); s != "closed" {
		t.Fatalf("breaker %s after a good trial, want closed", s)
	}
}

// countingTransport counts attempts on the client side: under load a
// timed-out attempt may never reach the server.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestOpenAITimeout(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{dim: 4, fail: func(n int, w http.ResponseWriter, r *http.Request) bool {
		// With the body read, the server notices the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
		return true
	}}
	attempts := &countingTransport{}
	e := newTestEmbedder(t, api, clock, func(c *OpenAIConfig) {
		c.Timeout = 50 * time.Millisecond
		c.MaxRetries = 1
		c.Transport = attempts
	})
	start := time.Now()
	_, err := e.Embed(context.Background(), []string{"x"})
	wantCode(t, err, triage.EUNAVAILABLE)
	if el := time.Since(start); el > 900*time.Millisecond {
		t.Errorf("timed out after %v, want about 2 × 50 ms", el)
	}
	if got := attempts.n.Load(); got != 2 {
		t.Errorf("%d attempts, want 2 (one retry after a timeout)", got)
	}
}

func TestOpenAIBadAnswers(t *testing.T) {
	tests := []struct {
		name    string
		api     *fakeAPI
		dim     int
		code    string
		message []string
	}{
		{"wrong dimension", &fakeAPI{dim: 3}, 4, triage.EINVALID, []string{"returned 3 dimensions", "expected 4"}},
		{"duplicate index", &fakeAPI{dim: 4, dup: true}, 4, triage.EUNAVAILABLE, []string{"two vectors for index 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEmbedder(t, tt.api, newFakeClock(), func(c *OpenAIConfig) { c.Dimensions = tt.dim })
			_, err := e.Embed(context.Background(), []string{"x", "yy"})
			wantCode(t, err, tt.code)
			for _, m := range tt.message {
				if !strings.Contains(triage.ErrorMessage(err), m) {
					t.Errorf("message %q lacks %q", triage.ErrorMessage(err), m)
				}
			}
		})
	}
}

func TestOpenAIBadKeyIsConfigError(t *testing.T) {
	api := &fakeAPI{dim: 4}
	e := newTestEmbedder(t, api, newFakeClock(), func(c *OpenAIConfig) { c.APIKey = "wrong"; c.BreakerThreshold = 1 })
	for range 2 {
		_, err := e.Embed(context.Background(), []string{"x"})
		wantCode(t, err, triage.EINVALID)
	}
	if api.requests.Load() != 2 {
		t.Errorf("%d requests: a refused key must neither be retried nor open the breaker", api.requests.Load())
	}
}

func TestNewOpenAIConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   OpenAIConfig
		field string
		model string
	}{
		{"no model", OpenAIConfig{Dimensions: 8}, "model", ""},
		{"no dimensions", OpenAIConfig{Model: "m"}, "dimensions", ""},
		{"dim mismatch", OpenAIConfig{Model: "m", Dimensions: 8, Dim: 9}, "dim", ""},
		{"bad url", OpenAIConfig{Model: "m", Dim: 8, BaseURL: "localhost:11434"}, "base_url", ""},
		{"ok with dim only", OpenAIConfig{Model: "bge-m3", Dim: 1024, BaseURL: "http://127.0.0.1:11434/v1"}, "", "openai:bge-m3@1024"},
		{"ok", OpenAIConfig{Model: "text-embedding-3-small", Dimensions: 512}, "", "openai:text-embedding-3-small@512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewOpenAI(tt.cfg)
			if tt.field != "" {
				wantCode(t, err, triage.EINVALID)
				var te *triage.Error
				if errorsAs(err, &te); te.Field != tt.field {
					t.Errorf("field %q, want %q", te.Field, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Model() != tt.model {
				t.Errorf("Model() = %q, want %q", e.Model(), tt.model)
			}
		})
	}
}

func errorsAs(err error, te **triage.Error) bool {
	e, ok := err.(*triage.Error)
	*te = e
	return ok
}

// TestOpenAIMasks sends personal data on purpose: every text reaches the
// endpoint masked, one text's placeholders numbered on their own, and a
// retried request resends the masked text.
func TestOpenAIMasks(t *testing.T) {
	api := &fakeAPI{dim: 4, fail: func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	}}
	e := newTestEmbedder(t, api, newFakeClock(), func(c *OpenAIConfig) { c.BatchSize = 8 })
	texts := []string{
		"手机13800138000，又写成138 0013 8000，新号+86-139-0013-9000",
		"身份证11010519491231002x 卡号6222021234567890128 邮箱zhangsan＠example.com 座机010-12345678",
		"13900139000",
	}
	if _, err := e.Embed(context.Background(), texts); err != nil {
		t.Fatal(err)
	}
	if len(api.got) != 1 {
		t.Fatalf("%d requests decoded, want 1 after the retry", len(api.got))
	}
	want := []string{
		"手机【手机号1】，又写成【手机号1】，新号【手机号2】",
		"身份证【身份证号1】 卡号【银行卡号1】 邮箱【邮箱1】 座机【电话1】",
		"【手机号1】",
	}
	for i, w := range want {
		if got := api.got[0].Input[i]; got != w {
			t.Errorf("text %d sent as %q, want %q", i, got, w)
		}
	}
}
