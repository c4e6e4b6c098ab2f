package sqlite

import (
	"context"

	"github.com/triagehq/triage"
)

const slaEventColumns = `id, ticket_id, kind, metric, cycle, policy_id, target, due_at, lead_id, actions, at`

// SLAEvents lists a ticket's warnings and breaches, oldest first and, at
// the same instant, in the order they were added.
func (s queries) SLAEvents(ctx context.Context, ticketID string) ([]*triage.SLAEvent, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+slaEventColumns+` FROM sla_events WHERE ticket_id = ? ORDER BY at, seq`, ticketID)
	if err != nil {
		return nil, dbError("SLA events", err)
	}
	defer rows.Close()
	out := []*triage.SLAEvent{}
	for rows.Next() {
		var e triage.SLAEvent
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Kind, &e.Metric, &e.Cycle, &e.PolicyID, &e.Target,
			timeCol{&e.DueAt}, &e.LeadID, jsonCol{&e.Actions}, timeCol{&e.At}); err != nil {
			return nil, dbError("SLA events", err)
		}
		e.Actions = triage.NonNil(e.Actions)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("SLA events", err)
	}
	return out, nil
}

// AddSLAEvent records a warning or a breach.
func (tx *Tx) AddSLAEvent(ctx context.Context, e *triage.SLAEvent) error {
	if err := triage.Required("id", e.ID); err != nil {
		return err
	}
	if err := triage.Required("ticket_id", e.TicketID); err != nil {
		return err
	}
	e.Actions = triage.NonNil(e.Actions)
	e.DueAt, e.At = triage.StoreTime(e.DueAt), triage.StoreTime(e.At)
	actions, err := jsonText(e.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO sla_events (`+slaEventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.TicketID, e.Kind, e.Metric, e.Cycle, e.PolicyID, e.Target, micros(e.DueAt), e.LeadID, actions, micros(e.At))
	switch {
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "SLA event %s already exists", e.ID)
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("ticket", e.TicketID)
	case err != nil:
		return dbError("add SLA event", err)
	}
	return tx.logChange(ctx, "sla_event", e.ID, "create")
}
