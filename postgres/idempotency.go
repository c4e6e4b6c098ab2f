package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Idempotency returns the stored answer for key in scope.
func (s queries) Idempotency(ctx context.Context, scope, key string) (*triage.Idempotency, error) {
	var i triage.Idempotency
	err := s.q.QueryRow(ctx, `
		SELECT scope, key, request_hash, status, body, created_at
		FROM idempotency_keys
		WHERE scope = $1 AND key = $2`, scope, key).Scan(
		&i.Scope, &i.Key, &i.RequestHash, &i.Status, &i.Body, &i.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
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
// Two replicas saving one key at once meet at the primary key: the second
// waits for the first to commit and then fails, so exactly one answer is
// ever stored. It logs no change: nothing is derived from stored answers.
func (tx *Tx) SaveIdempotency(ctx context.Context, i *triage.Idempotency) error {
	if err := triage.Required("key", i.Key); err != nil {
		return err
	}
	if i.Body == nil {
		i.Body = []byte{}
	}
	i.CreatedAt = triage.StoreTime(i.CreatedAt)
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		i.Scope, i.Key, i.RequestHash, i.Status, i.Body, i.CreatedAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "idempotency key %q is already in use", i.Key)
	} else if err != nil {
		return dbError("save idempotency", err)
	}
	return nil
}
