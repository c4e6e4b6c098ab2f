package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/triagehq/triage"
)

// splitHashes reads the recovery_hashes column: hex hashes joined by
// commas, which hex never contains.
func splitHashes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// AccountBySSO returns the account linked to subject at issuer.
func (s queries) AccountBySSO(ctx context.Context, issuer, subject string) (*triage.Account, error) {
	if subject == "" {
		return nil, triage.NotFound("account", "with no subject")
	}
	a, err := scanAccount(s.q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE sso_issuer = $1 AND sso_subject = $2`, issuer, subject))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("account", "linked to that sign-in")
	} else if err != nil {
		return nil, dbError("account", err)
	}
	return a, nil
}

const oneTimeColumns = `hash, purpose, subject, created_at, expires_at, used_at`

func scanOneTime(row pgx.Row) (triage.OneTime, error) {
	var r triage.OneTime
	if err := row.Scan(&r.Hash, &r.Purpose, &r.Subject, &r.CreatedAt, &r.ExpiresAt, &r.UsedAt); err != nil {
		return triage.OneTime{}, err
	}
	r.AsStored()
	return r, nil
}

// OneTime returns the link record with hash; the hash stays out of the
// error message, it stands for a credential.
func (s queries) OneTime(ctx context.Context, hash string) (triage.OneTime, error) {
	r, err := scanOneTime(s.q.QueryRow(ctx, `SELECT `+oneTimeColumns+` FROM one_time_links WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.OneTime{}, triage.NotFound("link", "with that token")
	} else if err != nil {
		return triage.OneTime{}, dbError("link", err)
	}
	return r, nil
}

// PutOneTime stores a link record and voids the earlier unused ones of
// its purpose and subject.
func (tx *Tx) PutOneTime(ctx context.Context, r triage.OneTime) error {
	if r.Hash == "" || r.Purpose == "" || r.Subject == "" {
		return triage.Invalid("hash", "a link record needs its hash, purpose and subject")
	}
	r.AsStored()
	if _, err := tx.tx.Exec(ctx, `
		UPDATE one_time_links SET used_at = $1 WHERE purpose = $2 AND subject = $3 AND used_at IS NULL`,
		r.CreatedAt, r.Purpose, r.Subject); err != nil {
		return dbError("void links", err)
	}
	_, err := tx.tx.Exec(ctx, `INSERT INTO one_time_links (`+oneTimeColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.Hash, r.Purpose, r.Subject, r.CreatedAt, r.ExpiresAt, r.UsedAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "a link with the same token already exists")
	} else if err != nil {
		return dbError("create link", err)
	}
	return nil
}

// TakeOneTime returns the record as it was and marks it used when it
// could be used at now; the row lock (FOR UPDATE) makes the second of two
// concurrent redemptions wait and then see the first one's mark.
func (tx *Tx) TakeOneTime(ctx context.Context, hash string, now time.Time) (triage.OneTime, error) {
	r, err := scanOneTime(tx.tx.QueryRow(ctx, `SELECT `+oneTimeColumns+` FROM one_time_links WHERE hash = $1 FOR UPDATE`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.OneTime{}, triage.NotFound("link", "with that token")
	} else if err != nil {
		return triage.OneTime{}, dbError("link", err)
	}
	now = triage.StoreTime(now)
	if _, err := tx.tx.Exec(ctx, `
		UPDATE one_time_links SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1`, now, hash); err != nil {
		return triage.OneTime{}, dbError("use link", err)
	}
	return r, nil
}

// AuthSettings returns the sign-in settings, zero when never saved.
func (s queries) AuthSettings(ctx context.Context) (*triage.AuthSettings, error) {
	var v triage.AuthSettings
	err := s.q.QueryRow(ctx, `SELECT require_totp, updated_at, version FROM auth_settings WHERE id = 1`).
		Scan(&v.RequireTOTP, &v.UpdatedAt, &v.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return &triage.AuthSettings{}, nil
	} else if err != nil {
		return nil, dbError("auth settings", err)
	}
	v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
	return &v, nil
}

// PutAuthSettings saves the sign-in settings at v.Version.
func (tx *Tx) PutAuthSettings(ctx context.Context, v *triage.AuthSettings) error {
	v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
	var tag pgconn.CommandTag
	var err error
	if v.Version == 0 {
		tag, err = tx.tx.Exec(ctx, `
			INSERT INTO auth_settings (id, require_totp, updated_at, version) VALUES (1, $1, $2, 1)
			ON CONFLICT (id) DO NOTHING`, v.RequireTOTP, v.UpdatedAt)
	} else {
		tag, err = tx.tx.Exec(ctx, `
			UPDATE auth_settings SET require_totp = $1, updated_at = $2, version = version + 1 WHERE id = 1 AND version = $3`,
			v.RequireTOTP, v.UpdatedAt, v.Version)
	}
	if err != nil {
		return dbError("auth settings", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.Errorf(triage.ESTALE, "the sign-in settings have been changed by someone else; reload them and try again")
	}
	v.Version++
	return nil
}
