package embed

import (
	"testing"
	"time"
)

// TestResilienceDefaults: each client fills what its caller left zero with
// its own timing, keeps what was set, and a negative retry count means no
// retries.
func TestResilienceDefaults(t *testing.T) {
	chat := func(r Resilience) Resilience {
		c, err := NewChat(ChatConfig{Model: "m", Resilience: r})
		if err != nil {
			t.Fatal(err)
		}
		return c.cfg.Resilience
	}
	embedder := func(r Resilience) Resilience {
		e, err := NewOpenAI(OpenAIConfig{Model: "m", Dim: 8, Resilience: r})
		if err != nil {
			t.Fatal(err)
		}
		return e.cfg.Resilience
	}
	for _, tc := range []struct {
		name                 string
		got                  Resilience
		timeout              time.Duration
		retries              int
		maxBackoff, maxAfter time.Duration
	}{
		{"chat", chat(Resilience{}), 15 * time.Second, 2, 8 * time.Second, 20 * time.Second},
		{"embedder", embedder(Resilience{}), 30 * time.Second, 4, 20 * time.Second, time.Minute},
		{"chat as set", chat(Resilience{Timeout: time.Second, MaxRetries: 7, MaxBackoff: time.Second, MaxRetryAfter: 3 * time.Second}), time.Second, 7, time.Second, 3 * time.Second},
		{"embedder without retries", embedder(Resilience{MaxRetries: -1}), 30 * time.Second, 0, 20 * time.Second, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.got
			if r.Timeout != tc.timeout || r.MaxRetries != tc.retries || r.MaxBackoff != tc.maxBackoff || r.MaxRetryAfter != tc.maxAfter {
				t.Fatalf("timeout %s retries %d backoff ≤%s retry-after ≤%s", r.Timeout, r.MaxRetries, r.MaxBackoff, r.MaxRetryAfter)
			}
			if r.MinBackoff != 500*time.Millisecond || r.BreakerThreshold != 5 || r.BreakerCooldown != 30*time.Second {
				t.Fatalf("shared defaults: %+v", r)
			}
			if r.Transport == nil || r.Sleep == nil || r.Now == nil || r.Jitter == nil {
				t.Fatal("a clock or transport left nil")
			}
		})
	}
}
