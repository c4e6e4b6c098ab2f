package helpcentre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/suggest"
)

// The customer's side beyond reading (issue 19): the request form that
// answers first (form.go), "my tickets" behind a one-time link
// (requester.go), the answer API for bots (answer.go) and the deflection
// report (deflect.go). What they need of the rest of the service is
// declared here and wired by app.

// Tickets is the helpdesk (desk.Service, adapted by app).
type Tickets interface {
	// CreateTicketTx creates and triages a ticket in tx; category is the
	// customer's choice, a hint triage may overrule.
	CreateTicketTx(ctx context.Context, tx triage.Tx, in triage.NewTicket, category string) (*triage.Ticket, error)
	AddComment(ctx context.Context, ticketID string, in triage.NewComment, idem *triage.Idempotency) (*triage.Comment, error)
	Comments(ctx context.Context, ticketID string) ([]*triage.Comment, error)
	Attachment(ctx context.Context, id string) (*triage.Attachment, []byte, error)
}

// Mailer queues the customer's mails in the writing transaction
// (email.Service).
type Mailer interface {
	AcknowledgeForm(ctx context.Context, tx triage.Tx, t *triage.Ticket) error
	SignInLink(ctx context.Context, tx triage.Tx, t *triage.Ticket, url string, expires time.Time) error
	// ConfirmRequest mails a held request's confirmation link.
	ConfirmRequest(ctx context.Context, tx triage.Tx, to, name, title, url string, expires time.Time) error
}

// Rater records a requester's rating of a solved ticket through the
// satisfaction survey (sla.Service, adapted by app).
type Rater func(ctx context.Context, ticketID string, rating int, comment string) error

// Limits are the abuse defences of the public forms, one bucket per key.
type Limits struct {
	// FormAddr and FormContact bound the requests one client address and
	// one contact (e-mail or phone) may send; NoWork bounds, per address,
	// forms sent without the proof of work (a browser without
	// JavaScript), which cost a bot nothing else.
	FormAddr, FormContact, NoWork *limit.Limiter
	// Suggest bounds the as-you-type article lookups per address.
	Suggest *limit.Limiter
	// SignInAddr and SignInEmail bound the sign-in links asked for.
	SignInAddr, SignInEmail *limit.Limiter
	// CodeAddr and CodePhone bound the SMS codes asked for; CodeTryAddr
	// and CodeTryPhone the codes tried, right or wrong.
	CodeAddr, CodePhone, CodeTryAddr, CodeTryPhone *limit.Limiter
}

// Default quotas of the public forms.
var (
	DefaultFormAddr    = limit.Rate{Limit: 10, Period: time.Hour}
	DefaultFormContact = limit.Rate{Limit: 5, Period: time.Hour}
	DefaultNoWork      = limit.Rate{Limit: 3, Period: time.Hour}
	DefaultSuggest     = limit.PerMinute(60)
	DefaultSignInAddr  = limit.Rate{Limit: 10, Period: time.Hour}
	DefaultSignInEmail = limit.Rate{Limit: 3, Period: time.Hour}
)

func (s *Service) initPortal() error {
	for _, l := range []struct {
		dst **limit.Limiter
		r   limit.Rate
	}{{&s.Limits.FormAddr, DefaultFormAddr}, {&s.Limits.FormContact, DefaultFormContact}, {&s.Limits.NoWork, DefaultNoWork},
		{&s.Limits.Suggest, DefaultSuggest}, {&s.Limits.SignInAddr, DefaultSignInAddr}, {&s.Limits.SignInEmail, DefaultSignInEmail},
		{&s.Limits.CodeAddr, DefaultCodeAddr}, {&s.Limits.CodePhone, DefaultCodePhone},
		{&s.Limits.CodeTryAddr, DefaultCodeTryAddr}, {&s.Limits.CodeTryPhone, DefaultCodeTryPhone}} {
		if *l.dst != nil {
			continue
		}
		lim, err := limit.NewLimiter(l.r, 0, s.Now)
		if err != nil {
			return err
		}
		*l.dst = lim
	}
	if s.PoW == nil {
		// A secret of this process only: app passes one derived from the
		// sealing key, so that every replica accepts every other's.
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		p, err := limit.NewPoW(limit.PoWConfig{Secret: secret, MinAge: 2 * time.Second, Now: s.Now})
		if err != nil {
			return err
		}
		s.PoW = p
	}
	if s.Writer == nil {
		s.Writer = &suggest.Writer{}
	}
	if s.MinConfidence == 0 {
		s.MinConfidence = suggest.DefaultAnswerConfidence
	}
	if s.SessionTTL == 0 {
		s.SessionTTL = DefaultSessionTTL
	}
	return nil
}

// DefaultSessionTTL is how long a requester stays signed in to "my
// tickets" after following a link.
const DefaultSessionTTL = 12 * time.Hour

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sessionHash is the stored form of a session cookie's secret.
func sessionHash(secret string) string {
	sum := sha256.Sum256([]byte("triage requester session\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// record stores a help event outside any other write; a failure is
// logged by the caller, never shown to the customer (a lost count must
// not lose an answer).
func (s *Service) record(ctx context.Context, e *triage.HelpEvent) error {
	e.ID, e.CreatedAt = triage.NewID(), s.Now()
	return s.Store.Update(ctx, func(tx triage.Tx) error { return tx.AddHelpEvent(ctx, e) })
}
