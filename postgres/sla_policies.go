package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const slaPolicyColumns = `
	id, name, priority, team_id, category, tag, calendar_id,
	first_response, next_response, resolution, warn_percent, escalations,
	created_at, updated_at, version`

// scanSLAPolicy reads one row selected with slaPolicyColumns.
func scanSLAPolicy(row pgx.Row) (*triage.SLAPolicy, error) {
	var p triage.SLAPolicy
	err := row.Scan(&p.ID, &p.Name, &p.Priority, &p.TeamID, &p.Category, &p.Tag, &p.CalendarID,
		&p.FirstResponse, &p.NextResponse, &p.Resolution, &p.WarnPercent, &p.Escalations,
		&p.CreatedAt, &p.UpdatedAt, &p.Version)
	if err != nil {
		return nil, err
	}
	p.Escalations = triage.NonNil(p.Escalations)
	return &p, nil
}

// SLAPolicy returns one policy.
func (s queries) SLAPolicy(ctx context.Context, id string) (*triage.SLAPolicy, error) {
	p, err := scanSLAPolicy(s.q.QueryRow(ctx, `SELECT `+slaPolicyColumns+` FROM sla_policies WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("SLA policy", id)
	} else if err != nil {
		return nil, dbError("SLA policy", err)
	}
	return p, nil
}

// SLAPolicies returns every policy by priority, name and id. Priorities
// sort as text: P1 < P2 < P3 < P4.
func (s queries) SLAPolicies(ctx context.Context) ([]*triage.SLAPolicy, error) {
	rows, err := s.q.Query(ctx, `SELECT `+slaPolicyColumns+` FROM sla_policies ORDER BY priority, name, id`)
	return collect(rows, err, "SLA policies", func(r pgx.Rows) (*triage.SLAPolicy, error) { return scanSLAPolicy(r) })
}

// CreateSLAPolicy inserts p at version 1; a second policy with the same
// priority, team, category and tag is ECONFLICT.
func (tx *Tx) CreateSLAPolicy(ctx context.Context, p *triage.SLAPolicy) error {
	if err := triage.Required("id", p.ID); err != nil {
		return err
	}
	p.AsStored()
	esc, err := jsonb(p.Escalations)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO sla_policies (`+slaPolicyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`,
		p.ID, p.Name, string(p.Priority), p.TeamID, p.Category, p.Tag, p.CalendarID,
		p.FirstResponse, p.NextResponse, p.Resolution, p.WarnPercent, esc, p.CreatedAt, p.UpdatedAt)
	switch {
	case isDuplicate(err) && constraint(err) == "sla_policies_pkey":
		return triage.Errorf(triage.ECONFLICT, "SLA policy %s already exists", p.ID)
	case isDuplicate(err):
		return triage.PolicyScopeTaken(p)
	case err != nil:
		return dbError("create SLA policy", err)
	}
	p.Version = 1
	return tx.logChange(ctx, "sla_policy", p.ID, "create")
}

// UpdateSLAPolicy stores p if the stored version is still p.Version, and
// then increments p.Version. CreatedAt stays as created, and p gets it back.
func (tx *Tx) UpdateSLAPolicy(ctx context.Context, p *triage.SLAPolicy) error {
	if err := triage.Required("id", p.ID); err != nil {
		return err
	}
	p.AsStored()
	esc, err := jsonb(p.Escalations)
	if err != nil {
		return err
	}
	err = tx.tx.QueryRow(ctx, `
		UPDATE sla_policies SET
			name = $1, priority = $2, team_id = $3, category = $4, tag = $5, calendar_id = $6,
			first_response = $7, next_response = $8, resolution = $9, warn_percent = $10, escalations = $11,
			updated_at = $12, version = version + 1
		WHERE id = $13 AND version = $14
		RETURNING created_at`,
		p.Name, string(p.Priority), p.TeamID, p.Category, p.Tag, p.CalendarID,
		p.FirstResponse, p.NextResponse, p.Resolution, p.WarnPercent, esc,
		p.UpdatedAt, p.ID, p.Version).Scan(&p.CreatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return tx.staleOrMissing(ctx, "sla_policies", "SLA policy", p.ID, p.Version)
	case isDuplicate(err):
		return triage.PolicyScopeTaken(p)
	case err != nil:
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
	tag, err := tx.tx.Exec(ctx, `DELETE FROM sla_policies WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return dbError("delete SLA policy", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "sla_policies", "SLA policy", id, version)
	}
	return tx.logChange(ctx, "sla_policy", id, "delete")
}
