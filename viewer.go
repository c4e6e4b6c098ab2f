package triage

import (
	"context"
	"time"
)

// Viewer is a person with a ticket open, and whether they are writing a
// reply: what collision detection shows the others on the ticket.
// Viewers are ephemeral presence, not records: a heartbeat refreshes
// SeenAt, and one not refreshed for ViewerTTL is gone. Nothing is derived
// from them, so their writes stay out of the change log (a heartbeat every
// few seconds per open ticket would swamp the followers for nothing).
type Viewer struct {
	TicketID string    `json:"ticket_id"`
	AgentID  string    `json:"agent_id"`
	Typing   bool      `json:"typing"`
	SeenAt   time.Time `json:"seen_at"`
}

// ViewerTTL is how long a viewer counts after its last heartbeat.
const ViewerTTL = 30 * time.Second

// ViewerReader reads who has a ticket open.
type ViewerReader interface {
	// Viewers lists the viewers of a ticket seen at or after since,
	// ordered by agent id.
	Viewers(ctx context.Context, ticketID string, since time.Time) ([]*Viewer, error)
}

// ViewerWriter records presence on a ticket.
type ViewerWriter interface {
	// PutViewer stores or refreshes v (one row per ticket and agent).
	PutViewer(ctx context.Context, v *Viewer) error
	// DeleteViewer forgets an agent on a ticket; no error when absent.
	DeleteViewer(ctx context.Context, ticketID, agentID string) error
}
