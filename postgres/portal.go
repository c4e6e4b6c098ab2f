package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// The customer's side (issue 19): help events, one-time links and
// requesters' sessions, the twin of sqlite/portal.go. None of them is in
// the change log.

const helpEventColumns = `id, kind, session, contact, category, article_id, ticket_id, query, detail, confidence, created_at`

// HelpEvents lists the events created in [from, to), oldest first.
func (s queries) HelpEvents(ctx context.Context, from, to time.Time) ([]*triage.HelpEvent, error) {
	rows, err := s.q.Query(ctx, `SELECT `+helpEventColumns+` FROM help_events
		WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, seq`, triage.StoreTime(from), triage.StoreTime(to))
	return collect(rows, err, "help events", func(r pgx.Rows) (*triage.HelpEvent, error) {
		var e triage.HelpEvent
		err := r.Scan(&e.ID, &e.Kind, &e.Session, &e.Contact, &e.Category, &e.ArticleID, &e.TicketID, &e.Query, &e.Detail, &e.Confidence, &e.CreatedAt)
		e.CreatedAt = triage.StoreTime(e.CreatedAt)
		return &e, err
	})
}

// AddHelpEvent stores one event; it needs an id and a known kind.
func (tx *Tx) AddHelpEvent(ctx context.Context, e *triage.HelpEvent) error {
	if err := triage.Required("id", e.ID); err != nil {
		return err
	}
	if !e.Kind.Valid() {
		return triage.Invalid("kind", "help event kind %q is unknown", e.Kind)
	}
	e.CreatedAt = triage.StoreTime(e.CreatedAt)
	_, err := tx.tx.Exec(ctx, `INSERT INTO help_events (`+helpEventColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.Kind, e.Session, e.Contact, e.Category, e.ArticleID, e.TicketID, e.Query, e.Detail, e.Confidence, e.CreatedAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "help event %s already exists", e.ID)
	}
	return dbError("add help event", err)
}

// CreateRequesterSession stores a session's hash, never its secret.
func (tx *Tx) CreateRequesterSession(ctx context.Context, s *triage.RequesterSession) error {
	if err := triage.Required("hash", s.Hash); err != nil {
		return err
	}
	s.CreatedAt, s.ExpiresAt = triage.StoreTime(s.CreatedAt), triage.StoreTime(s.ExpiresAt)
	_, err := tx.tx.Exec(ctx, `INSERT INTO requester_sessions (hash, email, phone, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.Hash, s.Email, s.Phone, s.CreatedAt, s.ExpiresAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "this session already exists")
	}
	return dbError("create requester session", err)
}

// RequesterSession returns the session with hash if it is live at now.
func (s queries) RequesterSession(ctx context.Context, hash string, now time.Time) (*triage.RequesterSession, error) {
	var r triage.RequesterSession
	err := s.q.QueryRow(ctx, `SELECT hash, email, phone, created_at, expires_at FROM requester_sessions
		WHERE hash = $1 AND expires_at > $2`, hash, triage.StoreTime(now)).Scan(&r.Hash, &r.Email, &r.Phone, &r.CreatedAt, &r.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, dbError("requester session", err)
	}
	r.CreatedAt, r.ExpiresAt = triage.StoreTime(r.CreatedAt), triage.StoreTime(r.ExpiresAt)
	return &r, nil
}

// DeleteRequesterSession signs a session out.
func (tx *Tx) DeleteRequesterSession(ctx context.Context, hash string) error {
	_, err := tx.tx.Exec(ctx, `DELETE FROM requester_sessions WHERE hash = $1`, hash)
	return dbError("delete requester session", err)
}

// PutHelpRequest holds a request and drops the expired ones.
func (tx *Tx) PutHelpRequest(ctx context.Context, r *triage.HelpRequest) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.CreatedAt, r.ExpiresAt = triage.StoreTime(r.CreatedAt), triage.StoreTime(r.ExpiresAt)
	if _, err := tx.tx.Exec(ctx, `DELETE FROM help_requests WHERE expires_at <= $1`, r.CreatedAt); err != nil {
		return dbError("put help request", err)
	}
	_, err := tx.tx.Exec(ctx, `INSERT INTO help_requests (id, email, payload, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, r.Email, r.Payload, r.CreatedAt, r.ExpiresAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "help request %s already exists", r.ID)
	}
	return dbError("put help request", err)
}

// HelpRequest returns a held request that has not expired at now.
func (s queries) HelpRequest(ctx context.Context, id string, now time.Time) (*triage.HelpRequest, error) {
	var r triage.HelpRequest
	err := s.q.QueryRow(ctx, `SELECT id, email, payload, created_at, expires_at FROM help_requests WHERE id = $1 AND expires_at > $2`,
		id, triage.StoreTime(now)).Scan(&r.ID, &r.Email, &r.Payload, &r.CreatedAt, &r.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("help request", id)
	} else if err != nil {
		return nil, dbError("help request", err)
	}
	r.CreatedAt, r.ExpiresAt = triage.StoreTime(r.CreatedAt), triage.StoreTime(r.ExpiresAt)
	return &r, nil
}

// DeleteHelpRequest drops a held request.
func (tx *Tx) DeleteHelpRequest(ctx context.Context, id string) error {
	_, err := tx.tx.Exec(ctx, `DELETE FROM help_requests WHERE id = $1`, id)
	return dbError("delete help request", err)
}
