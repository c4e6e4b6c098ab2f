package app

import (
	"context"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/egress"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/notify"
)

// openHelp builds the public help centre over the store, the agents'
// search and the KB's renderer, and the customer's side over the desk,
// the mail channel and the satisfaction survey.
func (a *App) openHelp() error {
	cfg := helpcentre.Service{Store: a.Store, Search: a.Searcher, Render: a.KB.Render, BaseURL: a.publicURL(),
		Proxies: a.Config.RateLimits.Proxies, Tickets: helpDesk{a.Desk}, Rate: a.rate,
		Secure: strings.HasPrefix(a.publicURL(), "https://")}
	if a.Mail != nil {
		cfg.Mailer = a.Mail
	}
	// SMS codes go to the company's webhook as webhooks do: past the
	// address guard (no private or metadata addresses unless allowed),
	// through egress, traced as outbound webhook calls.
	guard, err := notify.NewGuard(a.Config.WebhookAllow)
	if err != nil {
		return err
	}
	sms := guard.Client(15 * time.Second)
	sms.Transport = egress.Transport(a.outbound(triage.OutboundWebhook)(sms.Transport))
	cfg.SMS = sms
	if a.Suggest != nil {
		cfg.Writer = a.Suggest.Writer
	}
	if a.Keys != nil {
		// One secret for every replica: a challenge issued by one is
		// accepted by another.
		// Without a configured key (PostgreSQL without
		// TRIAGE_SECRET_KEY) each replica makes its own secret: a form
		// must then be sent to the replica that served it.
		if secret, err := a.Keys.Derive("help form proof of work"); err == nil {
			if cfg.PoW, err = limit.NewPoW(limit.PoWConfig{Secret: secret, MinAge: 2 * time.Second}); err != nil {
				return err
			}
		} else if !triage.IsCode(err, triage.EUNAVAILABLE) {
			return err
		}
	}
	svc, err := helpcentre.New(cfg)
	if err != nil {
		return err
	}
	pages, err := helpcentre.NewHandler(svc, a.Log)
	if err != nil {
		return err
	}
	a.Help, a.helpPages = svc, pages
	return nil
}

// helpDesk is the desk as the request form uses it: the customer's
// category is a hint that triage may overrule.
type helpDesk struct{ *desk.Service }

func (d helpDesk) CreateTicketTx(ctx context.Context, tx triage.Tx, in triage.NewTicket, category string) (*triage.Ticket, error) {
	return d.Service.CreateTicketTx(ctx, tx, in, desk.Hints{Category: category})
}

// rate records a requester's rating from "my tickets" on the ticket's
// satisfaction survey (the session was checked to own the ticket).
func (a *App) rate(ctx context.Context, ticketID string, rating int, comment string) error {
	_, err := a.SLA.RateAsRequester(ctx, ticketID, triage.SurveyAnswer{Rating: rating, Comment: comment})
	return err
}

// helpConfig is what the HTTP server needs of the help centre.
func (a *App) helpConfig() api.Help {
	if a.Help == nil {
		return api.Help{}
	}
	return api.Help{Pages: a.helpPages, Settings: a.Help, Answers: a.Help, Deflection: a.Help}
}

// publicURL starts the help centre's canonical links and sitemap: the
// configured public address, or this server's own.
func (a *App) publicURL() string {
	if a.Config.PublicURL != "" {
		return strings.TrimRight(a.Config.PublicURL, "/")
	}
	addr := strings.TrimPrefix(a.Config.Addr, "http://")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return "http://" + addr
}
