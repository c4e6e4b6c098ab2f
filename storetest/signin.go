package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Sign-in's second floor (issue 18): an account's second factor and SSO
// link survive a round trip and find it; one-time links are taken once,
// not after they expire, and a new one voids the earlier; the sign-in
// settings are versioned.
var signInTests = []test{
	{"account factors and SSO link", testAccountFactors},
	{"one-time links", testOneTimeLinks},
	{"auth settings", testAuthSettings},
	{"sign-in failures", testSignInFailures},
}

// testSignInFailures: failures count up per key, start afresh after the
// forget period, are cleared, and stale keys are dropped by a later
// failure of another key.
func testSignInFailures(t *testing.T, s triage.Store) {
	ctx := t.Context()
	fail := func(key string, at time.Time) triage.SignInFailures {
		t.Helper()
		var f triage.SignInFailures
		update(t, s, func(tx triage.Tx) error {
			var err error
			f, err = tx.FailSignIn(ctx, key, at, time.Hour)
			return err
		})
		return f
	}
	read := func(key string) triage.SignInFailures {
		t.Helper()
		f, err := s.SignInFailures(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := read("account:a@example.com"); f.Count != 0 {
		t.Fatalf("unknown key: %+v, want a zero count", f)
	}
	for i := range 3 {
		at := base.Add(time.Duration(i) * time.Minute)
		if f := fail("account:a@example.com", at); f.Count != i+1 || !f.Last.Equal(triage.StoreTime(at)) {
			t.Fatalf("failure %d: %+v", i+1, f)
		}
	}
	sameJSON(t, "read back", read("account:a@example.com"), triage.SignInFailures{Key: "account:a@example.com", Count: 3, Last: base.Add(2 * time.Minute).UTC()})
	fail("address:192.0.2.1", base)
	// Past the forget period the key starts afresh, and the other key,
	// stale by then, is dropped.
	later := base.Add(3 * time.Hour)
	if f := fail("account:a@example.com", later); f.Count != 1 {
		t.Fatalf("after the forget period: %+v, want count 1", f)
	}
	if f := read("address:192.0.2.1"); f.Count != 0 {
		t.Fatalf("stale key kept: %+v", f)
	}
	update(t, s, func(tx triage.Tx) error { return tx.ClearSignIn(ctx, "account:a@example.com") })
	if f := read("account:a@example.com"); f.Count != 0 {
		t.Fatalf("after clearing: %+v", f)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { _, err := tx.FailSignIn(ctx, "", base, time.Hour); return err }), triage.EINVALID)
}

func testAccountFactors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	enabled := time.Date(2026, 12, 7, 10, 0, 0, 987654321, cst)
	a := &triage.Account{AgentID: "f-1", Role: triage.RoleAgent, CreatedAt: base,
		TOTPSecret: "sealed:v1:abc", TOTPEnabledAt: &enabled, TOTPStep: 59123456,
		RecoveryHashes: []string{"aa11", "bb22"}, SSOIssuer: "https://sso.example.cn", SSOSubject: "u-42"}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateAgent(ctx, newAgent("f-1", "赵敏", "zhaomin@example.com")); err != nil {
			return err
		}
		if err := tx.CreateAgent(ctx, newAgent("f-2", "周芷若", "zhou@example.com")); err != nil {
			return err
		}
		return tx.PutAccount(ctx, a)
	})
	got, err := s.AccountBySSO(ctx, "https://sso.example.cn", "u-42")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "account by SSO", got, a)
	if got.TOTPSecret != a.TOTPSecret || got.TOTPStep != a.TOTPStep || !slices.Equal(got.RecoveryHashes, a.RecoveryHashes) {
		t.Errorf("factors = %q, %d, %v; want %q, %d, %v", got.TOTPSecret, got.TOTPStep, got.RecoveryHashes, a.TOTPSecret, a.TOTPStep, a.RecoveryHashes)
	}
	for _, tc := range []struct{ name, iss, sub string }{
		{"other subject", "https://sso.example.cn", "u-43"},
		{"other issuer", "https://other.example.cn", "u-42"},
		{"no subject", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AccountBySSO(ctx, tc.iss, tc.sub)
			wantCode(t, err, triage.ENOTFOUND)
		})
	}
	// Clearing the factors (an admin's reset) stores empty values.
	got.TOTPSecret, got.TOTPEnabledAt, got.TOTPStep, got.RecoveryHashes = "", nil, 0, nil
	update(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, got) })
	again, err := s.Account(ctx, "f-1")
	if err != nil {
		t.Fatal(err)
	}
	if again.TOTPSecret != "" || again.TOTPEnabledAt != nil || len(again.RecoveryHashes) != 0 {
		t.Errorf("after reset: %q, %v, %v", again.TOTPSecret, again.TOTPEnabledAt, again.RecoveryHashes)
	}
	// One person at the provider links to one account.
	other := &triage.Account{AgentID: "f-2", Role: triage.RoleViewer, CreatedAt: base, SSOIssuer: "https://sso.example.cn", SSOSubject: "u-42"}
	if err := updateErr(t, s, func(tx triage.Tx) error { return tx.PutAccount(ctx, other) }); err == nil {
		t.Error("a second account linked to the same subject was stored")
	}
}

