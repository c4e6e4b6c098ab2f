package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const calendarColumns = `
	id, name, time_zone, hours, holidays, workdays, is_default, note,
	created_at, updated_at, version`

// scanCalendar reads one row selected with calendarColumns.
func scanCalendar(row pgx.Row) (*triage.Calendar, error) {
	var c triage.Calendar
	err := row.Scan(&c.ID, &c.Name, &c.TimeZone, &c.Hours, &c.Holidays, &c.Workdays,
		&c.Default, &c.Note, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	if err != nil {
		return nil, err
	}
	c.AsStored()
	return &c, nil
}

// Calendar returns one business-hours calendar.
func (s queries) Calendar(ctx context.Context, id string) (*triage.Calendar, error) {
	c, err := scanCalendar(s.q.QueryRow(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("calendar", id)
	} else if err != nil {
		return nil, dbError("calendar", err)
	}
	return c, nil
}

// Calendars returns every calendar by name, then id.
func (s queries) Calendars(ctx context.Context) ([]*triage.Calendar, error) {
	rows, err := s.q.Query(ctx, `SELECT `+calendarColumns+` FROM calendars ORDER BY name, id`)
	return collect(rows, err, "calendars", func(r pgx.Rows) (*triage.Calendar, error) { return scanCalendar(r) })
}

// CreateCalendar inserts c at version 1; a second default calendar is
// ECONFLICT.
func (tx *Tx) CreateCalendar(ctx context.Context, c *triage.Calendar) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.AsStored()
	l, err := calendarJSON(c)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO calendars (`+calendarColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)`,
		c.ID, c.Name, c.TimeZone, l.hours, l.holidays, l.workdays, c.Default, c.Note, c.CreatedAt, c.UpdatedAt)
	switch {
	case isDuplicate(err) && constraint(err) == "calendars_pkey":
		return triage.Errorf(triage.ECONFLICT, "calendar %s already exists", c.ID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "another calendar is the default; make this one the default by updating it")
	case err != nil:
		return dbError("create calendar", err)
	}
	c.Version = 1
	return tx.logChange(ctx, "calendar", c.ID, "create")
}

// UpdateCalendar stores c if the stored version is still c.Version, and
// then increments c.Version. CreatedAt stays as created, and c gets it back.
func (tx *Tx) UpdateCalendar(ctx context.Context, c *triage.Calendar) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.AsStored()
	l, err := calendarJSON(c)
	if err != nil {
		return err
	}
	err = tx.tx.QueryRow(ctx, `
		UPDATE calendars SET
			name = $1, time_zone = $2, hours = $3, holidays = $4, workdays = $5, is_default = $6, note = $7,
			updated_at = $8, version = version + 1
		WHERE id = $9 AND version = $10
		RETURNING created_at`,
		c.Name, c.TimeZone, l.hours, l.holidays, l.workdays, c.Default, c.Note,
		c.UpdatedAt, c.ID, c.Version).Scan(&c.CreatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return tx.staleOrMissing(ctx, "calendars", "calendar", c.ID, c.Version)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "another calendar is the default; unset it first")
	case err != nil:
		return dbError("update calendar", err)
	}
	c.Version++
	return tx.logChange(ctx, "calendar", c.ID, "update")
}

// DeleteCalendar removes a calendar if it is still at version.
func (tx *Tx) DeleteCalendar(ctx context.Context, id string, version int) error {
	return tx.deleteVersioned(ctx, "calendars", "calendar", id, version)
}

type calendarLists struct{ hours, holidays, workdays []byte }

func calendarJSON(c *triage.Calendar) (l calendarLists, err error) {
	if l.hours, err = jsonb(c.Hours); err != nil {
		return l, err
	}
	if l.holidays, err = jsonb(c.Holidays); err != nil {
		return l, err
	}
	l.workdays, err = jsonb(c.Workdays)
	return l, err
}
