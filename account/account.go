package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/password"
	"github.com/triagehq/triage/seal"
)

// SessionPrefix starts every session secret, so one is told from an API
// token (trg_) at a glance.
const SessionPrefix = "trs_"

// DefaultSessionTTL is how long a session signs in: a working day and
// its evening, so that a person signs in once a day.
const DefaultSessionTTL = 12 * time.Hour

// Service signs staff in and out and keeps their accounts.
type Service struct {
	Store  triage.Store
	Hasher *password.Hasher
	Policy password.Policy
	// SessionTTL is a session's lifetime; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Keys seal second-factor secrets at rest; without a key, enrolment
	// says how to configure one.
	Keys *seal.Keyring
	// Mailer sends invitations and reset links; nil, or one without an
	// outbound server, hands the links to the admin instead.
	Mailer Mailer
	// BaseURL starts the links (the server's public address); a caller
	// may pass its own for links an admin asks for.
	BaseURL string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return triage.StoreTime(s.Now())
	}
	return triage.StoreTime(time.Now())
}

func (s *Service) ttl() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

// hashSecret is the stored form of a session secret: 32 random bytes need
// no slow hash.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SessionPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CSRFToken is the token a browser must echo in X-CSRF-Token with every
// write it makes with the session secret. It is derived from the secret,
// so a page of another site, which cannot read the session cookie, cannot
// compute it, and it dies with the session.
func CSRFToken(secret string) string {
	sum := sha256.Sum256([]byte("triage csrf\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// CheckCSRF reports whether token is the CSRF token of secret.
func CheckCSRF(secret, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(CSRFToken(secret)), []byte(token)) == 1
}

// IsSessionSecret tells a session secret from anything else a client sends.
func IsSessionSecret(s string) bool { return strings.HasPrefix(s, SessionPrefix) }

// Started is a new session: the secret goes into the cookie and is never
// stored.
type Started struct {
	Session *triage.Session
	Secret  string
	Account *triage.Account
	Agent   *triage.Agent
	// Challenge is set instead of Session when the password was right and
	// a second factor is asked for: Factor "totp" (a code of the app the
	// person enrolled) or "enrol" (admins require a second factor and the
	// person has none: Enrolment is the new secret to add to an app).
	Challenge string
	Factor    string
	Enrolment *Enrolment
	// RecoveryCodes are shown once, after an enrolment at sign-in.
	RecoveryCodes []string
}

// Client is where a sign-in comes from, kept with its session so that a
// person can tell their sessions apart.
type Client struct {
	IP        string
	UserAgent string
}

func errWrongPassword() error {
	// One message for an unknown address and a wrong password, so the
	// answer does not tell whether an address has an account.
	return &triage.Error{Code: triage.EUNAUTHORIZED, Field: "password", Message: "the e-mail address or the password is wrong"}
}

// Login checks an e-mail address and password and opens a session. A
// wrong address, a wrong password and an account without a password all
// take the same argon2id work and get the same EUNAUTHORIZED; a right
// password of a deactivated account gets EFORBIDDEN.
func (s *Service) Login(ctx context.Context, in triage.Login, from Client) (*Started, error) {
	email := strings.TrimSpace(in.Email)
	if email == "" {
		return nil, triage.Invalid("email", "email is required")
	}
	if in.Password == "" {
		return nil, triage.Invalid("password", "password is required")
	}
	acc, err := s.Store.AccountByEmail(ctx, email)
	if triage.IsCode(err, triage.ENOTFOUND) || (err == nil && acc.PasswordHash == "") {
		if err := s.Hasher.VerifyMissing(ctx, in.Password); err != nil {
			return nil, err
		}
		return nil, errWrongPassword()
	} else if err != nil {
		return nil, err
	}
	ok, rehash, err := s.Hasher.Verify(ctx, acc.PasswordHash, in.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errWrongPassword()
	}
	if !acc.Active() {
		return nil, triage.Errorf(triage.EFORBIDDEN, "this account has been deactivated; ask an admin")
	}
	newHash := ""
	if rehash {
		// Outside the transaction: nothing slow runs inside one.
		if newHash, err = s.Hasher.Hash(ctx, in.Password); err != nil {
			return nil, err
		}
	}
	if ch, err := s.secondFactor(ctx, acc); err != nil || ch != nil {
		return ch, err
	}
	return s.start(ctx, acc.AgentID, from, func(tx triage.Tx, acc *triage.Account) error {
		if newHash == "" {
			return nil
		}
		acc.PasswordHash, acc.UpdatedAt = newHash, s.now()
		return tx.PutAccount(ctx, acc)
	})
}

// start opens a session for an active account, after also running
// before in the same transaction.
func (s *Service) start(ctx context.Context, agentID string, from Client, before func(triage.Tx, *triage.Account) error) (*Started, error) {
	now := s.now()
	secret := newSecret()
	out := &Started{Secret: secret}
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		acc, err := tx.Account(ctx, agentID)
		if err != nil {
			return err
		}
		if !acc.Active() {
			return triage.Errorf(triage.EFORBIDDEN, "this account has been deactivated; ask an admin")
		}
		if before != nil {
			if err := before(tx, acc); err != nil {
				return err
			}
		}
		agent, err := tx.Agent(ctx, agentID)
		if err != nil {
			return err
		}
		ses := &triage.Session{ID: triage.NewID(), AgentID: agentID, Hash: hashSecret(secret),
			IP: clip(from.IP, 64), UserAgent: clip(from.UserAgent, 256), CreatedAt: now, ExpiresAt: now.Add(s.ttl())}
		if err := tx.CreateSession(ctx, ses); err != nil {
			return err
		}
		out.Session, out.Account, out.Agent = ses, acc, agent
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Authenticate returns the principal a session secret stands for: the
// account's current role (a change of role applies at once) and the
// agent's name.
func (s *Service) Authenticate(ctx context.Context, secret string) (*triage.Principal, error) {
	expired := triage.Errorf(triage.EUNAUTHORIZED, "the session has ended; sign in again")
	if !IsSessionSecret(secret) {
		return nil, expired
	}
	ses, err := s.Store.SessionByHash(ctx, hashSecret(secret))
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, expired
	} else if err != nil {
		return nil, err
	}
	if !ses.ActiveAt(s.now()) {
		return nil, expired
	}
	acc, err := s.Store.Account(ctx, ses.AgentID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, expired
	} else if err != nil {
		return nil, err
	}
	if !acc.Active() {
		return nil, expired
	}
	agent, err := s.Store.Agent(ctx, ses.AgentID)
	if err != nil {
		return nil, err
	}
	return &triage.Principal{SessionID: ses.ID, Name: agent.Name, Role: acc.Role, AgentID: agent.ID}, nil
}

// Logout ends the session of p.
func (s *Service) Logout(ctx context.Context, p *triage.Principal) error {
	if p == nil || p.SessionID == "" {
		return triage.Errorf(triage.EINVALID, "this request was made with an API token, not a session; revoke the token instead (DELETE /v1/tokens/{id})")
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error { return tx.RevokeSession(ctx, p.SessionID, s.now()) })
}

// Sessions lists the live sessions of an agent, newest first.
func (s *Service) Sessions(ctx context.Context, agentID string) ([]*triage.Session, error) {
	all, err := s.Store.Sessions(ctx, agentID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*triage.Session, 0, len(all))
	for _, v := range all {
		if v.ActiveAt(now) {
			out = append(out, v)
		}
	}
	return out, nil
}

// RevokeSession ends a session: a person's own, or anyone's for an admin.
// Another person's session is ENOTFOUND to a non-admin, as if it did not
// exist.
func (s *Service) RevokeSession(ctx context.Context, p *triage.Principal, id string) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		ses, err := tx.Session(ctx, id)
		if err != nil {
			return err
		}
		if p.Role != triage.RoleAdmin && (p.AgentID == "" || ses.AgentID != p.AgentID) {
			return triage.NotFound("session", id)
		}
		return tx.RevokeSession(ctx, id, s.now())
	})
}

