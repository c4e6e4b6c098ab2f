package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const suggestionColumns = `id, ticket_id, articles, tickets, draft, best_article, created_at, degraded`

// scanSuggestions reads one row selected with suggestionColumns.
func scanSuggestions(row pgx.Row) (*triage.Suggestions, error) {
	var s triage.Suggestions
	var degraded []byte
	err := row.Scan(&s.ID, &s.TicketID, &s.Articles, &s.Tickets, &s.Draft, &s.BestArticle, &s.CreatedAt, &degraded)
	if err != nil {
		return nil, err
	}
	// JSON null is no reason: unmarshalled here, it leaves s.Reason nil.
	if err := json.Unmarshal(degraded, &s.Reason); err != nil {
		return nil, err
	}
	s.AsStored()
	return &s, nil
}

func scanSuggestionRows(rows pgx.Rows) (*triage.Suggestions, error) { return scanSuggestions(rows) }

// Suggestion returns one stored set of suggestions.
func (s queries) Suggestion(ctx context.Context, id string) (*triage.Suggestions, error) {
	sg, err := scanSuggestions(s.q.QueryRow(ctx, `SELECT `+suggestionColumns+` FROM suggestions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("suggestion", id)
	} else if err != nil {
		return nil, dbError("suggestion", err)
	}
	return sg, nil
}

// LatestSuggestion returns the ticket's newest suggestions (by CreatedAt,
// then id); ENOTFOUND when it has none. It reads the first entry of the
// ticket's range of the suggestions_ticket index.
func (s queries) LatestSuggestion(ctx context.Context, ticketID string) (*triage.Suggestions, error) {
	sg, err := scanSuggestions(s.q.QueryRow(ctx, `
		SELECT `+suggestionColumns+`
		FROM suggestions
		WHERE ticket_id = $1
		ORDER BY created_at DESC, id DESC
		LIMIT 1`, ticketID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "ticket %s has no suggestions", ticketID)
	} else if err != nil {
		return nil, dbError("latest suggestion", err)
	}
	return sg, nil
}

// Suggestions lists stored suggestions newest first (CreatedAt, then id,
// both descending): those created at or after f.Since, and, when
// f.MaxBestArticle is above 0, whose BestArticle is at most it. A limit of
// 0 or less means 200; a larger limit is honoured.
func (s queries) Suggestions(ctx context.Context, f triage.SuggestionFilter) ([]*triage.Suggestions, error) {
	a := &args{}
	if !f.Since.IsZero() {
		a.add(`created_at >= ?`, f.Since)
	}
	if f.MaxBestArticle > 0 {
		a.add(`best_article <= ?`, f.MaxBestArticle)
	}
	limit := triage.Limit(f.Limit, triage.DefaultSuggestionsPage, 0)
	query := `SELECT ` + suggestionColumns + ` FROM suggestions` + a.clause() +
		` ORDER BY created_at DESC, id DESC LIMIT ` + a.next(limit)
	rows, err := s.q.Query(ctx, query, a.vals...)
	return collect(rows, err, "suggestions", scanSuggestionRows)
}

// SaveSuggestions stores s and logs (suggestion, id, create). It needs an id
// and a ticket id (EINVALID otherwise); a used id is ECONFLICT; a
// BestArticle or score that is NaN or infinite is EINVALID. Suggestions
// are written once and never updated.
func (tx *Tx) SaveSuggestions(ctx context.Context, s *triage.Suggestions) error {
	if err := triage.Required("id", s.ID); err != nil {
		return err
	}
	if err := triage.Required("ticket_id", s.TicketID); err != nil {
		return err
	}
	if math.IsNaN(s.BestArticle) || math.IsInf(s.BestArticle, 0) {
		return triage.Invalid("best_article", "best_article is %v; it must be a number", s.BestArticle)
	}
	s.AsStored()
	// json.Marshal refuses NaN and ±Inf, so jsonb makes a bad score in a
	// source EINVALID.
	articles, err := jsonb(s.Articles)
	if err != nil {
		return err
	}
	tickets, err := jsonb(s.Tickets)
	if err != nil {
		return err
	}
	draft, err := jsonb(s.Draft)
	if err != nil {
		return err
	}
	degraded, err := jsonb(s.Reason)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO suggestions (`+suggestionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.ID, s.TicketID, articles, tickets, draft, s.BestArticle, s.CreatedAt, degraded)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "suggestion %s already exists", s.ID)
	} else if err != nil {
		return dbError("save suggestions", err)
	}
	return tx.logChange(ctx, "suggestion", s.ID, "create")
}
