package totp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/triagehq/triage"
)

// recoveryAlphabet is Crockford's base32: no i, l, o or u, so a code read
// aloud or copied from paper is not misread.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// RecoveryCodeLen is the number of characters of a recovery code, 80 bits.
const RecoveryCodeLen = 16

// RecoveryCodes makes n recovery codes, formatted xxxx-xxxx-xxxx-xxxx to
// show once, and their hashes to store.
func RecoveryCodes(n int) (codes, hashes []string, err error) {
	if n < 1 || n > 100 {
		return nil, nil, triage.Invalid("count", "count must be between 1 and 100")
	}
	for range n {
		raw := make([]byte, RecoveryCodeLen)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		var b strings.Builder
		for i, c := range raw {
			if i > 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[c&31]) // 256 is a multiple of 32: no bias
		}
		code := b.String()
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// normalizeRecovery reads a code as a person types it: any case, with or
// without dashes and spaces, i and l for 1, o for 0.
func normalizeRecovery(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
		case r == 'i' || r == 'l':
			b.WriteByte('1')
		case r == 'o':
			b.WriteByte('0')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HashRecoveryCode returns the hash to store for a recovery code.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("triage recovery code\x00" + normalizeRecovery(code)))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index in hashes of the hash code matches,
// or -1. Every hash is compared, in constant time. The caller deletes the
// matched hash in the same write that lets the person in, so a code works
// once.
func MatchRecoveryCode(hashes []string, code string) int {
	n := normalizeRecovery(code)
	if len(n) != RecoveryCodeLen || strings.Trim(n, recoveryAlphabet) != "" {
		return -1
	}
	h := []byte(HashRecoveryCode(n))
	found := -1
	for i, stored := range hashes {
		if subtle.ConstantTimeCompare(h, []byte(stored)) == 1 && found < 0 {
			found = i
		}
	}
	return found
}
