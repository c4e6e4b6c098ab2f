package triage

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// The WeChat channel's domain (微信客服 through 企业微信): the corps an
// admin connected, and a record of every message that came in or went out
// through them. Package wechat is the technology (the API, callbacks,
// crypto); package kefu turns it into desk calls.

// WeChatChannel is one 企业微信 corp connected for 微信客服: its corp id,
// its secrets (sealed at rest with package seal, never shown again), which
// 客服账号 (open_kfid) feed which team, and how far its messages have been
// read (Cursor, committed with the tickets and comments they produced).
type WeChatChannel struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	CorpID string `json:"corp_id"`
	// SecretsSealed holds the 微信客服 secret, the callback Token and the
	// EncodingAESKey, sealed together; SecretsSet tells clients they are
	// stored without showing them.
	SecretsSealed string `json:"-"`
	SecretsSet    bool   `json:"secrets_set"`
	// Accounts maps 客服账号 to teams; a message to an account not listed
	// goes to TeamID (or where routing puts it when that is empty).
	Accounts []WeChatAccount `json:"accounts"`
	TeamID   string          `json:"team_id"`
	// ReopenHours is how long after a customer's last ticket was solved
	// a new message still goes to it (and reopens it); after that it
	// starts a new ticket.
	ReopenHours int `json:"reopen_hours"`
	// PauseSeconds is how long the service waits after a notification
	// before it reads the messages, so that what a customer writes in
	// one go (a sentence, then a photo) is triaged as one ticket.
	PauseSeconds int  `json:"pause_seconds"`
	Enabled      bool `json:"enabled"`
	// Bot makes the help centre's answer bot answer a customer's first
	// message of a new session (off by default); it hands the session
	// over to BotServicer (a 企业微信 userid receiving for the account)
	// or, when that is empty, to the queue (待接入池).
	Bot         bool   `json:"bot"`
	BotServicer string `json:"bot_servicer"`
	// Welcome is sent when a customer opens the chat, where 企业微信
	// allows it (no welcome configured in its admin); empty sends none.
	Welcome string `json:"welcome"`

	// Cursor is kf/sync_msg's position; never shown.
	Cursor string `json:"-"`
	// State of the reader, written by whichever replica reads.
	LastError   string     `json:"last_error"`
	LastErrorAt *time.Time `json:"last_error_at"`
	LastSyncAt  *time.Time `json:"last_sync_at"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// WeChatAccount is one 客服账号 and the team its customers' tickets join.
type WeChatAccount struct {
	OpenKfID string `json:"open_kfid"`
	TeamID   string `json:"team_id"`
}

// Defaults of a WeChat channel.
const (
	DefaultWeChatReopenHours  = 72
	DefaultWeChatPauseSeconds = 20
	MaxWeChatAccounts         = 100
	// MaxWeChatWelcomeBytes is kf/send_msg's text limit.
	MaxWeChatWelcomeBytes = 2048
)

// WeChatSecrets are what a WeChatChannel keeps sealed.
type WeChatSecrets struct {
	Secret         string `json:"secret"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
}

// NewWeChatChannel is what an admin sends to connect a corp.
type NewWeChatChannel struct {
	Name           string          `json:"name"`
	CorpID         string          `json:"corp_id"`
	Secret         string          `json:"secret"`
	Token          string          `json:"token"`
	EncodingAESKey string          `json:"encoding_aes_key"`
	Accounts       []WeChatAccount `json:"accounts"`
	TeamID         string          `json:"team_id"`
	ReopenHours    int             `json:"reopen_hours"`
	PauseSeconds   *int            `json:"pause_seconds"`
	Enabled        *bool           `json:"enabled"`
	Bot            bool            `json:"bot"`
	BotServicer    string          `json:"bot_servicer"`
	Welcome        string          `json:"welcome"`
}

