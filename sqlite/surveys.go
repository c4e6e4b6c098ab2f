package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/triagehq/triage"
)

const surveyColumns = `
	id, ticket_id, token_hash, rating, comment, agent_id, team_id, category,
	created_at, expires_at, answered_at, version`

// scanSurvey reads one row selected with surveyColumns.
func scanSurvey(row interface{ Scan(...any) error }) (*triage.Survey, error) {
	var s triage.Survey
	err := row.Scan(&s.ID, &s.TicketID, &s.TokenHash, &s.Rating, &s.Comment, &s.AgentID, &s.TeamID, &s.Category,
		timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}, nullTimeCol{&s.AnsweredAt}, &s.Version)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Survey returns a ticket's survey.
func (s queries) Survey(ctx context.Context, ticketID string) (*triage.Survey, error) {
	return s.survey(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE ticket_id = ?`, ticketID, "of ticket "+ticketID)
}

// SurveyByHash returns the survey whose token hashes to hash.
func (s queries) SurveyByHash(ctx context.Context, hash string) (*triage.Survey, error) {
	// The hash stands for a credential; it stays out of the message.
	return s.survey(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE token_hash = ?`, hash, "with that token")
}

func (s queries) survey(ctx context.Context, query, arg, name string) (*triage.Survey, error) {
	sv, err := scanSurvey(s.q.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("survey", name)
	} else if err != nil {
		return nil, dbError("survey", err)
	}
	return sv, nil
}

// Surveys lists the surveys created or answered in [f.From, f.To), oldest
// first. A zero To means no upper bound.
func (s queries) Surveys(ctx context.Context, f triage.SurveyFilter) ([]*triage.Survey, error) {
	to := int64(1<<63 - 1)
	if !f.To.IsZero() {
		to = micros(f.To)
	}
	from := micros(f.From)
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+surveyColumns+` FROM surveys
		WHERE (created_at >= ? AND created_at < ?) OR (answered_at >= ? AND answered_at < ?)
		ORDER BY created_at, id`, from, to, from, to)
	if err != nil {
		return nil, dbError("surveys", err)
	}
	defer rows.Close()
	out := []*triage.Survey{}
	for rows.Next() {
		sv, err := scanSurvey(rows)
		if err != nil {
			return nil, dbError("surveys", err)
		}
		out = append(out, sv)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("surveys", err)
	}
	return out, nil
}

// CreateSurvey inserts s at version 1.
func (tx *Tx) CreateSurvey(ctx context.Context, s *triage.Survey) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return triage.Invalid("token_hash", "a survey needs the hash of its token")
	}
	s.AsStored()
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO surveys (`+surveyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		s.ID, s.TicketID, s.TokenHash, s.Rating, s.Comment, s.AgentID, s.TeamID, s.Category,
		micros(s.CreatedAt), micros(s.ExpiresAt), nullMicros(s.AnsweredAt))
	switch {
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "survey %s already exists", s.ID)
	case sqliteCode(err) == codeConstraintUnique && strings.Contains(err.Error(), "ticket_id"):
		return triage.Errorf(triage.ECONFLICT, "ticket %s already has a survey", s.TicketID)
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "a survey with the same token already exists")
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("ticket", s.TicketID)
	case err != nil:
		return dbError("create survey", err)
	}
	s.Version = 1
	return tx.logChange(ctx, "survey", s.ID, "create")
}

// UpdateSurvey stores s if the stored version is still s.Version, and then
// increments s.Version. The ticket and CreatedAt never change.
func (tx *Tx) UpdateSurvey(ctx context.Context, s *triage.Survey) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return triage.Invalid("token_hash", "a survey needs the hash of its token")
	}
	s.AsStored()
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE surveys SET
			token_hash = ?, rating = ?, comment = ?, agent_id = ?, team_id = ?, category = ?,
			expires_at = ?, answered_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		s.TokenHash, s.Rating, s.Comment, s.AgentID, s.TeamID, s.Category,
		micros(s.ExpiresAt), nullMicros(s.AnsweredAt), s.ID, s.Version)
	switch {
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "a survey with the same token already exists")
	case err != nil:
		return dbError("update survey", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update survey", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "surveys", "survey", s.ID, s.Version)
	}
	if err := tx.tx.QueryRowContext(ctx, `SELECT ticket_id, created_at FROM surveys WHERE id = ?`, s.ID).Scan(&s.TicketID, timeCol{&s.CreatedAt}); err != nil {
		return dbError("update survey", err)
	}
	s.Version++
	return tx.logChange(ctx, "survey", s.ID, "update")
}
