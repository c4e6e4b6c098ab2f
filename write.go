package triage

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrReplay reports that another request with the same Idempotency-Key
// committed first; the caller should answer with that request's response.
var ErrReplay = errors.New("idempotency key already used")

// Write runs fn in one write transaction of s and, when idem is set,
// stores view(result) as the idempotent response in the same transaction,
// so a replay can never disagree with what committed. view lets a caller
// keep secrets (a new token's secret) out of the stored replay; nil stores
// the result itself. Every service's create goes through it.
func Write[T any](ctx context.Context, s Store, idem *Idempotency, now time.Time, view func(T) any, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := s.Update(ctx, func(tx Tx) error {
		v, err := fn(tx)
		if err != nil {
			return err
		}
		out = v
		if idem == nil {
			return nil
		}
		var shown any = v
		if view != nil {
			shown = view(v)
		}
		body, err := json.Marshal(shown)
		if err != nil {
			return err
		}
		rec := *idem
		rec.Body = body
		rec.CreatedAt = now
		if err := tx.SaveIdempotency(ctx, &rec); err != nil {
			if IsCode(err, ECONFLICT) {
				return &Error{Code: ECONFLICT, Message: "a request with this Idempotency-Key committed first", Err: ErrReplay}
			}
			return err
		}
		return nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// CheckVersion compares the version a client read (If-Match) with the
// stored one. A wanted version of 0 means "any" (If-Match: *).
func CheckVersion(kind string, have, want int) error {
	if want != 0 && have != want {
		return Errorf(ESTALE, "%s is at version %d, not %d; fetch it again and retry", kind, have, want)
	}
	return nil
}

// ActorFromContext is how the principal in ctx appears in history:
// "system" for work the service does on its own behalf.
func ActorFromContext(ctx context.Context) string { return PrincipalFromContext(ctx).Actor() }
