package limit

import (
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// LockoutPolicy says how failures lock a key.
type LockoutPolicy struct {
	// Free is how many failures in a row are allowed before the first
	// lockout.
	Free int
	// Base is the first lockout; each further failure doubles it, up to
	// Max.
	Base, Max time.Duration
	// Forget is how long after the last failure a key starts afresh.
	Forget time.Duration
}

// AccountPolicy is for failures against one account: five tries, then
// one minute, two, four, ... up to an hour. Short enough that an attacker
// who knows an e-mail address cannot keep its owner out for long, long
// enough that guessing even a weak password takes years.
func AccountPolicy() LockoutPolicy {
	return LockoutPolicy{Free: 5, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
}

// AddressPolicy is for failures from one client address. It allows more:
// a whole office often signs in from behind one NAT address.
func AddressPolicy() LockoutPolicy {
	return LockoutPolicy{Free: 30, Base: time.Minute, Max: time.Hour, Forget: time.Hour}
}

// Decide is the decision for a key that failed count times in a row, the
// last of them at last: what a lockout kept in a store (the sign-in's)
// decides with.
func (p LockoutPolicy) Decide(count int, last, now time.Time) Decision {
	if count == 0 || now.Sub(last) >= p.Forget {
		return Decision{Allowed: true, Limit: p.Free, Remaining: p.Free}
	}
	return p.decide(&failures{count: count, last: last, lockedUntil: p.lockedUntil(count, last)}, now)
}

// lockedUntil is when the lock that the count-th failure at last set
// ends: one that set none ends at last.
func (p LockoutPolicy) lockedUntil(count int, last time.Time) time.Time {
	over := count - p.Free
	if over <= 0 {
		return last
	}
	lock := p.Base
	for i := 1; i < over && lock < p.Max; i++ {
		lock *= 2
	}
	return last.Add(min(lock, p.Max))
}

func (p LockoutPolicy) decide(f *failures, now time.Time) Decision {
	d := Decision{Allowed: true, Limit: p.Free, Remaining: max(0, p.Free-f.count)}
	if now.Before(f.lockedUntil) {
		d.Allowed = false
		d.RetryAfter = f.lockedUntil.Sub(now)
		d.Reset = d.RetryAfter
	}
	return d
}

type failures struct {
	count       int
	last        time.Time
	lockedUntil time.Time
}

// Lockout counts failed attempts per key (an account, a client address)
// and locks a key out for a while after too many, for at most MaxKeys keys.
type Lockout struct {
	policy LockoutPolicy
	now    func() time.Time
	mu     sync.Mutex
	keys   *lru[*failures]
}

// NewLockout returns a Lockout with policy p; maxKeys 0 means
// DefaultMaxKeys, now nil means time.Now.
func NewLockout(p LockoutPolicy, maxKeys int, now func() time.Time) (*Lockout, error) {
	if p.Free < 0 || p.Base <= 0 || p.Max < p.Base || p.Forget <= 0 {
		return nil, triage.Invalid("lockout", "lockout needs free >= 0 and 0 < base <= max, and a positive forget period")
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &Lockout{policy: p, now: now, keys: newLRU[*failures](maxKeys)}, nil
}

// Check reports whether key may try now: a Decision that is refused
// carries the time left in RetryAfter. Call it before checking the
// password, so that a locked account costs no argon2id.
func (l *Lockout) Check(key string) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.keys.get(key)
	if !ok || now.Sub(f.last) >= l.policy.Forget {
		return Decision{Allowed: true, Limit: l.policy.Free, Remaining: l.policy.Free}
	}
	return l.decide(f, now)
}

func (l *Lockout) decide(f *failures, now time.Time) Decision { return l.policy.decide(f, now) }

// Fail records a failed attempt for key and returns the decision for the
// next one: refused, with RetryAfter, when this failure locked the key.
func (l *Lockout) Fail(key string) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.keys.get(key)
	if !ok || now.Sub(f.last) >= l.policy.Forget {
		f = &failures{}
	}
	f.count++
	f.last = now
	if f.count > l.policy.Free {
		f.lockedUntil = l.policy.lockedUntil(f.count, now)
	}
	// When the map is full, forget first a key that is not locked out, so
	// that a flood of made-up names cannot push a real lockout out.
	l.keys.put(key, f, func(f *failures) bool { return now.Before(f.lockedUntil) })
	return l.decide(f, now)
}

// Succeed forgets key's failures: after a good sign-in the count starts
// again.
func (l *Lockout) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys.delete(key)
}

// Len is the number of keys held.
func (l *Lockout) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.keys.len()
}
