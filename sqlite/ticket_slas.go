package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const ticketSLAColumns = `
	ticket_id, policy_id, policy_name, calendar_id, priority, assignee_id, team_id, category,
	targets, next_check_at, computed_at, version`

// scanTicketSLA reads one row selected with ticketSLAColumns.
func scanTicketSLA(row interface{ Scan(...any) error }) (*triage.TicketSLA, error) {
	var r triage.TicketSLA
	err := row.Scan(&r.TicketID, &r.PolicyID, &r.PolicyName, &r.CalendarID, &r.Priority, &r.AssigneeID, &r.TeamID, &r.Category,
		jsonCol{&r.Targets}, nullTimeCol{&r.NextCheckAt}, timeCol{&r.ComputedAt}, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Targets = triage.NonNil(r.Targets)
	return &r, nil
}

// TicketSLA returns a ticket's SLA record.
func (s queries) TicketSLA(ctx context.Context, ticketID string) (*triage.TicketSLA, error) {
	r, err := scanTicketSLA(s.q.QueryRowContext(ctx, `SELECT `+ticketSLAColumns+` FROM ticket_slas WHERE ticket_id = ?`, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+ticketSLAColumns+` FROM ticket_slas
		WHERE computed_at >= ? AND ticket_id > ?
		ORDER BY ticket_id
		LIMIT ?`, micros(f.ComputedFrom), f.After, limit+1)
	if err != nil {
		return nil, "", dbError("ticket SLAs", err)
	}
	defer rows.Close()
	out := []*triage.TicketSLA{}
	for rows.Next() {
		r, err := scanTicketSLA(rows)
		if err != nil {
			return nil, "", dbError("ticket SLAs", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("ticket SLAs", err)
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
	targets, err := jsonText(r.Targets)
	if err != nil {
		return err
	}
	if r.Version == 0 {
		_, err = tx.tx.ExecContext(ctx, `
			INSERT INTO ticket_slas (`+ticketSLAColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			r.TicketID, r.PolicyID, r.PolicyName, r.CalendarID, r.Priority, r.AssigneeID, r.TeamID, r.Category,
			targets, nullMicros(r.NextCheckAt), micros(r.ComputedAt))
		switch {
		case sqliteCode(err) == codeConstraintPrimaryKey:
			return triage.Errorf(triage.ECONFLICT, "ticket %s already has an SLA record; update it at its version", r.TicketID)
		case sqliteCode(err) == codeConstraintForeignKey:
			return triage.NotFound("ticket", r.TicketID)
		case err != nil:
			return dbError("save ticket SLA", err)
		}
		r.Version = 1
		return tx.logChange(ctx, "ticket_sla", r.TicketID, "create")
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE ticket_slas SET
			policy_id = ?, policy_name = ?, calendar_id = ?, priority = ?, assignee_id = ?, team_id = ?, category = ?,
			targets = ?, next_check_at = ?, computed_at = ?, version = version + 1
		WHERE ticket_id = ? AND version = ?`,
		r.PolicyID, r.PolicyName, r.CalendarID, r.Priority, r.AssigneeID, r.TeamID, r.Category,
		targets, nullMicros(r.NextCheckAt), micros(r.ComputedAt), r.TicketID, r.Version)
	if err != nil {
		return dbError("save ticket SLA", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("save ticket SLA", err)
	} else if n == 0 {
		var v int
		err := tx.tx.QueryRowContext(ctx, `SELECT version FROM ticket_slas WHERE ticket_id = ?`, r.TicketID).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return triage.NotFound("SLA record of ticket", r.TicketID)
		} else if err != nil {
			return dbError("save ticket SLA", err)
		}
		return triage.Errorf(triage.ESTALE, "the SLA record of ticket %s is at version %d, not %d", r.TicketID, v, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "ticket_sla", r.TicketID, "update")
}
