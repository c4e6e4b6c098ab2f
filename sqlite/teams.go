package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const teamColumns = `id, name, members, lead_id, categories, created_at, updated_at, version`

// scanTeam reads one row selected with teamColumns.
func scanTeam(row interface{ Scan(...any) error }) (*triage.Team, error) {
	var t triage.Team
	err := row.Scan(&t.ID, &t.Name, jsonCol{&t.Members}, &t.LeadID, jsonCol{&t.Categories},
		timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}, &t.Version)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Team returns one team.
func (s queries) Team(ctx context.Context, id string) (*triage.Team, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = ?`, id)
	t, err := scanTeam(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("team", id)
	} else if err != nil {
		return nil, dbError("team", err)
	}
	return t, nil
}

// Teams returns every team by name.
func (s queries) Teams(ctx context.Context) ([]*triage.Team, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+teamColumns+` FROM teams ORDER BY name, id`)
	if err != nil {
		return nil, dbError("teams", err)
	}
	defer rows.Close()
	out := []*triage.Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, dbError("teams", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("teams", err)
	}
	return out, nil
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
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO teams (`+teamColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
		t.ID, t.Name, members, t.LeadID, cats, micros(t.CreatedAt), micros(t.UpdatedAt))
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
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE teams SET
			name = ?, members = ?, lead_id = ?, categories = ?, updated_at = ?,
			version = version + 1
		WHERE id = ? AND version = ?`,
		t.Name, members, t.LeadID, cats, micros(t.UpdatedAt), t.ID, t.Version)
	if err != nil {
		return dbError("update team", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update team", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "teams", "team", t.ID, t.Version)
	}
	t.Version++
	return tx.logChange(ctx, "team", t.ID, "update")
}

// DeleteTeam removes a team if it is still at version.
func (tx *Tx) DeleteTeam(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM teams WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete team", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete team", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "teams", "team", id, version)
	}
	return tx.logChange(ctx, "team", id, "delete")
}

func teamJSON(t *triage.Team) (members, categories string, err error) {
	if members, err = jsonText(t.Members); err != nil {
		return "", "", err
	}
	categories, err = jsonText(t.Categories)
	return members, categories, err
}
