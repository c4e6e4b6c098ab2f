package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

const tokenColumns = `id, name, role, agent_id, prefix, hash, created_at, revoked_at`

// scanToken reads one row selected with tokenColumns. The secret is never
// stored, so it never reads back.
func scanToken(row interface{ Scan(...any) error }) (*triage.Token, error) {
	var t triage.Token
	err := row.Scan(&t.ID, &t.Name, &t.Role, &t.AgentID, &t.Prefix, &t.Hash,
		timeCol{&t.CreatedAt}, nullTimeCol{&t.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Token returns one token, revoked or not.
func (s queries) Token(ctx context.Context, id string) (*triage.Token, error) {
	return s.token(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id, id)
}

// TokenByHash returns the token whose secret hashes to hash, revoked or not:
// the caller decides what a revoked token means.
func (s queries) TokenByHash(ctx context.Context, hash string) (*triage.Token, error) {
	// The hash is a credential; it stays out of the error message.
	return s.token(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash, "with that hash")
}

func (s queries) token(ctx context.Context, query, arg, name string) (*triage.Token, error) {
	t, err := scanToken(s.q.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("token", name)
	} else if err != nil {
		return nil, dbError("token", err)
	}
	return t, nil
}

// Tokens returns every token, oldest first.
func (s queries) Tokens(ctx context.Context) ([]*triage.Token, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, dbError("tokens", err)
	}
	defer rows.Close()
	out := []*triage.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, dbError("tokens", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("tokens", err)
	}
	return out, nil
}

// CreateToken stores t's hash, never its secret.
func (tx *Tx) CreateToken(ctx context.Context, t *triage.Token) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	if t.Hash == "" {
		return triage.Invalid("hash", "a token needs the hash of its secret")
	}
	t.CreatedAt = triage.StoreTime(t.CreatedAt)
	t.RevokedAt = triage.StoreTimePtr(t.RevokedAt)
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.Role, t.AgentID, t.Prefix, t.Hash, micros(t.CreatedAt), nullMicros(t.RevokedAt))
	switch {
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "token %s already exists", t.ID)
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "a token with the same secret already exists")
	case err != nil:
		return dbError("create token", err)
	}
	return tx.logChange(ctx, "token", t.ID, "create")
}

// RevokeToken marks a token revoked at at. Revoking it again keeps the first
// time, which is when it stopped working.
func (tx *Tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(at), id)
	if err != nil {
		return dbError("revoke token", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("revoke token", err)
	} else if n == 0 {
		return triage.NotFound("token", id)
	}
	return tx.logChange(ctx, "token", id, "update")
}
