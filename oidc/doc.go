// Package oidc signs staff in with an OpenID Connect provider (Keycloak,
// Authing, 飞书, 企业微信 through an OIDC bridge, Azure AD, Google, Okta,
// ...) as a relying party, with github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2.
//
// The flow is the authorization-code flow with PKCE (S256), a state and a
// nonce. Begin returns the provider's URL and a cookie value that holds
// the state, the nonce, the PKCE verifier and where to go afterwards,
// encrypted and authenticated with a key the caller gives (for example
// seal.Keyring.Derive("oidc state")) and valid for ten minutes: nothing is
// kept on the server, and the values are bound to the browser that
// started. Finish checks the state against the cookie, exchanges the code,
// verifies the ID token (signature from the provider's JWKS, issuer,
// audience, authorised party, expiry, nonce, access-token hash), reads the
// userinfo endpoint for claims the ID token lacks, and maps the claims to
// an Identity: subject, e-mail (verified unless the configuration allows
// otherwise), name, and the role and team that the configured claims
// (string or list, nested paths such as realm_access.roles) map to.
//
// Discovery runs on first use, not in New, so a provider that is down
// does not stop triage from starting: sign-in through it answers
// EUNAVAILABLE until it is back.
//
// Package oidctest runs a real provider (zitadel/oidc's OP) for the tests
// of this package and of the wiring that uses it.
//
// The package imports only the domain root, for triage.Role and
// triage.Error.
package oidc
