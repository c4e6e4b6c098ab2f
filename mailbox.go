package triage

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The e-mail channel's domain: the mailboxes tickets are read from, a
// record of every mail that came in or went out, and the templates of the
// mails the service writes. Package mail is the technology (MIME, IMAP,
// SMTP); package email turns it into desk calls.

// Mailbox is one IMAP mailbox the service reads tickets from, with what
// arriving mail gets (team, category hint, default priority). Its password
// is stored sealed (package seal) and never shown again.
type Mailbox struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Address is the support address customers write to; replies to
	// tickets from this mailbox carry it as Reply-To, and mail from it is
	// never imported (our own mail).
	Address  string `json:"address"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"` // MailTLSImplicit or MailTLSStartTLS
	Username string `json:"username"`
	// PasswordSealed is the sealed password; PasswordSet tells clients
	// one is stored without showing it.
	PasswordSealed string `json:"-"`
	PasswordSet    bool   `json:"password_set"`
	Folder         string `json:"folder"`
	// After is MailAfterSeen or MailAfterMove (to MoveTo).
	After  string `json:"after"`
	MoveTo string `json:"move_to"`
	// TeamID is the team whose queue new tickets join; Category, when
	// set, is the category of a ticket triage cannot decide; Priority,
	// when set, replaces the default P3 when no signal speaks.
	TeamID   string   `json:"team_id"`
	Category string   `json:"category"`
	Priority Priority `json:"priority"`
	Enabled  bool     `json:"enabled"`

	// Position is how far the folder has been imported; it is committed
	// with each mail's ticket or comment.
	Position MailPosition `json:"position"`
	// State of the fetcher, written by whichever replica fetches.
	LastError    string     `json:"last_error"`
	LastErrorAt  *time.Time `json:"last_error_at"`
	LastImportAt *time.Time `json:"last_import_at"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// MailPosition is a mailbox folder's UIDVALIDITY and the highest UID whose
// mail is committed.
type MailPosition struct {
	UIDValidity uint32 `json:"uid_validity"`
	UID         uint32 `json:"uid"`
}

// Mailbox settings' values.
const (
	MailTLSImplicit = "tls"
	MailTLSStartTLS = "starttls"
	MailAfterSeen   = "seen"
	MailAfterMove   = "move"
)

// NewMailbox is what an admin sends to add a mailbox.
type NewMailbox struct {
	Name     string   `json:"name"`
	Address  string   `json:"address"`
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	TLS      string   `json:"tls"`
	Username string   `json:"username"`
	Password string   `json:"password"`
	Folder   string   `json:"folder"`
	After    string   `json:"after"`
	MoveTo   string   `json:"move_to"`
	TeamID   string   `json:"team_id"`
	Category string   `json:"category"`
	Priority Priority `json:"priority"`
	Enabled  *bool    `json:"enabled"`
}

// MailboxUpdate is a partial update of a mailbox; a password that is not
// sent stays as it is.
type MailboxUpdate struct {
	Name     Opt[string]   `json:"name"`
	Address  Opt[string]   `json:"address"`
	Host     Opt[string]   `json:"host"`
	Port     Opt[int]      `json:"port"`
	TLS      Opt[string]   `json:"tls"`
	Username Opt[string]   `json:"username"`
	Password Opt[string]   `json:"password"`
	Folder   Opt[string]   `json:"folder"`
	After    Opt[string]   `json:"after"`
	MoveTo   Opt[string]   `json:"move_to"`
	TeamID   Opt[string]   `json:"team_id"`
	Category Opt[string]   `json:"category"`
	Priority Opt[Priority] `json:"priority"`
	Enabled  Opt[bool]     `json:"enabled"`
}

// Validate checks a mailbox's settings and normalises them in place
// (defaults for the port, the folder and what happens after import).
func (m *Mailbox) Validate() error {
	m.Name, m.Host, m.Username = strings.TrimSpace(m.Name), strings.TrimSpace(m.Host), strings.TrimSpace(m.Username)
	m.Address = strings.ToLower(strings.TrimSpace(m.Address))
	m.Folder, m.MoveTo = strings.TrimSpace(m.Folder), strings.TrimSpace(m.MoveTo)
	m.TeamID, m.Category = strings.TrimSpace(m.TeamID), strings.TrimSpace(m.Category)
	if m.TLS == "" {
		m.TLS = MailTLSImplicit
	}
	if m.Port == 0 {
		m.Port = 993
		if m.TLS == MailTLSStartTLS {
			m.Port = 143
		}
	}
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.After == "" {
		m.After = MailAfterSeen
	}
	switch {
	case m.Name == "" || utf8.RuneCountInString(m.Name) > 100:
		return Invalid("name", "name is required and at most 100 characters")
	case m.Address == "":
		return Invalid("address", "address (the support address customers write to) is required")
	case !isMailAddress(m.Address):
		return Invalid("address", "address %q is not an e-mail address", m.Address)
	case m.Host == "" || len(m.Host) > 255 || strings.ContainsAny(m.Host, " /:@\t\r\n"):
		return Invalid("host", "host must be the IMAP server's name, such as imap.exmail.qq.com")
	case m.Port < 1 || m.Port > 65535:
		return Invalid("port", "port %d is not a port (IMAP over TLS is 993, with STARTTLS 143)", m.Port)
	case m.TLS != MailTLSImplicit && m.TLS != MailTLSStartTLS:
		return &Error{Code: EINVALID, Field: "tls", Message: "tls must be tls (port 993) or starttls (port 143); IMAP without TLS would send the password in clear text", Allowed: []string{MailTLSImplicit, MailTLSStartTLS}}
	case m.Username == "" || len(m.Username) > 320:
		return Invalid("username", "username (usually the full mail address) is required")
	case len(m.Folder) > 200 || !utf8.ValidString(m.Folder):
		return Invalid("folder", "folder must be a folder name of at most 200 bytes")
	case m.After != MailAfterSeen && m.After != MailAfterMove:
		return &Error{Code: EINVALID, Field: "after", Message: "after must be seen (mark imported mail read) or move (move it to move_to)", Allowed: []string{MailAfterSeen, MailAfterMove}}
	case m.After == MailAfterMove && m.MoveTo == "":
		return Invalid("move_to", "move_to names the folder imported mail is moved to, for example 已处理")
	case m.After == MailAfterMove && m.MoveTo == m.Folder:
		return Invalid("move_to", "move_to is the folder being read; imported mail would come back")
	case len(m.MoveTo) > 200 || !utf8.ValidString(m.MoveTo):
		return Invalid("move_to", "move_to must be a folder name of at most 200 bytes")
	case m.Priority != "" && !m.Priority.Valid():
		return &Error{Code: EINVALID, Field: "priority", Message: "priority must be P1, P2, P3 or P4, or empty", Allowed: []string{"P1", "P2", "P3", "P4"}}
	case utf8.RuneCountInString(m.Category) > 64:
		return Invalid("category", "category is longer than 64 characters")
	}
	return nil
}

func isMailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && strings.EqualFold(a.Address, s) && a.Name == ""
}

// AsStored makes m what a store returns for it (see Agent.AsStored).
func (m *Mailbox) AsStored() {
	m.PasswordSet = m.PasswordSealed != ""
	m.LastErrorAt, m.LastImportAt = StoreTimePtr(m.LastErrorAt), StoreTimePtr(m.LastImportAt)
	m.CreatedAt, m.UpdatedAt = StoreTime(m.CreatedAt), StoreTime(m.UpdatedAt)
}

// MailboxState is what a fetcher reports about its mailbox. An empty
// Error clears the last one; a nil time leaves the stored one.
type MailboxState struct {
	Error    string
	ErrorAt  *time.Time
	ImportAt *time.Time
}

// MailMessage is the record of one mail that came in or went out: what it
// became (a ticket, a comment, nothing and why), or how its delivery
// stands. Inbound mail is unique per mailbox by Message-ID, which makes
// an import happen once; threading finds tickets by the Message-IDs of
// both directions.
type MailMessage struct {
	ID        string `json:"id"`
	Direction string `json:"direction"` // MailIn or MailOut
	// Purpose of an outbound mail: MailReply, MailSurvey, MailAck.
	Purpose   string `json:"purpose,omitempty"`
	MailboxID string `json:"mailbox_id"`
	// MessageID is the RFC 5322 Message-ID without brackets (one made
	// from the content's hash for mail that has none).
	MessageID string   `json:"message_id"`
	TicketID  string   `json:"ticket_id"`
	CommentID string   `json:"comment_id"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Subject   string   `json:"subject"`
	// Status: in, MailImported or MailSkipped; out, MailQueued, MailSent
	// or MailFailed.
	Status string `json:"status"`
	// Reason says why a mail was skipped or failed (a ReasonMail… code
	// of the catalogue, which the UI translates).
	Reason *Reason `json:"reason,omitempty"`
	// Error is the server's answer to a failed delivery, as it gave it.
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
	// RawSHA256 is the blob of the mail as received (inbound).
	RawSHA256 string `json:"raw_sha256,omitempty"`
	// Key makes the record of one event unique (a survey's event key).
	Key       string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Directions, statuses and purposes of mail records.
