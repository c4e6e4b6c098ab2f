package limit

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var secret = bytes.Repeat([]byte("s"), 32)

func newPoW(t testing.TB, c *clock, mod func(*PoWConfig)) *PoW {
	t.Helper()
	cfg := PoWConfig{Secret: secret, Difficulty: 10, Window: 10 * time.Minute, Now: c.Now}
	if mod != nil {
		mod(&cfg)
	}
	p, err := NewPoW(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantPoWErr(t *testing.T, err error, word string) {
	t.Helper()
	if !triage.IsCode(err, triage.EINVALID) || !strings.Contains(triage.ErrorMessage(err), word) {
		t.Fatalf("err = %v; want EINVALID saying %q", err, word)
	}
}

func TestPoW(t *testing.T) {
	c := newClock()
	p := newPoW(t, c, nil)
	ch, err := p.Challenge("help/new")
	if err != nil {
		t.Fatal(err)
	}
	sol, err := Solve(ch)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(20 * time.Second)
	if err := p.Verify("help/new", ch, sol); err != nil {
		t.Fatalf("Verify(solved) = %v", err)
	}
	wantPoWErr(t, p.Verify("help/new", ch, sol), "already used")
}

func TestPoWRefuses(t *testing.T) {
	c := newClock()
	p := newPoW(t, c, func(cfg *PoWConfig) { cfg.MinAge = 2 * time.Second })
	ch, _ := p.Challenge("help/new")
	sol, _ := Solve(ch)
	c.Add(3 * time.Second)

	// A wrong solution: find a counter whose hash does not qualify.
	wrong := "0"
	for n := 0; ; n++ {
		s := strconv.Itoa(n)
		sum := work(ch, s)
		if leadingZeros(sum[:]) < 10 {
			wrong = s
			break
		}
	}
	parts := strings.Split(ch, ".")
	easier := strings.Join([]string{parts[0], parts[1], "1", parts[3], parts[4]}, ".")
	older := strings.Join([]string{parts[0], strconv.Itoa(int(c.t.Unix())), parts[2], parts[3], parts[4]}, ".")
	otherSecret := newPoW(t, c, func(cfg *PoWConfig) { cfg.Secret = bytes.Repeat([]byte("t"), 32) })
	foreign, _ := otherSecret.Challenge("help/new")
	foreignSol, _ := Solve(foreign)
	for _, tc := range []struct {
		name, scope, challenge, solution, word string
	}{
		{"wrong solution", "help/new", ch, wrong, "wrong"},
		{"empty solution", "help/new", ch, "", "malformed"},
		{"non-digit solution", "help/new", ch, sol + "x", "malformed"},
		{"long solution", "help/new", ch, strings.Repeat("1", 21), "malformed"},
		{"other scope", "widget", ch, sol, "not issued here"},
		{"lowered difficulty", "help/new", easier, sol, "not issued here"},
		{"moved time", "help/new", older, sol, "not issued here"},
		{"other server's secret", "help/new", foreign, foreignSol, "not issued here"},
		{"garbage", "help/new", "pow1.x.y.z.w", sol, "malformed"},
		{"empty", "help/new", "", sol, "malformed"},
		{"extra part", "help/new", ch + ".x", sol, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantPoWErr(t, p.Verify(tc.scope, tc.challenge, tc.solution), tc.word)
		})
	}
	// None of those used the challenge up.
	if err := p.Verify("help/new", ch, sol); err != nil {
		t.Fatalf("the real solution after refusals: %v", err)
	}
}

func TestPoWTimeWindow(t *testing.T) {
	c := newClock()
	p := newPoW(t, c, func(cfg *PoWConfig) { cfg.MinAge = 3 * time.Second })
	ch, _ := p.Challenge("help/new")
	sol, _ := Solve(ch)
	c.Add(time.Second)
	wantPoWErr(t, p.Verify("help/new", ch, sol), "too quickly")
	c.Add(10 * time.Minute)
	wantPoWErr(t, p.Verify("help/new", ch, sol), "expired")
	ch2, _ := p.Challenge("help/new")
	sol2, _ := Solve(ch2)
	c.Add(-2 * time.Minute) // our clock stepped back
	wantPoWErr(t, p.Verify("help/new", ch2, sol2), "future")
}

func TestPoWDifficultyCostsWork(t *testing.T) {
	// The mean number of hashes Solve needs grows as 2^difficulty: check
	// it over a few challenges at 4 and at 12 bits.
	c := newClock()
	mean := func(bits int) float64 {
		p := newPoW(t, c, func(cfg *PoWConfig) { cfg.Difficulty = bits })
		total := 0
		for range 20 {
			ch, _ := p.Challenge("s")
			s, _ := Solve(ch)
			n, _ := strconv.Atoi(s)
			total += n + 1
		}
		return float64(total) / 20
	}
	easy, hard := mean(4), mean(12)
	if hard < easy*32 {
		t.Fatalf("12 bits took %.0f hashes on average, 4 bits %.0f: difficulty does not cost work", hard, easy)
	}
}

func TestPoWReplayMemoryBounded(t *testing.T) {
	c := newClock()
	p := newPoW(t, c, func(cfg *PoWConfig) { cfg.MaxSeen = 3; cfg.Difficulty = 1; cfg.Window = time.Minute })
	solve := func() (string, string) {
		ch, _ := p.Challenge("s")
		s, _ := Solve(ch)
		return ch, s
	}
	for range 3 {
		ch, s := solve()
		if err := p.Verify("s", ch, s); err != nil {
			t.Fatal(err)
		}
	}
	ch, s := solve()
	if err := p.Verify("s", ch, s); !triage.IsCode(err, triage.ERATELIMIT) {
		t.Fatalf("with the replay memory full of live challenges: %v, want ERATELIMIT", err)
	}
	// Once they expire there is room again.
	c.Add(time.Minute + time.Second)
	ch, s = solve()
	if err := p.Verify("s", ch, s); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestPoWConcurrentReplay(t *testing.T) {
	c := newClock()
	p := newPoW(t, c, nil)
	ch, _ := p.Challenge("s")
	s, _ := Solve(ch)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p.Verify("s", ch, s) == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("one solution was accepted %d times", ok.Load())
	}
}

func TestNewPoWRefuses(t *testing.T) {
	for _, cfg := range []PoWConfig{
		{Secret: []byte("short")},
		{Secret: secret, Difficulty: 33},
		{Secret: secret, Difficulty: -1},
		{Secret: secret, Window: time.Minute, MinAge: time.Minute},
	} {
		if _, err := NewPoW(cfg); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("NewPoW(%+v) = %v", cfg, err)
		}
	}
}

