// Package password hashes staff passwords with argon2id
// (golang.org/x/crypto/argon2) and checks new passwords against a policy.
//
// A hash is stored in the PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// so the parameters travel with it: raising them later makes old hashes
// report NeedsRehash on their next successful sign-in, and they keep
// verifying meanwhile. Verification compares in constant time, and
// VerifyMissing spends the same work when no account matches, so the time
// a sign-in takes does not tell whether an e-mail address has an account.
//
// A Hasher also bounds how many hashes run at once: argon2id is
// memory-hard on purpose, and a flood of sign-in attempts must not turn
// into a flood of 19 MiB allocations.
//
// Policy checks a new password (length, not the e-mail or the name, not
// one of the passwords every guesser tries first, Chinese favourites such
// as 123456, a123456, woaini1314 and qq123456 among them) and names the
// field in its error.
//
// The package imports only the domain root, for triage.Error.
package password
