package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const automationColumns = `
	id, name, kind, events, match, conditions, actions, age, position, stop, enabled, author_id,
	created_at, updated_at, version`

// scanAutomation reads one row selected with automationColumns.
func scanAutomation(row pgx.Row) (*triage.Automation, error) {
	var a triage.Automation
	err := row.Scan(&a.ID, &a.Name, &a.Kind, &a.Events, &a.Match, &a.Conditions, &a.Actions, &a.Age,
		&a.Position, &a.Stop, &a.Enabled, &a.AuthorID, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	if err != nil {
		return nil, err
	}
	a.AsStored()
	return &a, nil
}

// Automation returns one automation.
func (s queries) Automation(ctx context.Context, id string) (*triage.Automation, error) {
	a, err := scanAutomation(s.q.QueryRow(ctx, `SELECT `+automationColumns+` FROM automations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("automation", id)
	} else if err != nil {
		return nil, dbError("automation", err)
	}
	return a, nil
}

// Automations lists every automation by kind, position, then id.
func (s queries) Automations(ctx context.Context) ([]*triage.Automation, error) {
	rows, err := s.q.Query(ctx, `SELECT `+automationColumns+` FROM automations ORDER BY kind, position, id`)
	return collect(rows, err, "automations", func(r pgx.Rows) (*triage.Automation, error) { return scanAutomation(r) })
}

// automationArgs are the jsonb columns of a.
func automationArgs(a *triage.Automation) (events, conds, actions, age []byte, err error) {
	if events, err = jsonb(a.Events); err != nil {
		return
	}
	if conds, err = jsonb(a.Conditions); err != nil {
		return
	}
	if actions, err = jsonb(a.Actions); err != nil {
		return
	}
	age, err = jsonb(a.Age)
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
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO automations (`+automationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`,
		a.ID, a.Name, string(a.Kind), events, a.Match, conds, actions, age, a.Position, a.Stop, a.Enabled, a.AuthorID,
		a.CreatedAt, a.UpdatedAt)
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
	tag, err := tx.tx.Exec(ctx, `
		UPDATE automations SET
			name = $1, kind = $2, events = $3, match = $4, conditions = $5, actions = $6, age = $7, position = $8, stop = $9, enabled = $10,
			updated_at = $11, version = version + 1
		WHERE id = $12 AND version = $13`,
		a.Name, string(a.Kind), events, a.Match, conds, actions, age, a.Position, a.Stop, a.Enabled,
		a.UpdatedAt, a.ID, a.Version)
	if err != nil {
		return dbError("update automation", err)
	}
	if tag.RowsAffected() == 0 {
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
	return tx.deleteVersioned(ctx, "automations", "automation", id, version)
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
	// automation_runs_changed (migration 00380).
	changed := ""
	if f.Changed {
		changed = " AND jsonb_array_length(changes) > 0"
	}
	rows, err := s.q.Query(ctx, `
		SELECT `+automationRunColumns+` FROM automation_runs
		WHERE ($1 = '' OR automation_id = $1) AND ($2 = '' OR ticket_id = $2)`+changed+`
		ORDER BY at DESC, seq DESC LIMIT $3`, f.AutomationID, f.TicketID, limit)
	return collect(rows, err, "automation runs", func(r pgx.Rows) (*triage.AutomationRun, error) {
		var run triage.AutomationRun
		if err := r.Scan(&run.ID, &run.AutomationID, &run.TicketID, &run.Event, &run.Key, &run.Why, &run.Changes, &run.At); err != nil {
			return nil, err
		}
		run.AsStored()
		return &run, nil
	})
}

// AutomationFired reports whether the log holds the firing.
func (s queries) AutomationFired(ctx context.Context, automationID, ticketID, key string) (bool, error) {
	var one int
	err := s.q.QueryRow(ctx, `SELECT 1 FROM automation_runs WHERE automation_id = $1 AND ticket_id = $2 AND key = $3`,
		automationID, ticketID, key).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, dbError("automation fired", err)
	}
	return true, nil
}

// AddAutomationRun logs a firing.
func (tx *Tx) AddAutomationRun(ctx context.Context, r *triage.AutomationRun) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.AsStored()
	why, err := jsonb(r.Why)
	if err != nil {
		return err
	}
	changes, err := jsonb(r.Changes)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `INSERT INTO automation_runs (`+automationRunColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.AutomationID, r.TicketID, string(r.Event), r.Key, why, changes, r.At)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("automation", r.AutomationID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "automation %s already fired on ticket %s for %s", r.AutomationID, r.TicketID, r.Key)
	case err != nil:
		return dbError("add automation run", err)
	}
	return nil
}
