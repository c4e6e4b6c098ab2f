package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// History returns a ticket's history, oldest first; entries written at the
// same instant keep the order they were added in.
func (s queries) History(ctx context.Context, ticketID string) ([]*triage.HistoryEntry, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, ticket_id, actor, at, field, old, new, note, why
		FROM history
		WHERE ticket_id = $1
		ORDER BY at, seq`, ticketID)
	return collect(rows, err, "history", func(r pgx.Rows) (*triage.HistoryEntry, error) {
		var h triage.HistoryEntry
		err := r.Scan(&h.ID, &h.TicketID, &h.Actor, &h.At, &h.Field, &h.Old, &h.New, &h.Note, &h.Why)
		return &h, err
	})
}

// AddHistory stores entries in order and logs one update per ticket they
// touch. The entries go in one batch, one round trip: a ticket's create
// writes half a dozen, after routing, while it holds the routing lock
// that every other create waits for.
func (tx *Tx) AddHistory(ctx context.Context, hs ...*triage.HistoryEntry) error {
	var tickets []string
	var b pgx.Batch
	for _, h := range hs {
		if err := triage.Required("id", h.ID); err != nil {
			return err
		}
		if err := triage.Required("ticket_id", h.TicketID); err != nil {
			return err
		}
		h.At = triage.StoreTime(h.At)
		b.Queue(`
			INSERT INTO history (id, ticket_id, actor, at, field, old, new, note, why)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			h.ID, h.TicketID, h.Actor, h.At, h.Field, h.Old, h.New, h.Note, h.Why)
	}
	if b.Len() == 0 {
		return nil
	}
	br := tx.tx.SendBatch(ctx, &b)
	var first error
	for _, h := range hs {
		_, err := br.Exec()
		switch {
		case first != nil:
			// After a failed statement the rest fail as aborted; the
			// first error is the one that says why.
		case pgCode(err) == codeForeignKeyViolation:
			first = triage.NotFound("ticket", h.TicketID)
		case isDuplicate(err):
			first = triage.Errorf(triage.ECONFLICT, "history entry %s already exists", h.ID)
		case err != nil:
			first = dbError("add history", err)
		}
	}
	if err := br.Close(); err != nil && first == nil {
		first = dbError("add history", err)
	}
	if first != nil {
		return first
	}
	for _, h := range hs {
		if !slices.Contains(tickets, h.TicketID) {
			tickets = append(tickets, h.TicketID)
			if err := tx.logChange(ctx, "ticket", h.TicketID, "update"); err != nil {
				return err
			}
		}
	}
	return nil
}
