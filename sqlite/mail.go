package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/triagehq/triage"
)

const mailboxColumns = `
	id, name, address, host, port, tls, username, password_sealed, folder, after_import, move_to,
	team_id, category, priority, enabled, uid_validity, uid, last_error, last_error_at, last_import_at,
	created_at, updated_at, version`

// scanMailbox reads one row selected with mailboxColumns.
func scanMailbox(row interface{ Scan(...any) error }) (*triage.Mailbox, error) {
	var m triage.Mailbox
	var validity, uid int64
	err := row.Scan(&m.ID, &m.Name, &m.Address, &m.Host, &m.Port, &m.TLS, &m.Username, &m.PasswordSealed, &m.Folder,
		&m.After, &m.MoveTo, &m.TeamID, &m.Category, &m.Priority, &m.Enabled, &validity, &uid, &m.LastError,
		nullTimeCol{&m.LastErrorAt}, nullTimeCol{&m.LastImportAt}, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.Version)
	if err != nil {
		return nil, err
	}
	m.Position = triage.MailPosition{UIDValidity: uint32(validity), UID: uint32(uid)}
	m.AsStored()
	return &m, nil
}

// Mailbox returns one mailbox with its sealed password.
func (s queries) Mailbox(ctx context.Context, id string) (*triage.Mailbox, error) {
	m, err := scanMailbox(s.q.QueryRowContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("mailbox", id)
	} else if err != nil {
		return nil, dbError("mailbox", err)
	}
	return m, nil
}

// Mailboxes lists mailboxes by name, then id.
func (s queries) Mailboxes(ctx context.Context) ([]*triage.Mailbox, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes ORDER BY name, id`)
	if err != nil {
		return nil, dbError("mailboxes", err)
	}
	defer rows.Close()
	out := []*triage.Mailbox{}
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, dbError("mailboxes", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("mailboxes", err)
	}
	return out, nil
}

// CreateMailbox inserts m at version 1, at position zero.
func (tx *Tx) CreateMailbox(ctx context.Context, m *triage.Mailbox) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.Position, m.LastError, m.LastErrorAt, m.LastImportAt = triage.MailPosition{}, "", nil, nil
	m.AsStored()
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO mailboxes (`+mailboxColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', NULL, NULL, ?, ?, 1)`,
		m.ID, m.Name, m.Address, m.Host, m.Port, m.TLS, m.Username, m.PasswordSealed, m.Folder, m.After, m.MoveTo,
		m.TeamID, m.Category, m.Priority, m.Enabled, micros(m.CreatedAt), micros(m.UpdatedAt))
	if isDuplicate(err) {
		return mailboxTaken(m)
	} else if err != nil {
		return dbError("create mailbox", err)
	}
	m.Version = 1
	return tx.logChange(ctx, "mailbox", m.ID, "create")
}

func mailboxTaken(m *triage.Mailbox) error {
	return triage.Errorf(triage.ECONFLICT, "mailbox %s already exists, or another mailbox reads folder %s of %s on %s", m.ID, m.Folder, m.Username, m.Host)
}

