package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
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
func scanMacro(row pgx.Row) (*triage.Macro, error) {
	var m triage.Macro
	err := row.Scan(&m.ID, &m.Title, &m.Body, &m.Scope, &m.TeamID, &m.AgentID, &m.Actions, &m.Archived, &m.AuthorID,
		&m.CreatedAt, &m.UpdatedAt, &m.Version, &m.Uses, &m.EditedUses)
	if err != nil {
		return nil, err
	}
	m.Actions.AddTags = triage.NonNil(m.Actions.AddTags)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// Macro returns one macro with its use counts.
func (s queries) Macro(ctx context.Context, id string) (*triage.Macro, error) {
	m, err := scanMacro(s.q.QueryRow(ctx, `SELECT `+macroColumns+` FROM macros m WHERE m.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("macro", id)
	} else if err != nil {
		return nil, dbError("macro", err)
	}
	return m, nil
}

// Macros lists every macro by title, then id.
func (s queries) Macros(ctx context.Context) ([]*triage.Macro, error) {
	rows, err := s.q.Query(ctx, `SELECT `+macroColumns+` FROM macros m ORDER BY m.title, m.id`)
	return collect(rows, err, "macros", func(r pgx.Rows) (*triage.Macro, error) { return scanMacro(r) })
}

// CreateMacro inserts m at version 1; the counts start at zero.
func (tx *Tx) CreateMacro(ctx context.Context, m *triage.Macro) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.AsStored()
	actions, err := jsonb(m.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO macros (id, title, body, scope, team_id, agent_id, actions, archived, author_id, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
		m.ID, m.Title, m.Body, string(m.Scope), m.TeamID, m.AgentID, actions, m.Archived, m.AuthorID,
		m.CreatedAt, m.UpdatedAt)
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
	actions, err := jsonb(m.Actions)
	if err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE macros SET
			title = $1, body = $2, scope = $3, team_id = $4, agent_id = $5, actions = $6, archived = $7,
			updated_at = $8, version = version + 1
		WHERE id = $9 AND version = $10`,
		m.Title, m.Body, string(m.Scope), m.TeamID, m.AgentID, actions, m.Archived,
		m.UpdatedAt, m.ID, m.Version)
	if err != nil {
		return dbError("update macro", err)
	}
	if tag.RowsAffected() == 0 {
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
	return tx.deleteVersioned(ctx, "macros", "macro", id, version)
}

const macroVersionColumns = `
	macro_id, version, title, body, scope, team_id, agent_id, actions, archived, actor, note, created_at`

// scanMacroVersion reads one row selected with macroVersionColumns.
func scanMacroVersion(row pgx.Row) (*triage.MacroVersion, error) {
	var v triage.MacroVersion
	err := row.Scan(&v.MacroID, &v.Version, &v.Title, &v.Body, &v.Scope, &v.TeamID, &v.AgentID, &v.Actions,
		&v.Archived, &v.Actor, &v.Note, &v.CreatedAt)
	if err != nil {
		return nil, err
	}
	v.Actions.AddTags = triage.NonNil(v.Actions.AddTags)
	v.CreatedAt = v.CreatedAt.UTC()
	return &v, nil
}

// MacroVersions lists a macro's versions, oldest first.
func (s queries) MacroVersions(ctx context.Context, macroID string) ([]*triage.MacroVersion, error) {
	rows, err := s.q.Query(ctx, `SELECT `+macroVersionColumns+` FROM macro_versions WHERE macro_id = $1 ORDER BY version`, macroID)
	out, err := collect(rows, err, "macro versions", func(r pgx.Rows) (*triage.MacroVersion, error) { return scanMacroVersion(r) })
	if err != nil || len(out) > 0 {
		return out, err
	}
	var one int
	err = s.q.QueryRow(ctx, `SELECT 1 FROM macros WHERE id = $1`, macroID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("macro", macroID)
	} else if err != nil {
		return nil, dbError("macro versions", err)
	}
	return out, nil
}

// MacroVersion returns one version of a macro.
func (s queries) MacroVersion(ctx context.Context, macroID string, version int) (*triage.MacroVersion, error) {
	v, err := scanMacroVersion(s.q.QueryRow(ctx, `
		SELECT `+macroVersionColumns+` FROM macro_versions WHERE macro_id = $1 AND version = $2`, macroID, version))
	if errors.Is(err, pgx.ErrNoRows) {
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
	actions, err := jsonb(v.Actions)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO macro_versions (`+macroVersionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		v.MacroID, v.Version, v.Title, v.Body, string(v.Scope), v.TeamID, v.AgentID, actions, v.Archived, v.Actor, v.Note,
		v.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
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
	rows, err := s.q.Query(ctx, `
		SELECT `+macroUseColumns+` FROM macro_uses ORDER BY created_at DESC, seq DESC LIMIT $1`, limit)
	return collect(rows, err, "macro uses", func(r pgx.Rows) (*triage.MacroUse, error) {
		var u triage.MacroUse
		if err := r.Scan(&u.ID, &u.MacroID, &u.TicketID, &u.CommentID, &u.Actor, &u.Edited, &u.Terms, &u.CreatedAt); err != nil {
			return nil, err
		}
		u.Terms = triage.NonNil(u.Terms)
		u.CreatedAt = u.CreatedAt.UTC()
		return &u, nil
	})
}

// AddMacroUse records a reply sent with a macro.
func (tx *Tx) AddMacroUse(ctx context.Context, u *triage.MacroUse) error {
	if err := triage.Required("id", u.ID); err != nil {
		return err
	}
	u.AsStored()
	terms, err := jsonb(u.Terms)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO macro_uses (`+macroUseColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.MacroID, u.TicketID, u.CommentID, u.Actor, u.Edited, terms, u.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("macro", u.MacroID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "macro use %s already exists", u.ID)
	case err != nil:
		return dbError("add macro use", err)
	}
	return tx.logChange(ctx, "macro", u.MacroID, "update")
}
