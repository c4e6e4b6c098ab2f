package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// TriageRecord returns what triage predicted for a ticket at intake.
func (s queries) TriageRecord(ctx context.Context, ticketID string) (*triage.TriageRecord, error) {
	var r triage.TriageRecord
	err := s.q.QueryRow(ctx, `
		SELECT ticket_id, category, priority, assignee, needs_review, model_version, explanation, created_at
		FROM triage_records
		WHERE ticket_id = $1`, ticketID).Scan(
		&r.TicketID, &r.Category, &r.Priority, &r.Assignee, &r.NeedsReview, &r.ModelVersion, &r.Explanation, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "triage record for ticket %s not found", ticketID)
	} else if err != nil {
		return nil, dbError("triage record", err)
	}
	return &r, nil
}

// SaveTriageRecord stores r, replacing the ticket's earlier record (a
// re-triage), and logs an update of the ticket.
func (tx *Tx) SaveTriageRecord(ctx context.Context, r *triage.TriageRecord) error {
	if err := triage.Required("ticket_id", r.TicketID); err != nil {
		return err
	}
	r.AsStored()
	var cols [4][]byte
	for i, v := range []any{r.Category, r.Priority, r.Assignee, r.Explanation} {
		b, err := jsonb(v)
		if err != nil {
			return err
		}
		cols[i] = b
	}
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO triage_records
			(ticket_id, category, priority, assignee, needs_review, model_version, explanation, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (ticket_id) DO UPDATE SET
			category = excluded.category,
			priority = excluded.priority,
			assignee = excluded.assignee,
			needs_review = excluded.needs_review,
			model_version = excluded.model_version,
			explanation = excluded.explanation,
			created_at = excluded.created_at`,
		r.TicketID, cols[0], cols[1], cols[2], r.NeedsReview, r.ModelVersion, cols[3], r.CreatedAt)
	if pgCode(err) == codeForeignKeyViolation {
		return triage.NotFound("ticket", r.TicketID)
	} else if err != nil {
		return dbError("save triage record", err)
	}
	return tx.logChange(ctx, "ticket", r.TicketID, "update")
}
