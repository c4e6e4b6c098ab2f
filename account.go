package triage

import (
	"context"
	"time"
)

// Account is how an agent signs in as a person: the role they act with
// and their password. An agent without an account can still be given an
// API token; an account always belongs to an agent (its e-mail address is
// the agent's).
type Account struct {
	AgentID string `json:"agent_id"`
	Role    Role   `json:"role"`
	// PasswordHash is the argon2id PHC string; "" while the person has not
	// set a password yet (invited), and then no password signs in.
	PasswordHash string `json:"-"`
	// PasswordGenerated marks a password the service made up (the first
	// admin's, printed at start): it is made up again at every start until
	// the person sets one of their own.
	PasswordGenerated bool       `json:"password_generated"`
	PasswordSetAt     *time.Time `json:"password_set_at"`
	// DisabledAt is when an admin deactivated the account: it signs in no
	// more, and its sessions and tokens ended then.
	DisabledAt *time.Time `json:"disabled_at"`
	// TOTPSecret is the sealed RFC 6238 secret of the person's
	// authenticator app: pending while TOTPEnabledAt is nil (enrolment
	// not confirmed with a first code), in force after.
	TOTPSecret    string     `json:"-"`
	TOTPEnabledAt *time.Time `json:"totp_enabled_at"`
	// TOTPStep is the time step of the last code accepted, so that a code
	// works once.
	TOTPStep int64 `json:"-"`
	// RecoveryHashes are the hashes of the unused recovery codes.
	RecoveryHashes []string `json:"-"`
	// SSOIssuer and SSOSubject link the account to a person at the OpenID
	// Connect provider, for good: a later sign-in finds it by them, not by
	// e-mail address.
	SSOIssuer  string    `json:"sso_issuer"`
	SSOSubject string    `json:"sso_subject"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version"`
}

// Active reports whether the account may sign in.
func (a *Account) Active() bool { return a.DisabledAt == nil }

// AsStored makes a what a store returns for it (see Agent.AsStored).
func (a *Account) AsStored() {
	a.PasswordSetAt = StoreTimePtr(a.PasswordSetAt)
	a.DisabledAt = StoreTimePtr(a.DisabledAt)
	a.TOTPEnabledAt = StoreTimePtr(a.TOTPEnabledAt)
	if a.RecoveryHashes == nil {
		a.RecoveryHashes = []string{}
	}
	a.CreatedAt = StoreTime(a.CreatedAt)
	a.UpdatedAt = StoreTime(a.UpdatedAt)
}

// Session is one sign-in of an account: a browser holding a cookie. Only a
// hash of the cookie's secret is stored.
type Session struct {
	ID        string     `json:"id"`
	AgentID   string     `json:"agent_id"`
	Hash      string     `json:"-"`
	IP        string     `json:"ip"`
	UserAgent string     `json:"user_agent"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// ActiveAt reports whether the session still signs in at now.
func (s *Session) ActiveAt(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// AsStored makes s what a store returns for it (see Agent.AsStored).
func (s *Session) AsStored() {
	s.CreatedAt = StoreTime(s.CreatedAt)
	s.ExpiresAt = StoreTime(s.ExpiresAt)
	s.RevokedAt = StoreTimePtr(s.RevokedAt)
}

// AccountReader holds the store's reads of accounts and sessions.
type AccountReader interface {
	// Account returns an agent's account; ENOTFOUND when it has none.
	Account(ctx context.Context, agentID string) (*Account, error)
	// AccountByEmail returns the account of the agent with that e-mail
	// address, ignoring ASCII case; ENOTFOUND when none.
	AccountByEmail(ctx context.Context, email string) (*Account, error)
	// Accounts lists every account, oldest first (CreatedAt, then agent id).
	Accounts(ctx context.Context) ([]*Account, error)
	Session(ctx context.Context, id string) (*Session, error)
	// SessionByHash finds a session by the hash of its secret, revoked
	// and expired ones included; ENOTFOUND when none.
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	// Sessions lists an agent's sessions that are not revoked, newest
	// first (CreatedAt, then id, both descending); expired ones included.
	Sessions(ctx context.Context, agentID string) ([]*Session, error)
	// AccountBySSO returns the account linked to subject at issuer;
	// ENOTFOUND when none.
	AccountBySSO(ctx context.Context, issuer, subject string) (*Account, error)
	// OneTime returns the one-time link record with hash, used and
	// expired ones included; ENOTFOUND when none.
	OneTime(ctx context.Context, hash string) (OneTime, error)
	// AuthSettings returns the sign-in settings; the zero settings (at
	// version 0) when an admin never saved any.
	AuthSettings(ctx context.Context) (*AuthSettings, error)
	// SignInFailures returns key's failed sign-ins in a row; a zero
	// Count when none are kept.
	SignInFailures(ctx context.Context, key string) (SignInFailures, error)
}

// AccountWriter holds the store's writes of accounts and sessions.
type AccountWriter interface {
	// PutAccount creates an account when a.Version is 0 (ECONFLICT when
	// the agent has one, ENOTFOUND when there is no such agent), else
	// updates it, versioned like UpdateTicket. CreatedAt never changes.
	PutAccount(ctx context.Context, a *Account) error
	// CreateSession stores a session; ENOTFOUND when its agent has no
	// account.
	CreateSession(ctx context.Context, s *Session) error
	// RevokeSession ends a session at at; revoking a revoked session
	// keeps the first time. ENOTFOUND for an unknown id.
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// RevokeSessions ends every session of an agent that is not revoked
	// yet and says how many it ended.
	RevokeSessions(ctx context.Context, agentID string, at time.Time) (int, error)
	// PutOneTime stores a one-time link record and marks used every
	// earlier unused one of the same purpose and subject, so that a new
	// link voids the ones sent before it.
	PutOneTime(ctx context.Context, r OneTime) error
	// TakeOneTime returns the record with hash as it was and, when it was
	// unused and not expired at now, marks it used at now; ENOTFOUND when
	// no record has hash.
	TakeOneTime(ctx context.Context, hash string, now time.Time) (OneTime, error)
	// PutAuthSettings saves the sign-in settings, versioned (version 0
	// creates them).
	PutAuthSettings(ctx context.Context, s *AuthSettings) error
	// FailSignIn counts one more failure of key at at, starting afresh
	// when the last one is older than forget, and returns the count. It
	// also drops every key whose last failure is older than forget, so
	// that made-up names do not pile up.
	FailSignIn(ctx context.Context, key string, at time.Time, forget time.Duration) (SignInFailures, error)
	// ClearSignIn forgets key's failures (after a good sign-in).
	ClearSignIn(ctx context.Context, key string) error
}

// AccountChange is an admin's change of an agent's account; an agent
// without an account gets one. Fields not sent stay as they are.
type AccountChange struct {
	Role Opt[Role] `json:"role"`
	// Password sets a password for the person (who should change it);
	// it must pass the password policy.
	Password Opt[string] `json:"password"`
	// Active false deactivates the account: its sessions and the agent's
	// API tokens end at once. True lets it sign in again.
	Active Opt[bool] `json:"active"`
}

// Login is a sign-in with e-mail and password.
type Login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// PasswordChange is a person changing their own password.
type PasswordChange struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}
