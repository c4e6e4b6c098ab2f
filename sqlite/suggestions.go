package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"

	"github.com/triagehq/triage"
)

const suggestionColumns = `id, ticket_id, articles, tickets, draft, best_article, created_at, degraded`

// scanSuggestions reads one row selected with suggestionColumns.
func scanSuggestions(row interface{ Scan(...any) error }) (*triage.Suggestions, error) {
	var s triage.Suggestions
	err := row.Scan(&s.ID, &s.TicketID, jsonCol{&s.Articles}, jsonCol{&s.Tickets}, jsonCol{&s.Draft},
		&s.BestArticle, timeCol{&s.CreatedAt}, jsonCol{&s.Reason})
	if err != nil {
		return nil, err
	}
	s.AsStored()
	return &s, nil
}

// Suggestion returns one stored set of suggestions.
func (s queries) Suggestion(ctx context.Context, id string) (*triage.Suggestions, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM suggestions WHERE id = ?`, id)
	sg, err := scanSuggestions(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("suggestion", id)
	} else if err != nil {
		return nil, dbError("suggestion", err)
	}
	return sg, nil
}

// latestSuggestionQuery reads the first entry of the ticket's range of the
// suggestions_ticket index.
const latestSuggestionQuery = `
	SELECT ` + suggestionColumns + `
	FROM suggestions
	WHERE ticket_id = ?
	ORDER BY created_at DESC, id DESC
	LIMIT 1`

// LatestSuggestion returns the ticket's newest suggestions (by CreatedAt,
// then id); ENOTFOUND when it has none.
func (s queries) LatestSuggestion(ctx context.Context, ticketID string) (*triage.Suggestions, error) {
	sg, err := scanSuggestions(s.q.QueryRowContext(ctx, latestSuggestionQuery, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "ticket %s has no suggestions", ticketID)
	} else if err != nil {
		return nil, dbError("latest suggestion", err)
	}
	return sg, nil
}

// suggestionsQuery builds the query of Suggestions. It reads the
// suggestions_created index from the newest row (or Since) on.
func suggestionsQuery(f triage.SuggestionFilter) (string, []any) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where = append(where, `created_at >= ?`)
		args = append(args, micros(f.Since))
	}
	if f.MaxBestArticle > 0 {
		where = append(where, `best_article <= ?`)
		args = append(args, f.MaxBestArticle)
	}
	limit := triage.Limit(f.Limit, triage.DefaultSuggestionsPage, 0)
	query := `SELECT ` + suggestionColumns + ` FROM suggestions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return query + ` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit)
}

// Suggestions lists stored suggestions newest first (CreatedAt, then id,
// both descending): those created at or after f.Since, and, when
// f.MaxBestArticle is above 0, whose BestArticle is at most it. A limit of
// 0 or less means 200; a larger limit is honoured.
func (s queries) Suggestions(ctx context.Context, f triage.SuggestionFilter) ([]*triage.Suggestions, error) {
	query, args := suggestionsQuery(f)
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbError("suggestions", err)
	}
	defer rows.Close()
	out := []*triage.Suggestions{}
	for rows.Next() {
		sg, err := scanSuggestions(rows)
		if err != nil {
			return nil, dbError("suggestions", err)
		}
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("suggestions", err)
	}
	return out, nil
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
	// json.Marshal refuses NaN and ±Inf, so jsonText makes a bad score in
	// a source EINVALID.
	articles, err := jsonText(s.Articles)
	if err != nil {
		return err
	}
	tickets, err := jsonText(s.Tickets)
	if err != nil {
		return err
	}
	draft, err := jsonText(s.Draft)
	if err != nil {
		return err
	}
	degraded, err := jsonText(s.Reason)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO suggestions (`+suggestionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.TicketID, articles, tickets, draft, s.BestArticle, micros(s.CreatedAt), degraded)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "suggestion %s already exists", s.ID)
	} else if err != nil {
		return dbError("save suggestions", err)
	}
	return tx.logChange(ctx, "suggestion", s.ID, "create")
}
