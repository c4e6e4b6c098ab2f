package desk

import (
	"context"

	"github.com/triagehq/triage"
)

// Heartbeat records the calling agent's activity (the web app sends one a
// minute while it is open) and returns the agent with its presence. An
// agent who comes back from away gets the waiting tickets routing holds
// for them, in the same transaction.
func (s *Service) Heartbeat(ctx context.Context) (*triage.Agent, error) {
	return s.presence(ctx, func(tx triage.Tx, id string) error {
		_, err := tx.TouchAgent(ctx, id, s.now())
		return err
	})
}

// SetPresence sets the calling agent's own choice: online, away or
// offline, or empty to follow activity. Choosing it is activity too.
func (s *Service) SetPresence(ctx context.Context, p triage.Presence) (*triage.Agent, error) {
	if p != "" && !p.Valid() {
		return nil, &triage.Error{Code: triage.EINVALID, Field: "presence", Allowed: []string{"", "online", "away", "offline"},
			Message: "presence " + string(p) + " is not one of online, away, offline (or empty to follow activity)"}
	}
	return s.presence(ctx, func(tx triage.Tx, id string) error {
		if err := tx.SetPresence(ctx, id, p); err != nil {
			return err
		}
		_, err := tx.TouchAgent(ctx, id, s.now())
		return err
	})
}

func (s *Service) presence(ctx context.Context, write func(tx triage.Tx, id string) error) (*triage.Agent, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return nil, triage.Errorf(triage.ECONFLICT, "presence belongs to an agent: this caller is not one; sign in as one")
	}
	var a *triage.Agent
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		before, err := tx.Agent(ctx, p.AgentID)
		if err != nil {
			return err
		}
		if err := write(tx, p.AgentID); err != nil {
			return err
		}
		if a, err = tx.Agent(ctx, p.AgentID); err != nil {
			return err
		}
		now := s.now()
		return s.drain(ctx, tx, !before.Available(now) && a.Available(now))
	})
	if err != nil {
		return nil, err
	}
	a.Presence = a.PresenceAt(s.now())
	return a, nil
}
