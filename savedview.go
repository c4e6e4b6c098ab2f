package triage

import (
	"context"
	"time"
	"unicode/utf8"
)

// SavedView is a person's named inbox: the filters and order of a ticket
// list, kept as the query string GET /v1/tickets takes (status=open&sort=
// sla_due), so that a view means what the same link means. Each person's
// names are distinct; saving a name again replaces its query.
type SavedView struct {
	ID        string    `json:"id"`
	AgentID   string    `json:"agent_id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits of saved views.
const (
	MaxViewName     = 60
	MaxViewQuery    = 2000
	MaxViewsPerUser = 50
)

// SavedViewReader reads saved views.
type SavedViewReader interface {
	// SavedViews lists an agent's views by name.
	SavedViews(ctx context.Context, agentID string) ([]*SavedView, error)
}

// SavedViewWriter writes them.
type SavedViewWriter interface {
	// SaveView stores v, or, when the agent has a view of that name,
	// replaces its query (v then gets that view's id and CreatedAt).
	SaveView(ctx context.Context, v *SavedView) error
	// DeleteView deletes an agent's view; another's is not found.
	DeleteView(ctx context.Context, agentID, id string) error
}

// CheckSavedView checks a view before a store writes it.
func CheckSavedView(v *SavedView) error {
	for _, f := range []struct{ name, v string }{{"id", v.ID}, {"agent_id", v.AgentID}, {"name", v.Name}} {
		if err := Required(f.name, f.v); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(v.Name) > MaxViewName {
		return Invalid("name", "name is longer than %d characters", MaxViewName)
	}
	if len(v.Query) > MaxViewQuery {
		return Invalid("query", "query is longer than %d bytes", MaxViewQuery)
	}
	return nil
}
