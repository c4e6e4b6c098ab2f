package account_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/account"
	"github.com/triagehq/triage/password"
	"github.com/triagehq/triage/sqlite"
)

func newService(t *testing.T) (*account.Service, *time.Time) {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"), sqlite.Options{
		Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := password.NewHasher(password.DefaultParams(), 2)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	return &account.Service{Store: store, Hasher: h, Now: func() time.Time { return now }}, &now
}

func TestCSRFToken(t *testing.T) {
	a, b := "trs_aaaa", "trs_bbbb"
	for _, tc := range []struct {
		name          string
		secret, token string
		want          bool
	}{
		{"its own", a, account.CSRFToken(a), true},
		{"another session's", a, account.CSRFToken(b), false},
		{"empty", a, "", false},
		{"the secret itself", a, a, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := account.CheckCSRF(tc.secret, tc.token); got != tc.want {
				t.Errorf("CheckCSRF = %v, want %v", got, tc.want)
			}
		})
	}
	if strings.Contains(account.CSRFToken(a), "aaaa") {
		t.Error("the CSRF token shows the secret")
	}
}

// EnsureAdmin makes the first admin with a made-up password, makes a new
// one up at each call, and stops once the admin has chosen their own.
func TestEnsureAdmin(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	first, err := s.EnsureAdmin(ctx, "admin@triage.example", "管理员")
	if err != nil {
		t.Fatal(err)
	}
	if first.Email != "admin@triage.example" || len(first.Password) != 16 {
		t.Fatalf("first = %+v", first)
	}
	st, err := s.Login(ctx, triage.Login{Email: "ADMIN@triage.example", Password: first.Password}, account.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Account.Role != triage.RoleAdmin || !st.Account.PasswordGenerated || st.Agent.Name != "管理员" {
		t.Errorf("first admin: %+v %+v", st.Account, st.Agent)
	}
	second, err := s.EnsureAdmin(ctx, "admin@triage.example", "管理员")
	if err != nil {
		t.Fatal(err)
	}
	if second.Password == first.Password || second.Email != first.Email {
		t.Fatalf("second = %+v, want a new password for the same admin", second)
	}
	if _, err := s.Login(ctx, triage.Login{Email: first.Email, Password: first.Password}, account.Client{}); !triage.IsCode(err, triage.EUNAUTHORIZED) {
		t.Errorf("the first password after the second start: %v, want EUNAUTHORIZED", err)
	}
	agents, err := s.Store.Agents(ctx)
	if err != nil || len(agents) != 1 {
		t.Fatalf("agents = %d, %v; want the one admin", len(agents), err)
	}
	st, err = s.Login(ctx, triage.Login{Email: first.Email, Password: second.Password}, account.Client{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, st.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePassword(ctx, p, triage.PasswordChange{Current: second.Password, New: "管理员自己选的新密码-2026"}); err != nil {
		t.Fatal(err)
	}
	third, err := s.EnsureAdmin(ctx, "admin@triage.example", "管理员")
	if err != nil {
		t.Fatal(err)
	}
	if third.Password != "" || third.Email != first.Email {
		t.Errorf("after the admin chose a password: %+v, want the address only", third)
	}
}

// A session ends at its expiry, and a secret that is not a session's is
// refused without a store lookup mattering.
func TestSessionExpiry(t *testing.T) {
	s, now := newService(t)
	ctx := t.Context()
	first, err := s.EnsureAdmin(ctx, "admin@triage.example", "管理员")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Login(ctx, triage.Login{Email: first.Email, Password: first.Password}, account.Client{UserAgent: strings.Repeat("浏览器", 200)})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Session.UserAgent) > 256 || !strings.HasPrefix(st.Session.UserAgent, "浏览器") {
		t.Errorf("user agent kept as %d bytes", len(st.Session.UserAgent))
	}
	for _, tc := range []struct {
		name   string
		secret string
		after  time.Duration
		ok     bool
	}{
		{"fresh", st.Secret, 0, true},
		{"a minute before the end", st.Secret, account.DefaultSessionTTL - time.Minute, true},
		{"at the end", st.Secret, account.DefaultSessionTTL, false},
		{"an API token", "trg_abc", 0, false},
		{"made up", "trs_abc", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := *now
			*now = now.Add(tc.after)
			defer func() { *now = saved }()
			_, err := s.Authenticate(ctx, tc.secret)
			if (err == nil) != tc.ok {
				t.Fatalf("Authenticate: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !triage.IsCode(err, triage.EUNAUTHORIZED) {
				t.Errorf("err %v, want EUNAUTHORIZED", err)
			}
		})
	}
}