// UpdateMailbox stores m's settings if the stored version is still
// m.Version. The position and the fetcher's state are not settings: the
// caller's struct gets the stored ones back.
func (tx *Tx) UpdateMailbox(ctx context.Context, m *triage.Mailbox) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.AsStored()
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE mailboxes SET
			name = ?, address = ?, host = ?, port = ?, tls = ?, username = ?, password_sealed = ?, folder = ?,
			after_import = ?, move_to = ?, team_id = ?, category = ?, priority = ?, enabled = ?, updated_at = ?,
			version = version + 1
		WHERE id = ? AND version = ?`,
		m.Name, m.Address, m.Host, m.Port, m.TLS, m.Username, m.PasswordSealed, m.Folder, m.After, m.MoveTo,
		m.TeamID, m.Category, m.Priority, m.Enabled, micros(m.UpdatedAt), m.ID, m.Version)
	if isDuplicate(err) {
		return mailboxTaken(m)
	} else if err != nil {
		return dbError("update mailbox", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update mailbox", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "mailboxes", "mailbox", m.ID, m.Version)
	}
	stored, err := tx.Mailbox(ctx, m.ID)
	if err != nil {
		return err
	}
	*m = *stored
	return tx.logChange(ctx, "mailbox", m.ID, "update")
}

// DeleteMailbox removes a mailbox still at version; its mail records stay.
func (tx *Tx) DeleteMailbox(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM mailboxes WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete mailbox", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete mailbox", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "mailboxes", "mailbox", id, version)
	}
	return tx.logChange(ctx, "mailbox", id, "delete")
}

// SetMailboxPosition moves the position forward; see the interface.
func (tx *Tx) SetMailboxPosition(ctx context.Context, id string, p triage.MailPosition) error {
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE mailboxes SET uid_validity = ?, uid = ?
		WHERE id = ? AND (uid_validity <> ? OR uid < ?)`,
		int64(p.UIDValidity), int64(p.UID), id, int64(p.UIDValidity), int64(p.UID))
	if err != nil {
		return dbError("mailbox position", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("mailbox position", err)
	} else if n == 0 {
		return tx.mailboxExists(ctx, id)
	}
	return nil
}

func (tx *Tx) mailboxExists(ctx context.Context, id string) error {
	var one int
	err := tx.tx.QueryRowContext(ctx, `SELECT 1 FROM mailboxes WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return triage.NotFound("mailbox", id)
	}
	return dbError("mailbox", err)
}

// SetMailboxState records the fetcher's report.
func (tx *Tx) SetMailboxState(ctx context.Context, id string, s triage.MailboxState) error {
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE mailboxes SET last_error = ?,
			last_error_at = COALESCE(?, last_error_at), last_import_at = COALESCE(?, last_import_at)
		WHERE id = ?`,
		s.Error, nullMicros(triage.StoreTimePtr(s.ErrorAt)), nullMicros(triage.StoreTimePtr(s.ImportAt)), id)
	if err != nil {
		return dbError("mailbox state", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("mailbox state", err)
	} else if n == 0 {
		return triage.NotFound("mailbox", id)
	}
	return nil
}

const mailColumns = `
	id, direction, purpose, mailbox_id, message_id, ticket_id, comment_id, sender, recipients, subject,
	status, reason, why, error, attempts, raw_sha256, event_key, created_at, updated_at, sent_at`

// scanMail reads one row selected with mailColumns.
func scanMail(row interface{ Scan(...any) error }) (*triage.MailMessage, error) {
	var m triage.MailMessage
	var code string
	var why triage.Reason
	err := row.Scan(&m.ID, &m.Direction, &m.Purpose, &m.MailboxID, &m.MessageID, &m.TicketID, &m.CommentID, &m.From,
		jsonCol{&m.To}, &m.Subject, &m.Status, &code, jsonCol{&why}, &m.Error, &m.Attempts, &m.RawSHA256, &m.Key,
		timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, nullTimeCol{&m.SentAt})
	if err != nil {
		return nil, err
	}
	m.Reason = &why
	m.AsStored()
	return &m, nil
}

func (s queries) mails(ctx context.Context, op, query string, args ...any) ([]*triage.MailMessage, error) {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbError(op, err)
	}
	defer rows.Close()
	out := []*triage.MailMessage{}
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, dbError(op, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err)
	}
	return out, nil
}

func (s queries) mail(ctx context.Context, name, query string, args ...any) (*triage.MailMessage, error) {
	m, err := scanMail(s.q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("mail", name)
	} else if err != nil {
		return nil, dbError("mail", err)
	}
	return m, nil
}

// MailMessage returns one record.
func (s queries) MailMessage(ctx context.Context, id string) (*triage.MailMessage, error) {
	return s.mail(ctx, id, `SELECT `+mailColumns+` FROM mail_messages WHERE id = ?`, id)
}

