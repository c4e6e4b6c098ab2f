package account

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// SSOIdentity is a person the OpenID Connect provider vouched for, with
// the role and team its claims map to (package oidc does the mapping).
type SSOIdentity struct {
	Issuer, Subject string
	Email, Name     string
	Role            triage.Role
	// Team is a team's id or name; "" for none.
	Team string
	// IDToken is the provider's ID token, kept only in the sign-out
	// cookie (the id_token_hint of the provider's sign-out); never stored.
	IDToken string `json:"-"`
}

// SignInSSO opens a session for a person the provider signed in, making
// their account just in time. The account is found by the provider's
// subject; the first time, by the verified e-mail address of an existing
// agent (whose account is then linked to the subject for good), else a
// new agent and account are made. The role follows the provider's claims
// at every sign-in, so that a change made there applies here; the team
// is joined when the claims name one. A deactivated account stays out.
func (s *Service) SignInSSO(ctx context.Context, id SSOIdentity, from Client) (*Started, error) {
	if id.Issuer == "" || id.Subject == "" || id.Email == "" {
		return nil, triage.Errorf(triage.EUNAUTHORIZED, "the sign-in provider's answer names nobody")
	}
	if err := personRole(id.Role); err != nil {
		return nil, &triage.Error{Code: triage.EFORBIDDEN, Field: "role", Message: "the role the provider's claims map to may not sign in"}
	}
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = id.Email
	}
	agentID := ""
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		acc, err := tx.AccountBySSO(ctx, id.Issuer, id.Subject)
		if triage.IsCode(err, triage.ENOTFOUND) {
			acc = nil
		} else if err != nil {
			return err
		}
		if acc == nil {
			agent, err := agentByEmail(ctx, tx, id.Email)
			if err != nil {
				return err
			}
			if agent == nil {
				agent = &triage.Agent{ID: triage.NewID(), Name: name, Email: id.Email, Capacity: triage.DefaultCapacity, CreatedAt: now, UpdatedAt: now}
				if err := agent.Validate(); err != nil {
					return err
				}
				if err := tx.CreateAgent(ctx, agent); err != nil {
					return err
				}
			}
			acc, err = tx.Account(ctx, agent.ID)
			if triage.IsCode(err, triage.ENOTFOUND) {
				acc = &triage.Account{AgentID: agent.ID, Role: id.Role, CreatedAt: now}
			} else if err != nil {
				return err
			} else if acc.SSOSubject != "" {
				// The address's account is someone else's at the provider.
				return &triage.Error{Code: triage.EFORBIDDEN, Field: "email", Message: "this e-mail address belongs to an account linked to another person at the sign-in provider"}
			}
			acc.SSOIssuer, acc.SSOSubject = id.Issuer, id.Subject
		}
		if !acc.Active() {
			return triage.Errorf(triage.EFORBIDDEN, "this account has been deactivated; ask an admin")
		}
		if acc.Role != id.Role && acc.Version > 0 && acc.Role == triage.RoleAdmin {
			if err := lastAdmin(ctx, tx, acc.AgentID); err != nil {
				return err
			}
		}
		acc.Role, acc.UpdatedAt = id.Role, now
		if err := tx.PutAccount(ctx, acc); err != nil {
			return err
		}
		agentID = acc.AgentID
		if id.Team != "" {
			if err := joinTeam(ctx, tx, id.Team, acc.AgentID, now); err != nil {
				if triage.IsCode(err, triage.EINVALID) {
					// A team the claims name but triage lacks: sign in
					// without one rather than not at all.
					return nil
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.start(ctx, agentID, from, nil)
}
