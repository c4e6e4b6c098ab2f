package email

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/mail"
)

// passwordAAD binds a sealed password to its mailbox: a sealed value
// copied to another mailbox's row does not open.
func passwordAAD(id string) string { return "mailbox:" + id + ":password" }

// seal seals a mailbox's password with the service's key.
func (s *Service) seal(id, password string) (string, error) {
	if !s.Keys.Configured() {
		return "", &triage.Error{Code: triage.EUNAVAILABLE, Field: "password",
			Message: "no encryption key is configured, so a mailbox password cannot be stored safely: set TRIAGE_SECRET_KEY (32 random bytes in base64, e.g. `openssl rand -base64 32`) on every replica and restart"}
	}
	return s.Keys.SealString(password, passwordAAD(id))
}

// password opens a mailbox's stored password.
func (s *Service) password(m *triage.Mailbox) (string, error) {
	if m.PasswordSealed == "" {
		return "", nil
	}
	return s.Keys.OpenString(m.PasswordSealed, passwordAAD(m.ID))
}

// Mailboxes lists the mailboxes.
func (s *Service) Mailboxes(ctx context.Context) ([]*triage.Mailbox, error) {
	return s.Store.Mailboxes(ctx)
}

// Mailbox returns one mailbox.
func (s *Service) Mailbox(ctx context.Context, id string) (*triage.Mailbox, error) {
	return s.Store.Mailbox(ctx, id)
}

// CreateMailbox validates and stores a new mailbox, its password sealed.
// The fetchers pick it up at once.
func (s *Service) CreateMailbox(ctx context.Context, in triage.NewMailbox, idem *triage.Idempotency) (*triage.Mailbox, error) {
	now := s.now()
	m := &triage.Mailbox{ID: triage.NewID(), Name: in.Name, Address: in.Address, Host: in.Host, Port: in.Port, TLS: in.TLS,
		Username: in.Username, Folder: in.Folder, After: in.After, MoveTo: in.MoveTo, TeamID: in.TeamID, Category: in.Category,
		Priority: in.Priority, Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: now, UpdatedAt: now}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, triage.Invalid("password", "password (for QQ企业邮, 网易 and others: the 授权码 / client password, not the web login) is required")
	}
	sealed, err := s.seal(m.ID, in.Password)
	if err != nil {
		return nil, err
	}
	m.PasswordSealed = sealed
	out, err := triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.Mailbox, error) {
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return nil, err
		}
		if err := tx.CreateMailbox(ctx, m); err != nil {
			return nil, err
		}
		return m, nil
	})
	if err == nil {
		s.Reload()
	}
	return out, err
}

func checkTeam(ctx context.Context, r triage.Reader, id string) error {
	if id == "" {
		return nil
	}
	if _, err := r.Team(ctx, id); triage.IsCode(err, triage.ENOTFOUND) {
		return triage.Invalid("team_id", "team_id %q names no team", id)
	} else if err != nil {
		return err
	}
	return nil
}

// UpdateMailbox changes a mailbox at version (0: any). A password that is
// not sent stays; one that is sent is sealed anew.
func (s *Service) UpdateMailbox(ctx context.Context, id string, version int, u triage.MailboxUpdate) (*triage.Mailbox, error) {
	out, err := triage.Write(ctx, s.Store, nil, s.now(), nil, func(tx triage.Tx) (*triage.Mailbox, error) {
		m, err := tx.Mailbox(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("mailbox "+id, m.Version, version); err != nil {
			return nil, err
		}
		set := func(o triage.Opt[string], v *string) {
			if o.Set {
				*v = o.V
			}
		}
		set(u.Name, &m.Name)
		set(u.Address, &m.Address)
		set(u.Host, &m.Host)
		set(u.TLS, &m.TLS)
		set(u.Username, &m.Username)
		set(u.Folder, &m.Folder)
		set(u.After, &m.After)
		set(u.MoveTo, &m.MoveTo)
		set(u.TeamID, &m.TeamID)
		set(u.Category, &m.Category)
		if u.Port.Set {
			m.Port = u.Port.V
		}
		if u.Priority.Set {
			m.Priority = u.Priority.V
		}
		if u.Enabled.Set {
			m.Enabled = u.Enabled.V
		}
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if u.Password.Set && u.Password.V != "" {
			if m.PasswordSealed, err = s.seal(m.ID, u.Password.V); err != nil {
				return nil, err
			}
		}
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return nil, err
		}
		m.UpdatedAt = s.now()
		if err := tx.UpdateMailbox(ctx, m); err != nil {
			return nil, err
		}
		return m, nil
	})
	if err == nil {
		s.Reload()
	}
	return out, err
}

