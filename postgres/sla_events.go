package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const slaEventColumns = `id, ticket_id, kind, metric, cycle, policy_id, target, due_at, lead_id, actions, at`

// SLAEvents lists a ticket's warnings and breaches, oldest first and, at
// the same instant, in the order they were added.
func (s queries) SLAEvents(ctx context.Context, ticketID string) ([]*triage.SLAEvent, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+slaEventColumns+` FROM sla_events WHERE ticket_id = $1 ORDER BY at, seq`, ticketID)
	return collect(rows, err, "SLA events", func(r pgx.Rows) (*triage.SLAEvent, error) {
		var e triage.SLAEvent
		err := r.Scan(&e.ID, &e.TicketID, &e.Kind, &e.Metric, &e.Cycle, &e.PolicyID, &e.Target,
			&e.DueAt, &e.LeadID, &e.Actions, &e.At)
		e.Actions = triage.NonNil(e.Actions)
		return &e, err
	})
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
	actions, err := jsonb(e.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO sla_events (`+slaEventColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.TicketID, e.Kind, e.Metric, e.Cycle, e.PolicyID, e.Target, e.DueAt, e.LeadID, actions, e.At)
	switch {
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "SLA event %s already exists", e.ID)
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("ticket", e.TicketID)
	case err != nil:
		return dbError("add SLA event", err)
	}
	return tx.logChange(ctx, "sla_event", e.ID, "create")
}
