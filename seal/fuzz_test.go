package seal

import (
	"errors"
	"testing"

	"github.com/triagehq/triage"
)

// FuzzOpen feeds Open arbitrary stored values: never a panic, always a
// *triage.Error, and nothing opens that this key did not seal for this
// place.
func FuzzOpen(f *testing.F) {
	k, _ := New(key(7), key(8))
	good, _ := k.SealString("secret", "mailbox:1:password")
	f.Add(good, "mailbox:1:password")
	f.Add(good, "mailbox:2:password")
	f.Add("seal1.00000000.", "")
	f.Add("seal1."+KeyID(key(8))+".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, sealed, aad string) {
		plain, err := k.OpenString(sealed, aad)
		if err != nil {
			var e *triage.Error
			if !errors.As(err, &e) {
				t.Fatalf("Open returned %T %v", err, err)
			}
			return
		}
		// Each fuzzing worker seals its own seed (the nonce is random), so
		// what may open is any value sealed here for this place.
		if aad != "mailbox:1:password" || plain != "secret" {
			t.Fatalf("Open(%q, %q) = %q: a forged value opened", sealed, aad, plain)
		}
	})
}
