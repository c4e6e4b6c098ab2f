package limit

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)} }
func mustLimiter(t *testing.T, r Rate, max int, c *clock) *Limiter {
	t.Helper()
	l, err := NewLimiter(r, max, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLimiterQuotaAndHeaders(t *testing.T) {
	c := newClock()
	l := mustLimiter(t, PerMinute(60), 0, c)
	for i := range 60 {
		d := l.Allow("token:a")
		if !d.Allowed || d.Remaining != 59-i || d.Limit != 60 {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	d := l.Allow("token:a")
	if d.Allowed || d.Remaining != 0 {
		t.Fatalf("request 61 allowed: %+v", d)
	}
	if d.RetryAfterSeconds() != 1 || d.RetryAfter <= 0 || d.RetryAfter > time.Second {
		t.Fatalf("RetryAfter = %v (%d s), want one token's second", d.RetryAfter, d.RetryAfterSeconds())
	}
	rec := httptest.NewRecorder()
	d.SetHeaders(rec.Header())
	h := rec.Header()
	for k, want := range map[string]string{"RateLimit-Limit": "60", "RateLimit-Remaining": "0", "RateLimit-Reset": "60", "Retry-After": "1", "RateLimit-Policy": "60;w=60"} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if err := d.Err(); !triage.IsCode(err, triage.ERATELIMIT) {
		t.Fatalf("Err = %v", err)
	}
	// Another key has its own bucket.
	if !l.Allow("token:b").Allowed {
		t.Fatal("one key's limit hit another")
	}
	// A token comes back every second.
	c.Add(time.Second)
	if d := l.Allow("token:a"); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after a second: %+v", d)
	}
	c.Add(30 * time.Second)
	d = l.Peek("token:a")
	if !d.Allowed || d.Remaining != 30 || d.Reset != 30*time.Second {
		t.Fatalf("after 30 s: %+v", d)
	}
	rec = httptest.NewRecorder()
	d.SetHeaders(rec.Header())
	if rec.Header().Get("Retry-After") != "" || d.Err() != nil {
		t.Fatal("an allowed request carries Retry-After or an error")
	}
}

func TestLimiterSlowRate(t *testing.T) {
	c := newClock()
	l := mustLimiter(t, Rate{Limit: 5, Period: time.Hour}, 0, c)
	for range 5 {
		l.Allow("contact:li@example.cn")
	}
	d := l.Allow("contact:li@example.cn")
	if d.Allowed || d.RetryAfterSeconds() != 720 {
		t.Fatalf("5 an hour: the sixth waits %d s, want 720", d.RetryAfterSeconds())
	}
	// AllowN larger than the bucket is clamped, not refused forever.
	c.Add(time.Hour)
	if d := l.AllowN("contact:li@example.cn", 50); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("AllowN(50) on a full bucket of 5: %+v", d)
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	c := newClock()
	l := mustLimiter(t, PerMinute(2), 1000, c)
	l.Allow("victim")
	l.Allow("victim")
	for i := range 100_000 {
		l.Allow(fmt.Sprintf("flood-%d", i))
		if i%997 == 0 {
			l.Allow("victim") // an active key stays recent
		}
	}
	if n := l.Len(); n > 1000 {
		t.Fatalf("%d keys held, bound is 1000", n)
	}
	if d := l.Peek("victim"); d.Remaining != 0 {
		t.Fatalf("an active key was evicted by the flood: %+v", d)
	}
}

func TestNewLimiterRefuses(t *testing.T) {
	for _, r := range []Rate{{}, {Limit: 1}, {Limit: -1, Period: time.Second}} {
		if _, err := NewLimiter(r, 0, nil); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("NewLimiter(%+v) = %v", r, err)
		}
	}
}

func BenchmarkLimiterAllow(b *testing.B) {
	l, _ := NewLimiter(PerMinute(60), 10_000, nil)
	keys := make([]string, 50_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256)
	}
	b.ResetTimer()
	for i := range b.N {
		l.Allow(keys[i%len(keys)])
	}
}