func testOneTimeLinks(t *testing.T, s triage.Store) {
	ctx := t.Context()
	r := triage.OneTime{Hash: "h1", Purpose: "reset", Subject: "ag-1", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, r) })
	got, err := s.OneTime(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	r.AsStored()
	sameJSON(t, "link", got, r)
	_, err = s.OneTime(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)

	take := func(hash string, at time.Time) (triage.OneTime, error) {
		var out triage.OneTime
		err := updateErr(t, s, func(tx triage.Tx) error {
			var err error
			out, err = tx.TakeOneTime(ctx, hash, at)
			return err
		})
		return out, err
	}
	first, err := take("h1", base.Add(time.Minute))
	if err != nil || first.UsedAt != nil {
		t.Fatalf("first take: %+v, %v; want the unused record", first, err)
	}
	second, err := take("h1", base.Add(2*time.Minute))
	if err != nil || second.UsedAt == nil || !second.UsedAt.Equal(stored(base.Add(time.Minute))) {
		t.Fatalf("second take: %+v, %v; want it used at the first take", second, err)
	}
	_, err = take("nope", base)
	wantCode(t, err, triage.ENOTFOUND)

	// An expired link is not marked used by a late try.
	exp := triage.OneTime{Hash: "h2", Purpose: "invite", Subject: "ag-2", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, exp) })
	if late, err := take("h2", base.Add(2*time.Hour)); err != nil || late.UsedAt != nil {
		t.Fatalf("late take: %+v, %v", late, err)
	}
	if got, _ := s.OneTime(ctx, "h2"); got.UsedAt != nil {
		t.Errorf("an expired link was marked used: %+v", got)
	}

	// A new link of the same purpose and subject voids the earlier; one
	// of another purpose does not.
	a := triage.OneTime{Hash: "h3", Purpose: "reset", Subject: "ag-3", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	keep := triage.OneTime{Hash: "h4", Purpose: "invite", Subject: "ag-3", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	b := triage.OneTime{Hash: "h5", Purpose: "reset", Subject: "ag-3", CreatedAt: base.Add(time.Minute), ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error {
		for _, r := range []triage.OneTime{a, keep, b} {
			if err := tx.PutOneTime(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	for hash, used := range map[string]bool{"h3": true, "h4": false, "h5": false} {
		got, err := s.OneTime(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if (got.UsedAt != nil) != used {
			t.Errorf("%s used = %v, want %v", hash, got.UsedAt != nil, used)
		}
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.PutOneTime(ctx, b) }), triage.ECONFLICT)
}

func testAuthSettings(t *testing.T, s triage.Store) {
	ctx := t.Context()
	got, err := s.AuthSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 0 || got.RequireTOTP {
		t.Fatalf("settings never saved = %+v, want the zero settings", got)
	}
	v := &triage.AuthSettings{RequireTOTP: true, UpdatedAt: base}
	update(t, s, func(tx triage.Tx) error { return tx.PutAuthSettings(ctx, v) })
	if v.Version != 1 {
		t.Errorf("version after create = %d", v.Version)
	}
	got, err = s.AuthSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "settings", got, v)
	stale := &triage.AuthSettings{RequireTOTP: false, UpdatedAt: base}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.PutAuthSettings(ctx, stale) }), triage.ESTALE)
	got.RequireTOTP, got.UpdatedAt = false, base.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.PutAuthSettings(ctx, got) })
	if again, _ := s.AuthSettings(ctx); again.RequireTOTP || again.Version != 2 {
		t.Errorf("after update: %+v", again)
	}
}
