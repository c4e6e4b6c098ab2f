package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const mailboxColumns = `
	id, name, address, host, port, tls, username, password_sealed, folder, after_import, move_to,
	team_id, category, priority, enabled, uid_validity, uid, last_error, last_error_at, last_import_at,
	created_at, updated_at, version`

// scanMailbox reads one row selected with mailboxColumns.
func scanMailbox(row pgx.Row) (*triage.Mailbox, error) {
	var m triage.Mailbox
	var validity, uid int64
	err := row.Scan(&m.ID, &m.Name, &m.Address, &m.Host, &m.Port, &m.TLS, &m.Username, &m.PasswordSealed, &m.Folder,
		&m.After, &m.MoveTo, &m.TeamID, &m.Category, &m.Priority, &m.Enabled, &validity, &uid, &m.LastError,
		&m.LastErrorAt, &m.LastImportAt, &m.CreatedAt, &m.UpdatedAt, &m.Version)
	if err != nil {
		return nil, err
	}
	m.Position = triage.MailPosition{UIDValidity: uint32(validity), UID: uint32(uid)}
	m.AsStored()
	return &m, nil
}

// Mailbox returns one mailbox with its sealed password.
func (s queries) Mailbox(ctx context.Context, id string) (*triage.Mailbox, error) {
	m, err := scanMailbox(s.q.QueryRow(ctx, `SELECT `+mailboxColumns+` FROM mailboxes WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("mailbox", id)
	} else if err != nil {
		return nil, dbError("mailbox", err)
	}
	return m, nil
}

// Mailboxes lists mailboxes by name, then id.
func (s queries) Mailboxes(ctx context.Context) ([]*triage.Mailbox, error) {
	rows, err := s.q.Query(ctx, `SELECT `+mailboxColumns+` FROM mailboxes ORDER BY name, id`)
	return collect(rows, err, "mailboxes", func(r pgx.Rows) (*triage.Mailbox, error) { return scanMailbox(r) })
}

// CreateMailbox inserts m at version 1, at position zero.
func (tx *Tx) CreateMailbox(ctx context.Context, m *triage.Mailbox) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.Position, m.LastError, m.LastErrorAt, m.LastImportAt = triage.MailPosition{}, "", nil, nil
	m.AsStored()
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO mailboxes (`+mailboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 0, '', NULL, NULL, $16, $17, 1)`,
		m.ID, m.Name, m.Address, m.Host, m.Port, m.TLS, m.Username, m.PasswordSealed, m.Folder, m.After, m.MoveTo,
		m.TeamID, m.Category, m.Priority, m.Enabled, m.CreatedAt, m.UpdatedAt)
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
// m.Version; the caller's struct gets the stored position and state back.
func (tx *Tx) UpdateMailbox(ctx context.Context, m *triage.Mailbox) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	m.AsStored()
	tag, err := tx.tx.Exec(ctx, `
		UPDATE mailboxes SET
			name = $1, address = $2, host = $3, port = $4, tls = $5, username = $6, password_sealed = $7, folder = $8,
			after_import = $9, move_to = $10, team_id = $11, category = $12, priority = $13, enabled = $14, updated_at = $15,
			version = version + 1
		WHERE id = $16 AND version = $17`,
		m.Name, m.Address, m.Host, m.Port, m.TLS, m.Username, m.PasswordSealed, m.Folder, m.After, m.MoveTo,
		m.TeamID, m.Category, m.Priority, m.Enabled, m.UpdatedAt, m.ID, m.Version)
	if isDuplicate(err) {
		return mailboxTaken(m)
	} else if err != nil {
		return dbError("update mailbox", err)
	}
	if tag.RowsAffected() == 0 {
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
	tag, err := tx.tx.Exec(ctx, `DELETE FROM mailboxes WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return dbError("delete mailbox", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "mailboxes", "mailbox", id, version)
	}
	return tx.logChange(ctx, "mailbox", id, "delete")
}