// InboundMail finds the inbound record of a Message-ID in a mailbox.
func (s queries) InboundMail(ctx context.Context, mailboxID, messageID string) (*triage.MailMessage, error) {
	return s.mail(ctx, "<"+messageID+">", `SELECT `+mailColumns+` FROM mail_messages
		WHERE direction = 'in' AND mailbox_id = ? AND message_id = ?`, mailboxID, messageID)
}

// MailByKey finds the record made for one event.
func (s queries) MailByKey(ctx context.Context, key string) (*triage.MailMessage, error) {
	if key == "" {
		return nil, triage.NotFound("mail", "without a key")
	}
	return s.mail(ctx, "of that event", `SELECT `+mailColumns+` FROM mail_messages WHERE event_key = ?`, key)
}

// MailByMessageID lists the records whose Message-ID is one of ids.
func (s queries) MailByMessageID(ctx context.Context, ids []string) ([]*triage.MailMessage, error) {
	if len(ids) == 0 {
		return []*triage.MailMessage{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.mails(ctx, "mail by message id", `SELECT `+mailColumns+` FROM mail_messages
		WHERE message_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)
		ORDER BY created_at, seq`, args...)
}

// TicketMail lists a ticket's mail records, oldest first.
func (s queries) TicketMail(ctx context.Context, ticketID string) ([]*triage.MailMessage, error) {
	return s.mails(ctx, "ticket mail", `SELECT `+mailColumns+` FROM mail_messages
		WHERE ticket_id = ? AND ticket_id <> '' ORDER BY created_at, seq`, ticketID)
}

// MailMessages lists records newest first, a page at a time.
func (s queries) MailMessages(ctx context.Context, f triage.MailFilter) ([]*triage.MailMessage, string, error) {
	where, args := []string{`1 = 1`}, []any{}
	if f.Direction != "" {
		where, args = append(where, `direction = ?`), append(args, f.Direction)
	}
	if len(f.Status) > 0 {
		where = append(where, `status IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.Status)), ", ")+`)`)
		for _, st := range f.Status {
			args = append(args, st)
		}
	}
	if f.MailboxID != "" {
		where, args = append(where, `mailbox_id = ?`), append(args, f.MailboxID)
	}
	if f.TicketID != "" {
		where, args = append(where, `ticket_id = ?`), append(args, f.TicketID)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		at := micros(c.CreatedAt)
		where = append(where, `(created_at < ? OR (created_at = ? AND id < ?))`)
		args = append(args, at, at, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	out, err := s.mails(ctx, "mail messages", `SELECT `+mailColumns+` FROM mail_messages
		WHERE `+strings.Join(where, ` AND `)+`
		ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.MailMessage) string { return triage.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

// AddMailMessage inserts a record.
func (tx *Tx) AddMailMessage(ctx context.Context, m *triage.MailMessage) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	if m.Direction != triage.MailIn && m.Direction != triage.MailOut {
		return triage.Invalid("direction", "direction must be in or out")
	}
	m.AsStored()
	to, reason, args, err := mailJSON(m)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO mail_messages (`+mailColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Direction, m.Purpose, m.MailboxID, m.MessageID, m.TicketID, m.CommentID, m.From, to, m.Subject,
		m.Status, reason, args, m.Error, m.Attempts, m.RawSHA256, m.Key, micros(m.CreatedAt), micros(m.UpdatedAt), nullMicros(m.SentAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "mail <%s> is already recorded", m.MessageID)
	} else if err != nil {
		return dbError("add mail", err)
	}
	return nil
}

func mailJSON(m *triage.MailMessage) (to, code, why string, err error) {
	if to, err = jsonText(m.To); err != nil {
		return
	}
	why = "{}"
	if m.Reason != nil {
		code = string(m.Reason.Code)
		why, err = jsonText(m.Reason)
	}
	return
}

// UpdateMailMessage stores a record's progress.
func (tx *Tx) UpdateMailMessage(ctx context.Context, m *triage.MailMessage) error {
	m.AsStored()
	to, reason, args, err := mailJSON(m)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE mail_messages SET ticket_id = ?, comment_id = ?, recipients = ?, status = ?, reason = ?,
			why = ?, error = ?, attempts = ?, updated_at = ?, sent_at = ?
		WHERE id = ?`,
		m.TicketID, m.CommentID, to, m.Status, reason, args, m.Error, m.Attempts, micros(m.UpdatedAt), nullMicros(m.SentAt), m.ID)
	if err != nil {
		return dbError("update mail", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update mail", err)
	} else if n == 0 {
		return triage.NotFound("mail", m.ID)
	}
	return nil
}

// MailTemplate returns an admin's version of a template.
func (s queries) MailTemplate(ctx context.Context, name string) (*triage.MailTemplate, error) {
	var t triage.MailTemplate
	err := s.q.QueryRowContext(ctx, `SELECT name, subject, body, enabled, updated_at, version FROM mail_templates WHERE name = ?`, name).
		Scan(&t.Name, &t.Subject, &t.Body, &t.Enabled, timeCol{&t.UpdatedAt}, &t.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("mail template", name)
	} else if err != nil {
		return nil, dbError("mail template", err)
	}
	return &t, nil
}

// PutMailTemplate inserts (Version 0) or updates (versioned) a template.
func (tx *Tx) PutMailTemplate(ctx context.Context, t *triage.MailTemplate) error {
	if err := triage.Required("name", t.Name); err != nil {
		return err
	}
	t.AsStored()
	if t.Version == 0 {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO mail_templates (name, subject, body, enabled, updated_at, version)
			VALUES (?, ?, ?, ?, ?, 1)`, t.Name, t.Subject, t.Body, t.Enabled, micros(t.UpdatedAt))
		if isDuplicate(err) {
			return triage.Errorf(triage.ECONFLICT, "mail template %s has been edited by someone else; reload it and try again", t.Name)
		} else if err != nil {
			return dbError("put mail template", err)
		}
		t.Version = 1
		return nil
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE mail_templates SET subject = ?, body = ?, enabled = ?, updated_at = ?, version = version + 1
		WHERE name = ? AND version = ?`, t.Subject, t.Body, t.Enabled, micros(t.UpdatedAt), t.Name, t.Version)
	if err != nil {
		return dbError("put mail template", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("put mail template", err)
	} else if n == 0 {
		return tx.templateStale(ctx, t.Name, t.Version)
	}
	t.Version++
	return nil
}

func (tx *Tx) templateStale(ctx context.Context, name string, sent int) error {
	var v int
	err := tx.tx.QueryRowContext(ctx, `SELECT version FROM mail_templates WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return triage.NotFound("mail template", name)
	} else if err != nil {
		return dbError("mail template", err)
	}
	return triage.Errorf(triage.ESTALE, "mail template %s is at version %d, not %d; reload it and try again", name, v, sent)
}

// DeleteMailTemplate removes an admin's version (versioned).
func (tx *Tx) DeleteMailTemplate(ctx context.Context, name string, version int) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM mail_templates WHERE name = ? AND version = ?`, name, version)
	if err != nil {
		return dbError("delete mail template", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete mail template", err)
	} else if n == 0 {
		return tx.templateStale(ctx, name, version)
	}
	return nil
}

// TicketByRef finds a ticket by the last twelve characters of its id.
func (s queries) TicketByRef(ctx context.Context, ref string) (*triage.Ticket, error) {
	ref = strings.ToLower(ref)
	if len(ref) != 12 {
		return nil, triage.NotFound("ticket", "#"+ref)
	}
	row := s.q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE substr(id, 25) = ? LIMIT 1`, ref)
	t, err := scanTicket(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("ticket", "#"+ref)
	} else if err != nil {
		return nil, dbError("ticket by ref", err)
	}
	return t, nil
}
