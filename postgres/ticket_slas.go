package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const ticketSLAColumns = `
	ticket_id, policy_id, policy_name, calendar_id, priority, assignee_id, team_id, category,
	targets, next_check_at, computed_at, version`

// scanTicketSLA reads one row selected with ticketSLAColumns.
func scanTicketSLA(row pgx.Row) (*triage.TicketSLA, error) {
	var r triage.TicketSLA
	err := row.Scan(&r.TicketID, &r.PolicyID, &r.PolicyName, &r.CalendarID, &r.Priority, &r.AssigneeID, &r.TeamID, &r.Category,
		&r.Targets, &r.NextCheckAt, &r.ComputedAt, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Targets = triage.NonNil(r.Targets)
	return &r, nil
}

// TicketSLA returns a ticket's SLA record.
func (s queries) TicketSLA(ctx context.Context, ticketID string) (*triage.TicketSLA, error) {
	r, err := scanTicketSLA(s.q.QueryRow(ctx, `SELECT `+ticketSLAColumns+` FROM ticket_slas WHERE ticket_id = $1`, ticketID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("SLA record of ticket", ticketID)
	} else if err != nil {
		return nil, dbError("ticket SLA", err)
	}
	return r, nil
}

// TicketSLAs pages through records computed at or after f.ComputedFrom, in
// ticket id order.
func (s queries) TicketSLAs(ctx context.Context, f triage.TicketSLAFilter) ([]*triage.TicketSLA, string, error) {
	limit := triage.Limit(f.Limit, triage.DefaultTicketSLAsPage, triage.MaxTicketSLAsPage)
	rows, err := s.q.Query(ctx, `
		SELECT `+ticketSLAColumns+` FROM ticket_slas
		WHERE computed_at >= $1 AND ticket_id > $2
		ORDER BY ticket_id
		LIMIT $3`, triage.StoreTime(f.ComputedFrom), f.After, limit+1)
	out, err := collect(rows, err, "ticket SLAs", func(r pgx.Rows) (*triage.TicketSLA, error) { return scanTicketSLA(r) })
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.TicketSLA) string { return x.TicketID })
	return out, next, nil
}

// SaveTicketSLA inserts a record at version 1 when r.Version is 0, and
// otherwise updates it if it is still at r.Version.
func (tx *Tx) SaveTicketSLA(ctx context.Context, r *triage.TicketSLA) error {
	if err := triage.Required("ticket_id", r.TicketID); err != nil {
		return err
	}
	r.AsStored()
	targets, err := jsonb(r.Targets)
	if err != nil {
		return err
	}
	if r.Version == 0 {
		_, err = tx.tx.Exec(ctx, `
			INSERT INTO ticket_slas (`+ticketSLAColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
			r.TicketID, r.PolicyID, r.PolicyName, r.CalendarID, string(r.Priority), r.AssigneeID, r.TeamID, r.Category,
			targets, r.NextCheckAt, r.ComputedAt)
		switch {
		case isDuplicate(err):
			return triage.Errorf(triage.ECONFLICT, "ticket %s already has an SLA record; update it at its version", r.TicketID)
		case pgCode(err) == codeForeignKeyViolation:
			return triage.NotFound("ticket", r.TicketID)
		case err != nil:
			return dbError("save ticket SLA", err)
		}
		r.Version = 1
		return tx.logChange(ctx, "ticket_sla", r.TicketID, "create")
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE ticket_slas SET
			policy_id = $1, policy_name = $2, calendar_id = $3, priority = $4, assignee_id = $5, team_id = $6, category = $7,
			targets = $8, next_check_at = $9, computed_at = $10, version = version + 1
		WHERE ticket_id = $11 AND version = $12`,
		r.PolicyID, r.PolicyName, r.CalendarID, string(r.Priority), r.AssigneeID, r.TeamID, r.Category,
		targets, r.NextCheckAt, r.ComputedAt, r.TicketID, r.Version)
	if err != nil {
		return dbError("save ticket SLA", err)
	}
	if tag.RowsAffected() == 0 {
		var v int
		err := tx.tx.QueryRow(ctx, `SELECT version FROM ticket_slas WHERE ticket_id = $1`, r.TicketID).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return triage.NotFound("SLA record of ticket", r.TicketID)
		} else if err != nil {
			return dbError("save ticket SLA", err)
		}
		return triage.Errorf(triage.ESTALE, "the SLA record of ticket %s is at version %d, not %d", r.TicketID, v, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "ticket_sla", r.TicketID, "update")
}
