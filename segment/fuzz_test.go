package segment

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks Normalize's promises on any input. The seeds in
// testdata/fuzz/FuzzNormalize run in every plain go test; explore further
// with: go test ./segment -run '^$' -fuzz FuzzNormalize -fuzztime 1m
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		out := Normalize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", in, out)
		}
		if again := Normalize(out); again != out {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize(%q) = %q", in, out, out, again)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Normalize(%q) = %q has a leading, trailing or double space", in, out)
		}
		for _, r := range out {
			switch {
			case r >= 0xff01 && r <= 0xff5e:
				t.Fatalf("Normalize(%q) = %q keeps the full-width %q", in, out, r)
			case r != ' ' && (r < ' ' || r == 0x7f || r == '\u3000' || r == '\u00a0'):
				t.Fatalf("Normalize(%q) = %q keeps %U", in, out, r)
			case 'A' <= r && r <= 'Z':
				t.Fatalf("Normalize(%q) = %q keeps the capital %q", in, out, r)
			}
		}
	})
}