// SetMailboxPosition moves the position forward; see the interface.
func (tx *Tx) SetMailboxPosition(ctx context.Context, id string, p triage.MailPosition) error {
	tag, err := tx.tx.Exec(ctx, `
		UPDATE mailboxes SET uid_validity = $1, uid = $2
		WHERE id = $3 AND (uid_validity <> $1 OR uid < $2)`,
		int64(p.UIDValidity), int64(p.UID), id)
	if err != nil {
		return dbError("mailbox position", err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		err := tx.tx.QueryRow(ctx, `SELECT 1 FROM mailboxes WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return triage.NotFound("mailbox", id)
		}
		return dbError("mailbox", err)
	}
	return nil
}

// SetMailboxState records the fetcher's report.
func (tx *Tx) SetMailboxState(ctx context.Context, id string, s triage.MailboxState) error {
	tag, err := tx.tx.Exec(ctx, `
		UPDATE mailboxes SET last_error = $1,
			last_error_at = COALESCE($2, last_error_at), last_import_at = COALESCE($3, last_import_at)
		WHERE id = $4`,
		s.Error, triage.StoreTimePtr(s.ErrorAt), triage.StoreTimePtr(s.ImportAt), id)
	if err != nil {
		return dbError("mailbox state", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("mailbox", id)
	}
	return nil
}

const mailColumns = `
	id, direction, purpose, mailbox_id, message_id, ticket_id, comment_id, sender, recipients, subject,
	status, reason, why, error, attempts, raw_sha256, event_key, created_at, updated_at, sent_at`

// scanMail reads one row selected with mailColumns.
func scanMail(row pgx.Row) (*triage.MailMessage, error) {
	var m triage.MailMessage
	var code string
	var why triage.Reason
	err := row.Scan(&m.ID, &m.Direction, &m.Purpose, &m.MailboxID, &m.MessageID, &m.TicketID, &m.CommentID, &m.From,
		&m.To, &m.Subject, &m.Status, &code, &why, &m.Error, &m.Attempts, &m.RawSHA256, &m.Key,
		&m.CreatedAt, &m.UpdatedAt, &m.SentAt)
	if err != nil {
		return nil, err
	}
	m.Reason = &why
	m.AsStored()
	return &m, nil
}

func (s queries) mails(ctx context.Context, op, query string, args ...any) ([]*triage.MailMessage, error) {
	rows, err := s.q.Query(ctx, query, args...)
	return collect(rows, err, op, func(r pgx.Rows) (*triage.MailMessage, error) { return scanMail(r) })
}

func (s queries) mail(ctx context.Context, name, query string, args ...any) (*triage.MailMessage, error) {
	m, err := scanMail(s.q.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("mail", name)
	} else if err != nil {
		return nil, dbError("mail", err)
	}
	return m, nil
}

// MailMessage returns one record.
func (s queries) MailMessage(ctx context.Context, id string) (*triage.MailMessage, error) {
	return s.mail(ctx, id, `SELECT `+mailColumns+` FROM mail_messages WHERE id = $1`, id)
}

// InboundMail finds the inbound record of a Message-ID in a mailbox.
func (s queries) InboundMail(ctx context.Context, mailboxID, messageID string) (*triage.MailMessage, error) {
	return s.mail(ctx, "<"+messageID+">", `SELECT `+mailColumns+` FROM mail_messages
		WHERE direction = 'in' AND mailbox_id = $1 AND message_id = $2`, mailboxID, messageID)
}

// MailByKey finds the record made for one event.
func (s queries) MailByKey(ctx context.Context, key string) (*triage.MailMessage, error) {
	if key == "" {
		return nil, triage.NotFound("mail", "without a key")
	}
	return s.mail(ctx, "of that event", `SELECT `+mailColumns+` FROM mail_messages WHERE event_key = $1`, key)
}

// MailByMessageID lists the records whose Message-ID is one of ids.
func (s queries) MailByMessageID(ctx context.Context, ids []string) ([]*triage.MailMessage, error) {
	if len(ids) == 0 {
		return []*triage.MailMessage{}, nil
	}
	return s.mails(ctx, "mail by message id", `SELECT `+mailColumns+` FROM mail_messages
		WHERE message_id = ANY($1) ORDER BY created_at, seq`, ids)
}

// TicketMail lists a ticket's mail records, oldest first.
func (s queries) TicketMail(ctx context.Context, ticketID string) ([]*triage.MailMessage, error) {
	return s.mails(ctx, "ticket mail", `SELECT `+mailColumns+` FROM mail_messages
		WHERE ticket_id = $1 AND ticket_id <> '' ORDER BY created_at, seq`, ticketID)
}

// MailMessages lists records newest first, a page at a time.
func (s queries) MailMessages(ctx context.Context, f triage.MailFilter) ([]*triage.MailMessage, string, error) {
	a := &args{}
	if f.Direction != "" {
		a.add(`direction = ?`, f.Direction)
	}
	if len(f.Status) > 0 {
		a.add(`status = ANY(?)`, f.Status)
	}
	if f.MailboxID != "" {
		a.add(`mailbox_id = ?`, f.MailboxID)
	}
	if f.TicketID != "" {
		a.add(`ticket_id = ?`, f.TicketID)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		a.add(`(created_at, id) < (?, ?)`, c.CreatedAt, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	out, err := s.mails(ctx, "mail messages", `SELECT `+mailColumns+` FROM mail_messages`+a.clause()+
		` ORDER BY created_at DESC, id DESC LIMIT `+a.next(limit+1), a.vals...)
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.MailMessage) string { return triage.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

func mailJSON(m *triage.MailMessage) (to []byte, code string, why []byte, err error) {
	if to, err = jsonb(m.To); err != nil {
		return
	}
	why = []byte("{}")
	if m.Reason != nil {
		code = string(m.Reason.Code)
		why, err = jsonb(m.Reason)
	}
	return
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
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO mail_messages (`+mailColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		m.ID, m.Direction, m.Purpose, m.MailboxID, m.MessageID, m.TicketID, m.CommentID, m.From, to, m.Subject,
		m.Status, reason, args, m.Error, m.Attempts, m.RawSHA256, m.Key, m.CreatedAt, m.UpdatedAt, m.SentAt)
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "mail <%s> is already recorded", m.MessageID)
	} else if err != nil {
		return dbError("add mail", err)
	}
	return nil
}

