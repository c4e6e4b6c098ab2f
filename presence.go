package triage

import (
	"context"
	"slices"
	"time"
)

// Presence is whether an agent is at work now: online, away or offline.
// It comes from activity (the last request or heartbeat of the agent's
// session or token) unless the agent has chosen one (PresenceOverride).
type Presence string

// The presences.
const (
	PresenceOnline  Presence = "online"
	PresenceAway    Presence = "away"
	PresenceOffline Presence = "offline"
)

// Presences lists every presence.
func Presences() []Presence { return []Presence{PresenceOnline, PresenceAway, PresenceOffline} }

// Valid reports whether p is a known presence.
func (p Presence) Valid() bool { return slices.Contains(Presences(), p) }

// How long after an agent's last activity they count as away, then
// offline. The web app sends a heartbeat every minute while it is open.
const (
	AwayAfter    = 5 * time.Minute
	OfflineAfter = 30 * time.Minute
)

// PresenceAt is the agent's presence at now: not Online (the admin's
// switch) is offline; then the agent's own choice; then activity. An
// agent never seen (one that works only through integrations, or created
// before presence was kept) is online while Online is set, as before.
func (a *Agent) PresenceAt(now time.Time) Presence {
	switch {
	case !a.Online:
		return PresenceOffline
	case a.PresenceOverride != "":
		return a.PresenceOverride
	case a.LastSeenAt == nil:
		return PresenceOnline
	case now.Sub(*a.LastSeenAt) >= OfflineAfter:
		return PresenceOffline
	case now.Sub(*a.LastSeenAt) >= AwayAfter:
		return PresenceAway
	}
	return PresenceOnline
}

// Available reports whether routing may give the agent new tickets at
// now: only when online. Away and offline agents get none.
func (a *Agent) Available(now time.Time) bool { return a.PresenceAt(now) == PresenceOnline }

// PresenceWriter records activity and an agent's own choice. Neither
// changes the agent's version: an admin's If-Match must not go stale
// because the agent is working.
type PresenceWriter interface {
	// TouchAgent records activity at at; it writes only when the stored
	// last activity is older than a minute, so a busy agent costs one
	// write a minute. It reports whether it wrote.
	TouchAgent(ctx context.Context, agentID string, at time.Time) (bool, error)
	// SetPresence sets the agent's own choice; empty returns to activity.
	SetPresence(ctx context.Context, agentID string, p Presence) error
}
