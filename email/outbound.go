package email

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/mail"
)

// JobSend sends one queued mail: a reply, a survey, an acknowledgement.
const JobSend triage.JobKind[SendArgs] = "mail.send"

// SendArgs name the mail to send. A survey's link is a credential that
// is stored nowhere but in the job that mails it (as in the event that
// asked for it).
type SendArgs struct {
	MailID        string    `json:"mail_id"`
	SurveyURL     string    `json:"survey_url,omitempty"`
	SurveyExpires time.Time `json:"survey_expires,omitzero"`
	// SignInURL is a requester's one-time link to "my tickets", likewise
	// stored only here.
	SignInURL     string    `json:"signin_url,omitempty"`
	SignInExpires time.Time `json:"signin_expires,omitzero"`
	// Confirm* are a held request's confirmation mail (MailConfirm),
	// which belongs to no ticket.
	ConfirmURL     string    `json:"confirm_url,omitempty"`
	ConfirmExpires time.Time `json:"confirm_expires,omitzero"`
	RequestTitle   string    `json:"request_title,omitempty"`
	RequesterName  string    `json:"requester_name,omitempty"`
	// Subject and Text are a notice's (triage.MailNotice), which an
	// automation wrote for one person; like a survey's link they are
	// kept in the job alone.
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text,omitempty"`
}

// MaxSendAttempts is how often a mail the server defers (4xx, no
// connection) is tried before it is failed: with the queue's backoff
// (the attempt to the fourth power, in seconds) about seven hours.
const MaxSendAttempts = 10

// maxReferences bounds the References of a mail we write.
const maxReferences = 20

// mailable reports whether a ticket's customer is answered by mail: one
// with an address, who came by mail, the web form, the API or another
// way (a WeChat or phone customer is answered there).
func mailable(t *triage.Ticket) bool {
	if t.Requester.Email == "" {
		return false
	}
	switch t.Channel {
	case triage.ChannelEmail, triage.ChannelWeb, triage.ChannelAPI, triage.ChannelOther:
		return true
	}
	return false
}

// CanMailSurvey says why a survey link cannot be mailed to t's
// requester, or nil: the SLA service asks before it makes a link by hand,
// which goes to the requester only this way.
func (s *Service) CanMailSurvey(t *triage.Ticket) error {
	switch {
	case t.Requester.Email == "":
		return &triage.Error{Code: triage.ECONFLICT, Field: "requester.email", Message: "the requester has no e-mail address to send a survey link to; a link goes only to the requester, never to staff"}
	case !mailable(t):
		return &triage.Error{Code: triage.ECONFLICT, Field: "channel", Message: "the requester came by " + string(t.Channel) + " and is not answered by mail; a survey link goes only to the requester by mail"}
	case !s.Outbound():
		return triage.Errorf(triage.ECONFLICT, "no outbound mail server is configured (--smtp-url), so a survey link cannot reach the requester")
	}
	return nil
}

// Reply is the desk's Outbox: it queues an agent's public reply for the
// customer in the transaction that stores it.
func (s *Service) Reply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c *triage.Comment, _ []*triage.Attachment) error {
	if !mailable(t) {
		return nil
	}
	return s.queue(ctx, tx, t, triage.MailReply, c.ID, "", SendArgs{})
}

// acknowledge queues the acknowledgement of a new ticket, when admins
// turned it on.
func (s *Service) acknowledge(ctx context.Context, tx triage.Tx, t *triage.Ticket, _ *triage.Mailbox) error {
	if !mailable(t) || !s.Outbound() {
		return nil
	}
	tpl, err := template(ctx, tx, triage.MailAck)
	if err != nil || !tpl.Enabled {
		return err
	}
	return s.queue(ctx, tx, t, triage.MailAck, "", "", SendArgs{})
}

