package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const slaPolicyColumns = `
	id, name, priority, team_id, category, tag, calendar_id,
	first_response, next_response, resolution, warn_percent, escalations,
	created_at, updated_at, version`

// scanSLAPolicy reads one row selected with slaPolicyColumns.
func scanSLAPolicy(row interface{ Scan(...any) error }) (*triage.SLAPolicy, error) {
	var p triage.SLAPolicy
	err := row.Scan(&p.ID, &p.Name, &p.Priority, &p.TeamID, &p.Category, &p.Tag, &p.CalendarID,
		&p.FirstResponse, &p.NextResponse, &p.Resolution, &p.WarnPercent, jsonCol{&p.Escalations},
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.Version)
	if err != nil {
		return nil, err
	}
	p.Escalations = triage.NonNil(p.Escalations)
	return &p, nil
}

// SLAPolicy returns one policy.
func (s queries) SLAPolicy(ctx context.Context, id string) (*triage.SLAPolicy, error) {
	p, err := scanSLAPolicy(s.q.QueryRowContext(ctx, `SELECT `+slaPolicyColumns+` FROM sla_policies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("SLA policy", id)
	} else if err != nil {
		return nil, dbError("SLA policy", err)
	}
	return p, nil
}

// SLAPolicies returns every policy by priority, name and id. Priorities
// sort as text: P1 < P2 < P3 < P4.
func (s queries) SLAPolicies(ctx context.Context) ([]*triage.SLAPolicy, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+slaPolicyColumns+` FROM sla_policies ORDER BY priority, name, id`)
	if err != nil {
		return nil, dbError("SLA policies", err)
	}
	defer rows.Close()
	out := []*triage.SLAPolicy{}
	for rows.Next() {
		p, err := scanSLAPolicy(rows)
		if err != nil {
			return nil, dbError("SLA policies", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("SLA policies", err)
	}
	return out, nil
}

// CreateSLAPolicy inserts p at version 1.
func (tx *Tx) CreateSLAPolicy(ctx context.Context, p *triage.SLAPolicy) error {
	if err := triage.Required("id", p.ID); err != nil {
		return err
	}
	p.AsStored()
	esc, err := jsonText(p.Escalations)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO sla_policies (`+slaPolicyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		p.ID, p.Name, p.Priority, p.TeamID, p.Category, p.Tag, p.CalendarID,
		p.FirstResponse, p.NextResponse, p.Resolution, p.WarnPercent, esc,
		micros(p.CreatedAt), micros(p.UpdatedAt))
	switch {
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "SLA policy %s already exists", p.ID)
	case sqliteCode(err) == codeConstraintUnique:
		return triage.PolicyScopeTaken(p)
	case err != nil:
		return dbError("create SLA policy", err)
	}
	p.Version = 1
	return tx.logChange(ctx, "sla_policy", p.ID, "create")
}

// UpdateSLAPolicy stores p if the stored version is still p.Version, and
// then increments p.Version. CreatedAt stays as created.
func (tx *Tx) UpdateSLAPolicy(ctx context.Context, p *triage.SLAPolicy) error {
	if err := triage.Required("id", p.ID); err != nil {
		return err
	}
	p.AsStored()
	esc, err := jsonText(p.Escalations)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE sla_policies SET
			name = ?, priority = ?, team_id = ?, category = ?, tag = ?, calendar_id = ?,
			first_response = ?, next_response = ?, resolution = ?, warn_percent = ?, escalations = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		p.Name, p.Priority, p.TeamID, p.Category, p.Tag, p.CalendarID,
		p.FirstResponse, p.NextResponse, p.Resolution, p.WarnPercent, esc,
		micros(p.UpdatedAt), p.ID, p.Version)
	switch {
	case sqliteCode(err) == codeConstraintUnique:
		return triage.PolicyScopeTaken(p)
	case err != nil:
		return dbError("update SLA policy", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update SLA policy", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "sla_policies", "SLA policy", p.ID, p.Version)
	}
	if err := tx.tx.QueryRowContext(ctx, `SELECT created_at FROM sla_policies WHERE id = ?`, p.ID).Scan(timeCol{&p.CreatedAt}); err != nil {
		return dbError("update SLA policy", err)
	}
	p.Version++
	return tx.logChange(ctx, "sla_policy", p.ID, "update")
}

// DeleteSLAPolicy removes a policy if it is still at version.
func (tx *Tx) DeleteSLAPolicy(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM sla_policies WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete SLA policy", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete SLA policy", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "sla_policies", "SLA policy", id, version)
	}
	return tx.logChange(ctx, "sla_policy", id, "delete")
}
