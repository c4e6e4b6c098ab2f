// Package email is the e-mail channel: it turns mail that arrives (from
// the IMAP mailboxes admins configure, or pushed by an MTA to the API)
// into tickets and comments through the desk, and writes mail to
// customers: agents' public replies, the acknowledgement of a new ticket,
// the satisfaction survey. Package mail is its technology (MIME, IMAP,
// SMTP); this package decides what a mail means.
//
// Inbound, one mail is one store transaction: the raw mail, its record
// (unique per mailbox by Message-ID), the ticket or comment with its
// files, and the mailbox's position all commit together, and only then
// is the mail flagged or moved on the server. So a crash at any point
// loses nothing and imports nothing twice. Auto-replies, bounces, bulk
// mail and mail from our own addresses never make a ticket nor get an
// answer; a sender who writes more than SenderLimit mails a minute is
// throttled: the mail is kept, skipped, and shown to admins, who may
// import it after all.
//
// Outbound, a reply is queued in the transaction that stores it (the
// desk's Outbox) and sent by a durable job with retries, never on a
// request's path nor inside a transaction; each comment shows where its
// mail stands.
package email

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/mail"
	"github.com/triagehq/triage/seal"
)

// Sender sends mail: *mail.Sender, over SMTP.
type Sender interface {
	Send(ctx context.Context, o *mail.Outgoing) (string, error)
	Check(ctx context.Context) error
}

// Service is the e-mail channel. Set Store, Desk and Queue; the zero
// values of the rest are defaults.
type Service struct {
	Store triage.Store
	Desk  *desk.Service
	// Queue takes the sending jobs that follow no write.
	Queue triage.Queue
	// Locker lets one process of several fetch a mailbox at a time.
	// Nil fetches without a lock (one process).
	Locker triage.Locker
	// Parser reads mail; nil uses mail.NewParser's defaults.
	Parser *mail.Parser
	// Keys seal mailbox passwords at rest. Without a key, mailboxes
	// cannot be saved (the error says how to configure one).
	Keys *seal.Keyring
	// Sender sends mail; nil means no outbound mail is configured:
	// replies to e-mail tickets are recorded as not sent.
	Sender Sender
	// From is who the service's mail is from (--mail-from).
	From mail.Address
	// BaseURL is the service's public URL (--public-url), for the links
	// to tickets in the notification mails.
	BaseURL string
	// TLS, when set, is the base TLS configuration of IMAP connections
	// (a private CA's roots); nil trusts the system's roots.
	TLS *tls.Config
	// SenderLimit is how many mails a minute one sender may write before
	// the rest are throttled; 0 means DefaultSenderLimit.
	SenderLimit int
	// Fetch tunes the mailbox fetchers (tests poll fast).
	Fetch FetchOptions
	Log   *slog.Logger
	Now   func() time.Time

	once    sync.Once
	limiter *limit.Limiter
	kick    chan struct{}
}

// DefaultSenderLimit is how many mails a minute one sender may write. A
// person writes one or two; a loop between two robots writes hundreds.
const DefaultSenderLimit = 10

// FetchOptions tune the fetchers.
type FetchOptions struct {
	// PollInterval is how often a server without IDLE is asked; 0 means
	// mail's default (a minute).
	PollInterval time.Duration
	// NoIdle polls even when the server offers IDLE.
	NoIdle bool
	// Reload is how often the mailbox settings are read again, to start,
	// stop or restart fetchers changed on another replica; 0 means 15 s.
	// A change made through this process applies at once.
	Reload time.Duration
	// LockRetry is how long a fetcher waits before trying again to take
	// a mailbox another process holds; 0 means 15 s.
	LockRetry time.Duration
}

func (s *Service) init() {
	s.once.Do(func() {
		n := s.SenderLimit
		if n <= 0 {
			n = DefaultSenderLimit
		}
		s.limiter, _ = limit.NewLimiter(limit.PerMinute(n), 100_000, s.Now)
		s.kick = make(chan struct{}, 1)
		if s.Parser == nil {
			s.Parser = mail.NewParser(mail.Limits{})
		}
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
	})
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Outbound reports whether the service can send mail.
func (s *Service) Outbound() bool { return s.Sender != nil && s.From.Email != "" }

// Jobs are the jobs the channel does: sending one mail.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobSend.Handle(s.send),
		JobAccountMail.Handle(s.sendAccountMail), JobNotificationMail.Handle(s.sendNotificationMail)}
}

// Subscriptions are the events the channel follows: a survey to mail.
func (s *Service) Subscriptions() []triage.Subscription {
	return []triage.Subscription{triage.EventCSATRequested.On(s.surveyRequested)}
}

// Reload makes the fetchers read the mailbox settings again now.
func (s *Service) Reload() {
	s.init()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
