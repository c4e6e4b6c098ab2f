package triage

import (
	"context"
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
}
