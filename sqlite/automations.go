package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const automationColumns = `
	id, name, kind, events, match, conditions, actions, age, position, stop, enabled, author_id,
	created_at, updated_at, version`

// scanAutomation reads one row selected with automationColumns.
func scanAutomation(row interface{ Scan(...any) error }) (*triage.Automation, error) {
	var a triage.Automation
	err := row.Scan(&a.ID, &a.Name, &a.Kind, jsonCol{&a.Events}, &a.Match, jsonCol{&a.Conditions}, jsonCol{&a.Actions}, jsonCol{&a.Age},
		&a.Position, &a.Stop, &a.Enabled, &a.AuthorID, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version)
	if err != nil {
		return nil, err
	}
	a.AsStored()
	return &a, nil
}

// Automation returns one automation.
func (s queries) Automation(ctx context.Context, id string) (*triage.Automation, error) {
	a, err := scanAutomation(s.q.QueryRowContext(ctx, `SELECT `+automationColumns+` FROM automations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("automation", id)
	} else if err != nil {
		return nil, dbError("automation", err)
	}
	return a, nil
}

// Automations lists every automation by kind, position, then id.
func (s queries) Automations(ctx context.Context) ([]*triage.Automation, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+automationColumns+` FROM automations ORDER BY kind, position, id`)
	if err != nil {
		return nil, dbError("automations", err)
	}
	defer rows.Close()
	out := []*triage.Automation{}
	for rows.Next() {
		a, err := scanAutomation(rows)
		if err != nil {
			return nil, dbError("automations", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("automations", err)
	}
	return out, nil
}

// automationArgs are the JSON columns of a.
func automationArgs(a *triage.Automation) (events, conds, actions, age string, err error) {
	if events, err = jsonText(a.Events); err != nil {
		return
	}
	if conds, err = jsonText(a.Conditions); err != nil {
		return
	}
	if actions, err = jsonText(a.Actions); err != nil {
		return
	}
	age, err = jsonText(a.Age)
	return
}

// CreateAutomation inserts a at version 1.
func (tx *Tx) CreateAutomation(ctx context.Context, a *triage.Automation) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	events, conds, actions, age, err := automationArgs(a)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO automations (`+automationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		a.ID, a.Name, a.Kind, events, a.Match, conds, actions, age, a.Position, a.Stop, a.Enabled, a.AuthorID,
		micros(a.CreatedAt), micros(a.UpdatedAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "automation %s already exists", a.ID)
	} else if err != nil {
		return dbError("create automation", err)
	}
	a.Version = 1
	return tx.logChange(ctx, "automation", a.ID, "create")
}

// UpdateAutomation stores a if the stored version is still a.Version, then
// increments it; CreatedAt and AuthorID stay as created.
func (tx *Tx) UpdateAutomation(ctx context.Context, a *triage.Automation) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	events, conds, actions, age, err := automationArgs(a)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE automations SET
			name = ?, kind = ?, events = ?, match = ?, conditions = ?, actions = ?, age = ?, position = ?, stop = ?, enabled = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		a.Name, a.Kind, events, a.Match, conds, actions, age, a.Position, a.Stop, a.Enabled,
		micros(a.UpdatedAt), a.ID, a.Version)
	if err != nil {
		return dbError("update automation", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update automation", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "automations", "automation", a.ID, a.Version)
	}
	stored, err := tx.Automation(ctx, a.ID)
	if err != nil {
		return err
	}
	a.CreatedAt, a.AuthorID, a.Version = stored.CreatedAt, stored.AuthorID, stored.Version
	return tx.logChange(ctx, "automation", a.ID, "update")
}

// DeleteAutomation removes an automation still at version, with its log.
func (tx *Tx) DeleteAutomation(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM automations WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete automation", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete automation", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "automations", "automation", id, version)
	}
	return tx.logChange(ctx, "automation", id, "delete")
}

const automationRunColumns = `id, automation_id, ticket_id, event, key, why, changes, at`

// AutomationRuns lists log entries newest first.
func (s queries) AutomationRuns(ctx context.Context, f triage.AutomationRunFilter) ([]*triage.AutomationRun, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	// The condition on changes is the one of the partial index
	// automation_runs_changed (migration 00380), word for word, so that
	// SQLite uses it.
	changed := ""
	if f.Changed {
		changed = " AND json_array_length(changes) > 0"
	}
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+automationRunColumns+` FROM automation_runs
		WHERE (? = '' OR automation_id = ?) AND (? = '' OR ticket_id = ?)`+changed+`
		ORDER BY at DESC, seq DESC LIMIT ?`, f.AutomationID, f.AutomationID, f.TicketID, f.TicketID, limit)
	if err != nil {
		return nil, dbError("automation runs", err)
	}
	defer rows.Close()
	out := []*triage.AutomationRun{}
	for rows.Next() {
		var r triage.AutomationRun
		if err := rows.Scan(&r.ID, &r.AutomationID, &r.TicketID, &r.Event, &r.Key, jsonCol{&r.Why}, jsonCol{&r.Changes}, timeCol{&r.At}); err != nil {
			return nil, dbError("automation runs", err)
		}
		r.AsStored()
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("automation runs", err)
	}
	return out, nil
}

// AutomationFired reports whether the log holds the firing.
func (s queries) AutomationFired(ctx context.Context, automationID, ticketID, key string) (bool, error) {
	var one int
	err := s.q.QueryRowContext(ctx, `SELECT 1 FROM automation_runs WHERE automation_id = ? AND ticket_id = ? AND key = ?`,
		automationID, ticketID, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, dbError("automation fired", err)
	}
	return true, nil
}

// AddAutomationRun logs a firing. It logs no change: the log is not
// indexed.
func (tx *Tx) AddAutomationRun(ctx context.Context, r *triage.AutomationRun) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.AsStored()
	why, err := jsonText(r.Why)
	if err != nil {
		return err
	}
	changes, err := jsonText(r.Changes)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO automation_runs (`+automationRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.AutomationID, r.TicketID, r.Event, r.Key, why, changes, micros(r.At))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("automation", r.AutomationID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "automation %s already fired on ticket %s for %s", r.AutomationID, r.TicketID, r.Key)
	case err != nil:
		return dbError("add automation run", err)
	}
	return nil
}
