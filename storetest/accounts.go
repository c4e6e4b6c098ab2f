package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Accounts and sessions (issue 18): an account belongs to an agent and is
// found by the agent's e-mail, ignoring case; sessions are found by hash,
// listed live and newest first, and revoked once.
var accountTests = []test{
	{"accounts", testAccounts},
	{"account errors", testAccountErrors},
	{"sessions", testSessions},
}

func testAccounts(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 12, 7, 9, 0, 0, 123456789, cst)
	a := &triage.Account{AgentID: "acc-1", Role: triage.RoleAgent, PasswordHash: "$argon2id$x", CreatedAt: created, UpdatedAt: created}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateAgent(ctx, newAgent("acc-1", "王芳", "WangFang@Example.com")); err != nil {
			return err
		}
		if err := tx.CreateAgent(ctx, newAgent("acc-2", "李雷", "lilei@example.com")); err != nil {
			return err
		}
		return tx.PutAccount(ctx, a)
	})
	if a.Version != 1 || !a.CreatedAt.Equal(stored(created)) || a.CreatedAt.Location() != time.UTC {
		t.Fatalf("after create: version %d, created %v; want 1 and %v in UTC", a.Version, a.CreatedAt, stored(created))
	}
	for _, tc := range []struct {
		name string
		get  func() (*triage.Account, error)
	}{
		{"by agent", func() (*triage.Account, error) { return s.Account(ctx, "acc-1") }},
		{"by e-mail, other case", func() (*triage.Account, error) { return s.AccountByEmail(ctx, "wangfang@EXAMPLE.com") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "account", got, a)
			if got.PasswordHash != a.PasswordHash {
				t.Errorf("password hash = %q, want %q", got.PasswordHash, a.PasswordHash)
			}
		})
	}
	// An update keeps CreatedAt whatever the caller sends, and bumps the
	// version; a stale version is refused.
	disabled := created.Add(time.Hour)
	u := *a
	u.Role, u.PasswordHash, u.PasswordGenerated = triage.RoleAdmin, "$argon2id$y", true
	u.PasswordSetAt, u.DisabledAt = &disabled, &disabled
	u.CreatedAt, u.UpdatedAt = created.Add(48*time.Hour), disabled
	update(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, &u) })
	if u.Version != 2 || !u.CreatedAt.Equal(stored(created)) {
		t.Errorf("after update: version %d, created %v; want 2 and %v", u.Version, u.CreatedAt, stored(created))
	}
	got, err := s.Account(ctx, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "updated account", got, &u)
	if got.PasswordHash != "$argon2id$y" || got.Active() {
		t.Errorf("updated account: hash %q, active %v", got.PasswordHash, got.Active())
	}
	stale := *a
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, &stale) }), triage.ESTALE)

	second := &triage.Account{AgentID: "acc-2", Role: triage.RoleViewer, CreatedAt: created.Add(time.Minute)}
	update(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, second) })
	all, err := s.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].AgentID != "acc-1" || all[1].AgentID != "acc-2" {
		t.Errorf("Accounts = %v, want acc-1 then acc-2", all)
	}
}

func testAccountErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateAgent(ctx, newAgent("acc-e", "张伟", "zw@example.com")) })
	a := &triage.Account{AgentID: "acc-e", Role: triage.RoleAgent, CreatedAt: base}
	update(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, a) })
	for _, tc := range []struct {
		name string
		err  func() error
		code string
	}{
		{"second account", func() error {
			return updateErr(t, s, func(tx triage.Tx) error {
				return tx.PutAccount(ctx, &triage.Account{AgentID: "acc-e", Role: triage.RoleAgent, CreatedAt: base})
			})
		}, triage.ECONFLICT},
		{"no such agent", func() error {
			return updateErr(t, s, func(tx triage.Tx) error {
				return tx.PutAccount(ctx, &triage.Account{AgentID: "nobody", Role: triage.RoleAgent, CreatedAt: base})
			})
		}, triage.ENOTFOUND},
		{"empty agent id", func() error {
			return updateErr(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, &triage.Account{Role: triage.RoleAgent}) })
		}, triage.EINVALID},
		{"update of a missing account", func() error {
			return updateErr(t, s, func(tx triage.Tx) error {
				return tx.PutAccount(ctx, &triage.Account{AgentID: "nobody", Role: triage.RoleAgent, Version: 1})
			})
		}, triage.ENOTFOUND},
		{"read missing", func() error { _, err := s.Account(ctx, "nobody"); return err }, triage.ENOTFOUND},
		{"e-mail without account", func() error { _, err := s.AccountByEmail(ctx, "none@example.com"); return err }, triage.ENOTFOUND},
		{"empty e-mail", func() error { _, err := s.AccountByEmail(ctx, ""); return err }, triage.ENOTFOUND},
		{"session without account", func() error {
			return updateErr(t, s, func(tx triage.Tx) error {
				return tx.CreateSession(ctx, &triage.Session{ID: "se-x", AgentID: "nobody", Hash: "h-x", CreatedAt: base, ExpiresAt: base})
			})
		}, triage.ENOTFOUND},
		{"session without hash", func() error {
			return updateErr(t, s, func(tx triage.Tx) error {
				return tx.CreateSession(ctx, &triage.Session{ID: "se-x", AgentID: "acc-e", CreatedAt: base, ExpiresAt: base})
			})
		}, triage.EINVALID},
		{"revoke missing session", func() error {
			return updateErr(t, s, func(tx triage.Tx) error { return tx.RevokeSession(ctx, "nope", base) })
		}, triage.ENOTFOUND},
		{"read missing session", func() error { _, err := s.SessionByHash(ctx, "nope"); return err }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err(), tc.code) })
	}
	// Deleting the agent takes its account and sessions with it.
	update(t, s, func(tx triage.Tx) error {
		return tx.CreateSession(ctx, &triage.Session{ID: "se-d", AgentID: "acc-e", Hash: "h-d", CreatedAt: base, ExpiresAt: base.Add(time.Hour)})
	})
	update(t, s, func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "acc-e", 1) })
	if _, err := s.Account(ctx, "acc-e"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("account after its agent was deleted: err %v, want ENOTFOUND", err)
	}
	if _, err := s.Session(ctx, "se-d"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("session after its agent was deleted: err %v, want ENOTFOUND", err)
	}
}

func testSessions(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 12, 7, 10, 0, 0, 999, cst)
	update(t, s, func(tx triage.Tx) error {
		for _, id := range []string{"ses-a", "ses-b"} {
			if err := tx.CreateAgent(ctx, newAgent(id, id, id+"@example.com")); err != nil {
				return err
			}
			if err := tx.PutAccount(ctx, &triage.Account{AgentID: id, Role: triage.RoleAgent, CreatedAt: created}); err != nil {
				return err
			}
		}
		return nil
	})
	mk := func(id, agent string, at time.Time) *triage.Session {
		return &triage.Session{ID: id, AgentID: agent, Hash: "hash-" + id, IP: "192.0.2.7", UserAgent: "Chrome 浏览器",
			CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
	}
	one, two, three, other := mk("s1", "ses-a", created), mk("s2", "ses-a", created.Add(time.Minute)),
		mk("s3", "ses-a", created.Add(2*time.Minute)), mk("s4", "ses-b", created)
	update(t, s, func(tx triage.Tx) error {
		for _, v := range []*triage.Session{one, two, three, other} {
			if err := tx.CreateSession(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.SessionByHash(ctx, "hash-s2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "session by hash", got, two)
	if got.Hash != "hash-s2" {
		t.Errorf("hash = %q", got.Hash)
	}
	dup := mk("s9", "ses-a", created)
	dup.Hash = "hash-s1"
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateSession(ctx, dup) }), triage.ECONFLICT)

	first := created.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.RevokeSession(ctx, "s2", first) })
	update(t, s, func(tx triage.Tx) error { return tx.RevokeSession(ctx, "s2", first.Add(time.Hour)) })
	got, err = s.Session(ctx, "s2")
	if err != nil {
		t.Fatal(err)
	}
	if got.RevokedAt == nil || !got.RevokedAt.Equal(stored(first)) || got.ActiveAt(created) {
		t.Errorf("revoked twice: revoked_at %v, want the first time %v", got.RevokedAt, stored(first))
	}
	list, err := s.Sessions(ctx, "ses-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "s3" || list[1].ID != "s1" {
		t.Errorf("Sessions = %v, want s3 then s1 (s2 is revoked)", list)
	}
	var n int
	update(t, s, func(tx triage.Tx) error { n, err = tx.RevokeSessions(ctx, "ses-a", first); return err })
	if n != 2 {
		t.Errorf("RevokeSessions ended %d, want 2", n)
	}
	if list, err := s.Sessions(ctx, "ses-a"); err != nil || len(list) != 0 {
		t.Errorf("after RevokeSessions: %v, %v; want none", list, err)
	}
	if list, err := s.Sessions(ctx, "ses-b"); err != nil || len(list) != 1 {
		t.Errorf("another agent's sessions: %v, %v; want its one", list, err)
	}
	if list, err := s.Sessions(ctx, "nobody"); err != nil || list == nil || len(list) != 0 {
		t.Errorf("sessions of nobody: %#v, %v; want an empty list", list, err)
	}
}
