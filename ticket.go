package triage

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a ticket is in its lifecycle.
type Status string

const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting on the customer
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusNew, StatusOpen, StatusPending, StatusSolved, StatusClosed}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Next returns the statuses a ticket in s may move to. Closed is final: a
// customer who writes again after closing gets a new ticket, which keeps
// closed tickets usable as labelled data that no longer moves.
func (s Status) Next() []Status {
	switch s {
	case StatusNew:
		return []Status{StatusOpen, StatusPending, StatusSolved}
	case StatusOpen:
		return []Status{StatusPending, StatusSolved}
	case StatusPending:
		return []Status{StatusOpen, StatusSolved}
	case StatusSolved:
		return []Status{StatusOpen, StatusClosed}
	}
	return nil
}

// CanMoveTo reports whether the lifecycle allows s → to.
func (s Status) CanMoveTo(to Status) bool { return slices.Contains(s.Next(), to) }

// Active reports whether a ticket in s still counts against its assignee's
// capacity.
func (s Status) Active() bool {
	return s == StatusNew || s == StatusOpen || s == StatusPending
}

// Priority runs from P1 (urgent) to P4 (low).
type Priority string

const (
	P1 Priority = "P1" // urgent
	P2 Priority = "P2" // high
	P3 Priority = "P3" // normal
	P4 Priority = "P4" // low
)

// Priorities lists every priority, most urgent first.
func Priorities() []Priority { return []Priority{P1, P2, P3, P4} }

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.Rank() > 0 }

// Rank is 1 for P1 … 4 for P4, 0 for an unknown value; lower is more urgent.
func (p Priority) Rank() int { return slices.Index(Priorities(), p) + 1 }

// Channel is how the customer reached us.
type Channel string

const (
	ChannelWeb    Channel = "web"
	ChannelEmail  Channel = "email"
	ChannelPhone  Channel = "phone"
	ChannelWechat Channel = "wechat"
	ChannelAPI    Channel = "api"
	ChannelOther  Channel = "other"
)

// Channels lists every channel.
func Channels() []Channel {
	return []Channel{ChannelWeb, ChannelEmail, ChannelPhone, ChannelWechat, ChannelAPI, ChannelOther}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels(), c) }

// Check refuses a channel that is not one of Channels(), naming them in
// the message and in Allowed. The list is a contract (the README lists it,
// reports group by it, integrations set it); a finer source, such as an app,
// is a tag.
func (c Channel) Check(field string) error {
	if c.Valid() {
		return nil
	}
	names := make([]string, 0, len(Channels()))
	for _, ch := range Channels() {
		names = append(names, string(ch))
	}
	e := Invalid(field, "%s %q is not one of %s; for a finer source (an app, a campaign) use one of them and a tag", field, c, strings.Join(names, ", "))
	e.Allowed = names
	return e
}

// Requester is the customer a ticket is about.
type Requester struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Tier is the customer's service level, for example "vip"; rules and
	// priority read it.
	Tier string `json:"tier,omitempty"`
}