const (
	MailIn  = "in"
	MailOut = "out"

	MailImported = "imported"
	MailSkipped  = "skipped"
	MailQueued   = "queued"
	MailSent     = "sent"
	MailFailed   = "failed"

	MailReply  = "reply"
	MailSurvey = "survey"
	MailAck    = "ack"
	// MailSignIn carries a requester's one-time link to "my tickets".
	MailSignIn = "signin"
	// MailConfirm asks a request form's customer to confirm their
	// address before the ticket is made; it belongs to no ticket.
	MailConfirm = "confirm"
)

// MailStatuses lists the statuses of each direction.
func MailStatuses(direction string) []string {
	if direction == MailOut {
		return []string{MailQueued, MailSent, MailFailed}
	}
	return []string{MailImported, MailSkipped}
}

// AsStored makes m what a store returns for it (see Agent.AsStored).
func (m *MailMessage) AsStored() {
	m.To = NonNil(m.To)
	if m.Reason != nil && m.Reason.Code == "" && m.Reason.Text == "" {
		m.Reason = nil
	}
	m.CreatedAt, m.UpdatedAt, m.SentAt = StoreTime(m.CreatedAt), StoreTime(m.UpdatedAt), StoreTimePtr(m.SentAt)
}

// MailFilter selects mail records for the admins' list, newest first.
type MailFilter struct {
	Direction string
	Status    []string
	MailboxID string
	TicketID  string
	Cursor    string
	Limit     int
}

