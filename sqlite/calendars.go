package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const calendarColumns = `
	id, name, time_zone, hours, holidays, workdays, is_default, note,
	created_at, updated_at, version`

// scanCalendar reads one row selected with calendarColumns.
func scanCalendar(row interface{ Scan(...any) error }) (*triage.Calendar, error) {
	var c triage.Calendar
	err := row.Scan(&c.ID, &c.Name, &c.TimeZone, jsonCol{&c.Hours}, jsonCol{&c.Holidays}, jsonCol{&c.Workdays},
		&c.Default, &c.Note, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version)
	if err != nil {
		return nil, err
	}
	c.AsStored()
	return &c, nil
}

// Calendar returns one business-hours calendar.
func (s queries) Calendar(ctx context.Context, id string) (*triage.Calendar, error) {
	c, err := scanCalendar(s.q.QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("calendar", id)
	} else if err != nil {
		return nil, dbError("calendar", err)
	}
	return c, nil
}

// Calendars returns every calendar by name, then id.
func (s queries) Calendars(ctx context.Context) ([]*triage.Calendar, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+calendarColumns+` FROM calendars ORDER BY name, id`)
	if err != nil {
		return nil, dbError("calendars", err)
	}
	defer rows.Close()
	out := []*triage.Calendar{}
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, dbError("calendars", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("calendars", err)
	}
	return out, nil
}

// CreateCalendar inserts c at version 1.
func (tx *Tx) CreateCalendar(ctx context.Context, c *triage.Calendar) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.AsStored()
	l, err := calendarJSON(c)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO calendars (`+calendarColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		c.ID, c.Name, c.TimeZone, l.hours, l.holidays, l.workdays, c.Default, c.Note,
		micros(c.CreatedAt), micros(c.UpdatedAt))
	switch {
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "calendar %s already exists", c.ID)
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "another calendar is the default; make this one the default by updating it")
	case err != nil:
		return dbError("create calendar", err)
	}
	c.Version = 1
	return tx.logChange(ctx, "calendar", c.ID, "create")
}

// UpdateCalendar stores c if the stored version is still c.Version, and
// then increments c.Version. CreatedAt stays as created.
func (tx *Tx) UpdateCalendar(ctx context.Context, c *triage.Calendar) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.AsStored()
	l, err := calendarJSON(c)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE calendars SET
			name = ?, time_zone = ?, hours = ?, holidays = ?, workdays = ?, is_default = ?, note = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		c.Name, c.TimeZone, l.hours, l.holidays, l.workdays, c.Default, c.Note,
		micros(c.UpdatedAt), c.ID, c.Version)
	switch {
	case sqliteCode(err) == codeConstraintUnique:
		return triage.Errorf(triage.ECONFLICT, "another calendar is the default; unset it first")
	case err != nil:
		return dbError("update calendar", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update calendar", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "calendars", "calendar", c.ID, c.Version)
	}
	if err := tx.tx.QueryRowContext(ctx, `SELECT created_at FROM calendars WHERE id = ?`, c.ID).Scan(timeCol{&c.CreatedAt}); err != nil {
		return dbError("update calendar", err)
	}
	c.Version++
	return tx.logChange(ctx, "calendar", c.ID, "update")
}

// DeleteCalendar removes a calendar if it is still at version.
func (tx *Tx) DeleteCalendar(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM calendars WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete calendar", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete calendar", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "calendars", "calendar", id, version)
	}
	return tx.logChange(ctx, "calendar", id, "delete")
}

type calendarLists struct{ hours, holidays, workdays string }

func calendarJSON(c *triage.Calendar) (l calendarLists, err error) {
	if l.hours, err = jsonText(c.Hours); err != nil {
		return l, err
	}
	if l.holidays, err = jsonText(c.Holidays); err != nil {
		return l, err
	}
	l.workdays, err = jsonText(c.Workdays)
	return l, err
}
