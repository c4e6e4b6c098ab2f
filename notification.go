package triage

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// NotificationKind says why a person is told something.
type NotificationKind string

// The kinds of in-app notification.
const (
	NotifyAssigned        NotificationKind = "assigned"         // a ticket was assigned to you
	NotifyCustomerReplied NotificationKind = "customer_replied" // the customer wrote on your ticket
	NotifySLAWarning      NotificationKind = "sla_warning"      // a target of your (team's) ticket is about to breach
	NotifySLABreached     NotificationKind = "sla_breached"     // it has breached
	NotifyMention         NotificationKind = "mention"          // someone @mentioned you in an internal note
)

// NotificationKinds lists every kind.
func NotificationKinds() []NotificationKind {
	return []NotificationKind{NotifyAssigned, NotifyCustomerReplied, NotifySLAWarning, NotifySLABreached, NotifyMention}
}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool { return slices.Contains(NotificationKinds(), k) }

// Notification is one entry of a person's notification centre.
type Notification struct {
	// ID is derived from the event that caused it and its recipient, so
	// an event handled twice notifies once.
	ID          string           `json:"id"`
	AgentID     string           `json:"agent_id"`
	Kind        NotificationKind `json:"kind"`
	TicketID    string           `json:"ticket_id"`
	TicketTitle string           `json:"ticket_title"`
	// Actor is who caused it (an agent id), or empty for the service or
	// the customer.
	Actor string `json:"actor"`
	// Detail is the SLA metric of an SLA notification.
	Detail    string     `json:"detail"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// NotificationReader reads notification centres.
type NotificationReader interface {
	Notification(ctx context.Context, id string) (*Notification, error)
	// Notifications lists an agent's notifications, newest first (then
	// by id); unread keeps only those not read. limit ≤ 0 means 50.
	Notifications(ctx context.Context, agentID string, unread bool, limit int) ([]*Notification, error)
	// NotificationPrefs returns a person's choices; ones with an empty
	// Mail (and a zero UpdatedAt) when they never chose.
	NotificationPrefs(ctx context.Context, agentID string) (*NotificationPrefs, error)
}

// NotificationWriter writes them.
type NotificationWriter interface {
	// AddNotification stores n and logs (notification, id, create); one
	// whose id is stored already is left as it is, without error.
	AddNotification(ctx context.Context, n *Notification) error
	// ReadNotifications marks an agent's unread notifications read at
	// at: those of ids, or every one when ids is nil. It returns how
	// many it marked.
	ReadNotifications(ctx context.Context, agentID string, ids []string, at time.Time) (int, error)
	// PutNotificationPrefs saves a person's choices (kinds valid, no
	// repeats); ENOTFOUND when there is no such agent.
	PutNotificationPrefs(ctx context.Context, p *NotificationPrefs) error
}

// NotificationPrefs are what a person chose about their notifications:
// which kinds also come by e-mail (issue 18). Every kind is always in the
// in-app centre.
type NotificationPrefs struct {
	AgentID string `json:"agent_id"`
	// Mail lists the kinds also sent by e-mail, in NotificationKinds
	// order.
	Mail      []NotificationKind `json:"mail"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// Mails reports whether kind k also comes by e-mail.
func (p *NotificationPrefs) Mails(k NotificationKind) bool { return slices.Contains(p.Mail, k) }

// NotificationPrefsChange is a person's change of their choices.
type NotificationPrefsChange struct {
	Mail []NotificationKind `json:"mail"`
}

// Normalize checks the kinds and puts them in NotificationKinds order
// without repeats.
func (c NotificationPrefsChange) Normalize() ([]NotificationKind, error) {
	if c.Mail == nil {
		return nil, Invalid("mail", "mail is required: the notification kinds to also send by e-mail ([] for none)")
	}
	for i, k := range c.Mail {
		if !k.Valid() {
			return nil, &Error{Code: EINVALID, Field: "mail", Message: fmt.Sprintf("mail[%d] = %q is not a notification kind", i, k), Allowed: kindStrings()}
		}
	}
	out := []NotificationKind{}
	for _, k := range NotificationKinds() {
		if slices.Contains(c.Mail, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func kindStrings() []string {
	var out []string
	for _, k := range NotificationKinds() {
		out = append(out, string(k))
	}
	return out
}
