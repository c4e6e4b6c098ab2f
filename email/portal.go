package email

import (
	"context"
	"time"

	"github.com/triagehq/triage"
)

// The customer's side (issue 19) mails through the same durable job as
// replies: a form's acknowledgement and a requester's sign-in link.

// AcknowledgeForm queues the acknowledgement of a ticket sent by the help
// centre's request form, in the transaction that creates it. Unlike the
// auto-reply to an inbound mail (the ack template's Enabled switch, off by
// default because auto-replies to mail can loop), a web customer always
// gets one: it carries the ticket number and is the only proof the form
// worked. The text is the admins' ack template.
func (s *Service) AcknowledgeForm(ctx context.Context, tx triage.Tx, t *triage.Ticket) error {
	if !mailable(t) || !s.Outbound() {
		return nil
	}
	return s.queue(ctx, tx, t, triage.MailAck, "", "", SendArgs{})
}

// SignInLink queues a requester's one-time link to "my tickets", in tx.
// The mail belongs to the requester's newest ticket (a link is sent only
// to an address that has tickets); the link itself is stored only in the
// sending job.
func (s *Service) SignInLink(ctx context.Context, tx triage.Tx, t *triage.Ticket, url string, expires time.Time) error {
	if t.Requester.Email == "" || !s.Outbound() {
		return triage.Errorf(triage.EUNAVAILABLE, "outbound mail is not configured on this server")
	}
	return s.queue(ctx, tx, t, triage.MailSignIn, "", "", SendArgs{SignInURL: url, SignInExpires: expires})
}
