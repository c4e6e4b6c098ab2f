package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const teamColumns = `id, name, members, lead_id, categories, created_at, updated_at, version`

// scanTeam reads one row selected with teamColumns.
func scanTeam(row pgx.Row) (*triage.Team, error) {
	var t triage.Team
	err := row.Scan(&t.ID, &t.Name, &t.Members, &t.LeadID, &t.Categories, &t.CreatedAt, &t.UpdatedAt, &t.Version)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func scanTeams(rows pgx.Rows) (*triage.Team, error) { return scanTeam(rows) }

// Team returns one team.
func (s queries) Team(ctx context.Context, id string) (*triage.Team, error) {
	t, err := scanTeam(s.q.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("team", id)
	} else if err != nil {
		return nil, dbError("team", err)
	}
	return t, nil
}

// Teams returns every team by name, then id.
func (s queries) Teams(ctx context.Context) ([]*triage.Team, error) {
	rows, err := s.q.Query(ctx, `SELECT `+teamColumns+` FROM teams ORDER BY name, id`)
	return collect(rows, err, "teams", scanTeams)
}

// CreateTeam inserts t at version 1.
func (tx *Tx) CreateTeam(ctx context.Context, t *triage.Team) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	t.AsStored()
	members, cats, err := teamJSON(t)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO teams (`+teamColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 1)`,
		t.ID, t.Name, members, t.LeadID, cats, t.CreatedAt, t.UpdatedAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "team %s already exists", t.ID)
	} else if err != nil {
		return dbError("create team", err)
	}
	t.Version = 1
	return tx.logChange(ctx, "team", t.ID, "create")
}

// UpdateTeam stores t if the stored version is still t.Version, and then
// increments t.Version. CreatedAt stays as created.
func (tx *Tx) UpdateTeam(ctx context.Context, t *triage.Team) error {
	if err := triage.Required("id", t.ID); err != nil {
		return err
	}
	t.AsStored()
	members, cats, err := teamJSON(t)
	if err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE teams SET
			name = $1, members = $2, lead_id = $3, categories = $4, updated_at = $5,
			version = version + 1
		WHERE id = $6 AND version = $7`,
		t.Name, members, t.LeadID, cats, t.UpdatedAt, t.ID, t.Version)
	if err != nil {
		return dbError("update team", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "teams", "team", t.ID, t.Version)
	}
	t.Version++
	return tx.logChange(ctx, "team", t.ID, "update")
}

// DeleteTeam removes a team if it is still at version.
func (tx *Tx) DeleteTeam(ctx context.Context, id string, version int) error {
	return tx.deleteVersioned(ctx, "teams", "team", id, version)
}

func teamJSON(t *triage.Team) (members, categories []byte, err error) {
	if members, err = jsonb(t.Members); err != nil {
		return nil, nil, err
	}
	categories, err = jsonb(t.Categories)
	return members, categories, err
}
