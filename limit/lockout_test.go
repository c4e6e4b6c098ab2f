package limit

import (
	"fmt"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func TestLockoutBackoff(t *testing.T) {
	c := newClock()
	l, err := NewLockout(AccountPolicy(), 0, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	const key = "account:zhang.wei@example.cn"
	for i := range 5 {
		if d := l.Check(key); !d.Allowed {
			t.Fatalf("attempt %d refused", i+1)
		}
		d := l.Fail(key)
		if i < 4 && (!d.Allowed || d.Remaining != 4-i) {
			t.Fatalf("failure %d: %+v", i+1, d)
		}
	}
	// The fifth failure used the last free try; the sixth locks.
	d := l.Fail(key)
	if d.Allowed || d.RetryAfter != time.Minute {
		t.Fatalf("sixth failure: %+v, want a minute's lockout", d)
	}
	if d := l.Check(key); d.Allowed || d.RetryAfterSeconds() != 60 {
		t.Fatalf("Check while locked: %+v", d)
	}
	// Each further failure doubles the lockout, up to the maximum.
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour} {
		c.Add(l.Check(key).RetryAfter)
		if !l.Check(key).Allowed {
			t.Fatal("still locked after the lockout")
		}
		if d := l.Fail(key); d.RetryAfter != want {
			t.Fatalf("lockout %v, want %v", d.RetryAfter, want)
		}
	}
	// Another account is not affected.
	if !l.Check("account:li.na@example.cn").Allowed {
		t.Fatal("a lockout spilled onto another account")
	}
	// Success forgets.
	c.Add(time.Hour)
	l.Succeed(key)
	if d := l.Fail(key); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("after success: %+v", d)
	}
	// And so does a day without failures.
	for range 5 {
		l.Fail(key)
	}
	c.Add(25 * time.Hour)
	if d := l.Fail(key); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("after a quiet day: %+v", d)
	}
}

func TestLockoutAddressAllowsAnOffice(t *testing.T) {
	c := newClock()
	l, _ := NewLockout(AddressPolicy(), 0, c.Now)
	for i := range 30 {
		if d := l.Fail("ip:203.0.113.7"); !d.Allowed {
			t.Fatalf("failure %d from one office address locked it", i+1)
		}
	}
	if d := l.Fail("ip:203.0.113.7"); d.Allowed {
		t.Fatal("31 failures from one address did not lock it")
	}
}

// TestLockoutSurvivesFlood: made-up account names must not push a real
// lockout out of the bounded map.
func TestLockoutSurvivesFlood(t *testing.T) {
	c := newClock()
	l, _ := NewLockout(LockoutPolicy{Free: 0, Base: time.Minute, Max: time.Hour, Forget: time.Hour}, 100, c.Now)
	l.Fail("account:victim")
	for i := range 10_000 {
		l.Fail(fmt.Sprintf("account:made-up-%d", i))
		c.Add(time.Millisecond)
	}
	if l.Len() > 100 {
		t.Fatalf("%d keys held, bound is 100", l.Len())
	}
	// Every made-up key is locked too here (Free 0), so the victim may be
	// evicted only after a scan found nothing unlocked; with unlocked
	// keys around it must survive:
	l2, _ := NewLockout(AccountPolicy(), 100, c.Now)
	for range 6 {
		l2.Fail("account:victim")
	}
	for i := range 10_000 {
		l2.Fail(fmt.Sprintf("account:made-up-%d", i)) // one failure each: not locked
	}
	if d := l2.Check("account:victim"); d.Allowed {
		t.Fatal("a flood of made-up names evicted a locked account")
	}
	if l2.Len() > 100 {
		t.Fatalf("%d keys held", l2.Len())
	}
}

func TestNewLockoutRefuses(t *testing.T) {
	for _, p := range []LockoutPolicy{{}, {Free: 1, Base: time.Hour, Max: time.Minute, Forget: time.Hour}, {Free: -1, Base: 1, Max: 1, Forget: 1}} {
		if _, err := NewLockout(p, 0, nil); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("NewLockout(%+v) = %v", p, err)
		}
	}
}
