package desk

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// viewOwner is the agent whose views the caller reads and writes: views
// are a person's own, so a caller that is not an agent (an integration's
// token) has none.
func viewOwner(ctx context.Context) (string, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return "", triage.Errorf(triage.ECONFLICT, "saved views belong to a person: this caller is not an agent; sign in as one")
	}
	return p.AgentID, nil
}

// SavedViews lists the caller's saved views by name.
func (s *Service) SavedViews(ctx context.Context) ([]*triage.SavedView, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return []*triage.SavedView{}, nil
	}
	return s.Store.SavedViews(ctx, p.AgentID)
}

// SaveView saves the caller's view of name with query (already checked by
// the API against the ticket list's parameters); a view of that name is
// replaced.
func (s *Service) SaveView(ctx context.Context, name, query string) (*triage.SavedView, error) {
	agent, err := viewOwner(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	now := s.now()
	v := &triage.SavedView{ID: triage.NewID(), AgentID: agent, Name: name, Query: query, CreatedAt: now, UpdatedAt: now}
	if err := triage.CheckSavedView(v); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		views, err := tx.SavedViews(ctx, agent)
		if err != nil {
			return err
		}
		if len(views) >= triage.MaxViewsPerUser && !hasView(views, name) {
			return triage.Invalid("name", "you have %d saved views, the most one person may keep: delete one first", len(views))
		}
		return tx.SaveView(ctx, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func hasView(views []*triage.SavedView, name string) bool {
	for _, v := range views {
		if v.Name == name {
			return true
		}
	}
	return false
}

// DeleteView deletes one of the caller's views.
func (s *Service) DeleteView(ctx context.Context, id string) error {
	agent, err := viewOwner(ctx)
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error { return tx.DeleteView(ctx, agent, id) })
}
