package triage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// The customer's side (issue 19): what the request form, the requesters'
// portal and the answer API for bots record, so that deflection can be
// measured honestly.

// HelpEventKind is one kind of customer-side event.
type HelpEventKind string

const (
	// HelpSearch is a help-centre search with a query.
	HelpSearch HelpEventKind = "search"
	// HelpView is a public article opened.
	HelpView HelpEventKind = "view"
	// HelpHelpful is "这篇文章有帮助吗？" answered yes.
	HelpHelpful HelpEventKind = "helpful"
	// HelpSolved is "解决了" answered on an article the request form
	// suggested: the customer left without a ticket.
	HelpSolved HelpEventKind = "solved"
	// HelpForm is a request-form session that was shown articles.
	HelpForm HelpEventKind = "form"
	// HelpTicket is a request form that ended in a ticket.
	HelpTicket HelpEventKind = "ticket"
	// HelpAnswer is a bot answer given (no handover).
	HelpAnswer HelpEventKind = "answer"
	// HelpHandover is a bot question handed to a person.
	HelpHandover HelpEventKind = "handover"
)

// HelpEventKinds lists every kind.
func HelpEventKinds() []HelpEventKind {
	return []HelpEventKind{HelpSearch, HelpView, HelpHelpful, HelpSolved, HelpForm, HelpTicket, HelpAnswer, HelpHandover}
}

// Valid reports whether k is a known kind.
func (k HelpEventKind) Valid() bool { return slices.Contains(HelpEventKinds(), k) }

// HelpEvent is one thing a customer did on the customer's side. Contact is
// never the address itself but ContactKey of it, so the log can match a
// later ticket from the same person without keeping who they are.
type HelpEvent struct {
	ID        string        `json:"id"`
	Kind      HelpEventKind `json:"kind"`
	Session   string        `json:"session,omitempty"`
	Contact   string        `json:"contact,omitempty"`
	Category  string        `json:"category,omitempty"`
	ArticleID string        `json:"article_id,omitempty"`
	TicketID  string        `json:"ticket_id,omitempty"`
	// Query is what was searched or asked (bots' questions are logged
	// with their answer, Detail).
	Query      string    `json:"query,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Confidence float64   `json:"confidence"`
	CreatedAt  time.Time `json:"created_at"`
}

// ContactKey is the form of an e-mail address or a phone number kept in
// the help events: lower-cased, PhoneDigits for a phone, hashed. "" for
// "".
func ContactKey(contact string) string {
	c := strings.ToLower(strings.TrimSpace(contact))
	if c == "" {
		return ""
	}
	if !strings.Contains(c, "@") {
		// PhoneDigits, so that +86 138-0013-8000 from a bot and
		// 13800138000 on a later ticket are the same contact.
		if c = PhoneDigits(c); c == "" {
			return ""
		}
	}
	sum := sha256.Sum256([]byte("triage contact\x00" + c))
	return hex.EncodeToString(sum[:16])
}

// RequesterSession is a customer signed in to "my tickets" by a one-time
// link: found by the hash of its cookie's secret, for one e-mail address;
// or by an SMS code, for one phone number (PhoneDigits), and then Email is
// "".
type RequesterSession struct {
	Hash      string
	Email     string
	Phone     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// HelpRequest is a request-form submission held until its customer
// confirms their e-mail address: the form as sent (Payload, JSON, files
// included), kept until ExpiresAt.
type HelpRequest struct {
	ID        string
	Email     string
	Payload   []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PortalReader holds the store's reads for the customer's side.
type PortalReader interface {
	// HelpRequest returns a held request; ENOTFOUND when there is none
	// (or it expired at now).
	HelpRequest(ctx context.Context, id string, now time.Time) (*HelpRequest, error)
	// HelpEvents lists the events created in [from, to), oldest first.
	HelpEvents(ctx context.Context, from, to time.Time) ([]*HelpEvent, error)
	// RequesterSession returns the live session with hash at now;
	// ENOTFOUND for an unknown, expired or revoked one.
	RequesterSession(ctx context.Context, hash string, now time.Time) (*RequesterSession, error)
}

// PortalWriter holds the store's writes for the customer's side.
type PortalWriter interface {
	AddHelpEvent(ctx context.Context, e *HelpEvent) error
	CreateRequesterSession(ctx context.Context, s *RequesterSession) error
	// DeleteRequesterSession signs a session out; absent is no error.
	DeleteRequesterSession(ctx context.Context, hash string) error
	// PutHelpRequest holds a request, and drops the held requests that
	// expired before its CreatedAt.
	PutHelpRequest(ctx context.Context, r *HelpRequest) error
	// DeleteHelpRequest drops a held request; absent is no error.
	DeleteHelpRequest(ctx context.Context, id string) error
}
