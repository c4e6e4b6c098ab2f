// Package account is how staff sign in as themselves (issue 18): an
// agent's account holds a role and an argon2id password hash (package
// password), and a sign-in with e-mail and password opens a session whose
// secret lives in a cookie and whose hash lives in the store.
//
// The service knows nothing of HTTP: the api package sets the cookies,
// checks the CSRF token (derived here from the session's secret, so it
// needs no storage of its own) and throttles failed sign-ins (package
// limit). Deactivating an account ends its sessions and the agent's API
// tokens in the same transaction.
package account
