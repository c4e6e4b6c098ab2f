package triage

import (
	"bytes"
	"encoding/json"
)

// Opt is one field of a partial update: absent (leave it), a value (set it)
// or null (clear it). JSON merge-patch needs all three, which a pointer
// cannot tell apart.
type Opt[T any] struct {
	Set  bool // the field was present
	Null bool // it was present and null
	V    T
}

// Some returns an Opt that sets v.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// UnmarshalJSON records presence; it is only called for present fields.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// MarshalJSON writes the value, or null when unset.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// NewTicket is what a client may send to create a ticket. Fields the service
// owns (id, status, times, version) are absent, so sending them is an
// unknown-field error rather than silently ignored.
type NewTicket struct {
	Title     string            `json:"title"`
	Body      string            `json:"body"`
	Requester Requester         `json:"requester"`
	Channel   Channel           `json:"channel"`
	Tags      []string          `json:"tags"`
	Fields    map[string]string `json:"fields"`
	// Priority, Category, AssigneeID and TeamID, when given, are manual
	// choices that win over triage; triage still records its prediction.
	Priority   Priority `json:"priority"`
	Category   string   `json:"category"`
	AssigneeID string   `json:"assignee_id"`
	TeamID     string   `json:"team_id"`
	// Attachments are files of the first message (base64 in JSON, or
	// multipart parts; see the README).
	Attachments []NewAttachment `json:"attachments"`
}

// TicketUpdate is a partial update of a ticket.
type TicketUpdate struct {
	Title       Opt[string]            `json:"title"`
	Body        Opt[string]            `json:"body"`
	Requester   Opt[Requester]         `json:"requester"`
	Channel     Opt[Channel]           `json:"channel"`
	Tags        Opt[[]string]          `json:"tags"`
	Fields      Opt[map[string]string] `json:"fields"`
	Status      Opt[Status]            `json:"status"`
	Priority    Opt[Priority]          `json:"priority"`
	Category    Opt[string]            `json:"category"`
	AssigneeID  Opt[string]            `json:"assignee_id"`
	TeamID      Opt[string]            `json:"team_id"`
	NeedsReview Opt[bool]              `json:"needs_review"`
	// Note is recorded in the history beside the change, e.g. why a
	// category was corrected.
	Note string `json:"note"`
	// Why is recorded in the history when the service itself makes the
	// change (an SLA escalation); clients cannot send it.
	Why Reasons `json:"-"`
}

// NewComment is a reply or internal note.
type NewComment struct {
	Body   string `json:"body"`
	Public bool   `json:"public"`
	// FromRequester marks a message the customer sent, posted by an
	// integration on their behalf; it is always public.
	FromRequester bool `json:"from_requester"`
	// Attachments are files sent with it (base64 in JSON, or multipart
	// parts; see the README).
	Attachments []NewAttachment `json:"attachments"`
	// WrittenAfter is the id of the newest comment the writer had seen
	// when they began writing ("" when the ticket had none). When it is
	// sent, a public reply is refused (412, reason ticket.newer_reply)
	// if another agent added a public reply after it, unless Force.
	WrittenAfter Opt[string] `json:"written_after"`
	// Force sends the reply over a newer one all the same: the writer
	// was told and chose to.
	Force bool `json:"force"`
}

// NewAgent creates an agent.
type NewAgent struct {
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Skills   []string `json:"skills"`
	Capacity *int     `json:"capacity"`
	Online   bool     `json:"online"`
}

// AgentUpdate is a partial update of an agent.
type AgentUpdate struct {
	Name     Opt[string]   `json:"name"`
	Email    Opt[string]   `json:"email"`
	Skills   Opt[[]string] `json:"skills"`
	Capacity Opt[int]      `json:"capacity"`
	Online   Opt[bool]     `json:"online"`
}

// NewTeam creates a team.
type NewTeam struct {
	Name       string   `json:"name"`
	Members    []string `json:"members"`
	LeadID     string   `json:"lead_id"`
	Categories []string `json:"categories"`
}

// TeamUpdate is a partial update of a team.
type TeamUpdate struct {
	Name       Opt[string]   `json:"name"`
	Members    Opt[[]string] `json:"members"`
	LeadID     Opt[string]   `json:"lead_id"`
	Categories Opt[[]string] `json:"categories"`
}

// NewToken creates an API token.
type NewToken struct {
	Name    string `json:"name"`
	Role    Role   `json:"role"`
	AgentID string `json:"agent_id"`
}

// DefaultCapacity is an agent's capacity when none is given.
const DefaultCapacity = 20