// MailTemplate is one of the mails the service writes (an agent's reply
// wrapped, the satisfaction survey, the acknowledgement of a new ticket),
// as an admin edited it. Variables are written {{name}}; package email
// knows which each template may use and the defaults.
type MailTemplate struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Enabled turns the acknowledgement of new tickets on; replies and
	// surveys are always sent.
	Enabled   bool      `json:"enabled"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// MailTemplateNames lists the templates.
func MailTemplateNames() []string {
	return []string{MailReply, MailSurvey, MailAck, MailSignIn, MailConfirm}
}

// ValidMailTemplate reports whether name is a template's name.
func ValidMailTemplate(name string) bool { return slices.Contains(MailTemplateNames(), name) }

// MailTemplateUpdate is an admin's edit of a template.
type MailTemplateUpdate struct {
	Subject Opt[string] `json:"subject"`
	Body    Opt[string] `json:"body"`
	Enabled Opt[bool]   `json:"enabled"`
}

// AsStored makes t what a store returns for it (see Agent.AsStored).
func (t *MailTemplate) AsStored() { t.UpdatedAt = StoreTime(t.UpdatedAt) }

// TicketRef is the short reference of a ticket written into mail subjects
// as [#REF]: the last twelve hex digits of its id, the random part of a
// UUIDv7, so references are short and do not reveal when the ticket was
// made.
func TicketRef(ticketID string) string {
	if len(ticketID) != 36 {
		return ticketID
	}
	return ticketID[24:]
}

// MailReader holds the store's reads for the e-mail channel and for
// attachments.
type MailReader interface {
	Mailbox(ctx context.Context, id string) (*Mailbox, error)
	// Mailboxes lists mailboxes by name, then id.
	Mailboxes(ctx context.Context) ([]*Mailbox, error)

	MailMessage(ctx context.Context, id string) (*MailMessage, error)
	// MailByMessageID lists the records of any direction whose
	// Message-ID is one of ids, oldest first.
	MailByMessageID(ctx context.Context, ids []string) ([]*MailMessage, error)
	// InboundMail finds the inbound record of a Message-ID in a mailbox
	// ("" for mail posted to the API); ENOTFOUND when none.
	InboundMail(ctx context.Context, mailboxID, messageID string) (*MailMessage, error)
	// MailMessages lists records newest first (CreatedAt, then id), with
	// the ticket list's paging rules.
	MailMessages(ctx context.Context, f MailFilter) ([]*MailMessage, string, error)
	// TicketMail lists a ticket's mail records, oldest first.
	TicketMail(ctx context.Context, ticketID string) ([]*MailMessage, error)
	// MailByKey finds the record made for one event; ENOTFOUND when none.
	MailByKey(ctx context.Context, key string) (*MailMessage, error)

	// MailTemplate returns an admin's version of a template; ENOTFOUND
	// while it is the default.
	MailTemplate(ctx context.Context, name string) (*MailTemplate, error)

	// TicketByRef finds the ticket whose TicketRef is ref; ENOTFOUND when
	// none.
	TicketByRef(ctx context.Context, ref string) (*Ticket, error)

	// Attachments lists a ticket's attachments, its comments' included,
	// oldest first.
	Attachments(ctx context.Context, ticketID string) ([]*Attachment, error)
	Attachment(ctx context.Context, id string) (*Attachment, error)
	// Blob returns the content stored under a key; ENOTFOUND when none.
	Blob(ctx context.Context, sha256 string) ([]byte, error)
}

// MailWriter holds the store's writes for the same.
type MailWriter interface {
	// CreateMailbox stores a new mailbox at version 1; a second mailbox
	// with the same host, user name and folder is ECONFLICT.
	CreateMailbox(ctx context.Context, m *Mailbox) error
	UpdateMailbox(ctx context.Context, m *Mailbox) error // versioned like UpdateTicket
	// DeleteMailbox removes a mailbox; its mail records stay.
	DeleteMailbox(ctx context.Context, id string, version int) error
	// SetMailboxPosition moves a mailbox's position forward without
	// changing its version: a position within the same UIDVALIDITY
	// that is not ahead of the stored one is ignored, so two fetchers
	// racing can never move it back. ENOTFOUND for an unknown mailbox.
	SetMailboxPosition(ctx context.Context, id string, p MailPosition) error
	// SetMailboxState records what the fetcher saw, without changing the
	// mailbox's version.
	SetMailboxState(ctx context.Context, id string, s MailboxState) error

	// AddMailMessage stores a record: ECONFLICT when an inbound record of
	// the same mailbox has its Message-ID, or a record has its Key.
	AddMailMessage(ctx context.Context, m *MailMessage) error
	// UpdateMailMessage stores a record's status, reason, error,
	// attempts, ticket and comment, and SentAt.
	UpdateMailMessage(ctx context.Context, m *MailMessage) error

	// PutMailTemplate stores an admin's version of a template: a new one
	// when t.Version is 0 (ECONFLICT when there is one), else versioned
	// like UpdateTicket.
	PutMailTemplate(ctx context.Context, t *MailTemplate) error
	// DeleteMailTemplate brings back the default (versioned).
	DeleteMailTemplate(ctx context.Context, name string, version int) error

	// PutBlob stores content under its BlobSHA256 and returns the key;
	// content already stored is kept once. The embedded store writes the
	// file before the transaction commits; a file whose transaction did
	// not commit is removed by PruneBlobs.
	PutBlob(ctx context.Context, content []byte) (string, error)
	// AddAttachment stores an attachment whose blob PutBlob stored in
	// this transaction or before: EINVALID without a stored blob of
	// SHA256, ENOTFOUND for an unknown ticket.
	AddAttachment(ctx context.Context, a *Attachment) error
	// PruneBlobs removes stored content that nothing refers to and that
	// is older than before, and returns how many blobs went.
	PruneBlobs(ctx context.Context, before time.Time) (int, error)
}
