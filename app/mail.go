package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/email"
	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/seal"
)

// KeyFile is where the embedded store keeps a generated sealing key when
// TRIAGE_SECRET_KEY is not set: beside the database it protects, so a
// backup of the data directory restores both.
const KeyFile = "seal.key"

// openKeys loads the key that seals mailbox passwords: SecretKey (from
// TRIAGE_SECRET_KEY) when set. Otherwise the embedded store uses a key
// file in the data directory, generated at the first start (0600, with a
// warning), so `make run` needs no setup; with PostgreSQL, where several
// replicas must share one key, there is no key until one is configured,
// and saving a mailbox says so.
func (a *App) openKeys() error {
	env := func(name string) string {
		switch name {
		case seal.EnvKey:
			return a.Config.SecretKey
		case seal.EnvOldKeys:
			return a.Config.OldSecretKeys
		}
		return ""
	}
	keys, err := seal.FromEnv(env)
	if err != nil {
		return err
	}
	a.Keys, a.keySource = keys, "env"
	if keys.Configured() {
		return nil
	}
	if a.Config.DB != "" {
		a.keySource = "none"
		return nil
	}
	path := filepath.Join(a.Config.DataDir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, gerr := seal.GenerateKey()
		if gerr != nil {
			return gerr
		}
		if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
			return fmt.Errorf("writing a new sealing key: %w", err)
		}
		a.Log.Warn("no TRIAGE_SECRET_KEY: generated a key to seal mailbox passwords; keep it with the data directory's backups, or set TRIAGE_SECRET_KEY to its content", "file", path)
		b = []byte(k)
	} else if err != nil {
		return fmt.Errorf("reading the sealing key: %w", err)
	}
	cur := strings.TrimSpace(string(b))
	if a.Keys, err = seal.FromEnv(func(name string) string {
		if name == seal.EnvKey {
			return cur
		}
		return env(name)
	}); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	a.keySource = "file"
	return nil
}

// openMail builds the e-mail channel: the sealing key, the outbound
// sender (when --smtp-url is set), and the service the desk hands public
// replies to.
func (a *App) openMail(ctx context.Context) error {
	if err := a.openKeys(); err != nil {
		return err
	}
	var tlsBase *tls.Config
	if a.Config.MailCA != "" {
		pem, err := os.ReadFile(a.Config.MailCA)
		if err != nil {
			return triage.Invalid("mail-ca", "--mail-ca: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return triage.Invalid("mail-ca", "--mail-ca %s holds no PEM certificate", a.Config.MailCA)
		}
		tlsBase = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	a.Mail = &email.Service{Store: a.Store, Desk: a.Desk, Queue: a.Jobs, Locker: a.Store, Keys: a.Keys, TLS: tlsBase,
		SenderLimit: a.Config.SenderLimit, Log: a.Log.With("part", "mail"),
		Fetch: email.FetchOptions{PollInterval: a.Config.MailPoll, Reload: a.Config.MailPoll, LockRetry: a.Config.MailPoll}}
	settings := api.MailSettings{SenderLimit: a.Config.SenderLimit, SecretKey: a.keySource}
	if settings.SenderLimit <= 0 {
		settings.SenderLimit = email.DefaultSenderLimit
	}
	if a.Config.SMTPURL != "" {
		cfg, err := mail.ParseSMTPURL(a.Config.SMTPURL)
		if err != nil {
			return err
		}
		if a.Config.SMTPPassword != "" {
			cfg.Password = a.Config.SMTPPassword
		}
		if tlsBase != nil {
			cfg.TLSConfig = tlsBase.Clone()
		}
		sender, err := mail.NewSender(cfg)
		if err != nil {
			return err
		}
		from := a.Config.MailFrom
		if from == "" && strings.Contains(cfg.Username, "@") {
			from = cfg.Username
		}
		addr, err := netmail.ParseAddress(from)
		if err != nil {
			return triage.Invalid("mail-from", "--mail-from %q is not an address such as \"极光商城客服 <support@aurora.example>\"; it is required with --smtp-url unless the SMTP user name is an address", from)
		}
		a.Mail.Sender, a.Mail.From = tracedSender{sender, a}, mail.Address{Name: addr.Name, Email: strings.ToLower(addr.Address)}
		settings.Outbound, settings.From = true, strings.TrimSpace(addr.Name+" <"+strings.ToLower(addr.Address)+">")
		settings.SMTP = cfg.Host + ":" + strconv.Itoa(cfg.Port)
	} else if a.Config.MailFrom != "" {
		if addr, err := netmail.ParseAddress(a.Config.MailFrom); err == nil {
			a.Mail.From = mail.Address{Name: addr.Name, Email: strings.ToLower(addr.Address)}
		}
	}
	a.mailSettings = settings
	a.Desk.Outbox = a.Mail
	a.SLA.Mailer = a.Mail
	a.Desk.Queue = a.Jobs
	return a.Desk.SchedulePruneBlobs(ctx, time.Now().Add(time.Hour))
}
