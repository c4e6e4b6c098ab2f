package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/triagehq/triage"
)

// The environment variables a Keyring is read from.
const (
	EnvKey     = "TRIAGE_SECRET_KEY"
	EnvOldKeys = "TRIAGE_SECRET_KEYS_OLD"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// prefix starts every sealed value; the version lets the format change.
const prefix = "seal1"

// howTo is the advice every "no key" message ends with.
const howTo = "set " + EnvKey + " to 32 random bytes in base64 (for example the output of `openssl rand -base64 32`) and restart"

// Keyring seals with its current key and opens with any of its keys. The
// zero Keyring has no key and refuses both. A Keyring is safe for
// concurrent use: it never changes after it is made.
type Keyring struct {
	current string // key id
	aeads   map[string]cipher.AEAD
	raw     map[string][]byte
}

// GenerateKey returns a new random key in the base64 form TRIAGE_SECRET_KEY
// takes.
func GenerateKey() (string, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(k), nil
}

// KeyID returns the id a sealed value carries for key: the first 8 hex
// digits of a hash of the key. It identifies a key in errors and logs
// without revealing it.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("triage seal key id"))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// New returns a Keyring that seals with current and also opens with old.
// Each key must be KeySize bytes.
func New(current []byte, old ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	for i, key := range append([][]byte{current}, old...) {
		field := EnvKey
		if i > 0 {
			field = EnvOldKeys
		}
		if len(key) != KeySize {
			return nil, triage.Invalid(field, "%s must be %d bytes, base64-encoded; it has %d bytes: %s", field, KeySize, len(key), howTo)
		}
		id := KeyID(key)
		if _, dup := k.aeads[id]; dup {
			continue // the current key also listed as old is harmless
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads[id] = aead
		k.raw[id] = append([]byte(nil), key...)
		if i == 0 {
			k.current = id
		}
	}
	return k, nil
}

// FromEnv reads the keys from EnvKey and EnvOldKeys (several old keys are
// separated by commas or spaces) through getenv, usually os.Getenv. With
// neither set it returns the zero Keyring, which refuses to seal and open
// and says how to configure a key; an old key without a current one, or a
// value that is not a base64 key of the right size, is an error naming the
// variable (never its value).
func FromEnv(getenv func(string) string) (*Keyring, error) {
	cur := strings.TrimSpace(getenv(EnvKey))
	olds := strings.FieldsFunc(getenv(EnvOldKeys), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	if cur == "" {
		if len(olds) > 0 {
			return nil, triage.Invalid(EnvKey, "%s is set but %s is not: %s", EnvOldKeys, EnvKey, howTo)
		}
		return &Keyring{}, nil
	}
	current, err := decodeKey(EnvKey, cur)
	if err != nil {
		return nil, err
	}
	var old [][]byte
	for i, s := range olds {
		k, err := decodeKey(fmt.Sprintf("%s[%d]", EnvOldKeys, i), s)
		if err != nil {
			return nil, err
		}
		old = append(old, k)
	}
	return New(current, old...)
}

func decodeKey(field, s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, triage.Invalid(field, "%s must be %d bytes, base64-encoded; it decodes to %d bytes: %s", field, KeySize, len(k), howTo)
			}
			return k, nil
		}
	}
	return nil, triage.Invalid(field, "%s is not base64: %s", field, howTo)
}

// Configured reports whether k has a key to seal with.
func (k *Keyring) Configured() bool { return k != nil && k.current != "" }

// CurrentKeyID returns the id of the key new values are sealed with, or ""
// when none is configured; for the startup log.
func (k *Keyring) CurrentKeyID() string {
	if k == nil {
		return ""
	}
	return k.current
}

func errNoKey(what string) error {
	return &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf("cannot %s: no encryption key is configured; %s", what, howTo)}
}

// additional binds a value to its format, its key and its place.
func additional(keyID, aad string) []byte {
	return []byte(prefix + "\x00" + keyID + "\x00" + aad)
}