// Ticket is one customer request.
type Ticket struct {
	ID              string            `json:"id"`
	Title           string            `json:"title"`
	Body            string            `json:"body"`
	Requester       Requester         `json:"requester"`
	Channel         Channel           `json:"channel"`
	Tags            []string          `json:"tags"`
	Fields          map[string]string `json:"fields"`
	Status          Status            `json:"status"`
	Priority        Priority          `json:"priority"`
	Category        string            `json:"category"`
	AssigneeID      string            `json:"assignee_id"`
	TeamID          string            `json:"team_id"`
	NeedsReview     bool              `json:"needs_review"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	FirstResponseAt *time.Time        `json:"first_response_at"`
	SolvedAt        *time.Time        `json:"solved_at"`
	ClosedAt        *time.Time        `json:"closed_at"`
	// MergedInto is the ticket this one was merged into; a merged ticket
	// is closed and its conversation lives on in that one.
	MergedInto string `json:"merged_into"`
	Version    int    `json:"version"`

	// Triage is what the service predicted at intake. It is stored apart
	// from the current values so that accuracy against the value at close
	// can be measured; it is filled by reads that ask for it.
	Triage *TriageRecord `json:"triage,omitempty"`
	// Attachments are the files of the ticket's first message, filled by
	// the reads that show a ticket.
	Attachments []*Attachment `json:"attachments,omitempty"`

	// NextStatuses are the statuses the lifecycle allows from Status
	// (Status.Next), so that a client offers exactly the moves the
	// service accepts. MarshalJSON fills it; it is never stored and is
	// ignored on input.
	NextStatuses []Status `json:"next_statuses"`
}

// MarshalJSON writes the ticket with its NextStatuses. (A type that embeds
// Ticket would take this method and lose its own fields: name the field
// instead.)
func (t Ticket) MarshalJSON() ([]byte, error) {
	type plain Ticket // the fields, without this method
	p := plain(t)
	p.NextStatuses = t.Status.Next()
	if p.NextStatuses == nil {
		p.NextStatuses = []Status{}
	}
	return json.Marshal(p)
}

// Limits on ticket input. Body is measured in bytes because that is what a
// client's buffer and our storage care about.
const (
	MaxTitleRunes  = 500
	MaxBodyBytes   = 64 << 10
	MaxTags        = 20
	MaxTagRunes    = 50
	MaxFields      = 50
	MaxFieldKey    = 64
	MaxFieldValue  = 1024
	MaxNameRunes   = 200
	MaxTierRunes   = 32
	MaxCommentSize = 64 << 10
)

var (
	phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 \-]{4,30}$`)
	tokenRe = regexp.MustCompile(`^[\p{L}\p{N}_\-.:/]+$`)
)

// CleanTags trims, lower-cases and de-duplicates tags in their first order and
// checks each one; field is the JSON name used in errors.
func CleanTags(field string, tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for i, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "":
			return nil, Invalid(field, "%s[%d] is empty", field, i)
		case utf8.RuneCountInString(t) > MaxTagRunes:
			return nil, Invalid(field, "%s[%d] is longer than %d characters", field, i, MaxTagRunes)
		case !tokenRe.MatchString(t):
			return nil, Invalid(field, "%s[%d] %q may only hold letters, digits and _-.:/", field, i, t)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, Invalid(field, "%s has %d entries; at most %d are allowed", field, len(out), MaxTags)
	}
	return out, nil
}

// PhoneRule says what a requester's phone number may be, in the words of
// ValidPhone.
const PhoneRule = "5 to 20 digits, which spaces and dashes may group, with an optional leading + (at most 31 characters), like 13800138000, 010-12345678 or +86 138 0013 8000"

// ValidPhone reports whether s is a phone number as PhoneRule says.
func ValidPhone(s string) bool {
	if !phoneRe.MatchString(s) {
		return false
	}
	digits := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return digits >= 5 && digits <= 20
}

// Validate checks a requester and normalises its fields in place.
func (r *Requester) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.Phone = strings.TrimSpace(r.Phone)
	r.Tier = strings.ToLower(strings.TrimSpace(r.Tier))
	if utf8.RuneCountInString(r.Name) > MaxNameRunes {
		return Invalid("requester.name", "requester.name is longer than %d characters", MaxNameRunes)
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || a.Name != "" {
			return Invalid("requester.email", "requester.email %q is not an e-mail address", r.Email)
		}
	}
	if r.Phone != "" && !ValidPhone(r.Phone) {
		return Invalid("requester.phone", "requester.phone %q is not a phone number: %s", r.Phone, PhoneRule)
	}
	if utf8.RuneCountInString(r.Tier) > MaxTierRunes || (r.Tier != "" && !tokenRe.MatchString(r.Tier)) {
		return Invalid("requester.tier", "requester.tier must be a short word such as vip")
	}
	return nil
}

