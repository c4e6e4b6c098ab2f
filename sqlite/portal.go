package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

// The customer's side (issue 19): help events, one-time links and
// requesters' sessions. None of them is in the change log: nothing
// derived follows them, and anonymous customers must not be able to flood
// it.

const helpEventColumns = `id, kind, session, contact, category, article_id, ticket_id, query, detail, confidence, created_at`

// HelpEvents lists the events created in [from, to), oldest first.
func (s queries) HelpEvents(ctx context.Context, from, to time.Time) ([]*triage.HelpEvent, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+helpEventColumns+` FROM help_events
		WHERE created_at >= ? AND created_at < ? ORDER BY created_at, seq`, micros(from), micros(to))
	if err != nil {
		return nil, dbError("help events", err)
	}
	defer rows.Close()
	out := []*triage.HelpEvent{}
	for rows.Next() {
		var e triage.HelpEvent
		if err := rows.Scan(&e.ID, &e.Kind, &e.Session, &e.Contact, &e.Category, &e.ArticleID, &e.TicketID, &e.Query, &e.Detail,
			&e.Confidence, timeCol{&e.CreatedAt}); err != nil {
			return nil, dbError("help events", err)
		}
		out = append(out, &e)
	}
	return out, dbError("help events", rows.Err())
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
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO help_events (`+helpEventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Kind, e.Session, e.Contact, e.Category, e.ArticleID, e.TicketID, e.Query, e.Detail, e.Confidence, micros(e.CreatedAt))
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
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO requester_sessions (hash, email, phone, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.Hash, s.Email, s.Phone, micros(s.CreatedAt), micros(s.ExpiresAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "this session already exists")
	}
	return dbError("create requester session", err)
}

// RequesterSession returns the session with hash if it is live at now.
func (s queries) RequesterSession(ctx context.Context, hash string, now time.Time) (*triage.RequesterSession, error) {
	var r triage.RequesterSession
	err := s.q.QueryRowContext(ctx, `SELECT hash, email, phone, created_at, expires_at FROM requester_sessions
		WHERE hash = ? AND expires_at > ?`, hash, micros(now)).Scan(&r.Hash, &r.Email, &r.Phone, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, dbError("requester session", err)
	}
	return &r, nil
}

// DeleteRequesterSession signs a session out.
func (tx *Tx) DeleteRequesterSession(ctx context.Context, hash string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM requester_sessions WHERE hash = ?`, hash)
	return dbError("delete requester session", err)
}

// PutHelpRequest holds a request and drops the expired ones.
func (tx *Tx) PutHelpRequest(ctx context.Context, r *triage.HelpRequest) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.CreatedAt, r.ExpiresAt = triage.StoreTime(r.CreatedAt), triage.StoreTime(r.ExpiresAt)
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM help_requests WHERE expires_at <= ?`, micros(r.CreatedAt)); err != nil {
		return dbError("put help request", err)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO help_requests (id, email, payload, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.Email, r.Payload, micros(r.CreatedAt), micros(r.ExpiresAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "help request %s already exists", r.ID)
	}
	return dbError("put help request", err)
}

// HelpRequest returns a held request that has not expired at now.
func (s queries) HelpRequest(ctx context.Context, id string, now time.Time) (*triage.HelpRequest, error) {
	var r triage.HelpRequest
	err := s.q.QueryRowContext(ctx, `SELECT id, email, payload, created_at, expires_at FROM help_requests WHERE id = ? AND expires_at > ?`,
		id, micros(now)).Scan(&r.ID, &r.Email, &r.Payload, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("help request", id)
	} else if err != nil {
		return nil, dbError("help request", err)
	}
	return &r, nil
}

// DeleteHelpRequest drops a held request.
func (tx *Tx) DeleteHelpRequest(ctx context.Context, id string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM help_requests WHERE id = ?`, id)
	return dbError("delete help request", err)
}
