package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const accountColumns = `agent_id, role, password_hash, password_generated, password_set_at, disabled_at, created_at, updated_at, version,
	totp_secret, totp_enabled_at, totp_step, recovery_hashes, sso_issuer, sso_subject`

// scanAccount reads one row selected with accountColumns.
func scanAccount(row pgx.Row) (*triage.Account, error) {
	var a triage.Account
	var recovery string
	err := row.Scan(&a.AgentID, &a.Role, &a.PasswordHash, &a.PasswordGenerated,
		&a.PasswordSetAt, &a.DisabledAt, &a.CreatedAt, &a.UpdatedAt, &a.Version,
		&a.TOTPSecret, &a.TOTPEnabledAt, &a.TOTPStep, &recovery, &a.SSOIssuer, &a.SSOSubject)
	if err != nil {
		return nil, err
	}
	a.RecoveryHashes = splitHashes(recovery)
	a.AsStored()
	return &a, nil
}

func (s queries) account(ctx context.Context, query, arg, name string) (*triage.Account, error) {
	a, err := scanAccount(s.q.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("account", name)
	} else if err != nil {
		return nil, dbError("account", err)
	}
	return a, nil
}

// Account returns an agent's account.
func (s queries) Account(ctx context.Context, agentID string) (*triage.Account, error) {
	return s.account(ctx, `SELECT `+accountColumns+` FROM accounts WHERE agent_id = $1`, agentID, agentID)
}

// AccountByEmail returns the account of the agent with that address,
// ignoring ASCII case as the agents_email index does.
func (s queries) AccountByEmail(ctx context.Context, email string) (*triage.Account, error) {
	if email == "" {
		return nil, triage.NotFound("account", "with no e-mail address")
	}
	return s.account(ctx, `
		SELECT `+accountColumns+` FROM accounts
		WHERE agent_id = (SELECT id FROM agents WHERE ascii_lower(email) = ascii_lower($1) AND email <> '')`, email, "of "+email)
}

// Accounts returns every account, oldest first.
func (s queries) Accounts(ctx context.Context) ([]*triage.Account, error) {
	rows, err := s.q.Query(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY created_at, agent_id`)
	return collect(rows, err, "accounts", func(r pgx.Rows) (*triage.Account, error) { return scanAccount(r) })
}

// PutAccount creates (Version 0) or updates an account.
func (tx *Tx) PutAccount(ctx context.Context, a *triage.Account) error {
	if err := triage.Required("agent_id", a.AgentID); err != nil {
		return err
	}
	a.AsStored()
	if a.Version == 0 {
		a.UpdatedAt = a.CreatedAt
		_, err := tx.tx.Exec(ctx, `
			INSERT INTO accounts (`+accountColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $13, $14)`,
			a.AgentID, string(a.Role), a.PasswordHash, a.PasswordGenerated, a.PasswordSetAt, a.DisabledAt, a.CreatedAt, a.UpdatedAt,
			a.TOTPSecret, a.TOTPEnabledAt, a.TOTPStep, strings.Join(a.RecoveryHashes, ","), a.SSOIssuer, a.SSOSubject)
		switch {
		case isDuplicate(err):
			return triage.Errorf(triage.ECONFLICT, "agent %s already has an account", a.AgentID)
		case pgCode(err) == codeForeignKeyViolation:
			return triage.NotFound("agent", a.AgentID)
		case err != nil:
			return dbError("create account", err)
		}
		a.Version = 1
		return tx.logChange(ctx, "account", a.AgentID, "create")
	}
	err := tx.tx.QueryRow(ctx, `
		UPDATE accounts SET
			role = $1, password_hash = $2, password_generated = $3, password_set_at = $4, disabled_at = $5,
			updated_at = $6, version = version + 1,
			totp_secret = $9, totp_enabled_at = $10, totp_step = $11, recovery_hashes = $12, sso_issuer = $13, sso_subject = $14
		WHERE agent_id = $7 AND version = $8
		RETURNING created_at`,
		string(a.Role), a.PasswordHash, a.PasswordGenerated, a.PasswordSetAt, a.DisabledAt,
		a.UpdatedAt, a.AgentID, a.Version,
		a.TOTPSecret, a.TOTPEnabledAt, a.TOTPStep, strings.Join(a.RecoveryHashes, ","), a.SSOIssuer, a.SSOSubject).Scan(&a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		var v int
		err := tx.tx.QueryRow(ctx, `SELECT version FROM accounts WHERE agent_id = $1`, a.AgentID).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return triage.NotFound("account", a.AgentID)
		} else if err != nil {
			return dbError("update account", err)
		}
		return triage.Errorf(triage.ESTALE, "the account of agent %s has been changed by someone else (it is at version %d, not %d); reload it and try again", a.AgentID, v, a.Version)
	} else if err != nil {
		return dbError("update account", err)
	}
	a.CreatedAt = triage.StoreTime(a.CreatedAt)
	a.Version++
	return tx.logChange(ctx, "account", a.AgentID, "update")
}