// Seal encrypts plaintext for the place aad names (for example
// "mailbox:0193f...:password") and returns a printable sealed value:
// seal1.<key id>.<base64url of nonce and ciphertext>.
func (k *Keyring) Seal(plaintext []byte, aad string) (string, error) {
	if !k.Configured() {
		return "", errNoKey("store the secret")
	}
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, plaintext, additional(k.current, aad))
	return prefix + "." + k.current + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// SealString is Seal for text.
func (k *Keyring) SealString(plaintext, aad string) (string, error) {
	return k.Seal([]byte(plaintext), aad)
}

// parse splits a sealed value into its key id and payload.
func parse(sealed string) (keyID string, payload []byte, err error) {
	p, rest, ok := strings.Cut(sealed, ".")
	if !ok || p != prefix {
		return "", nil, triage.Errorf(triage.EINTERNAL, "a stored secret is not a sealed value (it does not start with %s.)", prefix)
	}
	keyID, enc, ok := strings.Cut(rest, ".")
	if !ok || len(keyID) != 8 || strings.Trim(keyID, "0123456789abcdef") != "" {
		return "", nil, triage.Errorf(triage.EINTERNAL, "a stored secret is not a sealed value (its key id is malformed)")
	}
	payload, err = base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil || base64.RawURLEncoding.EncodeToString(payload) != enc {
		return "", nil, triage.Errorf(triage.EINTERNAL, "a stored secret is not a sealed value (its payload is not base64url)")
	}
	return keyID, payload, nil
}

// Open decrypts a value Seal made for the same aad. It fails with
// EUNAVAILABLE when the key that sealed the value is not configured (the
// message names the key id and the variables to check), and with
// EINTERNAL when the value is malformed, was changed, or belongs to
// another place.
func (k *Keyring) Open(sealed string, aad string) ([]byte, error) {
	keyID, payload, err := parse(sealed)
	if err != nil {
		return nil, err
	}
	if !k.Configured() {
		return nil, errNoKey("read a stored secret")
	}
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, &triage.Error{Code: triage.EUNAVAILABLE, Message: fmt.Sprintf(
			"a stored secret was sealed with key %s, which is not configured (the current key is %s): put that key in %s, or enter the secret again",
			keyID, k.current, EnvOldKeys)}
	}
	if len(payload) < aead.NonceSize()+aead.Overhead() {
		return nil, triage.Errorf(triage.EINTERNAL, "a stored secret sealed with key %s is truncated", keyID)
	}
	nonce, ct := payload[:aead.NonceSize()], payload[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, ct, additional(keyID, aad))
	if err != nil {
		return nil, triage.Errorf(triage.EINTERNAL, "a stored secret does not open with key %s: it was changed, or it belongs to another record or field", keyID)
	}
	return plain, nil
}

// OpenString is Open for text.
func (k *Keyring) OpenString(sealed, aad string) (string, error) {
	b, err := k.Open(sealed, aad)
	return string(b), err
}

// NeedsReseal reports whether sealed was made with another key than the
// current one, so that a rotation job can Open and Seal it again before
// the old key is removed.
func (k *Keyring) NeedsReseal(sealed string) bool {
	keyID, _, err := parse(sealed)
	return err == nil && k.Configured() && keyID != k.current
}

// Reseal opens sealed and seals it again with the current key, for the
// same aad.
func (k *Keyring) Reseal(sealed, aad string) (string, error) {
	plain, err := k.Open(sealed, aad)
	if err != nil {
		return "", err
	}
	return k.Seal(plain, aad)
}

// IsSealed reports whether s has the form of a sealed value; a store
// migrating clear-text columns uses it to tell which rows are done.
func IsSealed(s string) bool {
	_, _, err := parse(s)
	return err == nil
}

// Derive returns a 32-byte key for one purpose (for example "oidc state"
// or "proof of work"), derived from the current key with HMAC-SHA256, so
// that one configured secret serves every signing need without any two
// sharing a key. It fails like Seal when no key is configured. A derived
// key changes when the current key rotates: use it only for short-lived
// values (cookies, challenges), never for what is stored.
func (k *Keyring) Derive(purpose string) ([]byte, error) {
	if !k.Configured() {
		return nil, errNoKey("derive a signing key")
	}
	m := hmac.New(sha256.New, k.raw[k.current])
	m.Write([]byte("triage derive\x00" + purpose))
	return m.Sum(nil), nil
}
