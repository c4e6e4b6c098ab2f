package totp

import (
	"regexp"
	"strings"
	"testing"
)

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := RecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("%d codes, %d hashes", len(codes), len(hashes))
	}
	format := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !format.MatchString(c) {
			t.Fatalf("code %q is not xxxx-xxxx-xxxx-xxxx in Crockford base32", c)
		}
		if seen[c] {
			t.Fatal("duplicate code")
		}
		seen[c] = true
		if strings.Contains(hashes[i], c) || strings.Contains(hashes[i], strings.ReplaceAll(c, "-", "")) {
			t.Fatal("the hash contains the code")
		}
		if got := MatchRecoveryCode(hashes, c); got != i {
			t.Fatalf("MatchRecoveryCode(code %d) = %d", i, got)
		}
	}
	// As people type them: upper case, no dashes, spaces, O for 0, L for 1.
	c := codes[3]
	typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
	typed = strings.NewReplacer("0", "O", "1", "L").Replace(typed)
	if got := MatchRecoveryCode(hashes, typed); got != 3 {
		t.Fatalf("MatchRecoveryCode(%q) = %d, want 3", typed, got)
	}
	// Used once: the caller deletes the hash, and the code no longer works.
	rest := append(append([]string{}, hashes[:3]...), hashes[4:]...)
	if got := MatchRecoveryCode(rest, c); got != -1 {
		t.Fatalf("a used recovery code matched %d", got)
	}
	for _, bad := range []string{"", "abcd", strings.Repeat("u", 16), c + "0", "!!!!-!!!!-!!!!-!!!!"} {
		if got := MatchRecoveryCode(hashes, bad); got != -1 {
			t.Fatalf("MatchRecoveryCode(%q) = %d", bad, got)
		}
	}
	other, _, _ := RecoveryCodes(1)
	if MatchRecoveryCode(hashes, other[0]) != -1 {
		t.Fatal("another person's code matched")
	}
	if _, _, err := RecoveryCodes(0); err == nil {
		t.Fatal("RecoveryCodes(0) succeeded")
	}
}