// WeChatChannelUpdate is a partial update; secrets not sent stay.
type WeChatChannelUpdate struct {
	Name           Opt[string]          `json:"name"`
	CorpID         Opt[string]          `json:"corp_id"`
	Secret         Opt[string]          `json:"secret"`
	Token          Opt[string]          `json:"token"`
	EncodingAESKey Opt[string]          `json:"encoding_aes_key"`
	Accounts       Opt[[]WeChatAccount] `json:"accounts"`
	TeamID         Opt[string]          `json:"team_id"`
	ReopenHours    Opt[int]             `json:"reopen_hours"`
	PauseSeconds   Opt[int]             `json:"pause_seconds"`
	Enabled        Opt[bool]            `json:"enabled"`
	Bot            Opt[bool]            `json:"bot"`
	BotServicer    Opt[string]          `json:"bot_servicer"`
	Welcome        Opt[string]          `json:"welcome"`
}

// Validate checks a channel's settings and normalises them in place.
func (c *WeChatChannel) Validate() error {
	c.Name, c.CorpID, c.TeamID = strings.TrimSpace(c.Name), strings.TrimSpace(c.CorpID), strings.TrimSpace(c.TeamID)
	c.BotServicer, c.Welcome = strings.TrimSpace(c.BotServicer), strings.TrimSpace(c.Welcome)
	if c.ReopenHours == 0 {
		c.ReopenHours = DefaultWeChatReopenHours
	}
	seen := map[string]bool{}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		a.OpenKfID, a.TeamID = strings.TrimSpace(a.OpenKfID), strings.TrimSpace(a.TeamID)
		switch {
		case a.OpenKfID == "" || len(a.OpenKfID) > 64 || !printableASCII(a.OpenKfID):
			return Invalid("accounts", "accounts[%d].open_kfid must be a 客服账号 id such as wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw", i)
		case seen[a.OpenKfID]:
			return Invalid("accounts", "accounts[%d].open_kfid %s is listed twice", i, a.OpenKfID)
		}
		seen[a.OpenKfID] = true
	}
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 100:
		return Invalid("name", "name is required and at most 100 characters")
	case c.CorpID == "" || len(c.CorpID) > 64 || !printableASCII(c.CorpID):
		return Invalid("corp_id", "corp_id (企业微信 → 我的企业 → 企业ID, such as ww1234567890abcdef) is required")
	case len(c.Accounts) > MaxWeChatAccounts:
		return Invalid("accounts", "at most %d accounts", MaxWeChatAccounts)
	case c.ReopenHours < 0 || c.ReopenHours > 24*90:
		return Invalid("reopen_hours", "reopen_hours is 1 to %d", 24*90)
	case c.PauseSeconds < 0 || c.PauseSeconds > 300:
		return Invalid("pause_seconds", "pause_seconds is 0 to 300")
	case len(c.BotServicer) > 64 || c.BotServicer != "" && !printableASCII(c.BotServicer):
		return Invalid("bot_servicer", "bot_servicer is a 企业微信 userid (通讯录 → 成员 → 账号), at most 64 characters")
	case len(c.Welcome) > MaxWeChatWelcomeBytes || !utf8.ValidString(c.Welcome):
		return Invalid("welcome", "welcome is at most %d bytes of text", MaxWeChatWelcomeBytes)
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// TeamOf is the team a 客服账号's tickets join.
func (c *WeChatChannel) TeamOf(openKfID string) string {
	for _, a := range c.Accounts {
		if a.OpenKfID == openKfID && a.TeamID != "" {
			return a.TeamID
		}
	}
	return c.TeamID
}

// AsStored makes c what a store returns for it (see Agent.AsStored).
func (c *WeChatChannel) AsStored() {
	c.SecretsSet = c.SecretsSealed != ""
	c.Accounts = NonNil(c.Accounts)
	c.LastErrorAt, c.LastSyncAt = StoreTimePtr(c.LastErrorAt), StoreTimePtr(c.LastSyncAt)
	c.CreatedAt, c.UpdatedAt = StoreTime(c.CreatedAt), StoreTime(c.UpdatedAt)
}

// WeChatState is what a reader reports about its channel. An empty Error
// clears the last one; a nil time leaves the stored one.
type WeChatState struct {
	Error   string
	ErrorAt *time.Time
	SyncAt  *time.Time
}

