package desk

import (
	"context"
	"slices"

	"github.com/triagehq/triage"
)

// CreateAgent adds an agent.
func (s *Service) CreateAgent(ctx context.Context, in triage.NewAgent, idem *triage.Idempotency) (*triage.Agent, error) {
	now := s.now()
	a := &triage.Agent{ID: triage.NewID(), Name: in.Name, Email: in.Email, Skills: in.Skills, Capacity: triage.DefaultCapacity, Online: in.Online, CreatedAt: now, UpdatedAt: now}
	if in.Capacity != nil {
		a.Capacity = *in.Capacity
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Agent, error) {
		if err := tx.CreateAgent(ctx, a); err != nil {
			return nil, err
		}
		return a, s.drain(ctx, tx, a.Online)
	})
}

// Agent returns one agent.
func (s *Service) Agent(ctx context.Context, id string) (*triage.Agent, error) {
	return s.Store.Agent(ctx, id)
}

// Agents lists every agent.
func (s *Service) Agents(ctx context.Context) ([]*triage.Agent, error) { return s.Store.Agents(ctx) }

// AgentLoads returns every agent's active tickets.
func (s *Service) AgentLoads(ctx context.Context) (map[string]triage.AgentLoad, error) {
	return s.Store.AgentLoads(ctx)
}

// UpdateAgent changes an agent. Coming online or gaining capacity or skills
// lets the router hand it queued tickets in the same transaction.
func (s *Service) UpdateAgent(ctx context.Context, id string, version int, u triage.AgentUpdate) (*triage.Agent, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Agent, error) {
		a, err := tx.Agent(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("agent "+id, a.Version, version); err != nil {
			return nil, err
		}
		before := *a
		if u.Name.Set {
			a.Name = u.Name.V
		}
		if u.Email.Set {
			a.Email = u.Email.V
		}
		if u.Skills.Set {
			a.Skills = u.Skills.V
		}
		if u.Capacity.Set {
			if u.Capacity.Null {
				return nil, triage.Invalid("capacity", "capacity cannot be null")
			}
			a.Capacity = u.Capacity.V
		}
		if u.Online.Set {
			a.Online = u.Online.V
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
		a.UpdatedAt = s.now()
		if err := tx.UpdateAgent(ctx, a); err != nil {
			return nil, err
		}
		freed := (a.Online && !before.Online) || a.Capacity > before.Capacity || !slices.Equal(a.Skills, before.Skills)
		return a, s.drain(ctx, tx, a.Online && freed)
	})
}

