package limit

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/triagehq/triage"
	"golang.org/x/time/rate"
)

// Rate is a quota: Limit requests per Period, in a bucket that holds Limit
// tokens, so a client may use the whole quota at once and then gets one
// request back every Period/Limit.
type Rate struct {
	Limit  int
	Period time.Duration
}

// PerMinute is a quota of n requests a minute.
func PerMinute(n int) Rate { return Rate{Limit: n, Period: time.Minute} }

func (r Rate) validate(field string) error {
	if r.Limit < 1 || r.Period <= 0 {
		return triage.Invalid(field, "%s must allow at least one request in a positive period", field)
	}
	return nil
}

// Decision is the answer to one request.
type Decision struct {
	Allowed bool
	// Limit is the quota, Remaining what is left of it after this request.
	Limit, Remaining int
	// Reset is how long until the quota is whole again.
	Reset time.Duration
	// RetryAfter is how long until one request is allowed again; 0 when
	// Allowed.
	RetryAfter time.Duration
	// Period is the quota's period, for RateLimit-Policy.
	Period time.Duration
}

// seconds rounds d up to whole seconds, as headers carry them.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d.Seconds()))
}

// RetryAfterSeconds is the Retry-After value: at least 1 when refused.
func (d Decision) RetryAfterSeconds() int {
	if d.Allowed {
		return 0
	}
	return max(1, seconds(d.RetryAfter))
}

// SetHeaders writes RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
// (delta seconds), RateLimit-Policy and, when refused, Retry-After.
func (d Decision) SetHeaders(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(seconds(d.Reset)))
	if d.Period > 0 {
		h.Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", d.Limit, seconds(d.Period)))
	}
	if !d.Allowed {
		h.Set("Retry-After", strconv.Itoa(d.RetryAfterSeconds()))
	}
}

// Err is nil when the request is allowed, and otherwise the ERATELIMIT
// *triage.Error to answer with.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return triage.Errorf(triage.ERATELIMIT, "too many requests; retry in %d seconds", d.RetryAfterSeconds())
}

// Limiter is a token bucket per key, for at most MaxKeys keys at once.
// A key that is evicted (the least recently seen, when MaxKeys is
// reached) starts again with a full bucket; MaxKeys should be larger than
// the number of keys active within one Period.
type Limiter struct {
	rate   Rate
	now    func() time.Time
	mu     sync.Mutex
	bucket *lru[*rate.Limiter]
}

// DefaultMaxKeys bounds the memory of a Limiter, a Lockout or a PoW's
// replay set: 100,000 keys of a Limiter or a Lockout took about 20 MB of
// heap when measured (Go 1.26, amd64).
const DefaultMaxKeys = 100_000

// NewLimiter returns a Limiter for r. maxKeys 0 means DefaultMaxKeys; now
// nil means time.Now.
func NewLimiter(r Rate, maxKeys int, now func() time.Time) (*Limiter, error) {
	if err := r.validate("rate"); err != nil {
		return nil, err
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: r, now: now, bucket: newLRU[*rate.Limiter](maxKeys)}, nil
}

func (l *Limiter) every() rate.Limit {
	return rate.Every(l.rate.Period / time.Duration(l.rate.Limit))
}

// Allow takes one request from key's bucket.
func (l *Limiter) Allow(key string) Decision { return l.AllowN(key, 1) }

// AllowN takes n requests from key's bucket (a failed sign-in may cost
// more than a page view).
func (l *Limiter) AllowN(key string, n int) Decision {
	n = min(max(n, 1), l.rate.Limit) // more than the bucket holds would never pass
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.bucket.get(key)
	if !ok {
		b = rate.NewLimiter(l.every(), l.rate.Limit)
		l.bucket.put(key, b, nil)
	}
	allowed := b.AllowN(now, n)
	return l.decide(b, now, allowed, n)
}

// Peek reports the state of key's bucket without taking from it.
func (l *Limiter) Peek(key string) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.bucket.get(key)
	if !ok {
		return Decision{Allowed: true, Limit: l.rate.Limit, Remaining: l.rate.Limit, Period: l.rate.Period}
	}
	return l.decide(b, now, b.TokensAt(now) >= 1, 1)
}

func (l *Limiter) decide(b *rate.Limiter, now time.Time, allowed bool, n int) Decision {
	tokens := b.TokensAt(now)
	perToken := l.rate.Period / time.Duration(l.rate.Limit)
	d := Decision{
		Allowed:   allowed,
		Limit:     l.rate.Limit,
		Remaining: max(0, int(math.Floor(tokens))),
		Reset:     time.Duration((float64(l.rate.Limit) - tokens) * float64(perToken)),
		Period:    l.rate.Period,
	}
	if !allowed {
		d.RetryAfter = time.Duration((float64(n) - tokens) * float64(perToken))
	}
	return d
}

// Len is the number of keys held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket.len()
}
