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
// touch.
func (tx *Tx) AddHistory(ctx context.Context, hs ...*triage.HistoryEntry) error {
	var tickets []string
	for _, h := range hs {
		if err := triage.Required("id", h.ID); err != nil {
			return err
		}
		if err := triage.Required("ticket_id", h.TicketID); err != nil {
			return err
		}
		h.At = triage.StoreTime(h.At)
		_, err := tx.tx.Exec(ctx, `
			INSERT INTO history (id, ticket_id, actor, at, field, old, new, note, why)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			h.ID, h.TicketID, h.Actor, h.At, h.Field, h.Old, h.New, h.Note, h.Why)
		switch {
		case pgCode(err) == codeForeignKeyViolation:
			return triage.NotFound("ticket", h.TicketID)
		case isDuplicate(err):
			return triage.Errorf(triage.ECONFLICT, "history entry %s already exists", h.ID)
		case err != nil:
			return dbError("add history", err)
		}
		if !slices.Contains(tickets, h.TicketID) {
			tickets = append(tickets, h.TicketID)
			if err := tx.logChange(ctx, "ticket", h.TicketID, "update"); err != nil {
				return err
			}
		}
	}
	return nil
}
