// Package totp is the optional second factor of staff sign-in: time-based
// one-time passwords (RFC 6238) with github.com/pquerna/otp, and recovery
// codes for when the phone is lost.
//
// Enrol makes a secret and the otpauth:// URL (issuer "triage") that
// authenticator apps read from a QR code (the Key URI format of Google
// Authenticator, which the common apps share). Verify accepts the code of the
// current 30-second step or of the step before or after (clocks drift),
// and returns the step it matched so that the caller stores it: a code is
// accepted once, and never a code from a step at or before the last one
// accepted (RFC 6238 section 5.2), so a code seen over a shoulder or in a
// log cannot be replayed.
//
// Recovery codes are 80-bit random strings; only their SHA-256 is kept
// (their entropy makes a slow hash unnecessary), each matches once, and
// the comparison runs over every stored hash in constant time.
//
// The secrets themselves are the caller's to keep sealed (package seal);
// this package imports only the domain root, for triage.Error.
package totp
