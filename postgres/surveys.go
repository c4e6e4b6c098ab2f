package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const surveyColumns = `
	id, ticket_id, token_hash, rating, comment, agent_id, team_id, category,
	created_at, expires_at, answered_at, version`

// scanSurvey reads one row selected with surveyColumns.
func scanSurvey(row pgx.Row) (*triage.Survey, error) {
	var s triage.Survey
	err := row.Scan(&s.ID, &s.TicketID, &s.TokenHash, &s.Rating, &s.Comment, &s.AgentID, &s.TeamID, &s.Category,
		&s.CreatedAt, &s.ExpiresAt, &s.AnsweredAt, &s.Version)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Survey returns a ticket's survey.
func (s queries) Survey(ctx context.Context, ticketID string) (*triage.Survey, error) {
	return s.survey(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE ticket_id = $1`, ticketID, "of ticket "+ticketID)
}

// SurveyByHash returns the survey whose token hashes to hash.
func (s queries) SurveyByHash(ctx context.Context, hash string) (*triage.Survey, error) {
	// The hash stands for a credential; it stays out of the message.
	return s.survey(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE token_hash = $1`, hash, "with that token")
}

func (s queries) survey(ctx context.Context, query, arg, name string) (*triage.Survey, error) {
	sv, err := scanSurvey(s.q.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("survey", name)
	} else if err != nil {
		return nil, dbError("survey", err)
	}
	return sv, nil
}

// Surveys lists the surveys created or answered in [f.From, f.To), oldest
// first. A zero To means no upper bound.
func (s queries) Surveys(ctx context.Context, f triage.SurveyFilter) ([]*triage.Survey, error) {
	var to *time.Time
	if !f.To.IsZero() {
		t := triage.StoreTime(f.To)
		to = &t
	}
	rows, err := s.q.Query(ctx, `
		SELECT `+surveyColumns+` FROM surveys
		WHERE (created_at >= $1 AND ($2::timestamptz IS NULL OR created_at < $2))
			OR (answered_at >= $1 AND ($2::timestamptz IS NULL OR answered_at < $2))
		ORDER BY created_at, id`, triage.StoreTime(f.From), to)
	return collect(rows, err, "surveys", func(r pgx.Rows) (*triage.Survey, error) { return scanSurvey(r) })
}

// CreateSurvey inserts s at version 1: ECONFLICT when the ticket has one or
// the token hash is in use, ENOTFOUND for an unknown ticket.
func (tx *Tx) CreateSurvey(ctx context.Context, s *triage.Survey) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return triage.Invalid("token_hash", "a survey needs the hash of its token")
	}
	s.AsStored()
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO surveys (`+surveyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
		s.ID, s.TicketID, s.TokenHash, s.Rating, s.Comment, s.AgentID, s.TeamID, s.Category,
		s.CreatedAt, s.ExpiresAt, s.AnsweredAt)
	switch {
	case isDuplicate(err) && constraint(err) == "surveys_pkey":
		return triage.Errorf(triage.ECONFLICT, "survey %s already exists", s.ID)
	case isDuplicate(err) && constraint(err) == "surveys_ticket":
		return triage.Errorf(triage.ECONFLICT, "ticket %s already has a survey", s.TicketID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "a survey with the same token already exists")
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("ticket", s.TicketID)
	case err != nil:
		return dbError("create survey", err)
	}
	s.Version = 1
	return tx.logChange(ctx, "survey", s.ID, "create")
}

// UpdateSurvey stores s if the stored version is still s.Version, and then
// increments s.Version. The ticket and CreatedAt never change; s gets the
// stored ones back.
func (tx *Tx) UpdateSurvey(ctx context.Context, s *triage.Survey) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return triage.Invalid("token_hash", "a survey needs the hash of its token")
	}
	s.AsStored()
	err := tx.tx.QueryRow(ctx, `
		UPDATE surveys SET
			token_hash = $1, rating = $2, comment = $3, agent_id = $4, team_id = $5, category = $6,
			expires_at = $7, answered_at = $8, version = version + 1
		WHERE id = $9 AND version = $10
		RETURNING ticket_id, created_at`,
		s.TokenHash, s.Rating, s.Comment, s.AgentID, s.TeamID, s.Category,
		s.ExpiresAt, s.AnsweredAt, s.ID, s.Version).Scan(&s.TicketID, &s.CreatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return tx.staleOrMissing(ctx, "surveys", "survey", s.ID, s.Version)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "a survey with the same token already exists")
	case err != nil:
		return dbError("update survey", err)
	}
	s.Version++
	return tx.logChange(ctx, "survey", s.ID, "update")
}