// WeChatMessage is the record of one message that came in (a customer's
// message or a session event, from kf/sync_msg) or went out (an agent's
// reply through kf/send_msg): what it became, or how its delivery stands.
// Inbound messages are unique per channel by msgid, which makes a message
// read twice one ticket or comment.
type WeChatMessage struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	Direction string `json:"direction"` // MailIn or MailOut
	// MsgID is 企业微信's msgid; an outbound message's is made from its
	// record id, so a retried send is one message.
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	// Type is the msgtype (text, image, …, event).
	Type      string `json:"type"`
	TicketID  string `json:"ticket_id"`
	CommentID string `json:"comment_id"`
	// Status: in, MailImported or MailSkipped; out, MailQueued, MailSent
	// or MailFailed (the same words as for mail).
	Status string  `json:"status"`
	Reason *Reason `json:"reason,omitempty"`
	// Error is 企业微信's answer to a failed send, as it gave it.
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
	// MediaID is what media/get fetches for an image, voice, video or
	// file; emptied once the file is stored.
	MediaID string `json:"-"`
	// At is when the customer sent it (send_time), or when the reply was
	// queued: the reply window counts from the customer's last At.
	At        time.Time  `json:"at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// AsStored makes m what a store returns for it (see Agent.AsStored).
func (m *WeChatMessage) AsStored() {
	if m.Reason != nil && m.Reason.Code == "" && m.Reason.Text == "" {
		m.Reason = nil
	}
	m.At, m.CreatedAt, m.UpdatedAt, m.SentAt = StoreTime(m.At), StoreTime(m.CreatedAt), StoreTime(m.UpdatedAt), StoreTimePtr(m.SentAt)
}

// WeChatReader holds the store's reads for the WeChat channel.
type WeChatReader interface {
	WeChatChannel(ctx context.Context, id string) (*WeChatChannel, error)
	// WeChatChannels lists channels by name, then id.
	WeChatChannels(ctx context.Context) ([]*WeChatChannel, error)
	WeChatMessage(ctx context.Context, id string) (*WeChatMessage, error)
	// WeChatByMsgID finds the record of a msgid in one direction of a
	// channel; ENOTFOUND when none.
	WeChatByMsgID(ctx context.Context, channelID, direction, msgID string) (*WeChatMessage, error)
	// TicketWeChat lists a ticket's records, oldest first.
	TicketWeChat(ctx context.Context, ticketID string) ([]*WeChatMessage, error)
	// WeChatCustomer lists the newest limit records of one customer of a
	// channel, newest first (At, then insertion).
	WeChatCustomer(ctx context.Context, channelID, externalUserID string, limit int) ([]*WeChatMessage, error)
}

// WeChatWriter holds the store's writes for the same.
type WeChatWriter interface {
	// CreateWeChatChannel stores a new channel at version 1; a second
	// channel of the same corp is ECONFLICT.
	CreateWeChatChannel(ctx context.Context, c *WeChatChannel) error
	UpdateWeChatChannel(ctx context.Context, c *WeChatChannel) error // versioned like UpdateTicket
	// DeleteWeChatChannel removes a channel; its records stay.
	DeleteWeChatChannel(ctx context.Context, id string, version int) error
	// SetWeChatCursor stores the channel's cursor without changing its
	// version; ENOTFOUND for an unknown channel.
	SetWeChatCursor(ctx context.Context, id, cursor string) error
	// SetWeChatState records what the reader saw.
	SetWeChatState(ctx context.Context, id string, s WeChatState) error
	// AddWeChatMessage stores a record: ECONFLICT when the channel has a
	// record of the same direction and msgid.
	AddWeChatMessage(ctx context.Context, m *WeChatMessage) error
	// UpdateWeChatMessage stores a record's ticket, comment, status,
	// reason, error, attempts, media id and SentAt.
	UpdateWeChatMessage(ctx context.Context, m *WeChatMessage) error
}
