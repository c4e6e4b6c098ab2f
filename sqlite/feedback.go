package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/triagehq/triage"
)

const feedbackColumns = `
	id, suggestion_id, ticket_id, source_kind, source_id, action, final_text, reason, actor, created_at`

// feedbackQuery reads the feedback_suggestion index in order.
const feedbackQuery = `
	SELECT ` + feedbackColumns + `
	FROM feedback
	WHERE suggestion_id = ?
	ORDER BY created_at, seq`

// scanFeedback reads every row of a query of feedbackColumns.
func scanFeedback(rows *sql.Rows, err error, op string) ([]*triage.Feedback, error) {
	if err != nil {
		return nil, dbError(op, err)
	}
	defer rows.Close()
	out := []*triage.Feedback{}
	for rows.Next() {
		var f triage.Feedback
		if err := rows.Scan(&f.ID, &f.SuggestionID, &f.TicketID, &f.SourceKind, &f.SourceID, &f.Action,
			&f.FinalText, &f.Reason, &f.Actor, timeCol{&f.CreatedAt}); err != nil {
			return nil, dbError(op, err)
		}
		out = append(out, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err)
	}
	return out, nil
}

// Feedback lists the verdicts on one set of suggestions, oldest first;
// verdicts given at the same instant keep the order they were added in. A
// suggestion without feedback, or no suggestion at all, gives an empty
// list.
func (s queries) Feedback(ctx context.Context, suggestionID string) ([]*triage.Feedback, error) {
	rows, err := s.q.QueryContext(ctx, feedbackQuery, suggestionID)
	return scanFeedback(rows, err, "feedback")
}

// AcceptedFeedback lists the accepted verdicts on articles, tickets and
// drafts, newest first, at most limit.
func (s queries) AcceptedFeedback(ctx context.Context, limit int) ([]*triage.Feedback, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+feedbackColumns+`
		FROM feedback
		WHERE action = 'accepted' AND source_kind IN (?, ?, ?)
		ORDER BY created_at DESC, seq DESC
		LIMIT ?`, triage.DocArticle, triage.DocTicket, triage.FeedbackDraft, limit)
	return scanFeedback(rows, err, "accepted feedback")
}

// FeedbackCounts sums the verdicts given at or after since, per source
// (SourceKind and SourceID; the draft is kind "draft" with an empty id):
// most rejected first, then by kind and id. A zero since counts them all.
func (s queries) FeedbackCounts(ctx context.Context, since time.Time) ([]triage.FeedbackCount, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT source_kind, source_id,
			SUM(action = 'accepted'), SUM(action = 'edited'), SUM(action = 'rejected') AS rejected
		FROM feedback
		WHERE created_at >= ?
		GROUP BY source_kind, source_id
		ORDER BY rejected DESC, source_kind, source_id`, micros(since))
	if err != nil {
		return nil, dbError("feedback counts", err)
	}
	defer rows.Close()
	out := []triage.FeedbackCount{}
	for rows.Next() {
		var c triage.FeedbackCount
		if err := rows.Scan(&c.SourceKind, &c.SourceID, &c.Accepted, &c.Edited, &c.Rejected); err != nil {
			return nil, dbError("feedback counts", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("feedback counts", err)
	}
	return out, nil
}

// AddFeedback stores one verdict and logs (feedback, id, create). It needs
// an id and a suggestion id (EINVALID otherwise) and an Action of accepted,
// edited or rejected (EINVALID otherwise: FeedbackCounts counts only
// those); an unknown suggestion is ENOTFOUND and a used id ECONFLICT.
func (tx *Tx) AddFeedback(ctx context.Context, f *triage.Feedback) error {
	if err := triage.Required("id", f.ID); err != nil {
		return err
	}
	if err := triage.Required("suggestion_id", f.SuggestionID); err != nil {
		return err
	}
	switch f.Action {
	case triage.FeedbackAccepted, triage.FeedbackEdited, triage.FeedbackRejected:
	default:
		return triage.Invalid("action", "action %q is not one of %s, %s, %s", f.Action,
			triage.FeedbackAccepted, triage.FeedbackEdited, triage.FeedbackRejected)
	}
	f.CreatedAt = triage.StoreTime(f.CreatedAt)
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO feedback (`+feedbackColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.SuggestionID, f.TicketID, f.SourceKind, f.SourceID, f.Action,
		f.FinalText, f.Reason, f.Actor, micros(f.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("suggestion", f.SuggestionID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "feedback %s already exists", f.ID)
	case err != nil:
		return dbError("add feedback", err)
	}
	return tx.logChange(ctx, "feedback", f.ID, "create")
}
