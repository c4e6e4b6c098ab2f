package sqlite

import (
	"context"
	"slices"

	"github.com/triagehq/triage"
)

// History returns a ticket's history, oldest first; entries written at the
// same instant keep the order they were added in.
func (s queries) History(ctx context.Context, ticketID string) ([]*triage.HistoryEntry, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, ticket_id, actor, at, field, old, new, note, why
		FROM history
		WHERE ticket_id = ?
		ORDER BY at, seq`, ticketID)
	if err != nil {
		return nil, dbError("history", err)
	}
	defer rows.Close()
	out := []*triage.HistoryEntry{}
	for rows.Next() {
		var h triage.HistoryEntry
		if err := rows.Scan(&h.ID, &h.TicketID, &h.Actor, timeCol{&h.At}, &h.Field, &h.Old, &h.New,
			&h.Note, &h.Why); err != nil {
			return nil, dbError("history", err)
		}
		out = append(out, &h)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("history", err)
	}
	return out, nil
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
		_, err := tx.tx.ExecContext(ctx, `
			INSERT INTO history (id, ticket_id, actor, at, field, old, new, note, why)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			h.ID, h.TicketID, h.Actor, micros(h.At), h.Field, h.Old, h.New, h.Note, h.Why)
		switch {
		case sqliteCode(err) == codeConstraintForeignKey:
			return triage.NotFound("ticket", h.TicketID)
		case isDuplicate(err):
			return triage.Errorf(triage.ECONFLICT, "history entry %s already exists", h.ID)
		case err != nil:
			return dbError("add history", err)
		}
		// Logged as each ticket is first touched, so that an error part of
		// the way leaves the log agreeing with the rows already written.
		if !slices.Contains(tickets, h.TicketID) {
			tickets = append(tickets, h.TicketID)
			if err := tx.logChange(ctx, "ticket", h.TicketID, "update"); err != nil {
				return err
			}
		}
	}
	return nil
}
