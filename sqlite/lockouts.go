package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

// SignInFailures returns key's failed sign-ins in a row.
func (s queries) SignInFailures(ctx context.Context, key string) (triage.SignInFailures, error) {
	f := triage.SignInFailures{Key: key}
	err := s.q.QueryRowContext(ctx, `SELECT count, last_at FROM sign_in_failures WHERE key = ?`, key).Scan(&f.Count, timeCol{&f.Last})
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	return f, dbError("sign-in failures", err)
}

// FailSignIn counts one more failure of key; one upsert, so that two
// failures at once both count.
func (tx *Tx) FailSignIn(ctx context.Context, key string, at time.Time, forget time.Duration) (triage.SignInFailures, error) {
	if err := triage.Required("key", key); err != nil {
		return triage.SignInFailures{}, err
	}
	at = triage.StoreTime(at)
	stale := micros(at.Add(-forget))
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE last_at < ? AND key <> ?`, stale, key); err != nil {
		return triage.SignInFailures{}, dbError("forget sign-in failures", err)
	}
	f := triage.SignInFailures{Key: key}
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO sign_in_failures (key, count, last_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN sign_in_failures.last_at < ? THEN 1 ELSE sign_in_failures.count + 1 END,
			last_at = excluded.last_at
		RETURNING count, last_at`, key, micros(at), stale).Scan(&f.Count, timeCol{&f.Last})
	return f, dbError("fail sign-in", err)
}

// ClearSignIn forgets key's failures.
func (tx *Tx) ClearSignIn(ctx context.Context, key string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE key = ?`, key)
	return dbError("clear sign-in failures", err)
}
