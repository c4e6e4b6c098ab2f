package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

// Idempotency returns the stored answer for key in scope.
func (s queries) Idempotency(ctx context.Context, scope, key string) (*triage.Idempotency, error) {
	var i triage.Idempotency
	err := s.q.QueryRowContext(ctx, `
		SELECT scope, key, request_hash, status, body, created_at
		FROM idempotency_keys
		WHERE scope = ? AND key = ?`, scope, key).Scan(
		&i.Scope, &i.Key, &i.RequestHash, &i.Status, &i.Body, timeCol{&i.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "idempotency key %q not found", key)
	} else if err != nil {
		return nil, dbError("idempotency", err)
	}
	if i.Body == nil {
		i.Body = []byte{}
	}
	return &i, nil
}

// SaveIdempotency stores i; ECONFLICT when the scope already holds the key.
// It logs no change: nothing is derived from stored answers.
func (tx *Tx) SaveIdempotency(ctx context.Context, i *triage.Idempotency) error {
	if err := triage.Required("key", i.Key); err != nil {
		return err
	}
	if i.Body == nil {
		i.Body = []byte{}
	}
	i.CreatedAt = triage.StoreTime(i.CreatedAt)
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		i.Scope, i.Key, i.RequestHash, i.Status, i.Body, micros(i.CreatedAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "idempotency key %q is already in use", i.Key)
	} else if err != nil {
		return dbError("save idempotency", err)
	}
	return nil
}
