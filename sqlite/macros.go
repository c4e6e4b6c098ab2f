package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

// macroColumns are read with the use counts, which come from macro_uses:
// a count is never written to the macro, so a use does not move its
// version under an editor's If-Match.
const macroColumns = `
	m.id, m.title, m.body, m.scope, m.team_id, m.agent_id, m.actions, m.archived, m.author_id,
	m.created_at, m.updated_at, m.version,
	(SELECT count(*) FROM macro_uses u WHERE u.macro_id = m.id),
	(SELECT count(*) FROM macro_uses u WHERE u.macro_id = m.id AND u.edited)`

// scanMacro reads one row selected with macroColumns.
func scanMacro(row interface{ Scan(...any) error }) (*triage.Macro, error) {
	var m triage.Macro
	err := row.Scan(&m.ID, &m.Title, &m.Body, &m.Scope, &m.TeamID, &m.AgentID, jsonCol{&m.Actions}, &m.Archived, &m.AuthorID,
		timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.Version, &m.Uses, &m.EditedUses)
	if err != nil {
		return nil, err
	}
	m.Actions.AddTags = triage.NonNil(m.Actions.AddTags)
	return &m, nil
}

// Macro returns one macro with its use counts.
func (s queries) Macro(ctx context.Context, id string) (*triage.Macro, error) {
	m, err := scanMacro(s.q.QueryRowContext(ctx, `SELECT `+macroColumns+` FROM macros m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("macro", id)
	} else if err != nil {
		return nil, dbError("macro", err)
	}
	return m, nil
}

// Macros lists every macro by title, then id.
func (s queries) Macros(ctx context.Context) ([]*triage.Macro, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+macroColumns+` FROM macros m ORDER BY m.title, m.id`)
	if err != nil {
		return nil, dbError("macros", err)
	}
	defer rows.Close()
	out := []*triage.Macro{}
	for rows.Next() {
		m, err := scanMacro(rows)
		if err != nil {
			return nil, dbError("macros", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("macros", err)
	}
	return out, nil
}

// CreateMacro inserts m at version 1; the counts start at zero.
func (tx *Tx) CreateMacro(ctx context.Context, m *triage.Macro) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.AsStored()
	actions, err := jsonText(m.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO macros (id, title, body, scope, team_id, agent_id, actions, archived, author_id, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		m.ID, m.Title, m.Body, m.Scope, m.TeamID, m.AgentID, actions, m.Archived, m.AuthorID,
		micros(m.CreatedAt), micros(m.UpdatedAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "macro %s already exists", m.ID)
	} else if err != nil {
		return dbError("create macro", err)
	}
	m.Version, m.Uses, m.EditedUses = 1, 0, 0
	return tx.logChange(ctx, "macro", m.ID, "create")
}

// UpdateMacro stores m if the stored version is still m.Version, then
// increments it. CreatedAt and AuthorID stay as created, and the counts
// are read back, so the caller's struct equals a later read.
func (tx *Tx) UpdateMacro(ctx context.Context, m *triage.Macro) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.AsStored()
	actions, err := jsonText(m.Actions)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE macros SET
			title = ?, body = ?, scope = ?, team_id = ?, agent_id = ?, actions = ?, archived = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		m.Title, m.Body, m.Scope, m.TeamID, m.AgentID, actions, m.Archived,
		micros(m.UpdatedAt), m.ID, m.Version)
	if err != nil {
		return dbError("update macro", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update macro", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "macros", "macro", m.ID, m.Version)
	}
	stored, err := tx.Macro(ctx, m.ID)
	if err != nil {
		return err
	}
	m.CreatedAt, m.AuthorID, m.Version, m.Uses, m.EditedUses = stored.CreatedAt, stored.AuthorID, stored.Version, stored.Uses, stored.EditedUses
	return tx.logChange(ctx, "macro", m.ID, "update")
}

// DeleteMacro removes a macro still at version; its versions and uses go
// with it (ON DELETE CASCADE).
func (tx *Tx) DeleteMacro(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM macros WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete macro", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete macro", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "macros", "macro", id, version)
	}
	return tx.logChange(ctx, "macro", id, "delete")
}

const macroVersionColumns = `
	macro_id, version, title, body, scope, team_id, agent_id, actions, archived, actor, note, created_at`

// scanMacroVersion reads one row selected with macroVersionColumns.
func scanMacroVersion(row interface{ Scan(...any) error }) (*triage.MacroVersion, error) {
	var v triage.MacroVersion
	err := row.Scan(&v.MacroID, &v.Version, &v.Title, &v.Body, &v.Scope, &v.TeamID, &v.AgentID, jsonCol{&v.Actions},
		&v.Archived, &v.Actor, &v.Note, timeCol{&v.CreatedAt})
	if err != nil {
		return nil, err
	}
	v.Actions.AddTags = triage.NonNil(v.Actions.AddTags)
	return &v, nil
}

// MacroVersions lists a macro's versions, oldest first.
func (s queries) MacroVersions(ctx context.Context, macroID string) ([]*triage.MacroVersion, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+macroVersionColumns+` FROM macro_versions WHERE macro_id = ? ORDER BY version`, macroID)
	if err != nil {
		return nil, dbError("macro versions", err)
	}
	defer rows.Close()
	out := []*triage.MacroVersion{}
	for rows.Next() {
		v, err := scanMacroVersion(rows)
		if err != nil {
			return nil, dbError("macro versions", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("macro versions", err)
	}
	if len(out) == 0 {
		var one int
		err := s.q.QueryRowContext(ctx, `SELECT 1 FROM macros WHERE id = ?`, macroID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, triage.NotFound("macro", macroID)
		} else if err != nil {
			return nil, dbError("macro versions", err)
		}
	}
	return out, nil
}

// MacroVersion returns one version of a macro.
func (s queries) MacroVersion(ctx context.Context, macroID string, version int) (*triage.MacroVersion, error) {
	v, err := scanMacroVersion(s.q.QueryRowContext(ctx, `
		SELECT `+macroVersionColumns+` FROM macro_versions WHERE macro_id = ? AND version = ?`, macroID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "version %d of macro %s not found", version, macroID)
	} else if err != nil {
		return nil, dbError("macro version", err)
	}
	return v, nil
}

// AddMacroVersion stores one version. It logs nothing: the macro's own
// create or update is the change.
func (tx *Tx) AddMacroVersion(ctx context.Context, v *triage.MacroVersion) error {
	if err := triage.Required("macro_id", v.MacroID); err != nil {
		return err
	}
	if v.Version < 1 {
		return triage.Invalid("version", "version must be 1 or more, not %d", v.Version)
	}
	v.AsStored()
	actions, err := jsonText(v.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO macro_versions (`+macroVersionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.MacroID, v.Version, v.Title, v.Body, v.Scope, v.TeamID, v.AgentID, actions, v.Archived, v.Actor, v.Note,
		micros(v.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("macro", v.MacroID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "macro %s already has version %d", v.MacroID, v.Version)
	case err != nil:
		return dbError("add macro version", err)
	}
	return nil
}

const macroUseColumns = `id, macro_id, ticket_id, comment_id, actor, edited, terms, created_at`

// MacroUses lists the newest uses, newest first.
func (s queries) MacroUses(ctx context.Context, limit int) ([]*triage.MacroUse, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.q.QueryContext(ctx, `
		SELECT `+macroUseColumns+` FROM macro_uses ORDER BY created_at DESC, seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, dbError("macro uses", err)
	}
	defer rows.Close()
	out := []*triage.MacroUse{}
	for rows.Next() {
		var u triage.MacroUse
		if err := rows.Scan(&u.ID, &u.MacroID, &u.TicketID, &u.CommentID, &u.Actor, &u.Edited, jsonCol{&u.Terms}, timeCol{&u.CreatedAt}); err != nil {
			return nil, dbError("macro uses", err)
		}
		u.Terms = triage.NonNil(u.Terms)
		out = append(out, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("macro uses", err)
	}
	return out, nil
}

// AddMacroUse records a reply sent with a macro.
func (tx *Tx) AddMacroUse(ctx context.Context, u *triage.MacroUse) error {
	if err := triage.Required("id", u.ID); err != nil {
		return err
	}
	u.AsStored()
	terms, err := jsonText(u.Terms)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO macro_uses (`+macroUseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.MacroID, u.TicketID, u.CommentID, u.Actor, u.Edited, terms, micros(u.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("macro", u.MacroID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "macro use %s already exists", u.ID)
	case err != nil:
		return dbError("add macro use", err)
	}
	return tx.logChange(ctx, "macro", u.MacroID, "update")
}
