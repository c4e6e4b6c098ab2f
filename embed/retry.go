package embed

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/egress"
)

// retryTransport retries what an embeddings endpoint gets wrong
// transiently: 429, 5xx and timeouts, with exponential backoff and jitter,
// honouring Retry-After. go-openai has no retries of its own and turns a
// 429 into an error without the Retry-After value, so this has to sit
// under it, at the HTTP level.
type retryTransport struct {
	base          http.RoundTripper
	maxRetries    int
	perTry        time.Duration // timeout of one attempt, body included
	minBackoff    time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	sleep         func(context.Context, time.Duration) error
	now           func() time.Time
	jitter        func() float64 // in [0, 1)
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		try := req
		if attempt > 0 {
			if req.Body != nil && req.GetBody == nil {
				return nil, errors.New("embed: request body cannot be replayed for a retry")
			}
			try = req.Clone(req.Context())
			if req.GetBody != nil {
				b, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				try.Body = b
			}
		}
		ctx, cancel := req.Context(), context.CancelFunc(func() {})
		if t.perTry > 0 {
			ctx, cancel = context.WithTimeout(ctx, t.perTry)
			try = try.WithContext(ctx)
		}
		resp, err := t.base.RoundTrip(try)
		if req.Context().Err() != nil {
			// The caller gave up; their error, not a retry, is the answer.
			cancel()
			if resp != nil {
				resp.Body.Close()
			}
			return nil, req.Context().Err()
		}
		wait, retry := t.shouldRetry(resp, err, attempt)
		if !retry || attempt >= t.maxRetries {
			if resp != nil {
				resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			} else {
				cancel()
			}
			return resp, err
		}
		if resp != nil {
			// Drain a little so the connection can be reused.
			_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
			resp.Body.Close()
		}
		cancel()
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// shouldRetry decides whether an attempt is worth repeating and how long
// to wait first.
func (t *retryTransport) shouldRetry(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.backoff(attempt)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || isConnError(err) {
			return backoff, true
		}
		return 0, false
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && resp.StatusCode != http.StatusHTTPVersionNotSupported:
		if ra, ok := t.retryAfter(resp.Header.Get("Retry-After")); ok {
			return ra, true
		}
		return backoff, true
	}
	return 0, false
}

func isConnError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || strings.Contains(err.Error(), "connection reset")
}

// backoff is exponential with "equal jitter": half fixed, half random, so
// clients that failed together do not retry together.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := float64(t.minBackoff) * math.Pow(2, float64(attempt))
	d = min(d, float64(t.maxBackoff))
	return time.Duration(d/2 + t.jitter()*d/2)
}

// retryAfter parses Retry-After as seconds or an HTTP date, capped so that
// one server cannot park a request for an hour.
func (t *retryTransport) retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, false
		}
		d = time.Duration(min(s, 1e6) * float64(time.Second))
	} else if at, err := http.ParseTime(v); err == nil {
		d = max(at.Sub(t.now()), 0)
	} else {
		return 0, false
	}
	return min(d, t.maxRetryAfter), true
}

// cancelBody ends an attempt's timeout only when the caller has read the
// body: cancelling when RoundTrip returns would cut the body off.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// breaker fails fast after threshold consecutive failures, for cooldown;
// then it lets one request through (half-open) and closes on its success.
// While an endpoint is down this turns a stream of slow, retried failures
// into immediate errors that the caller can degrade on.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool // a half-open trial request is in flight
}

// allow reports whether a request may go out. A true answer must be
// followed by record.
func (b *breaker) allow() bool {
	if b.threshold <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// outcome is what one request tells the breaker about the endpoint.
type outcome int

const (
	healthy outcome = iota // it answered, even if with a client error
	outage                 // 429, 5xx, timeout, refused after retries
	unknown                // the caller gave up first
)

func (b *breaker) record(o outcome) {
	if b.threshold <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	switch o {
	case unknown:
		return
	case healthy:
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
	}
}

// retryIn is how long the breaker stays open from now: zero while it is
// closed or a half-open trial is out.
func (b *breaker) retryIn() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.openUntil.Sub(b.now()), 0)
}

// state names the breaker's state for errors and metrics.
func (b *breaker) state() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.threshold <= 0 || b.failures < b.threshold:
		return "closed"
	case b.now().Before(b.openUntil):
		return "open"
	}
	return "half-open"
}

// Resilience is how a client of a remote endpoint copes with its failures:
// a timeout per attempt, retries with backoff that honour Retry-After, and
// a circuit breaker. A zero field takes the client's default.
type Resilience struct {
	// Timeout bounds one HTTP attempt, reading the body included.
	Timeout time.Duration
	// MaxRetries is how often one request is retried after a 429, a 5xx
	// or a timeout; negative means none.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff;
	// MaxRetryAfter caps a server's Retry-After.
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
	// BreakerThreshold consecutive failed requests open the circuit for
	// BreakerCooldown (defaults 5 and 30 s); a negative threshold disables
	// the breaker.
	BreakerThreshold int
	BreakerCooldown  time.Duration

	// Transport is the HTTP transport under the retries; default
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Sleep and Now replace the clock, for tests; Jitter returns a number
	// in [0, 1) for the backoff.
	Sleep  func(ctx context.Context, d time.Duration) error
	Now    func() time.Time
	Jitter func() float64
}

// withDefaults fills r's zero fields from def, then from the defaults
// every client shares.
func (r Resilience) withDefaults(def Resilience) Resilience {
	or := func(v, d time.Duration) time.Duration {
		if v <= 0 {
			return d
		}
		return v
	}
	r.Timeout = or(r.Timeout, def.Timeout)
	if r.MaxRetries == 0 {
		r.MaxRetries = def.MaxRetries
	}
	r.MaxRetries = max(r.MaxRetries, 0)
	r.MinBackoff = or(r.MinBackoff, or(def.MinBackoff, 500*time.Millisecond))
	r.MaxBackoff = or(r.MaxBackoff, def.MaxBackoff)
	r.MaxRetryAfter = or(r.MaxRetryAfter, def.MaxRetryAfter)
	if r.BreakerThreshold == 0 {
		r.BreakerThreshold = 5
	}
	r.BreakerCooldown = or(r.BreakerCooldown, 30*time.Second)
	if r.Transport == nil {
		r.Transport = http.DefaultTransport
	}
	if r.Sleep == nil {
		r.Sleep = sleepCtx
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Jitter == nil {
		r.Jitter = rand.Float64
	}
	return r
}

// client returns an OpenAI-compatible client of baseURL (OpenAI's when
// empty) whose requests are masked by package egress and then go through
// r's retries, and r's breaker. It is the only place that builds one.
func (r Resilience) client(apiKey, baseURL, apiVersion string) (*openai.Client, *breaker, error) {
	oc := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		if !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
			return nil, nil, triage.Invalid("base_url", "base URL %q must start with http:// or https://", baseURL)
		}
		oc.BaseURL = strings.TrimRight(baseURL, "/")
	}
	oc.APIVersion = apiVersion
	// Every request passes the egress point, which masks its body before
	// the retries below it send it (and resend the same masked bytes).
	oc.HTTPClient = egress.Client(&retryTransport{
		base: r.Transport, maxRetries: r.MaxRetries, perTry: r.Timeout,
		minBackoff: r.MinBackoff, maxBackoff: r.MaxBackoff, maxRetryAfter: r.MaxRetryAfter,
		sleep: r.Sleep, now: r.Now, jitter: r.Jitter,
	})
	return openai.NewClientWithConfig(oc), &breaker{threshold: r.BreakerThreshold, cooldown: r.BreakerCooldown, now: r.Now}, nil
}
