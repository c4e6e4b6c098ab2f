package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const tokenColumns = `id, name, role, agent_id, prefix, hash, created_at, revoked_at`

// scanToken reads one row selected with tokenColumns. The secret is never
// stored, so it never reads back.
func scanToken(row pgx.Row) (*triage.Token, error) {
	var t triage.Token
	err := row.Scan(&t.ID, &t.Name, &t.Role, &t.AgentID, &t.Prefix, &t.Hash, &t.CreatedAt, &t.RevokedAt)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Token returns one token, revoked or not.
func (s queries) Token(ctx context.Context, id string) (*triage.Token, error) {
	return s.token(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id, id)
}

// TokenByHash returns the token whose secret hashes to hash, revoked or not:
// the caller decides what a revoked token means.
func (s queries) TokenByHash(ctx context.Context, hash string) (*triage.Token, error) {
	// The hash is a credential; it stays out of the error message.
	return s.token(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash, "with that hash")
}

func (s queries) token(ctx context.Context, query, arg, name string) (*triage.Token, error) {
	t, err := scanToken(s.q.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("token", name)
	} else if err != nil {
		return nil, dbError("token", err)
	}
	return t, nil
}

// Tokens returns every token, oldest first.
func (s queries) Tokens(ctx context.Context) ([]*triage.Token, error) {
	rows, err := s.q.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	return collect(rows, err, "tokens", func(r pgx.Rows) (*triage.Token, error) { return scanToken(r) })
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
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, t.Name, string(t.Role), t.AgentID, t.Prefix, t.Hash, t.CreatedAt, t.RevokedAt)
	switch {
	case isDuplicate(err) && constraint(err) == "tokens_hash":
		return triage.Errorf(triage.ECONFLICT, "a token with the same secret already exists")
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "token %s already exists", t.ID)
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
	tag, err := tx.tx.Exec(ctx, `
		UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, triage.StoreTime(at), id)
	if err != nil {
		return dbError("revoke token", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("token", id)
	}
	return tx.logChange(ctx, "token", id, "update")
}