// Account returns an agent's account.
func (s *Service) Account(ctx context.Context, agentID string) (*triage.Account, error) {
	return s.Store.Account(ctx, agentID)
}

// Accounts lists every account.
func (s *Service) Accounts(ctx context.Context) ([]*triage.Account, error) {
	return s.Store.Accounts(ctx)
}

// personRole refuses a role a person may not sign in with: the mail role is
// an integration's.
func personRole(r triage.Role) error {
	switch r {
	case triage.RoleAdmin, triage.RoleAgent, triage.RoleEditor, triage.RoleViewer:
		return nil
	}
	return triage.Invalid("role", "role %q is not one of admin, agent, editor, viewer", r)
}

// SetAccount changes (or creates, with version 0) an agent's account.
// Deactivating it ends its sessions and revokes the agent's API tokens in
// the same transaction; the last active admin account cannot be
// deactivated or demoted, so that someone can always sign in to manage.
func (s *Service) SetAccount(ctx context.Context, agentID string, version int, in triage.AccountChange) (*triage.Account, error) {
	if in.Role.Set {
		if err := personRole(in.Role.V); err != nil {
			return nil, err
		}
	}
	if in.Active.Set && in.Active.Null {
		return nil, triage.Invalid("active", "active must be true or false")
	}
	hash := ""
	if in.Password.Set {
		agent, err := s.Store.Agent(ctx, agentID)
		if err != nil {
			return nil, err
		}
		if err := s.Policy.Check(in.Password.V, agent.Email, agent.Name); err != nil {
			return nil, err
		}
		if hash, err = s.Hasher.Hash(ctx, in.Password.V); err != nil {
			return nil, err
		}
	}
	var out *triage.Account
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		acc, err := tx.Account(ctx, agentID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			if !in.Role.Set {
				return triage.Invalid("role", "role is required for a new account")
			}
			acc = &triage.Account{AgentID: agentID, CreatedAt: now}
		} else if err != nil {
			return err
		} else if err := triage.CheckVersion("account "+agentID, acc.Version, version); err != nil {
			return err
		}
		wasAdmin := acc.Version > 0 && acc.Role == triage.RoleAdmin && acc.Active()
		if in.Role.Set {
			acc.Role = in.Role.V
		}
		if hash != "" {
			acc.PasswordHash, acc.PasswordGenerated, acc.PasswordSetAt = hash, false, &now
		}
		deactivate := in.Active.Set && !in.Active.V && acc.Active()
		if deactivate {
			acc.DisabledAt = &now
		} else if in.Active.Set && in.Active.V {
			acc.DisabledAt = nil
		}
		if wasAdmin && (acc.Role != triage.RoleAdmin || !acc.Active()) {
			if err := lastAdmin(ctx, tx, agentID); err != nil {
				return err
			}
		}
		acc.UpdatedAt = now
		if err := tx.PutAccount(ctx, acc); err != nil {
			return err
		}
		if deactivate || hash != "" {
			// A new password set by an admin ends the sessions opened
			// with the old one, as a deactivation does.
			if _, err := tx.RevokeSessions(ctx, agentID, now); err != nil {
				return err
			}
		}
		if deactivate {
			if err := revokeTokens(ctx, tx, agentID, now); err != nil {
				return err
			}
		}
		out = acc
		return nil
	})
	return out, err
}

