package account

import (
	"context"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/onetime"
)

// Mailer queues a mail about an account, in the transaction that made
// its link, for the durable job queue to send.
type Mailer interface {
	// Outbound reports whether an outbound mail server is configured.
	Outbound() bool
	QueueAccountMail(ctx context.Context, tx triage.Tx, m triage.AccountMail) error
}

// LinkPath is the page a link opens; its token travels in the fragment,
// which browsers send to no server and put in no Referer.
const LinkPath = "/app/password"

// Link is an invitation or reset link just made.
type Link struct {
	// URL is set only when no mail was sent, for the admin to hand over.
	URL       string    `json:"url,omitempty"`
	Mailed    bool      `json:"mailed"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invited is the answer to an invitation.
type Invited struct {
	Agent   *triage.Agent   `json:"agent"`
	Account *triage.Account `json:"account"`
	Link    Link            `json:"link"`
}

func (s *Service) outbound() bool { return s.Mailer != nil && s.Mailer.Outbound() }

func linkURL(base string, purpose onetime.Purpose, token string) string {
	base = strings.TrimRight(base, "/")
	return base + LinkPath + "?for=" + url.QueryEscape(string(purpose)) + "#" + token
}

func (s *Service) base(override string) string {
	if s.BaseURL != "" {
		return s.BaseURL
	}
	return override
}

// issue stores a new link for an agent in tx and mails it when mail is
// configured; otherwise the link is returned for the admin to hand over.
func (s *Service) issue(ctx context.Context, tx triage.Tx, purpose onetime.Purpose, agent *triage.Agent, base, by string) (Link, error) {
	token, r, err := onetime.New(purpose, agent.ID, 0, s.now())
	if err != nil {
		return Link{}, err
	}
	if err := tx.PutOneTime(ctx, oneTime(r)); err != nil {
		return Link{}, err
	}
	u := linkURL(base, purpose, token)
	out := Link{ExpiresAt: triage.StoreTime(r.ExpiresAt)}
	if s.outbound() {
		out.Mailed = true
		return out, s.Mailer.QueueAccountMail(ctx, tx, triage.AccountMail{Kind: string(purpose), To: agent.Email, Name: agent.Name,
			URL: u, ExpiresAt: out.ExpiresAt, By: by})
	}
	out.URL = u
	return out, nil
}

func oneTime(r onetime.Record) triage.OneTime {
	return triage.OneTime{Hash: r.Hash, Purpose: string(r.Purpose), Subject: r.Subject, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt}
}

func record(r triage.OneTime) onetime.Record {
	return onetime.Record{Hash: r.Hash, Purpose: onetime.Purpose(r.Purpose), Subject: r.Subject, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt}
}

// Invite makes an account for a person (a new agent, or an agent who has
// none yet) with no password, puts them in a team when one is named, and
// sends them a link to set a password: by mail when an outbound server is
// configured, else in the answer for the admin to hand over. base starts
// the link when no BaseURL is configured.
func (s *Service) Invite(ctx context.Context, by *triage.Principal, in triage.Invite, base string) (*Invited, error) {
	in.Email, in.Name = strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		return nil, triage.Invalid("email", "email must be an address such as wangfang@example.cn")
	}
	if in.Name == "" {
		return nil, triage.Invalid("name", "name is required")
	}
	if err := personRole(in.Role); err != nil {
		return nil, err
	}
	byName := ""
	if by != nil {
		byName = by.Name
	}
	out := &Invited{}
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		agent, err := agentByEmail(ctx, tx, in.Email)
		if err != nil {
			return err
		}
		if agent == nil {
			agent = &triage.Agent{ID: triage.NewID(), Name: in.Name, Email: in.Email, Capacity: triage.DefaultCapacity, CreatedAt: now, UpdatedAt: now}
			if err := agent.Validate(); err != nil {
				return err
			}
			if err := tx.CreateAgent(ctx, agent); err != nil {
				return err
			}
		} else if _, err := tx.Account(ctx, agent.ID); err == nil {
			return &triage.Error{Code: triage.ECONFLICT, Field: "email", Message: "this person already has an account; send a password reset instead"}
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		acc := &triage.Account{AgentID: agent.ID, Role: in.Role, CreatedAt: now, UpdatedAt: now}
		if err := tx.PutAccount(ctx, acc); err != nil {
			return err
		}
		if in.TeamID != "" {
			if err := joinTeam(ctx, tx, in.TeamID, agent.ID, now); err != nil {
				return err
			}
		}
		link, err := s.issue(ctx, tx, onetime.Invite, agent, s.base(base), byName)
		if err != nil {
			return err
		}
		out.Agent, out.Account, out.Link = agent, acc, link
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// agentByEmail finds the agent with an address, ignoring case; nil when
// none.
func agentByEmail(ctx context.Context, tx triage.Tx, email string) (*triage.Agent, error) {
	all, err := tx.Agents(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(a *triage.Agent) bool { return strings.EqualFold(a.Email, email) })
	if i < 0 {
		return nil, nil
	}
	return all[i], nil
}

// joinTeam adds an agent to a team (by id, or by name for the team an
// SSO claim names), unless a member already.
func joinTeam(ctx context.Context, tx triage.Tx, team, agentID string, now time.Time) error {
	t, err := tx.Team(ctx, team)
	if triage.IsCode(err, triage.ENOTFOUND) {
		all, lerr := tx.Teams(ctx)
		if lerr != nil {
			return lerr
		}
		i := slices.IndexFunc(all, func(x *triage.Team) bool { return x.Name == team })
		if i < 0 {
			return &triage.Error{Code: triage.EINVALID, Field: "team_id", Message: "no team has the id or name " + team}
		}
		t, err = all[i], nil
	}
	if err != nil {
		return err
	}
	if slices.Contains(t.Members, agentID) {
		return nil
	}
	t.Members = append(t.Members, agentID)
	t.UpdatedAt = now
	return tx.UpdateTeam(ctx, t)
}

// ResetLink makes a password reset link for an agent's account, as an
// admin asks: mailed when mail is configured, else returned.
func (s *Service) ResetLink(ctx context.Context, agentID, base string) (Link, error) {
	var out Link
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		acc, err := tx.Account(ctx, agentID)
		if err != nil {
			return err
		}
		if !acc.Active() {
			return triage.Errorf(triage.ECONFLICT, "this account is deactivated; reactivate it first")
		}
		agent, err := tx.Agent(ctx, agentID)
		if err != nil {
			return err
		}
		purpose := onetime.Reset
		if acc.PasswordHash == "" && acc.SSOSubject == "" {
			purpose = onetime.Invite // never signed in: a fresh invitation
		}
		out, err = s.issue(ctx, tx, purpose, agent, s.base(base), "")
		return err
	})
	return out, err
}

// Forgot mails a reset link to the address when it is an active
// account's and mail is configured, and says nothing either way: the
// answer must not tell whether an address has an account. It reports
// whether this server sends mail at all.
func (s *Service) Forgot(ctx context.Context, email string) (bool, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return false, triage.Invalid("email", "email is required")
	}
	if !s.outbound() {
		return false, nil
	}
	if s.BaseURL == "" {
		return true, triage.Errorf(triage.EUNAVAILABLE, "password reset by mail needs the server's public address (--public-url)")
	}
	acc, err := s.Store.AccountByEmail(ctx, email)
	// An account single sign-on made, without a password, signs in at the
	// provider: a password by mail would be a way in the provider no
	// longer vouches for once it drops the person.
	if triage.IsCode(err, triage.ENOTFOUND) || (err == nil && (!acc.Active() || acc.SSOSubject != "" && acc.PasswordHash == "")) {
		return true, nil
	} else if err != nil {
		return true, err
	}
	_, err = s.ResetLink(ctx, acc.AgentID, "")
	return true, err
}

// LinkView is what the password page shows of a link before it is used.
type LinkView struct {
	Purpose   string    `json:"purpose"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

// peek finds the record of an unused, unexpired invite or reset token
// without using it.
func (s *Service) peek(ctx context.Context, token string) (onetime.Record, string, error) {
	var last error
	for _, p := range []onetime.Purpose{onetime.Invite, onetime.Reset} {
		h, err := onetime.Hash(p, token)
		if err != nil {
			return onetime.Record{}, "", err
		}
		r, err := s.Store.OneTime(ctx, h)
		if triage.IsCode(err, triage.ENOTFOUND) {
			last = &triage.Error{Code: triage.EUNAUTHORIZED, Field: "token", Message: "this link is not valid; ask for a new one"}
			continue
		} else if err != nil {
			return onetime.Record{}, "", err
		}
		rec := record(r)
		if err := onetime.Check(rec, p, token, s.now()); err != nil {
			return onetime.Record{}, "", err
		}
		return rec, h, nil
	}
	return onetime.Record{}, "", last
}

// Link describes an unused invite or reset link.
func (s *Service) Link(ctx context.Context, token string) (*LinkView, error) {
	r, _, err := s.peek(ctx, token)
	if err != nil {
		return nil, err
	}
	agent, err := s.Store.Agent(ctx, r.Subject)
	if err != nil {
		return nil, err
	}
	return &LinkView{Purpose: string(r.Purpose), Name: agent.Name, Email: agent.Email, ExpiresAt: r.ExpiresAt}, nil
}

// SetPasswordWithLink sets the password of the account a link was made
// for, and uses the link up: the account is the link's, whoever follows
// it. Every session of the account ends, as with any new password.
func (s *Service) SetPasswordWithLink(ctx context.Context, in triage.LinkPassword) (*LinkView, error) {
	r, h, err := s.peek(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	agent, err := s.Store.Agent(ctx, r.Subject)
	if err != nil {
		return nil, err
	}
	if err := s.Policy.Check(in.Password, agent.Email, agent.Name); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		now := s.now()
		got, err := tx.TakeOneTime(ctx, h, now)
		if err != nil {
			return err
		}
		// Used by another request since peek, or expired meanwhile.
		if err := onetime.Check(record(got), r.Purpose, in.Token, now); err != nil {
			return err
		}
		acc, err := tx.Account(ctx, got.Subject)
		if err != nil {
			return err
		}
		if !acc.Active() {
			return triage.Errorf(triage.EFORBIDDEN, "this account has been deactivated; ask an admin")
		}
		acc.PasswordHash, acc.PasswordGenerated, acc.PasswordSetAt, acc.UpdatedAt = hash, false, &now, now
		if err := tx.PutAccount(ctx, acc); err != nil {
			return err
		}
		_, err = tx.RevokeSessions(ctx, acc.AgentID, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &LinkView{Purpose: string(r.Purpose), Name: agent.Name, Email: agent.Email, ExpiresAt: r.ExpiresAt}, nil
}
