package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const feedbackColumns = `
	id, suggestion_id, ticket_id, source_kind, source_id, action, final_text, reason, actor, created_at`

// scanFeedback reads one row of feedbackColumns.
func scanFeedback(r pgx.Rows) (*triage.Feedback, error) {
	var f triage.Feedback
	err := r.Scan(&f.ID, &f.SuggestionID, &f.TicketID, &f.SourceKind, &f.SourceID, &f.Action,
		&f.FinalText, &f.Reason, &f.Actor, &f.CreatedAt)
	return &f, err
}

// Feedback lists the verdicts on one set of suggestions, oldest first;
// verdicts given at the same instant keep the order they were added in. A
// suggestion without feedback, or no suggestion at all, gives an empty
// list.
func (s queries) Feedback(ctx context.Context, suggestionID string) ([]*triage.Feedback, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+feedbackColumns+`
		FROM feedback
		WHERE suggestion_id = $1
		ORDER BY created_at, seq`, suggestionID)
	return collect(rows, err, "feedback", scanFeedback)
}

// AcceptedFeedback lists the accepted verdicts on articles, tickets and
// drafts, newest first, at most limit.
func (s queries) AcceptedFeedback(ctx context.Context, limit int) ([]*triage.Feedback, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+feedbackColumns+`
		FROM feedback
		WHERE action = 'accepted' AND source_kind IN ($1, $2, $3)
		ORDER BY created_at DESC, seq DESC
		LIMIT $4`, triage.DocArticle, triage.DocTicket, triage.FeedbackDraft, limit)
	return collect(rows, err, "accepted feedback", scanFeedback)
}

// FeedbackCounts sums the verdicts given at or after since, per source
// (SourceKind and SourceID; the draft is kind "draft" with an empty id):
// most rejected first, then by kind and id. A zero since counts them all.
func (s queries) FeedbackCounts(ctx context.Context, since time.Time) ([]triage.FeedbackCount, error) {
	rows, err := s.q.Query(ctx, `
		SELECT source_kind, source_id,
			COUNT(*) FILTER (WHERE action = 'accepted'),
			COUNT(*) FILTER (WHERE action = 'edited'),
			COUNT(*) FILTER (WHERE action = 'rejected') AS rejected
		FROM feedback
		WHERE created_at >= $1
		GROUP BY source_kind, source_id
		ORDER BY rejected DESC, source_kind, source_id`, triage.StoreTime(since))
	return collect(rows, err, "feedback counts", func(r pgx.Rows) (triage.FeedbackCount, error) {
		var c triage.FeedbackCount
		err := r.Scan(&c.SourceKind, &c.SourceID, &c.Accepted, &c.Edited, &c.Rejected)
		return c, err
	})
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
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO feedback (`+feedbackColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		f.ID, f.SuggestionID, f.TicketID, f.SourceKind, f.SourceID, f.Action,
		f.FinalText, f.Reason, f.Actor, f.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("suggestion", f.SuggestionID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "feedback %s already exists", f.ID)
	case err != nil:
		return dbError("add feedback", err)
	}
	return tx.logChange(ctx, "feedback", f.ID, "create")
}
