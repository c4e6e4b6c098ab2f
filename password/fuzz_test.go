package password

import (
	"context"
	"testing"
)

// FuzzParse feeds Parse arbitrary stored hashes: it must never panic, never
// accept parameters outside the bounds (Verify would then allocate what a
// corrupt row says), and whatever it accepts must print back to itself.
func FuzzParse(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$c2FsdHNhbHRzYWx0c2FsdA")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$$")
	f.Add("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			return
		}
		if h.Params.validate() != nil {
			t.Fatalf("Parse(%q) accepted out-of-bounds parameters %+v", s, h.Params)
		}
		if h.String() != s {
			t.Fatalf("Parse(%q) reads back as %q", s, h.String())
		}
	})
}

// FuzzPolicy checks that Check never panics and that whatever it accepts
// can be hashed.
func FuzzPolicy(f *testing.F) {
	f.Add("woaini1314", "a@b.cn", "张伟")
	f.Add("长城万里 green tea 2026", "", "")
	f.Fuzz(func(t *testing.T, pw, email, name string) {
		if (Policy{}).Check(pw, email, name) != nil {
			return
		}
		h, err := NewHasher(cheap, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Hash(context.Background(), pw); err != nil {
			t.Fatalf("Check accepted %q but Hash refused: %v", pw, err)
		}
	})
}
