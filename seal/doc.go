// Package seal encrypts the secrets triage must keep and give back
// (mailbox and SMTP passwords, WeChat secrets and EncodingAESKeys, OIDC
// client secrets) before they reach a store, with AES-256-GCM from the
// standard library.
//
// The key comes from the environment: TRIAGE_SECRET_KEY holds 32 random
// bytes in base64 (GenerateKey makes one; so does `openssl rand -base64
// 32`). A sealed value names the key that sealed it, by an id derived from
// the key itself, so keys rotate without a migration: put the new key in
// TRIAGE_SECRET_KEY and the old one in TRIAGE_SECRET_KEYS_OLD; values
// sealed with either open, new values are sealed with the new key, and
// NeedsReseal tells which stored values to rewrite before the old key is
// dropped.
//
// Each value is bound to where it belongs by associated data (for example
// "mailbox:<id>:password"): a sealed value copied into another row or
// field does not open there.
//
// With no key configured the Keyring refuses to seal or open, with a
// message that says how to set one; a secret is never stored in clear as
// a fallback. Errors never contain a key or a secret.
//
// The package imports only the domain root, for triage.Error.
package seal