// DeleteAgent removes an agent who holds no active tickets, takes it off
// its teams and revokes every token tied to it, in the same transaction:
// a deleted agent's credentials stop working at once, not when someone
// remembers them. It refuses when that would revoke the last active admin
// token, as RevokeToken does.
func (s *Service) DeleteAgent(ctx context.Context, id string, version int) error {
	_, err := write(ctx, s, nil, nil, func(tx triage.Tx) (struct{}, error) {
		a, err := tx.Agent(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := checkVersion("agent "+id, a.Version, version); err != nil {
			return struct{}{}, err
		}
		loads, err := tx.AgentLoads(ctx)
		if err != nil {
			return struct{}{}, err
		}
		if n := loads[id].Open; n > 0 {
			return struct{}{}, triage.Errorf(triage.ECONFLICT, "agent %s holds %d active tickets; reassign them first", a.Name, n)
		}
		teams, err := tx.Teams(ctx)
		if err != nil {
			return struct{}{}, err
		}
		for _, t := range teams {
			if !slices.Contains(t.Members, id) {
				continue
			}
			t.Members = slices.DeleteFunc(t.Members, func(m string) bool { return m == id })
			if t.LeadID == id {
				t.LeadID = ""
			}
			t.UpdatedAt = s.now()
			if err := tx.UpdateTeam(ctx, t); err != nil {
				return struct{}{}, err
			}
		}
		if err := s.revokeAgentTokens(ctx, tx, a); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, tx.DeleteAgent(ctx, id, a.Version)
	})
	return err
}

// revokeAgentTokens revokes every active token of agent a inside tx.
func (s *Service) revokeAgentTokens(ctx context.Context, tx triage.Tx, a *triage.Agent) error {
	all, err := tx.Tokens(ctx)
	if err != nil {
		return err
	}
	var mine []*triage.Token
	admins, adminsMine := 0, 0
	for _, t := range all {
		if t.RevokedAt != nil {
			continue
		}
		if t.Role == triage.RoleAdmin {
			admins++
		}
		if t.AgentID == a.ID {
			mine = append(mine, t)
			if t.Role == triage.RoleAdmin {
				adminsMine++
			}
		}
	}
	if adminsMine > 0 && adminsMine == admins {
		return triage.Errorf(triage.ECONFLICT, "agent %s holds the last active admin token; create another admin token first", a.Name)
	}
	now := s.now()
	for _, t := range mine {
		if err := tx.RevokeToken(ctx, t.ID, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) drain(ctx context.Context, tx triage.Tx, yes bool) error {
	if !yes || s.Router == nil {
		return nil
	}
	h, err := s.Router.Drain(ctx, tx)
	if err != nil {
		return err
	}
	for _, e := range h {
		if err := s.addHistory(ctx, tx, e.TicketID, []*triage.HistoryEntry{e}); err != nil {
			return err
		}
	}
	return nil
}

// CreateTeam adds a team of existing agents.
func (s *Service) CreateTeam(ctx context.Context, in triage.NewTeam, idem *triage.Idempotency) (*triage.Team, error) {
	now := s.now()
	t := &triage.Team{ID: triage.NewID(), Name: in.Name, Members: in.Members, LeadID: in.LeadID, Categories: in.Categories, CreatedAt: now, UpdatedAt: now}
	if t.Members == nil {
		t.Members = []string{}
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Team, error) {
		if err := checkMembers(ctx, tx, t.Members); err != nil {
			return nil, err
		}
		return t, tx.CreateTeam(ctx, t)
	})
}

// Team returns one team.
func (s *Service) Team(ctx context.Context, id string) (*triage.Team, error) {
	return s.Store.Team(ctx, id)
}

// Teams lists every team.
func (s *Service) Teams(ctx context.Context) ([]*triage.Team, error) { return s.Store.Teams(ctx) }

// UpdateTeam changes a team.
func (s *Service) UpdateTeam(ctx context.Context, id string, version int, u triage.TeamUpdate) (*triage.Team, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Team, error) {
		t, err := tx.Team(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("team "+id, t.Version, version); err != nil {
			return nil, err
		}
		if u.Name.Set {
			t.Name = u.Name.V
		}
		if u.Members.Set {
			t.Members = u.Members.V
		}
		if u.LeadID.Set {
			t.LeadID = u.LeadID.V
		}
		if u.Categories.Set {
			t.Categories = u.Categories.V
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if err := checkMembers(ctx, tx, t.Members); err != nil {
			return nil, err
		}
		t.UpdatedAt = s.now()
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return nil, err
		}
		return t, s.drain(ctx, tx, u.Members.Set || u.Categories.Set)
	})
}

// DeleteTeam removes a team whose queue is empty.
func (s *Service) DeleteTeam(ctx context.Context, id string, version int) error {
	_, err := write(ctx, s, nil, nil, func(tx triage.Tx) (struct{}, error) {
		t, err := tx.Team(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := checkVersion("team "+id, t.Version, version); err != nil {
			return struct{}{}, err
		}
		waiting, _, err := tx.Tickets(ctx, triage.TicketFilter{TeamID: id, Status: []triage.Status{triage.StatusNew, triage.StatusOpen, triage.StatusPending}, Limit: 1})
		if err != nil {
			return struct{}{}, err
		}
		if len(waiting) > 0 {
			return struct{}{}, triage.Errorf(triage.ECONFLICT, "team %s still has active tickets; move them to another team first", t.Name)
		}
		return struct{}{}, tx.DeleteTeam(ctx, id, t.Version)
	})
	return err
}

func checkMembers(ctx context.Context, tx triage.Reader, ids []string) error {
	for i, id := range ids {
		if _, err := tx.Agent(ctx, id); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid("members", "members[%d] %q names no agent", i, id)
		} else if err != nil {
			return err
		}
	}
	return nil
}