const sessionColumns = `id, agent_id, hash, ip, user_agent, created_at, expires_at, revoked_at`

// scanSession reads one row selected with sessionColumns.
func scanSession(row pgx.Row) (*triage.Session, error) {
	var s triage.Session
	err := row.Scan(&s.ID, &s.AgentID, &s.Hash, &s.IP, &s.UserAgent, &s.CreatedAt, &s.ExpiresAt, &s.RevokedAt)
	if err != nil {
		return nil, err
	}
	s.AsStored()
	return &s, nil
}

func (s queries) session(ctx context.Context, query, arg, name string) (*triage.Session, error) {
	v, err := scanSession(s.q.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("session", name)
	} else if err != nil {
		return nil, dbError("session", err)
	}
	return v, nil
}

// Session returns one session.
func (s queries) Session(ctx context.Context, id string) (*triage.Session, error) {
	return s.session(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id, id)
}

// SessionByHash finds a session by its secret's hash, which stays out of
// the error message: it is a credential.
func (s queries) SessionByHash(ctx context.Context, hash string) (*triage.Session, error) {
	return s.session(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash, "with that hash")
}

// Sessions lists an agent's sessions that are not revoked, newest first.
func (s queries) Sessions(ctx context.Context, agentID string) ([]*triage.Session, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+sessionColumns+` FROM sessions
		WHERE agent_id = $1 AND revoked_at IS NULL
		ORDER BY created_at DESC, id DESC`, agentID)
	return collect(rows, err, "sessions", func(r pgx.Rows) (*triage.Session, error) { return scanSession(r) })
}

// CreateSession stores a session's hash, never its secret.
func (tx *Tx) CreateSession(ctx context.Context, v *triage.Session) error {
	if err := triage.Required("id", v.ID); err != nil {
		return err
	}
	if v.Hash == "" {
		return triage.Invalid("hash", "a session needs the hash of its secret")
	}
	v.AsStored()
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		v.ID, v.AgentID, v.Hash, v.IP, v.UserAgent, v.CreatedAt, v.ExpiresAt, v.RevokedAt)
	switch {
	case isDuplicate(err) && constraint(err) == "sessions_hash_key":
		return triage.Errorf(triage.ECONFLICT, "a session with the same secret already exists")
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "session %s already exists", v.ID)
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("account", v.AgentID)
	case err != nil:
		return dbError("create session", err)
	}
	return tx.logChange(ctx, "session", v.ID, "create")
}

// RevokeSession ends a session; a second revocation keeps the first time.
func (tx *Tx) RevokeSession(ctx context.Context, id string, at time.Time) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, triage.StoreTime(at), id)
	if err != nil {
		return dbError("revoke session", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("session", id)
	}
	return tx.logChange(ctx, "session", id, "update")
}

// RevokeSessions ends every live session of an agent.
func (tx *Tx) RevokeSessions(ctx context.Context, agentID string, at time.Time) (int, error) {
	rows, err := tx.tx.Query(ctx, `
		UPDATE sessions SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL RETURNING id`,
		triage.StoreTime(at), agentID)
	ids, err := collect(rows, err, "revoke sessions", func(r pgx.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := tx.logChange(ctx, "session", id, "update"); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
