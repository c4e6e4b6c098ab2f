package account

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/triagehq/triage"
)

// FirstAdmin is how to sign in to a service whose admin has not chosen a
// password yet: printed by `triage serve` at every start until they do.
type FirstAdmin struct {
	Email string
	// Password is made up at this start; "" when an admin has chosen
	// their own, which is never shown.
	Password string
}

// passwordAlphabet leaves out letters and digits that read alike (0 O,
// 1 l I), since the password is read off a terminal and typed.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func generatePassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = passwordAlphabet[int(b[i])%len(passwordAlphabet)]
	}
	return string(b)
}

// EnsureAdmin makes sure a person can sign in to manage the service. When
// an active admin has set their own password it changes nothing and
// returns that admin's address. Otherwise it makes up a new password for
// the admin whose password was made up before, or, when there is no admin
// account at all, for the agent with the address email (created, named
// name, when there is none), and returns it.
func (s *Service) EnsureAdmin(ctx context.Context, email, name string) (*FirstAdmin, error) {
	email = strings.TrimSpace(email)
	accounts, err := s.Store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var generated *triage.Account
	for _, a := range accounts {
		if a.Role != triage.RoleAdmin || !a.Active() || a.PasswordHash == "" {
			continue
		}
		if !a.PasswordGenerated {
			agent, err := s.Store.Agent(ctx, a.AgentID)
			if err != nil {
				return nil, err
			}
			return &FirstAdmin{Email: agent.Email}, nil
		}
		if generated == nil {
			generated = a
		}
	}
	pw := generatePassword()
	hash, err := s.Hasher.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	out := &FirstAdmin{Password: pw}
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		var agent *triage.Agent
		if generated != nil {
			if agent, err = tx.Agent(ctx, generated.AgentID); err != nil {
				return err
			}
		} else {
			agents, err := tx.Agents(ctx)
			if err != nil {
				return err
			}
			for _, a := range agents {
				if strings.EqualFold(a.Email, email) {
					agent = a
				}
			}
			if agent == nil {
				agent = &triage.Agent{ID: triage.NewID(), Name: name, Email: email, Skills: []string{}, CreatedAt: now, UpdatedAt: now}
				if err := agent.Validate(); err != nil {
					return err
				}
				if err := tx.CreateAgent(ctx, agent); err != nil {
					return err
				}
			}
		}
		acc, err := tx.Account(ctx, agent.ID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			acc = &triage.Account{AgentID: agent.ID, CreatedAt: now}
		} else if err != nil {
			return err
		}
		acc.Role, acc.DisabledAt = triage.RoleAdmin, nil
		acc.PasswordHash, acc.PasswordGenerated, acc.PasswordSetAt, acc.UpdatedAt = hash, true, &now, now
		if err := tx.PutAccount(ctx, acc); err != nil {
			return err
		}
		out.Email = agent.Email
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