// UpdateMailMessage stores a record's progress.
func (tx *Tx) UpdateMailMessage(ctx context.Context, m *triage.MailMessage) error {
	m.AsStored()
	to, reason, args, err := mailJSON(m)
	if err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE mail_messages SET ticket_id = $1, comment_id = $2, recipients = $3, status = $4, reason = $5,
			why = $6, error = $7, attempts = $8, updated_at = $9, sent_at = $10
		WHERE id = $11`,
		m.TicketID, m.CommentID, to, m.Status, reason, args, m.Error, m.Attempts, m.UpdatedAt, m.SentAt, m.ID)
	if err != nil {
		return dbError("update mail", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("mail", m.ID)
	}
	return nil
}

// MailTemplate returns an admin's version of a template.
func (s queries) MailTemplate(ctx context.Context, name string) (*triage.MailTemplate, error) {
	var t triage.MailTemplate
	err := s.q.QueryRow(ctx, `SELECT name, subject, body, enabled, updated_at, version FROM mail_templates WHERE name = $1`, name).
		Scan(&t.Name, &t.Subject, &t.Body, &t.Enabled, &t.UpdatedAt, &t.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("mail template", name)
	} else if err != nil {
		return nil, dbError("mail template", err)
	}
	t.AsStored()
	return &t, nil
}

// PutMailTemplate inserts (Version 0) or updates (versioned) a template.
func (tx *Tx) PutMailTemplate(ctx context.Context, t *triage.MailTemplate) error {
	if err := triage.Required("name", t.Name); err != nil {
		return err
	}
	t.AsStored()
	if t.Version == 0 {
		_, err := tx.tx.Exec(ctx, `INSERT INTO mail_templates (name, subject, body, enabled, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, 1)`, t.Name, t.Subject, t.Body, t.Enabled, t.UpdatedAt)
		if isDuplicate(err) {
			return triage.Errorf(triage.ECONFLICT, "mail template %s has been edited by someone else; reload it and try again", t.Name)
		} else if err != nil {
			return dbError("put mail template", err)
		}
		t.Version = 1
		return nil
	}
	tag, err := tx.tx.Exec(ctx, `UPDATE mail_templates SET subject = $1, body = $2, enabled = $3, updated_at = $4, version = version + 1
		WHERE name = $5 AND version = $6`, t.Subject, t.Body, t.Enabled, t.UpdatedAt, t.Name, t.Version)
	if err != nil {
		return dbError("put mail template", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.templateStale(ctx, t.Name, t.Version)
	}
	t.Version++
	return nil
}

func (tx *Tx) templateStale(ctx context.Context, name string, sent int) error {
	var v int
	err := tx.tx.QueryRow(ctx, `SELECT version FROM mail_templates WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.NotFound("mail template", name)
	} else if err != nil {
		return dbError("mail template", err)
	}
	return triage.Errorf(triage.ESTALE, "mail template %s is at version %d, not %d; reload it and try again", name, v, sent)
}