func lastAdmin(ctx context.Context, tx triage.Tx, except string) error {
	all, err := tx.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.AgentID != except && a.Role == triage.RoleAdmin && a.Active() {
			return nil
		}
	}
	return triage.Errorf(triage.ECONFLICT, "this is the last active admin account; make another admin first")
}

// revokeTokens revokes every live API token of an agent.
func revokeTokens(ctx context.Context, tx triage.Tx, agentID string, now time.Time) error {
	tokens, err := tx.Tokens(ctx)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.AgentID == agentID && t.RevokedAt == nil {
			if err := tx.RevokeToken(ctx, t.ID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// ChangePassword sets a person's own password after checking the current
// one. Their other sessions end; the one making the change stays.
func (s *Service) ChangePassword(ctx context.Context, p *triage.Principal, in triage.PasswordChange) error {
	if p == nil || p.AgentID == "" {
		return triage.Invalid("current_password", "this credential is not a person's (an API token not tied to an agent); sign in to change your password")
	}
	acc, err := s.Store.Account(ctx, p.AgentID)
	if err != nil {
		return err
	}
	agent, err := s.Store.Agent(ctx, p.AgentID)
	if err != nil {
		return err
	}
	if acc.PasswordHash != "" {
		ok, _, err := s.Hasher.Verify(ctx, acc.PasswordHash, in.Current)
		if err != nil {
			return err
		}
		if !ok {
			// 400, not 401: the session is fine, a field is wrong.
			return triage.Invalid("current_password", "the current password is wrong")
		}
	}
	if err := s.Policy.Check(in.New, agent.Email, agent.Name); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, in.New)
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		cur, err := tx.Account(ctx, p.AgentID)
		if err != nil {
			return err
		}
		cur.PasswordHash, cur.PasswordGenerated, cur.PasswordSetAt, cur.UpdatedAt = hash, false, &now, now
		if err := tx.PutAccount(ctx, cur); err != nil {
			return err
		}
		live, err := tx.Sessions(ctx, p.AgentID)
		if err != nil {
			return err
		}
		for _, v := range live {
			if v.ID != p.SessionID {
				if err := tx.RevokeSession(ctx, v.ID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