// DeleteMailbox removes a mailbox; what it imported stays.
func (s *Service) DeleteMailbox(ctx context.Context, id string, version int) error {
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		if version == 0 {
			m, err := tx.Mailbox(ctx, id)
			if err != nil {
				return err
			}
			version = m.Version
		}
		return tx.DeleteMailbox(ctx, id, version)
	})
	if err == nil {
		s.Reload()
	}
	return err
}

// CheckResult is what a connection test found: IMAP always, SMTP when
// outbound mail is configured. A failed check is a result, not an error.
type CheckResult struct {
	IMAP CheckPart  `json:"imap"`
	SMTP *CheckPart `json:"smtp,omitempty"`
}

// CheckPart is one server's answer: OK, or the kind of failure (the UI
// translates it; Message is the Chinese wording for logs and scripts) and
// what the server said.
type CheckPart struct {
	OK      bool   `json:"ok"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message,omitempty"`
	Reply   string `json:"reply,omitempty"`
}

func checkPart(err error) CheckPart {
	if err == nil {
		return CheckPart{OK: true}
	}
	kind := mail.ErrorKindOf(err)
	if kind == "" {
		kind = mail.KindConfig
	}
	p := CheckPart{Kind: string(kind), Message: kind.Text()}
	var me *mail.Error
	var te *triage.Error
	switch {
	case errors.As(err, &me) && me.Reply != "":
		p.Reply = me.Reply
	case errors.As(err, &te):
		p.Reply = te.Message
	case kind != mail.KindConfig:
		p.Reply = err.Error()
	}
	return p
}

// TestMailbox connects to a stored mailbox (and to the outbound server)
// as the fetcher would, and says what failed.
func (s *Service) TestMailbox(ctx context.Context, id string) (*CheckResult, error) {
	m, err := s.Store.Mailbox(ctx, id)
	if err != nil {
		return nil, err
	}
	pw, err := s.password(m)
	if err != nil {
		return nil, err
	}
	return s.check(ctx, m, pw), nil
}

// TestSettings tests settings before they are saved.
func (s *Service) TestSettings(ctx context.Context, in triage.NewMailbox) (*CheckResult, error) {
	m := &triage.Mailbox{Name: "test", Address: in.Address, Host: in.Host, Port: in.Port, TLS: in.TLS, Username: in.Username,
		Folder: in.Folder, After: in.After, MoveTo: in.MoveTo}
	if m.Address == "" {
		m.Address = "test@example.com" // not what is tested
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return s.check(ctx, m, in.Password), nil
}

func (s *Service) check(ctx context.Context, m *triage.Mailbox, password string) *CheckResult {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg := s.imapConfig(m, password)
	cfg.Timeout = 20 * time.Second
	res := &CheckResult{IMAP: checkPart(mail.CheckIMAP(ctx, cfg))}
	if s.Outbound() {
		p := checkPart(s.Sender.Check(ctx))
		res.SMTP = &p
	}
	return res
}

// imapConfig is the fetcher's configuration of a mailbox.
func (s *Service) imapConfig(m *triage.Mailbox, password string) mail.IMAPConfig {
	var tc *tls.Config
	if s.TLS != nil {
		tc = s.TLS.Clone()
		tc.ServerName = m.Host
	}
	return mail.IMAPConfig{
		Host: m.Host, Port: m.Port, TLS: mail.TLSMode(m.TLS), Username: m.Username, Password: password,
		Folder: m.Folder, After: mail.AfterImport(m.After), MoveTo: m.MoveTo, TLSConfig: tc,
		PollInterval: s.Fetch.PollInterval, NoIdle: s.Fetch.NoIdle, Logger: s.Log,
	}
}

// ownAddresses are the addresses whose mail is ours: the sender's and
// every mailbox's address and user name.
func (s *Service) ownAddresses(mbs []*triage.Mailbox) []string {
	out := []string{strings.ToLower(s.From.Email)}
	for _, m := range mbs {
		out = append(out, strings.ToLower(m.Address))
		if strings.Contains(m.Username, "@") {
			out = append(out, strings.ToLower(m.Username))
		}
	}
	return out
}
