// Package onetime makes the single-use, expiring tokens behind e-mailed
// links: an invitation to set a password, a password reset, a requester's
// sign-in link to the portal, an e-mail address confirmation.
//
// A token is 32 random bytes; only a hash of it is stored, so a leaked
// table opens no account. The hash binds the token's purpose: a reset
// token presented as an invitation hashes to something no row holds. A
// token works once (the store marks it used in the same statement that
// finds it) and until its expiry, and the final comparison is in constant
// time.
//
// Storage is the caller's: Links needs a Store with two methods, whose
// contract is written on the interface, and is otherwise stateless.
//
// The package imports only the domain root, for triage.Error.
package onetime
