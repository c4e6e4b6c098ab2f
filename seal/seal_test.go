package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSealOpen(t *testing.T) {
	k, err := New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"imap-密码-123", "", strings.Repeat("x", 10000), "\x00binary\xff"} {
		sealed, err := k.SealString(secret, "mailbox:42:password")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "seal1."+KeyID(key(1))+".") {
			t.Fatalf("sealed value %q does not name its key", sealed)
		}
		if len(secret) > 3 && strings.Contains(sealed, secret) {
			t.Fatal("the sealed value contains the secret")
		}
		got, err := k.OpenString(sealed, "mailbox:42:password")
		if err != nil || got != secret {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	a, _ := k.SealString("same", "x")
	b, _ := k.SealString("same", "x")
	if a == b {
		t.Fatal("two seals of one secret are equal: the nonce is not random")
	}
}

func TestAssociatedDataBinds(t *testing.T) {
	k, _ := New(key(1))
	sealed, _ := k.SealString("smtp-secret", "mailbox:42:smtp_password")
	for _, aad := range []string{"mailbox:43:smtp_password", "mailbox:42:password", "", "mailbox:42:smtp_password "} {
		_, err := k.Open(sealed, aad)
		if !triage.IsCode(err, triage.EINTERNAL) || !strings.Contains(err.Error(), "another record or field") {
			t.Fatalf("Open under %q = %v, want a refusal", aad, err)
		}
		if strings.Contains(err.Error(), "smtp-secret") {
			t.Fatal("the error contains the secret")
		}
	}
}

func TestTamperRefused(t *testing.T) {
	k, _ := New(key(1))
	sealed, _ := k.SealString("wechat-corp-secret", "wechat:1:secret")
	id := KeyID(key(1))
	payload, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "seal1."+id+"."))
	for i := range payload {
		p := bytes.Clone(payload)
		p[i] ^= 0x01
		tampered := "seal1." + id + "." + base64.RawURLEncoding.EncodeToString(p)
		if _, err := k.Open(tampered, "wechat:1:secret"); err == nil {
			t.Fatalf("a value with byte %d flipped opened", i)
		}
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"clear text":     "wechat-corp-secret",
		"other version":  strings.Replace(sealed, "seal1", "seal2", 1),
		"truncated":      sealed[:len("seal1.")+8+1+10],
		"no payload":     "seal1." + id + ".",
		"bad key id":     "seal1.XYZ." + sealed[len("seal1.")+9:],
		"padded base64":  sealed + "==",
		"newline inside": sealed[:20] + "\n" + sealed[20:],
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := k.Open(bad, "wechat:1:secret"); err == nil {
				t.Fatal("opened")
			}
			if IsSealed(bad) && name != "truncated" && name != "no payload" {
				t.Fatalf("IsSealed(%q)", bad)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	oldRing, _ := New(key(1))
	oldSealed, _ := oldRing.SealString("old secret", "oidc:client_secret")

	// Rotate: the new key seals, the old one still opens.
	k, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.OpenString(oldSealed, "oidc:client_secret"); err != nil || got != "old secret" {
		t.Fatalf("Open(old) = %q, %v", got, err)
	}
	newSealed, _ := k.SealString("new secret", "oidc:client_secret")
	if !strings.Contains(newSealed, KeyID(key(2))) {
		t.Fatal("a new value was not sealed with the new key")
	}
	if !k.NeedsReseal(oldSealed) || k.NeedsReseal(newSealed) {
		t.Fatal("NeedsReseal does not tell old from new")
	}
	resealed, err := k.Reseal(oldSealed, "oidc:client_secret")
	if err != nil || k.NeedsReseal(resealed) {
		t.Fatalf("Reseal = %v", err)
	}

	// The old key dropped: values sealed with it fail with a message that
	// names the key id and says what to do, not the secret or the key.
	newOnly, _ := New(key(2))
	_, err = newOnly.Open(oldSealed, "oidc:client_secret")
	var e *triage.Error
	if !errors.As(err, &e) || e.Code != triage.EUNAVAILABLE || !strings.Contains(e.Message, KeyID(key(1))) || !strings.Contains(e.Message, EnvOldKeys) {
		t.Fatalf("Open with the key missing = %v", err)
	}
	for _, leak := range []string{"old secret", base64.StdEncoding.EncodeToString(key(1)), base64.StdEncoding.EncodeToString(key(2))} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("error leaks %q", leak)
		}
	}
	if got, _ := newOnly.OpenString(resealed, "oidc:client_secret"); got != "old secret" {
		t.Fatal("a resealed value does not open with the new key alone")
	}
}