// ValidateText checks a title and body.
func ValidateText(title, body string) error {
	switch {
	case strings.TrimSpace(title) == "":
		return Invalid("title", "title is required")
	case !utf8.ValidString(title):
		return Invalid("title", "title is not valid UTF-8")
	case utf8.RuneCountInString(title) > MaxTitleRunes:
		return Invalid("title", "title is longer than %d characters", MaxTitleRunes)
	case !utf8.ValidString(body):
		return Invalid("body", "body is not valid UTF-8")
	case len(body) > MaxBodyBytes:
		return Invalid("body", "body is %d bytes; at most %d are allowed", len(body), MaxBodyBytes)
	}
	return nil
}

// ValidateFields checks custom fields.
func ValidateFields(fields map[string]string) error {
	if len(fields) > MaxFields {
		return Invalid("fields", "fields has %d keys; at most %d are allowed", len(fields), MaxFields)
	}
	for k, v := range fields {
		switch {
		case k == "" || len(k) > MaxFieldKey || !tokenRe.MatchString(k):
			return Invalid("fields", "field name %q must be 1-%d letters, digits or _-.:/", k, MaxFieldKey)
		case len(v) > MaxFieldValue || !utf8.ValidString(v):
			return Invalid("fields."+k, "fields.%s must be valid UTF-8 of at most %d bytes", k, MaxFieldValue)
		}
	}
	return nil
}

// TicketFilter selects tickets for a list. Zero values mean "any".
type TicketFilter struct {
	Status     []Status
	AssigneeID string
	Unassigned bool
	TeamID     string
	// TeamIDs, when not nil, keeps the tickets of any of these teams (an
	// empty list keeps none): the "my team" view of an agent in several.
	TeamIDs     []string
	Category    string
	Priority    Priority
	Tag         string
	RequesterID string // requester e-mail or phone, for repeat-contact checks
	NeedsReview *bool
	CreatedFrom time.Time
	CreatedTo   time.Time
	// Query is a search as the client typed it (q); the service cuts it
	// into Terms, which are what stores read.
	Query string
	// Terms, when given, select the tickets whose normalised title or
	// body contains any of them, and list them by relevance rather than
	// newest first (see QueryTerms and RankTickets). They are normalised
	// text, as QueryTerms returns them.
	Terms []string
	// Sort is the list's order; empty is SortCreated. A search (Terms)
	// lists by relevance and takes no Sort.
	Sort   TicketSort
	Cursor string
	Limit  int
}

// Comment is a public reply or an internal note on a ticket.
type Comment struct {
	ID       string `json:"id"`
	TicketID string `json:"ticket_id"`
	// AuthorID is the agent who wrote it, or empty for the requester.
	AuthorID string `json:"author_id"`
	// FromRequester marks a message from the customer, posted by an
	// integration (mail, WeChat) on the customer's behalf.
	FromRequester bool      `json:"from_requester"`
	Body          string    `json:"body"`
	Public        bool      `json:"public"`
	CreatedAt     time.Time `json:"created_at"`

	// Attachments and Mail are filled by the reads that show a
	// conversation: the comment's files, and the mail it came in as or
	// went out as (with its delivery state), if any.
	Attachments []*Attachment `json:"attachments,omitempty"`
	Mail        *MailMessage  `json:"mail,omitempty"`
	// WeChat is the 微信客服 message the comment came in as or went out
	// as, with its delivery state, if any.
	WeChat *WeChatMessage `json:"wechat,omitempty"`
}

// HistoryEntry is one change to one field of a ticket.
type HistoryEntry struct {
	ID       string    `json:"id"`
	TicketID string    `json:"ticket_id"`
	Actor    string    `json:"actor"` // token or agent that made the change, or "system"
	At       time.Time `json:"at"`
	Field    string    `json:"field"`
	Old      string    `json:"old"`
	New      string    `json:"new"`
	// Note is what the person who made the change wrote (or, in entries
	// an older version wrote, the service's explanation as a sentence).
	Note string `json:"note,omitempty"`
	// Why explains a change the service made itself (triage, routing,
	// SLA, merges) or the default meaning of one a person made.
	Why Reasons `json:"why,omitempty"`
}
