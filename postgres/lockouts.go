package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// SignInFailures returns key's failed sign-ins in a row.
func (s queries) SignInFailures(ctx context.Context, key string) (triage.SignInFailures, error) {
	f := triage.SignInFailures{Key: key}
	err := s.q.QueryRow(ctx, `SELECT count, last_at FROM sign_in_failures WHERE key = $1`, key).Scan(&f.Count, &f.Last)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil
	} else if err != nil {
		return f, dbError("sign-in failures", err)
	}
	f.Last = triage.StoreTime(f.Last)
	return f, nil
}

// FailSignIn counts one more failure of key; one upsert, which takes the
// row's lock, so that two failures at once both count.
func (tx *Tx) FailSignIn(ctx context.Context, key string, at time.Time, forget time.Duration) (triage.SignInFailures, error) {
	if err := triage.Required("key", key); err != nil {
		return triage.SignInFailures{}, err
	}
	at = triage.StoreTime(at)
	stale := at.Add(-forget)
	if _, err := tx.tx.Exec(ctx, `DELETE FROM sign_in_failures WHERE last_at < $1 AND key <> $2`, stale, key); err != nil {
		return triage.SignInFailures{}, dbError("forget sign-in failures", err)
	}
	f := triage.SignInFailures{Key: key}
	err := tx.tx.QueryRow(ctx, `INSERT INTO sign_in_failures (key, count, last_at) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN sign_in_failures.last_at < $3 THEN 1 ELSE sign_in_failures.count + 1 END,
			last_at = excluded.last_at
		RETURNING count, last_at`, key, at, stale).Scan(&f.Count, &f.Last)
	if err != nil {
		return f, dbError("fail sign-in", err)
	}
	f.Last = triage.StoreTime(f.Last)
	return f, nil
}

// ClearSignIn forgets key's failures.
func (tx *Tx) ClearSignIn(ctx context.Context, key string) error {
	_, err := tx.tx.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1`, key)
	return dbError("clear sign-in failures", err)
}