func TestNoKey(t *testing.T) {
	k, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if k.Configured() || k.CurrentKeyID() != "" {
		t.Fatal("a Keyring with no key says it is configured")
	}
	_, err = k.SealString("mailbox password", "mailbox:1:password")
	var e *triage.Error
	if !errors.As(err, &e) || e.Code != triage.EUNAVAILABLE || !strings.Contains(e.Message, EnvKey) || !strings.Contains(e.Message, "openssl rand -base64 32") {
		t.Fatalf("Seal with no key = %v; want EUNAVAILABLE saying how to set %s", err, EnvKey)
	}
	other, _ := New(key(1))
	sealed, _ := other.SealString("x", "a")
	if _, err := k.Open(sealed, "a"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("Open with no key = %v", err)
	}
	if _, err := k.Derive("oidc state"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("Derive with no key = %v", err)
	}
	var nilRing *Keyring
	if nilRing.Configured() {
		t.Fatal("nil Keyring configured")
	}
	if _, err := nilRing.Seal([]byte("x"), "a"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("nil Keyring Seal = %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	raw, _ := base64.StdEncoding.DecodeString(k1)
	for _, tc := range []struct {
		name      string
		env       map[string]string
		wantField string // "" for success
	}{
		{"current", map[string]string{EnvKey: k1}, ""},
		{"current with newline", map[string]string{EnvKey: k1 + "\n"}, ""},
		{"url and unpadded", map[string]string{EnvKey: base64.RawURLEncoding.EncodeToString(raw)}, ""},
		{"with old", map[string]string{EnvKey: k1, EnvOldKeys: k2 + ", " + k1}, ""},
		{"short", map[string]string{EnvKey: base64.StdEncoding.EncodeToString([]byte("short"))}, EnvKey},
		{"hex is not base64 of 32", map[string]string{EnvKey: strings.Repeat("ab", 32)}, EnvKey},
		{"not base64", map[string]string{EnvKey: "密钥!"}, EnvKey},
		{"bad old", map[string]string{EnvKey: k1, EnvOldKeys: k2 + ",nope"}, EnvOldKeys + "[1]"},
		{"old without current", map[string]string{EnvOldKeys: k2}, EnvKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := FromEnv(env(tc.env))
			if tc.wantField == "" {
				if err != nil || !k.Configured() || k.CurrentKeyID() != KeyID(raw) {
					t.Fatalf("FromEnv = %v, %v", k, err)
				}
				return
			}
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tc.wantField {
				t.Fatalf("FromEnv = %v; want EINVALID on %s", err, tc.wantField)
			}
			for _, v := range tc.env {
				if len(v) > 8 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
					t.Fatalf("the error repeats the key: %v", err)
				}
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	a, _ := GenerateKey()
	b, _ := GenerateKey()
	ra, err := base64.StdEncoding.DecodeString(a)
	if err != nil || len(ra) != KeySize || a == b {
		t.Fatalf("GenerateKey = %q (%d bytes, %v)", a, len(ra), err)
	}
	if _, err := FromEnv(env(map[string]string{EnvKey: a})); err != nil {
		t.Fatal(err)
	}
}

func TestDerive(t *testing.T) {
	k, _ := New(key(1))
	a, _ := k.Derive("oidc state")
	b, _ := k.Derive("proof of work")
	a2, _ := k.Derive("oidc state")
	if len(a) != 32 || bytes.Equal(a, b) || !bytes.Equal(a, a2) || bytes.Equal(a, key(1)) {
		t.Fatal("Derive does not give one stable, distinct key per purpose")
	}
	rotated, _ := New(key(2), key(1))
	if c, _ := rotated.Derive("oidc state"); bytes.Equal(a, c) {
		t.Fatal("a derived key survives rotation")
	}
}

func TestNewRefusesWrongSize(t *testing.T) {
	if _, err := New(key(1)[:16]); !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("New(16 bytes) = %v", err)
	}
	if _, err := New(key(1), key(2)[:31]); !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("New(old of 31 bytes) = %v", err)
	}
}
