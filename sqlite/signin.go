package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

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
	a, err := scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE sso_issuer = ? AND sso_subject = ?`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("account", "linked to that sign-in")
	} else if err != nil {
		return nil, dbError("account", err)
	}
	return a, nil
}

const oneTimeColumns = `hash, purpose, subject, created_at, expires_at, used_at`

func scanOneTime(row interface{ Scan(...any) error }) (triage.OneTime, error) {
	var r triage.OneTime
	err := row.Scan(&r.Hash, &r.Purpose, &r.Subject, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt}, nullTimeCol{&r.UsedAt})
	return r, err
}

// OneTime returns the link record with hash; the hash stays out of the
// error message, it stands for a credential.
func (s queries) OneTime(ctx context.Context, hash string) (triage.OneTime, error) {
	r, err := scanOneTime(s.q.QueryRowContext(ctx, `SELECT `+oneTimeColumns+` FROM one_time_links WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
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
	if _, err := tx.tx.ExecContext(ctx, `
		UPDATE one_time_links SET used_at = ? WHERE purpose = ? AND subject = ? AND used_at IS NULL`,
		micros(r.CreatedAt), r.Purpose, r.Subject); err != nil {
		return dbError("void links", err)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO one_time_links (`+oneTimeColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		r.Hash, r.Purpose, r.Subject, micros(r.CreatedAt), micros(r.ExpiresAt), nullMicros(r.UsedAt))
	if sqliteCode(err) == codeConstraintPrimaryKey {
		return triage.Errorf(triage.ECONFLICT, "a link with the same token already exists")
	} else if err != nil {
		return dbError("create link", err)
	}
	return nil
}

// TakeOneTime returns the record as it was and marks it used when it
// could be used at now. The transaction holds SQLite's write lock, so of
// two redemptions one sees the other's mark.
func (tx *Tx) TakeOneTime(ctx context.Context, hash string, now time.Time) (triage.OneTime, error) {
	r, err := scanOneTime(tx.tx.QueryRowContext(ctx, `SELECT `+oneTimeColumns+` FROM one_time_links WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return triage.OneTime{}, triage.NotFound("link", "with that token")
	} else if err != nil {
		return triage.OneTime{}, dbError("link", err)
	}
	now = triage.StoreTime(now)
	if _, err := tx.tx.ExecContext(ctx, `
		UPDATE one_time_links SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?`,
		micros(now), hash, micros(now)); err != nil {
		return triage.OneTime{}, dbError("use link", err)
	}
	return r, nil
}

// AuthSettings returns the sign-in settings, zero when never saved.
func (s queries) AuthSettings(ctx context.Context) (*triage.AuthSettings, error) {
	var v triage.AuthSettings
	err := s.q.QueryRowContext(ctx, `SELECT require_totp, updated_at, version FROM auth_settings WHERE id = 1`).
		Scan(&v.RequireTOTP, timeCol{&v.UpdatedAt}, &v.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return &triage.AuthSettings{}, nil
	} else if err != nil {
		return nil, dbError("auth settings", err)
	}
	return &v, nil
}

// PutAuthSettings saves the sign-in settings at v.Version.
func (tx *Tx) PutAuthSettings(ctx context.Context, v *triage.AuthSettings) error {
	v.UpdatedAt = triage.StoreTime(v.UpdatedAt)
	var res sql.Result
	var err error
	if v.Version == 0 {
		res, err = tx.tx.ExecContext(ctx, `
			INSERT INTO auth_settings (id, require_totp, updated_at, version) VALUES (1, ?, ?, 1)
			ON CONFLICT (id) DO NOTHING`, v.RequireTOTP, micros(v.UpdatedAt))
	} else {
		res, err = tx.tx.ExecContext(ctx, `
			UPDATE auth_settings SET require_totp = ?, updated_at = ?, version = version + 1 WHERE id = 1 AND version = ?`,
			v.RequireTOTP, micros(v.UpdatedAt), v.Version)
	}
	if err != nil {
		return dbError("auth settings", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("auth settings", err)
	} else if n == 0 {
		return triage.Errorf(triage.ESTALE, "the sign-in settings have been changed by someone else; reload them and try again")
	}
	v.Version++
	return nil
}
