package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

const accountColumns = `agent_id, role, password_hash, password_generated, password_set_at, disabled_at, created_at, updated_at, version,
	totp_secret, totp_enabled_at, totp_step, recovery_hashes, sso_issuer, sso_subject`

// scanAccount reads one row selected with accountColumns.
func scanAccount(row interface{ Scan(...any) error }) (*triage.Account, error) {
	var a triage.Account
	var recovery string
	err := row.Scan(&a.AgentID, &a.Role, &a.PasswordHash, &a.PasswordGenerated,
		nullTimeCol{&a.PasswordSetAt}, nullTimeCol{&a.DisabledAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version,
		&a.TOTPSecret, nullTimeCol{&a.TOTPEnabledAt}, &a.TOTPStep, &recovery, &a.SSOIssuer, &a.SSOSubject)
	if err != nil {
		return nil, err
	}
	a.RecoveryHashes = splitHashes(recovery)
	return &a, nil
}

func (s queries) account(ctx context.Context, query, arg, name string) (*triage.Account, error) {
	a, err := scanAccount(s.q.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("account", name)
	} else if err != nil {
		return nil, dbError("account", err)
	}
	return a, nil
}

// Account returns an agent's account.
func (s queries) Account(ctx context.Context, agentID string) (*triage.Account, error) {
	return s.account(ctx, `SELECT `+accountColumns+` FROM accounts WHERE agent_id = ?`, agentID, agentID)
}

// AccountByEmail returns the account of the agent with that address;
// agents.email is COLLATE NOCASE, so case is ignored.
func (s queries) AccountByEmail(ctx context.Context, email string) (*triage.Account, error) {
	if email == "" {
		return nil, triage.NotFound("account", "with no e-mail address")
	}
	return s.account(ctx, `
		SELECT `+accountColumns+` FROM accounts
		WHERE agent_id = (SELECT id FROM agents WHERE email = ? AND email <> '')`, email, "of "+email)
}

// Accounts returns every account, oldest first.
func (s queries) Accounts(ctx context.Context) ([]*triage.Account, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY created_at, agent_id`)
	if err != nil {
		return nil, dbError("accounts", err)
	}
	defer rows.Close()
	out := []*triage.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, dbError("accounts", err)
		}
		out = append(out, a)
	}
	return out, dbError("accounts", rows.Err())
}

// PutAccount creates (Version 0) or updates an account.
func (tx *Tx) PutAccount(ctx context.Context, a *triage.Account) error {
	if err := triage.Required("agent_id", a.AgentID); err != nil {
		return err
	}
	a.AsStored()
	if a.Version == 0 {
		a.UpdatedAt = a.CreatedAt
		_, err := tx.tx.ExecContext(ctx, `
			INSERT INTO accounts (`+accountColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
			a.AgentID, a.Role, a.PasswordHash, a.PasswordGenerated, nullMicros(a.PasswordSetAt), nullMicros(a.DisabledAt),
			micros(a.CreatedAt), micros(a.UpdatedAt),
			a.TOTPSecret, nullMicros(a.TOTPEnabledAt), a.TOTPStep, strings.Join(a.RecoveryHashes, ","), a.SSOIssuer, a.SSOSubject)
		switch {
		case sqliteCode(err) == codeConstraintPrimaryKey:
			return triage.Errorf(triage.ECONFLICT, "agent %s already has an account", a.AgentID)
		case sqliteCode(err) == codeConstraintForeignKey:
			return triage.NotFound("agent", a.AgentID)
		case err != nil:
			return dbError("create account", err)
		}
		a.Version = 1
		return tx.logChange(ctx, "account", a.AgentID, "create")
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE accounts SET
			role = ?, password_hash = ?, password_generated = ?, password_set_at = ?, disabled_at = ?,
			updated_at = ?, version = version + 1,
			totp_secret = ?, totp_enabled_at = ?, totp_step = ?, recovery_hashes = ?, sso_issuer = ?, sso_subject = ?
		WHERE agent_id = ? AND version = ?`,
		a.Role, a.PasswordHash, a.PasswordGenerated, nullMicros(a.PasswordSetAt), nullMicros(a.DisabledAt),
		micros(a.UpdatedAt),
		a.TOTPSecret, nullMicros(a.TOTPEnabledAt), a.TOTPStep, strings.Join(a.RecoveryHashes, ","), a.SSOIssuer, a.SSOSubject,
		a.AgentID, a.Version)
	if err != nil {
		return dbError("update account", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update account", err)
	} else if n == 0 {
		var v int
		err := tx.tx.QueryRowContext(ctx, `SELECT version FROM accounts WHERE agent_id = ?`, a.AgentID).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return triage.NotFound("account", a.AgentID)
		} else if err != nil {
			return dbError("update account", err)
		}
		return triage.Errorf(triage.ESTALE, "the account of agent %s has been changed by someone else (it is at version %d, not %d); reload it and try again", a.AgentID, v, a.Version)
	}
	if err := tx.tx.QueryRowContext(ctx, `SELECT created_at FROM accounts WHERE agent_id = ?`, a.AgentID).Scan(timeCol{&a.CreatedAt}); err != nil {
		return dbError("update account", err)
	}
	a.Version++
	return tx.logChange(ctx, "account", a.AgentID, "update")
}

const sessionColumns = `id, agent_id, hash, ip, user_agent, created_at, expires_at, revoked_at`

// scanSession reads one row selected with sessionColumns.
func scanSession(row interface{ Scan(...any) error }) (*triage.Session, error) {
	var s triage.Session
	err := row.Scan(&s.ID, &s.AgentID, &s.Hash, &s.IP, &s.UserAgent,
		timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}, nullTimeCol{&s.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (s queries) session(ctx context.Context, query, arg, name string) (*triage.Session, error) {
	v, err := scanSession(s.q.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("session", name)
	} else if err != nil {
		return nil, dbError("session", err)
	}
	return v, nil
}

// Session returns one session.
func (s queries) Session(ctx context.Context, id string) (*triage.Session, error) {
	return s.session(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id, id)
}

// SessionByHash finds a session by its secret's hash, which stays out of
// the error message: it is a credential.
func (s queries) SessionByHash(ctx context.Context, hash string) (*triage.Session, error) {
	return s.session(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = ?`, hash, "with that hash")
}

// Sessions lists an agent's sessions that are not revoked, newest first.
func (s queries) Sessions(ctx context.Context, agentID string) ([]*triage.Session, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+sessionColumns+` FROM sessions
		WHERE agent_id = ? AND revoked_at IS NULL
		ORDER BY created_at DESC, id DESC`, agentID)
	if err != nil {
		return nil, dbError("sessions", err)
	}
	defer rows.Close()
	out := []*triage.Session{}
	for rows.Next() {
		v, err := scanSession(rows)
		if err != nil {
			return nil, dbError("sessions", err)
		}
		out = append(out, v)
	}
	return out, dbError("sessions", rows.Err())
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
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO sessions (`+sessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.AgentID, v.Hash, v.IP, v.UserAgent, micros(v.CreatedAt), micros(v.ExpiresAt), nullMicros(v.RevokedAt))
	switch {
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "session %s already exists", v.ID)
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "a session with the same secret already exists")
	case sqliteCode(err) == codeConstraintForeignKey:
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
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(triage.StoreTime(at)), id)
	if err != nil {
		return dbError("revoke session", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("revoke session", err)
	} else if n == 0 {
		return triage.NotFound("session", id)
	}
	return tx.logChange(ctx, "session", id, "update")
}

// RevokeSessions ends every live session of an agent.
func (tx *Tx) RevokeSessions(ctx context.Context, agentID string, at time.Time) (int, error) {
	rows, err := tx.tx.QueryContext(ctx, `
		UPDATE sessions SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL RETURNING id`,
		micros(triage.StoreTime(at)), agentID)
	if err != nil {
		return 0, dbError("revoke sessions", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, dbError("revoke sessions", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, dbError("revoke sessions", err)
	}
	for _, id := range ids {
		if err := tx.logChange(ctx, "session", id, "update"); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