// DeleteMailTemplate removes an admin's version (versioned).
func (tx *Tx) DeleteMailTemplate(ctx context.Context, name string, version int) error {
	tag, err := tx.tx.Exec(ctx, `DELETE FROM mail_templates WHERE name = $1 AND version = $2`, name, version)
	if err != nil {
		return dbError("delete mail template", err)
	}
	if tag.RowsAffected() == 0 {
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
	t, err := scanTicket(s.q.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE substr(id, 25) = $1 LIMIT 1`, ref))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("ticket", "#"+ref)
	} else if err != nil {
		return nil, dbError("ticket by ref", err)
	}
	return t, nil
}

const attachmentColumns = `id, ticket_id, comment_id, name, content_type, size, sha256, content_id, inline, created_at`

func scanAttachment(row pgx.Row) (*triage.Attachment, error) {
	var a triage.Attachment
	err := row.Scan(&a.ID, &a.TicketID, &a.CommentID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID, &a.Inline, &a.CreatedAt)
	if err != nil {
		return nil, err
	}
	a.AsStored()
	return &a, nil
}

// Attachments lists a ticket's attachments, oldest first.
func (s queries) Attachments(ctx context.Context, ticketID string) ([]*triage.Attachment, error) {
	rows, err := s.q.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE ticket_id = $1 ORDER BY created_at, seq`, ticketID)
	return collect(rows, err, "attachments", func(r pgx.Rows) (*triage.Attachment, error) { return scanAttachment(r) })
}

// Attachment returns one attachment.
func (s queries) Attachment(ctx context.Context, id string) (*triage.Attachment, error) {
	a, err := scanAttachment(s.q.QueryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("attachment", id)
	} else if err != nil {
		return nil, dbError("attachment", err)
	}
	return a, nil
}

// AddAttachment inserts a, whose blob must be stored.
func (tx *Tx) AddAttachment(ctx context.Context, a *triage.Attachment) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	if err := triage.Required("ticket_id", a.TicketID); err != nil {
		return err
	}
	var size int64
	err := tx.tx.QueryRow(ctx, `SELECT size FROM blobs WHERE sha256 = $1`, a.SHA256).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		return triage.Invalid("sha256", "no blob %q is stored; PutBlob it first", a.SHA256)
	} else if err != nil {
		return dbError("add attachment", err)
	}
	a.Size = size
	a.AsStored()
	_, err = tx.tx.Exec(ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.TicketID, a.CommentID, a.Name, a.ContentType, a.Size, a.SHA256, a.ContentID, a.Inline, a.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("ticket", a.TicketID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "attachment %s already exists", a.ID)
	case err != nil:
		return dbError("add attachment", err)
	}
	return nil
}
