package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const wechatChannelColumns = `
	id, name, corp_id, secrets_sealed, accounts, team_id, reopen_hours, pause_seconds, enabled, cursor,
	last_error, last_error_at, last_sync_at, created_at, updated_at, version, bot, bot_servicer, welcome`

// scanWeChatChannel reads one row selected with wechatChannelColumns.
func scanWeChatChannel(row interface{ Scan(...any) error }) (*triage.WeChatChannel, error) {
	var c triage.WeChatChannel
	err := row.Scan(&c.ID, &c.Name, &c.CorpID, &c.SecretsSealed, jsonCol{&c.Accounts}, &c.TeamID, &c.ReopenHours, &c.PauseSeconds,
		&c.Enabled, &c.Cursor, &c.LastError, nullTimeCol{&c.LastErrorAt}, nullTimeCol{&c.LastSyncAt},
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version, &c.Bot, &c.BotServicer, &c.Welcome)
	if err != nil {
		return nil, err
	}
	c.AsStored()
	return &c, nil
}

// WeChatChannel returns one channel with its sealed secrets and cursor.
func (s queries) WeChatChannel(ctx context.Context, id string) (*triage.WeChatChannel, error) {
	c, err := scanWeChatChannel(s.q.QueryRowContext(ctx, `SELECT `+wechatChannelColumns+` FROM wechat_channels WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("wechat channel", id)
	} else if err != nil {
		return nil, dbError("wechat channel", err)
	}
	return c, nil
}

// WeChatChannels lists channels by name, then id.
func (s queries) WeChatChannels(ctx context.Context) ([]*triage.WeChatChannel, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+wechatChannelColumns+` FROM wechat_channels ORDER BY name, id`)
	if err != nil {
		return nil, dbError("wechat channels", err)
	}
	defer rows.Close()
	out := []*triage.WeChatChannel{}
	for rows.Next() {
		c, err := scanWeChatChannel(rows)
		if err != nil {
			return nil, dbError("wechat channels", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("wechat channels", err)
	}
	return out, nil
}

func wechatCorpTaken(c *triage.WeChatChannel) error {
	return triage.Errorf(triage.ECONFLICT, "corp %s is already connected (or channel %s exists)", c.CorpID, c.ID)
}

// CreateWeChatChannel inserts c at version 1, with no cursor.
func (tx *Tx) CreateWeChatChannel(ctx context.Context, c *triage.WeChatChannel) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.Cursor, c.LastError, c.LastErrorAt, c.LastSyncAt = "", "", nil, nil
	c.AsStored()
	accounts, err := jsonText(c.Accounts)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO wechat_channels (`+wechatChannelColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', NULL, NULL, ?, ?, 1, ?, ?, ?)`,
		c.ID, c.Name, c.CorpID, c.SecretsSealed, accounts, c.TeamID, c.ReopenHours, c.PauseSeconds, c.Enabled,
		micros(c.CreatedAt), micros(c.UpdatedAt), c.Bot, c.BotServicer, c.Welcome)
	if isDuplicate(err) {
		return wechatCorpTaken(c)
	} else if err != nil {
		return dbError("create wechat channel", err)
	}
	c.Version = 1
	return nil
}

// UpdateWeChatChannel stores c's settings if the stored version is still
// c.Version; the cursor and the reader's state come back as stored.
func (tx *Tx) UpdateWeChatChannel(ctx context.Context, c *triage.WeChatChannel) error {
	if err := triage.Required("id", c.ID); err != nil {
		return err
	}
	c.AsStored()
	accounts, err := jsonText(c.Accounts)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE wechat_channels SET name = ?, corp_id = ?, secrets_sealed = ?, accounts = ?, team_id = ?,
			reopen_hours = ?, pause_seconds = ?, enabled = ?, updated_at = ?, version = version + 1,
			bot = ?, bot_servicer = ?, welcome = ?
		WHERE id = ? AND version = ?`,
		c.Name, c.CorpID, c.SecretsSealed, accounts, c.TeamID, c.ReopenHours, c.PauseSeconds, c.Enabled, micros(c.UpdatedAt),
		c.Bot, c.BotServicer, c.Welcome, c.ID, c.Version)
	if isDuplicate(err) {
		return wechatCorpTaken(c)
	} else if err != nil {
		return dbError("update wechat channel", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update wechat channel", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "wechat_channels", "wechat channel", c.ID, c.Version)
	}
	stored, err := tx.WeChatChannel(ctx, c.ID)
	if err != nil {
		return err
	}
	*c = *stored
	return nil
}

// DeleteWeChatChannel removes a channel still at version.
func (tx *Tx) DeleteWeChatChannel(ctx context.Context, id string, version int) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM wechat_channels WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete wechat channel", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete wechat channel", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "wechat_channels", "wechat channel", id, version)
	}
	return nil
}

// SetWeChatCursor stores the channel's cursor.
func (tx *Tx) SetWeChatCursor(ctx context.Context, id, cursor string) error {
	return tx.wechatExec(ctx, id, "wechat cursor", `UPDATE wechat_channels SET cursor = ? WHERE id = ?`, cursor, id)
}

// SetWeChatState records the reader's report.
func (tx *Tx) SetWeChatState(ctx context.Context, id string, s triage.WeChatState) error {
	return tx.wechatExec(ctx, id, "wechat state", `
		UPDATE wechat_channels SET last_error = ?,
			last_error_at = COALESCE(?, last_error_at), last_sync_at = COALESCE(?, last_sync_at)
		WHERE id = ?`, s.Error, nullMicros(triage.StoreTimePtr(s.ErrorAt)), nullMicros(triage.StoreTimePtr(s.SyncAt)), id)
}

func (tx *Tx) wechatExec(ctx context.Context, id, op, query string, args ...any) error {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return dbError(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError(op, err)
	} else if n == 0 {
		return triage.NotFound("wechat channel", id)
	}
	return nil
}

const wechatMessageColumns = `
	id, channel_id, direction, msg_id, open_kfid, external_userid, msg_type, ticket_id, comment_id,
	status, reason, why, error, attempts, media_id, at, created_at, updated_at, sent_at`

// scanWeChatMessage reads one row selected with wechatMessageColumns.
func scanWeChatMessage(row interface{ Scan(...any) error }) (*triage.WeChatMessage, error) {
	var m triage.WeChatMessage
	var code string
	var why triage.Reason
	err := row.Scan(&m.ID, &m.ChannelID, &m.Direction, &m.MsgID, &m.OpenKfID, &m.ExternalUserID, &m.Type, &m.TicketID, &m.CommentID,
		&m.Status, &code, jsonCol{&why}, &m.Error, &m.Attempts, &m.MediaID, timeCol{&m.At}, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt},
		nullTimeCol{&m.SentAt})
	if err != nil {
		return nil, err
	}
	m.Reason = &why
	m.AsStored()
	return &m, nil
}

func (s queries) wechatMessages(ctx context.Context, op, query string, args ...any) ([]*triage.WeChatMessage, error) {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbError(op, err)
	}
	defer rows.Close()
	out := []*triage.WeChatMessage{}
	for rows.Next() {
		m, err := scanWeChatMessage(rows)
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

func (s queries) wechatMessage(ctx context.Context, name, query string, args ...any) (*triage.WeChatMessage, error) {
	m, err := scanWeChatMessage(s.q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("wechat message", name)
	} else if err != nil {
		return nil, dbError("wechat message", err)
	}
	return m, nil
}

// WeChatMessage returns one record.
func (s queries) WeChatMessage(ctx context.Context, id string) (*triage.WeChatMessage, error) {
	return s.wechatMessage(ctx, id, `SELECT `+wechatMessageColumns+` FROM wechat_messages WHERE id = ?`, id)
}

// WeChatByMsgID finds the record of a msgid.
func (s queries) WeChatByMsgID(ctx context.Context, channelID, direction, msgID string) (*triage.WeChatMessage, error) {
	return s.wechatMessage(ctx, msgID, `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE channel_id = ? AND direction = ? AND msg_id = ?`, channelID, direction, msgID)
}

// TicketWeChat lists a ticket's records, oldest first.
func (s queries) TicketWeChat(ctx context.Context, ticketID string) ([]*triage.WeChatMessage, error) {
	return s.wechatMessages(ctx, "ticket wechat", `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE ticket_id = ? AND ticket_id <> '' ORDER BY created_at, seq`, ticketID)
}

// WeChatCustomer lists a customer's newest records.
func (s queries) WeChatCustomer(ctx context.Context, channelID, externalUserID string, limit int) ([]*triage.WeChatMessage, error) {
	if limit <= 0 {
		limit = 50
	}
	return s.wechatMessages(ctx, "wechat customer", `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE channel_id = ? AND external_userid = ? ORDER BY at DESC, seq DESC LIMIT ?`, channelID, externalUserID, limit)
}

func wechatReason(m *triage.WeChatMessage) (code, why string, err error) {
	why = "{}"
	if m.Reason != nil {
		code = string(m.Reason.Code)
		why, err = jsonText(m.Reason)
	}
	return
}

// AddWeChatMessage inserts a record.
func (tx *Tx) AddWeChatMessage(ctx context.Context, m *triage.WeChatMessage) error {
	if err := triage.Required("id", m.ID); err != nil {
		return err
	}
	if m.Direction != triage.MailIn && m.Direction != triage.MailOut {
		return triage.Invalid("direction", "direction must be in or out")
	}
	m.AsStored()
	code, why, err := wechatReason(m)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO wechat_messages (`+wechatMessageColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.ChannelID, m.Direction, m.MsgID, m.OpenKfID, m.ExternalUserID, m.Type, m.TicketID, m.CommentID,
		m.Status, code, why, m.Error, m.Attempts, m.MediaID, micros(m.At), micros(m.CreatedAt), micros(m.UpdatedAt), nullMicros(m.SentAt))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "wechat message %s is already recorded", m.MsgID)
	} else if err != nil {
		return dbError("add wechat message", err)
	}
	return nil
}

// UpdateWeChatMessage stores a record's progress.
func (tx *Tx) UpdateWeChatMessage(ctx context.Context, m *triage.WeChatMessage) error {
	m.AsStored()
	code, why, err := wechatReason(m)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE wechat_messages SET ticket_id = ?, comment_id = ?, status = ?, reason = ?, why = ?, error = ?,
			attempts = ?, media_id = ?, updated_at = ?, sent_at = ?
		WHERE id = ?`,
		m.TicketID, m.CommentID, m.Status, code, why, m.Error, m.Attempts, m.MediaID, micros(m.UpdatedAt), nullMicros(m.SentAt), m.ID)
	if err != nil {
		return dbError("update wechat message", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update wechat message", err)
	} else if n == 0 {
		return triage.NotFound("wechat message", m.ID)
	}
	return nil
}