func TestHoneypot(t *testing.T) {
	form := url.Values{"subject": {"退款"}, "website": {""}}
	if Honeypot(form, "website", "fax") {
		t.Fatal("a person's form (empty honeypot) flagged")
	}
	form.Set("website", "http://spam.example")
	if !Honeypot(form, "website", "fax") {
		t.Fatal("a filled honeypot not flagged")
	}
	if !Honeypot(url.Values{"fax": {"", "x"}}, "website", "fax") {
		t.Fatal("a repeated honeypot field with a value not flagged")
	}
}

// FuzzPoWVerify: no panic, a *triage.Error on refusal, and nothing
// accepted that this server did not issue.
func FuzzPoWVerify(f *testing.F) {
	c := newClock()
	p := newPoW(f, c, func(cfg *PoWConfig) { cfg.Difficulty = 1 })
	ch, _ := p.Challenge("s")
	s, _ := Solve(ch)
	f.Add("s", ch, s)
	f.Add("s", "pow1.1.1.AAAA.AAAA", "0")
	f.Add("", "", "")
	f.Add("s", "pow1.-1.32..", "99999999999999999999")
	f.Fuzz(func(t *testing.T, scope, challenge, solution string) {
		fresh := newPoW(t, c, func(cfg *PoWConfig) { cfg.Difficulty = 1 })
		err := fresh.Verify(scope, challenge, solution)
		if err == nil {
			// Only a challenge MACed with our secret can pass: the seed's.
			if !strings.HasPrefix(challenge, "pow1.") || scope != "s" {
				t.Fatalf("accepted %q for scope %q", challenge, scope)
			}
			return
		}
		if c := triage.ErrorCode(err); c != triage.EINVALID && c != triage.ERATELIMIT {
			t.Fatalf("Verify = %v", err)
		}
	})
}
