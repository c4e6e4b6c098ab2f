package onetime

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// memStore follows Store's contract; the stores of the next round must
// pass the same tests through storetest.
type memStore struct {
	mu sync.Mutex
	m  map[string]Record
}

func (s *memStore) PutOneTime(_ context.Context, r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Record{}
	}
	for h, old := range s.m {
		if old.Purpose == r.Purpose && old.Subject == r.Subject && old.UsedAt == nil {
			delete(s.m, h)
		}
	}
	s.m[r.Hash] = r
	return nil
}

func (s *memStore) TakeOneTime(_ context.Context, hash string, now time.Time) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[hash]
	if !ok {
		return Record{}, triage.Errorf(triage.ENOTFOUND, "no such token")
	}
	if r.UsedAt == nil && now.Before(r.ExpiresAt) {
		used := now
		stored := r
		stored.UsedAt = &used
		s.m[hash] = stored
	}
	return r, nil
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func setup() (*Links, *memStore, *clock) {
	s := &memStore{}
	c := &clock{time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	return &Links{Store: s, Now: c.Now}, s, c
}

func wantRefusal(t *testing.T, err error, word string) {
	t.Helper()
	var e *triage.Error
	if !errors.As(err, &e) || e.Code != triage.EUNAUTHORIZED || e.Field != "token" || !strings.Contains(e.Message, word) {
		t.Fatalf("err = %v; want EUNAUTHORIZED on token saying %q", err, word)
	}
}

func TestIssueRedeemOnce(t *testing.T) {
	ctx := context.Background()
	l, s, _ := setup()
	token, r, err := l.Issue(ctx, Reset, "agent:01", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || strings.ContainsAny(token, "+/=") {
		t.Fatalf("token %q is not 32 bytes of unpadded base64url", token)
	}
	for h := range s.m {
		if strings.Contains(h, token) || h != r.Hash {
			t.Fatal("the store holds the token, or not its hash")
		}
	}
	if r.ExpiresAt.Sub(r.CreatedAt) != time.Hour {
		t.Fatalf("a reset link lives %v", r.ExpiresAt.Sub(r.CreatedAt))
	}
	got, err := l.Redeem(ctx, Reset, token)
	if err != nil || got.Subject != "agent:01" || got.UsedAt == nil {
		t.Fatalf("Redeem = %+v, %v", got, err)
	}
	_, err = l.Redeem(ctx, Reset, token)
	wantRefusal(t, err, "already used")
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	l, _, c := setup()
	token, _, _ := l.Issue(ctx, SignIn, "requester:li@example.cn", 0)
	c.t = c.t.Add(15 * time.Minute)
	_, err := l.Redeem(ctx, SignIn, token)
	wantRefusal(t, err, "expired")
	// An expired token stays unused: it is refused, not consumed.
	c.t = c.t.Add(-time.Second)
	if _, err := l.Redeem(ctx, SignIn, token); err != nil {
		t.Fatalf("a token a second before expiry: %v", err)
	}
}

func TestPurposeBound(t *testing.T) {
	ctx := context.Background()
	l, _, _ := setup()
	token, _, _ := l.Issue(ctx, Confirm, "form:42", 0)
	for _, p := range []Purpose{Reset, Invite, SignIn} {
		_, err := l.Redeem(ctx, p, token)
		wantRefusal(t, err, "not valid")
	}
	// Presented for the wrong purpose did not use it up.
	if _, err := l.Redeem(ctx, Confirm, token); err != nil {
		t.Fatal(err)
	}
	// Check refuses a record of another purpose even with the same hash.
	tok, r, _ := New(Invite, "x", 0, time.Now())
	r.Purpose = Reset
	wantRefusal(t, Check(r, Invite, tok, time.Now()), "not valid")
}

func TestNewLinkVoidsOld(t *testing.T) {
	ctx := context.Background()
	l, _, _ := setup()
	first, _, _ := l.Issue(ctx, Reset, "agent:01", 0)
	second, _, _ := l.Issue(ctx, Reset, "agent:01", 0)
	other, _, _ := l.Issue(ctx, Reset, "agent:02", 0)
	_, err := l.Redeem(ctx, Reset, first)
	wantRefusal(t, err, "not valid")
	if _, err := l.Redeem(ctx, Reset, second); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Redeem(ctx, Reset, other); err != nil {
		t.Fatal("another person's link was voided")
	}
}

func TestMalformedNeverReachesStore(t *testing.T) {
	l, _, _ := setup()
	var calls atomic.Int32
	l.Store = countingStore{l.Store, &calls}
	token, _, _ := l.Issue(context.Background(), Invite, "a", 0)
	calls.Store(0)
	for _, bad := range []string{"", "x", token + "A", token[:42], strings.Repeat("!", 43), strings.ToUpper(token[:42]) + "=", "' OR 1=1 --                                "} {
		_, err := l.Redeem(context.Background(), Invite, bad)
		wantRefusal(t, err, "not valid")
	}
	if calls.Load() != 0 {
		t.Fatalf("malformed tokens reached the store %d times", calls.Load())
	}
	// An unknown but well-formed token does reach it, and is refused.
	unknown, _, _ := New(Invite, "a", 0, time.Now())
	_, err := l.Redeem(context.Background(), Invite, unknown)
	wantRefusal(t, err, "not valid")
}

type countingStore struct {
	Store
	n *atomic.Int32
}

func (c countingStore) TakeOneTime(ctx context.Context, h string, now time.Time) (Record, error) {
	c.n.Add(1)
	return c.Store.TakeOneTime(ctx, h, now)
}

func TestConcurrentRedeemOneWins(t *testing.T) {
	ctx := context.Background()
	l, _, _ := setup()
	token, _, _ := l.Issue(ctx, Invite, "invite:9", 0)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Redeem(ctx, Invite, token); err == nil {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d redemptions succeeded, want 1", wins.Load())
	}
}

func TestNewRefuses(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		p       Purpose
		subject string
		ttl     time.Duration
		field   string
	}{
		{"login", "a", 0, "purpose"},
		{Reset, "", 0, "subject"},
		{Reset, "a", -time.Second, "ttl"},
		{Reset, "a", 31 * 24 * time.Hour, "ttl"},
	} {
		_, _, err := New(tc.p, tc.subject, tc.ttl, now)
		var e *triage.Error
		if !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("New(%q, %q, %v) = %v; want an error on %s", tc.p, tc.subject, tc.ttl, err, tc.field)
		}
	}
	for _, p := range Purposes() {
		if _, r, err := New(p, "s", 0, now); err != nil || r.ExpiresAt.Sub(r.CreatedAt) != p.DefaultTTL() {
			t.Errorf("New(%s) = %v", p, err)
		}
	}
}

func FuzzRedeem(f *testing.F) {
	tok, _, _ := New(Invite, "a", 0, time.Now())
	f.Add(tok)
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, token string) {
		l, _, _ := setup()
		good, _, _ := l.Issue(context.Background(), Invite, "a", 0)
		r, err := l.Redeem(context.Background(), Invite, token)
		if err == nil && strings.TrimSpace(token) != good {
			t.Fatalf("Redeem(%q) = %+v", token, r)
		}
		if err != nil && !triage.IsCode(err, triage.EUNAUTHORIZED) {
			t.Fatalf("Redeem(%q) = %v", token, err)
		}
	})
}
