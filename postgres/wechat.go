package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const wechatChannelColumns = `
	id, name, corp_id, secrets_sealed, accounts, team_id, reopen_hours, pause_seconds, enabled, cursor,
	last_error, last_error_at, last_sync_at, created_at, updated_at, version, bot, bot_servicer, welcome`

// scanWeChatChannel reads one row selected with wechatChannelColumns.
func scanWeChatChannel(row pgx.Row) (*triage.WeChatChannel, error) {
	var c triage.WeChatChannel
	err := row.Scan(&c.ID, &c.Name, &c.CorpID, &c.SecretsSealed, &c.Accounts, &c.TeamID, &c.ReopenHours, &c.PauseSeconds,
		&c.Enabled, &c.Cursor, &c.LastError, &c.LastErrorAt, &c.LastSyncAt,
		&c.CreatedAt, &c.UpdatedAt, &c.Version, &c.Bot, &c.BotServicer, &c.Welcome)
	if err != nil {
		return nil, err
	}
	c.AsStored()
	return &c, nil
}

// WeChatChannel returns one channel with its sealed secrets and cursor.
func (s queries) WeChatChannel(ctx context.Context, id string) (*triage.WeChatChannel, error) {
	c, err := scanWeChatChannel(s.q.QueryRow(ctx, `SELECT `+wechatChannelColumns+` FROM wechat_channels WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("wechat channel", id)
	} else if err != nil {
		return nil, dbError("wechat channel", err)
	}
	return c, nil
}

// WeChatChannels lists channels by name, then id.
func (s queries) WeChatChannels(ctx context.Context) ([]*triage.WeChatChannel, error) {
	rows, err := s.q.Query(ctx, `SELECT `+wechatChannelColumns+` FROM wechat_channels ORDER BY name, id`)
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
	accounts, err := jsonb(c.Accounts)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO wechat_channels (`+wechatChannelColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', NULL, NULL, $10, $11, 1, $12, $13, $14)`,
		c.ID, c.Name, c.CorpID, c.SecretsSealed, accounts, c.TeamID, c.ReopenHours, c.PauseSeconds, c.Enabled,
		c.CreatedAt, c.UpdatedAt, c.Bot, c.BotServicer, c.Welcome)
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
	accounts, err := jsonb(c.Accounts)
	if err != nil {
		return err
	}
	res, err := tx.tx.Exec(ctx, `
		UPDATE wechat_channels SET name = $1, corp_id = $2, secrets_sealed = $3, accounts = $4, team_id = $5,
			reopen_hours = $6, pause_seconds = $7, enabled = $8, updated_at = $9, version = version + 1,
			bot = $12, bot_servicer = $13, welcome = $14
		WHERE id = $10 AND version = $11`,
		c.Name, c.CorpID, c.SecretsSealed, accounts, c.TeamID, c.ReopenHours, c.PauseSeconds, c.Enabled, c.UpdatedAt, c.ID, c.Version,
		c.Bot, c.BotServicer, c.Welcome)
	if isDuplicate(err) {
		return wechatCorpTaken(c)
	} else if err != nil {
		return dbError("update wechat channel", err)
	}
	if res.RowsAffected() == 0 {
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
	res, err := tx.tx.Exec(ctx, `DELETE FROM wechat_channels WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return dbError("delete wechat channel", err)
	}
	if res.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "wechat_channels", "wechat channel", id, version)
	}
	return nil
}

// SetWeChatCursor stores the channel's cursor.
func (tx *Tx) SetWeChatCursor(ctx context.Context, id, cursor string) error {
	return tx.wechatExec(ctx, id, "wechat cursor", `UPDATE wechat_channels SET cursor = $1 WHERE id = $2`, cursor, id)
}

// SetWeChatState records the reader's report.
func (tx *Tx) SetWeChatState(ctx context.Context, id string, s triage.WeChatState) error {
	return tx.wechatExec(ctx, id, "wechat state", `
		UPDATE wechat_channels SET last_error = $1,
			last_error_at = COALESCE($2, last_error_at), last_sync_at = COALESCE($3, last_sync_at)
		WHERE id = $4`, s.Error, triage.StoreTimePtr(s.ErrorAt), triage.StoreTimePtr(s.SyncAt), id)
}

func (tx *Tx) wechatExec(ctx context.Context, id, op, query string, args ...any) error {
	res, err := tx.tx.Exec(ctx, query, args...)
	if err != nil {
		return dbError(op, err)
	}
	if res.RowsAffected() == 0 {
		return triage.NotFound("wechat channel", id)
	}
	return nil
}

const wechatMessageColumns = `
	id, channel_id, direction, msg_id, open_kfid, external_userid, msg_type, ticket_id, comment_id,
	status, reason, why, error, attempts, media_id, at, created_at, updated_at, sent_at`

// scanWeChatMessage reads one row selected with wechatMessageColumns.
func scanWeChatMessage(row pgx.Row) (*triage.WeChatMessage, error) {
	var m triage.WeChatMessage
	var code string
	var why triage.Reason
	err := row.Scan(&m.ID, &m.ChannelID, &m.Direction, &m.MsgID, &m.OpenKfID, &m.ExternalUserID, &m.Type, &m.TicketID, &m.CommentID,
		&m.Status, &code, &why, &m.Error, &m.Attempts, &m.MediaID, &m.At, &m.CreatedAt, &m.UpdatedAt,
		&m.SentAt)
	if err != nil {
		return nil, err
	}
	m.Reason = &why
	m.AsStored()
	return &m, nil
}

func (s queries) wechatMessages(ctx context.Context, op, query string, args ...any) ([]*triage.WeChatMessage, error) {
	rows, err := s.q.Query(ctx, query, args...)
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
	m, err := scanWeChatMessage(s.q.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("wechat message", name)
	} else if err != nil {
		return nil, dbError("wechat message", err)
	}
	return m, nil
}

// WeChatMessage returns one record.
func (s queries) WeChatMessage(ctx context.Context, id string) (*triage.WeChatMessage, error) {
	return s.wechatMessage(ctx, id, `SELECT `+wechatMessageColumns+` FROM wechat_messages WHERE id = $1`, id)
}

// WeChatByMsgID finds the record of a msgid.
func (s queries) WeChatByMsgID(ctx context.Context, channelID, direction, msgID string) (*triage.WeChatMessage, error) {
	return s.wechatMessage(ctx, msgID, `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE channel_id = $1 AND direction = $2 AND msg_id = $3`, channelID, direction, msgID)
}

// TicketWeChat lists a ticket's records, oldest first.
func (s queries) TicketWeChat(ctx context.Context, ticketID string) ([]*triage.WeChatMessage, error) {
	return s.wechatMessages(ctx, "ticket wechat", `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE ticket_id = $1 AND ticket_id <> '' ORDER BY created_at, seq`, ticketID)
}

// WeChatCustomer lists a customer's newest records.
func (s queries) WeChatCustomer(ctx context.Context, channelID, externalUserID string, limit int) ([]*triage.WeChatMessage, error) {
	if limit <= 0 {
		limit = 50
	}
	return s.wechatMessages(ctx, "wechat customer", `SELECT `+wechatMessageColumns+` FROM wechat_messages
		WHERE channel_id = $1 AND external_userid = $2 ORDER BY at DESC, seq DESC LIMIT $3`, channelID, externalUserID, limit)
}

func wechatReason(m *triage.WeChatMessage) (code string, why []byte, err error) {
	why = []byte("{}")
	if m.Reason != nil {
		code = string(m.Reason.Code)
		why, err = jsonb(m.Reason)
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
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO wechat_messages (`+wechatMessageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		m.ID, m.ChannelID, m.Direction, m.MsgID, m.OpenKfID, m.ExternalUserID, m.Type, m.TicketID, m.CommentID,
		m.Status, code, why, m.Error, m.Attempts, m.MediaID, m.At, m.CreatedAt, m.UpdatedAt, m.SentAt)
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
	res, err := tx.tx.Exec(ctx, `
		UPDATE wechat_messages SET ticket_id = $1, comment_id = $2, status = $3, reason = $4, why = $5, error = $6,
			attempts = $7, media_id = $8, updated_at = $9, sent_at = $10
		WHERE id = $11`,
		m.TicketID, m.CommentID, m.Status, code, why, m.Error, m.Attempts, m.MediaID, m.UpdatedAt, m.SentAt, m.ID)
	if err != nil {
		return dbError("update wechat message", err)
	}
	if res.RowsAffected() == 0 {
		return triage.NotFound("wechat message", m.ID)
	}
	return nil
}