// surveyRequested mails a solved ticket's satisfaction survey.
func (s *Service) surveyRequested(ctx context.Context, e triage.Event[triage.SurveyRequest]) error {
	t, err := s.Store.Ticket(ctx, e.Payload.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if !mailable(t) {
		return nil
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if _, err := tx.MailByKey(ctx, e.Key); err == nil {
			return nil // queued when this event ran before
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		return s.queue(ctx, tx, t, triage.MailSurvey, "", e.Key, SendArgs{SurveyURL: e.Payload.URL, SurveyExpires: e.Payload.ExpiresAt})
	})
}

// queue records an outbound mail and enqueues its sending, in tx. Without
// an outbound server a mail to an e-mail customer is recorded as failed,
// so the agent sees at once that the customer will not get it.
func (s *Service) queue(ctx context.Context, tx triage.Tx, t *triage.Ticket, purpose, commentID, key string, args SendArgs) error {
	now := s.now()
	rec := &triage.MailMessage{ID: triage.NewID(), Direction: triage.MailOut, Purpose: purpose, TicketID: t.ID, CommentID: commentID,
		From: strings.ToLower(s.From.Email), To: []string{strings.ToLower(t.Requester.Email)}, Status: triage.MailQueued,
		Key: key, CreatedAt: now, UpdatedAt: now}
	rec.MessageID = mail.NewMessageID(domain(s.From.Email))
	if !s.Outbound() {
		if t.Channel != triage.ChannelEmail {
			return nil
		}
		rec.Status, rec.Reason = triage.MailFailed, why(triage.ReasonMailNotConfigured)
		return tx.AddMailMessage(ctx, rec)
	}
	if err := tx.AddMailMessage(ctx, rec); err != nil {
		return err
	}
	args.MailID = rec.ID
	j, err := JobSend.Job(args)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.ToLower(addr[i+1:])
	}
	return "localhost"
}

// send is the JobSend handler: it composes the mail from what is stored
// now, sends it (outside any transaction) and records how it went. A
// temporary failure is retried by the queue; a permanent one, or the
// last attempt, fails the mail and notes it on the ticket.
func (s *Service) send(ctx context.Context, a SendArgs) error {
	s.init()
	rec, err := s.Store.MailMessage(ctx, a.MailID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if rec.Status != triage.MailQueued {
		return nil // sent or failed already: a retried job does nothing twice
	}
	var sendErr error
	o, err := s.compose(ctx, rec, a)
	switch {
	case err != nil && !triage.IsCode(err, triage.EINVALID):
		return err
	case err != nil:
		sendErr = err
	case !s.Outbound():
		return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonMailNotConfigured), "")
	default:
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		_, sendErr = s.Sender.Send(sctx, o)
		cancel()
		rec.Subject = o.Subject
	}
	rec.Attempts++
	if sendErr == nil {
		now := s.now()
		rec.SentAt = &now
		return s.finish(ctx, rec, triage.MailSent, nil, "")
	}
	answer := serverAnswer(sendErr)
	if mail.IsTemporary(sendErr) {
		if rec.Attempts < MaxSendAttempts {
			rec.Error = answer
			if err := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.UpdateMailMessage(ctx, rec) }); err != nil {
				return err
			}
			s.Log.Warn("mail: sending deferred; it will be retried", "mail_id", rec.ID, "attempt", rec.Attempts, "answer", answer)
			return sendErr
		}
		return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonMailGaveUp, rec.Attempts), answer)
	}
	reason := why(triage.ReasonMailRejected)
	if triage.IsCode(sendErr, triage.EINVALID) {
		reason = why(triage.ReasonMailInvalid, answer)
	}
	return s.finish(ctx, rec, triage.MailFailed, reason, answer)
}

// serverAnswer is what to show of a failure: the server's own answer
// when it gave one.
func serverAnswer(err error) string {
	var me *mail.Error
	if errors.As(err, &me) {
		if me.Reply != "" {
			return clip(me.Reply, 1000)
		}
		return clip(string(me.Kind)+": "+me.Kind.Text(), 1000)
	}
	return clip(triage.ErrorMessage(err), 1000)
}

// finish records a mail's outcome; a failure is noted on its ticket.
func (s *Service) finish(ctx context.Context, rec *triage.MailMessage, status string, reason *triage.Reason, answer string) error {
	rec.Status, rec.Reason, rec.Error, rec.UpdatedAt = status, reason, answer, s.now()
	if status == triage.MailFailed {
		s.Log.Warn("mail: not sent", "mail_id", rec.ID, "ticket_id", rec.TicketID, "reason", reason.Text, "answer", answer)
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.UpdateMailMessage(ctx, rec); err != nil {
			return err
		}
		if status == triage.MailFailed {
			return s.noteFailure(ctx, tx, rec)
		}
		return nil
	})
}

