package api_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/limit"
)

// testClock is a clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// from sends a request as role from a client address, through an
// optional X-Forwarded-For.
func (e *env) from(remote, xff, method, path string, role triage.Role, secret string) resp {
	e.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	switch {
	case role != "":
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	case secret != "":
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// TestRateLimits: per token, per client address, stricter on the public
// routes and on failed authentication; 429 with Retry-After and the
// RateLimit-* headers; behind a trusted proxy the forwarded client is
// counted, and an untrusted peer's X-Forwarded-For is not believed.
func TestRateLimits(t *testing.T) {
	e := newEnv(t)
	clock := &testClock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	proxies, err := limit.ParseProxies([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	e.rebuild(func(c *api.Config) {
		c.Now = clock.now
		c.RateLimits = api.RateLimits{Token: limit.PerMinute(3), Client: limit.PerMinute(5), Public: limit.PerMinute(2), AuthFailure: limit.PerMinute(2), Proxies: proxies}
	})
	const alice, bob, carol = "203.0.113.1:4000", "203.0.113.2:4000", "203.0.113.3:4000"

	t.Run("per token", func(t *testing.T) {
		for i := range 3 {
			r := e.from(alice, "", "GET", "/v1/me", triage.RoleViewer, "")
			if r.Code != 200 || r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != string(rune('2'-i)) {
				t.Fatalf("request %d: %d limit %q remaining %q", i+1, r.Code, r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"))
			}
		}
		r := e.from(bob, "", "GET", "/v1/me", triage.RoleViewer, "")
		if r.Code != 429 || r.errorBody(t).Code != "rate_limited" {
			t.Fatalf("4th request of the token, from another address: %d %s", r.Code, r.Body)
		}
		if r.Header.Get("Retry-After") != "20" || r.Header.Get("RateLimit-Remaining") != "0" || r.Header.Get("RateLimit-Reset") != "60" || r.Header.Get("RateLimit-Policy") != "3;w=60" {
			t.Errorf("429 headers: %v", r.Header)
		}
		// Another token is not affected.
		if r := e.from(bob, "", "GET", "/v1/me", triage.RoleEditor, ""); r.Code != 200 {
			t.Errorf("another token: %d", r.Code)
		}
		clock.add(20 * time.Second)
		if r := e.from(bob, "", "GET", "/v1/me", triage.RoleViewer, ""); r.Code != 200 {
			t.Errorf("after Retry-After: %d", r.Code)
		}
	})
	clock.add(time.Hour)

	t.Run("per client address", func(t *testing.T) {
		roles := []triage.Role{triage.RoleViewer, triage.RoleEditor, triage.RoleAgent}
		for i := range 5 {
			if r := e.from(carol, "", "GET", "/v1/me", roles[i%3], ""); r.Code != 200 {
				t.Fatalf("request %d: %d", i+1, r.Code)
			}
		}
		if r := e.from(carol, "", "GET", "/v1/me", triage.RoleAdmin, ""); r.Code != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("6th request of the address with a fresh token: %d", r.Code)
		}
	})
	clock.add(time.Hour)

	t.Run("public routes", func(t *testing.T) {
		for i := range 2 {
			if r := e.from(alice, "", "GET", "/v1/csat/csat_nosuchlink", "", ""); r.Code != 404 || r.Header.Get("RateLimit-Limit") != "2" {
				t.Fatalf("survey request %d: %d %v", i+1, r.Code, r.Header)
			}
		}
		if r := e.from(alice, "", "POST", "/v1/csat/csat_nosuchlink", "", ""); r.Code != 429 || r.Header.Get("Retry-After") != "30" {
			t.Fatalf("3rd survey request: %d %v", r.Code, r.Header)
		}
		// Probes are not limited.
		for range 5 {
			if r := e.from(alice, "", "GET", "/healthz", "", ""); r.Code != 200 || r.Header.Get("RateLimit-Limit") != "" {
				t.Fatalf("healthz: %d %v", r.Code, r.Header)
			}
		}
	})
	clock.add(time.Hour)

	t.Run("failed authentication", func(t *testing.T) {
		// No credential at all is no guess, and does not count.
		for range 5 {
			if r := e.from(bob, "", "GET", "/v1/tickets", "", ""); r.Code != 401 {
				t.Fatalf("no token: %d", r.Code)
			}
		}
		for _, bad := range []string{"trg_guess1", "trg_guess2"} {
			if r := e.from(bob, "", "GET", "/v1/tickets", "", bad); r.Code != 401 {
				t.Fatalf("bad token %q: %d", bad, r.Code)
			}
		}
		// The address is refused now, even with a good token.
		r := e.from(bob, "", "GET", "/v1/tickets", triage.RoleAdmin, "")
		if r.Code != 429 || r.Header.Get("Retry-After") != "30" || !strings.Contains(r.errorBody(t).Message, "failed authentications") {
			t.Fatalf("after two failures: %d %s", r.Code, r.Body)
		}
		if r := e.from(alice, "", "GET", "/v1/tickets", triage.RoleAdmin, ""); r.Code != 200 {
			t.Errorf("another address: %d", r.Code)
		}
		clock.add(30 * time.Second)
		if r := e.from(bob, "", "GET", "/v1/tickets", triage.RoleAdmin, ""); r.Code != 200 {
			t.Errorf("after Retry-After: %d", r.Code)
		}
	})
	clock.add(time.Hour)

	t.Run("trusted proxies", func(t *testing.T) {
		// Through the trusted proxy, each forwarded client has its own
		// quota.
		for range 2 {
			e.from("10.0.0.5:80", "198.51.100.7", "GET", "/v1/csat/csat_nosuchlink", "", "")
		}
		if r := e.from("10.0.0.5:80", "198.51.100.7", "GET", "/v1/csat/csat_nosuchlink", "", ""); r.Code != 429 {
			t.Errorf("forwarded client over its quota: %d", r.Code)
		}
		if r := e.from("10.0.0.5:80", "198.51.100.8", "GET", "/v1/csat/csat_nosuchlink", "", ""); r.Code != 404 {
			t.Errorf("another forwarded client through the same proxy: %d", r.Code)
		}
		// An untrusted peer cannot pick a fresh address per request.
		for i := range 3 {
			r := e.from(carol, "192.0.2."+string(rune('1'+i)), "GET", "/v1/csat/csat_nosuchlink", "", "")
			if want := []int{404, 404, 429}[i]; r.Code != want {
				t.Errorf("untrusted peer, forged X-Forwarded-For, request %d: %d, want %d", i+1, r.Code, want)
			}
		}
	})
}
