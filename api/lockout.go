package api

import (
	"context"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/limit"
)

// storedLockout is a lockout whose failures are kept in the store (issue
// 18): a restart, or a second instance on the same store, does not
// forgive an attacker his guesses. Its keys carry a prefix per lockout,
// so the account and address lockouts share one table.
type storedLockout struct {
	policy limit.LockoutPolicy
	prefix string
	now    func() time.Time
}

// Check reports whether key may try now; see limit.Lockout.Check. A
// store that cannot be read refuses nothing on its own: the error goes to
// the caller, who answers it.
func (l storedLockout) Check(ctx context.Context, store triage.Store, key string) (limit.Decision, error) {
	f, err := store.SignInFailures(ctx, l.prefix+key)
	if err != nil {
		return limit.Decision{}, err
	}
	return l.policy.Decide(f.Count, f.Last, l.now()), nil
}

// Fail counts a failed attempt of key.
func (l storedLockout) Fail(ctx context.Context, store triage.Store, key string) error {
	now := l.now()
	return store.Update(ctx, func(tx triage.Tx) error {
		_, err := tx.FailSignIn(ctx, l.prefix+key, now, l.policy.Forget)
		return err
	})
}

// Succeed forgets key's failures.
func (l storedLockout) Succeed(ctx context.Context, store triage.Store, key string) error {
	return store.Update(ctx, func(tx triage.Tx) error { return tx.ClearSignIn(ctx, l.prefix+key) })
}