// compose builds a queued mail from its ticket and template as they are
// now.
func (s *Service) compose(ctx context.Context, rec *triage.MailMessage, a SendArgs) (*mail.Outgoing, error) {
	if rec.Purpose == triage.MailConfirm {
		return s.composeConfirm(ctx, rec, a)
	}
	t, err := s.Store.Ticket(ctx, rec.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, triage.Invalid("ticket_id", "the ticket of this mail is gone")
	} else if err != nil {
		return nil, err
	}
	if rec.Purpose == triage.MailNotice {
		return s.composeNotice(rec, t, a), nil
	}
	tpl, err := template(ctx, s.Store, rec.Purpose)
	if err != nil {
		return nil, err
	}
	company := s.From.Name
	if company == "" {
		company = "客服中心"
	}
	vars := map[string]string{"ticket.ref": triage.TicketRef(t.ID), "ticket.title": t.Title, "requester.name": t.Requester.Name, "company": company}
	o := &mail.Outgoing{From: s.From, MessageID: rec.MessageID, TicketRef: triage.TicketRef(t.ID), Date: time.Now()}
	for _, to := range rec.To {
		o.To = append(o.To, mail.Address{Name: t.Requester.Name, Email: to})
	}
	mails, err := s.Store.TicketMail(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	var replyTo string
	o.InReplyTo, o.References, replyTo = s.threadHeaders(ctx, mails, rec.ID)
	if replyTo != "" && !strings.EqualFold(replyTo, s.From.Email) {
		o.ReplyTo = []mail.Address{{Name: s.From.Name, Email: replyTo}}
	}
	switch rec.Purpose {
	case triage.MailReply:
		c, err := s.comment(ctx, t.ID, rec.CommentID)
		if err != nil {
			return nil, err
		}
		vars["reply"] = c.Body
		vars["agent.name"] = "客服"
		if c.AuthorID != "" {
			if ag, err := s.Store.Agent(ctx, c.AuthorID); err == nil {
				vars["agent.name"] = ag.Name
			}
		}
		if o.Attachments, err = s.files(ctx, t.ID, c.ID); err != nil {
			return nil, err
		}
	case triage.MailSurvey:
		if a.SurveyURL == "" {
			return nil, triage.Invalid("survey_url", "the survey's link is missing")
		}
		vars["survey.url"] = a.SurveyURL
		vars["survey.expires"] = a.SurveyExpires.In(shanghai).Format("2006年1月2日 15:04")
		o.AutoSubmitted = mail.AutoGenerated
	case triage.MailAck:
		o.AutoSubmitted = mail.AutoReplied
	case triage.MailSignIn:
		if a.SignInURL == "" {
			return nil, triage.Invalid("signin_url", "the sign-in link is missing")
		}
		vars["signin.url"] = a.SignInURL
		vars["signin.expires"] = a.SignInExpires.In(shanghai).Format("2006年1月2日 15:04")
		o.AutoSubmitted = mail.AutoGenerated
	}
	r := render(&tpl.MailTemplate, vars)
	o.Subject, o.Text, o.HTML = r.Subject, r.Text, r.HTML
	return o, nil
}

var shanghai = time.FixedZone("CST", 8*3600)

func (s *Service) comment(ctx context.Context, ticketID, id string) (*triage.Comment, error) {
	cs, err := s.Store.Comments(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(cs, func(c *triage.Comment) bool { return c.ID == id })
	if i < 0 {
		return nil, triage.Invalid("comment_id", "the reply of this mail is gone")
	}
	return cs[i], nil
}

// files are a comment's attachments, as mail attachments.
func (s *Service) files(ctx context.Context, ticketID, commentID string) ([]mail.Attachment, error) {
	atts, err := s.Store.Attachments(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	var out []mail.Attachment
	for _, a := range atts {
		if a.CommentID != commentID {
			continue
		}
		b, err := s.Store.Blob(ctx, a.SHA256)
		if err != nil {
			return nil, err
		}
		out = append(out, mail.Attachment{Filename: a.Name, ContentType: a.ContentType, Size: len(b), Content: b})
	}
	return out, nil
}

// threadHeaders are the In-Reply-To and References of a mail on a ticket:
// it answers the customer's latest mail, and references the whole
// conversation by mail (what came in, what went out), so every client
// threads it. replyTo is the address of the mailbox the customer last
// wrote to.
func (s *Service) threadHeaders(ctx context.Context, mails []*triage.MailMessage, self string) (inReplyTo string, refs []string, replyTo string) {
	lastBox := ""
	for _, m := range mails {
		if m.ID == self {
			continue
		}
		in := m.Direction == triage.MailIn && m.Status == triage.MailImported
		out := m.Direction == triage.MailOut && m.Status == triage.MailSent
		if !in && !out {
			continue
		}
		if !slices.Contains(refs, m.MessageID) && !strings.HasSuffix(m.MessageID, "@triage.invalid") {
			refs = append(refs, m.MessageID)
		}
		if in && !strings.HasSuffix(m.MessageID, "@triage.invalid") {
			inReplyTo, lastBox = m.MessageID, m.MailboxID
		}
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
	}
	if lastBox != "" {
		if mb, err := s.Store.Mailbox(ctx, lastBox); err == nil {
			replyTo = mb.Address
		}
	}
	return inReplyTo, refs, replyTo
}
