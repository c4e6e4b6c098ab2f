package email

import (
	"context"
	"slices"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/mail"
)

// Result is what one inbound mail became.
type Result struct {
	// MailID is the mail's record.
	MailID string `json:"mail_id"`
	// Status is imported, skipped, or duplicate (imported before: nothing
	// was done again).
	Status    string         `json:"status"`
	Reason    *triage.Reason `json:"reason,omitempty"`
	TicketID  string         `json:"ticket_id,omitempty"`
	CommentID string         `json:"comment_id,omitempty"`
	// Created is true when the mail opened a new ticket.
	Created bool `json:"created"`
}

// Duplicate is the status of a mail imported before.
const Duplicate = "duplicate"

// maxThreadIDs bounds the Message-IDs looked up to thread a reply.
const maxThreadIDs = 50

// Import takes one mail from a mailbox (nil for mail posted to the API)
// and commits what it means together with pos, the mailbox's position
// after it. It is the fetchers' delivery function: an error leaves the
// mail to come again, so it returns one only when the store failed; a
// mail that can never become a ticket is recorded as skipped.
func (s *Service) Import(ctx context.Context, mb *triage.Mailbox, m *mail.Message, pos *triage.MailPosition) (*Result, error) {
	return s.importMail(ctx, mb, m, pos, nil)
}

// Inbound takes a raw message pushed by an MTA or a provider (POST
// /v1/mail/inbound, `triage mail deliver`). mailboxID, when set, names the
// mailbox whose team and hints apply; otherwise the mailbox whose address
// the mail was sent to, if any.
func (s *Service) Inbound(ctx context.Context, raw []byte, mailboxID string) (*Result, error) {
	s.init()
	m, err := s.Parser.Parse(raw)
	if err != nil {
		return nil, err
	}
	mbs, err := s.Store.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	var mb *triage.Mailbox
	if mailboxID != "" {
		i := slices.IndexFunc(mbs, func(x *triage.Mailbox) bool { return x.ID == mailboxID })
		if i < 0 {
			return nil, triage.Invalid("mailbox", "mailbox %q names no mailbox", mailboxID)
		}
		mb = mbs[i]
	} else {
		for _, a := range append(slices.Clone(m.To), m.Cc...) {
			if i := slices.IndexFunc(mbs, func(x *triage.Mailbox) bool { return strings.EqualFold(x.Address, a.Email) }); i >= 0 {
				mb = mbs[i]
				break
			}
		}
	}
	return s.importMail(ctx, mb, m, nil, nil)
}

// Release imports a skipped mail after all (a throttled sender, or an
// "automatic" mail that a person wrote, that an admin vouches for): its
// record becomes imported, with its ticket or comment.
func (s *Service) Release(ctx context.Context, id string) (*Result, error) {
	s.init()
	rec, err := s.Store.MailMessage(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Direction != triage.MailIn || rec.Status != triage.MailSkipped {
		return nil, triage.Errorf(triage.ECONFLICT, "only a skipped inbound mail can be imported; this one is %s %s", rec.Direction, rec.Status)
	}
	if rec.RawSHA256 == "" {
		return nil, triage.Errorf(triage.ECONFLICT, "this mail was not kept, so it cannot be imported")
	}
	raw, err := s.Store.Blob(ctx, rec.RawSHA256)
	if err != nil {
		return nil, err
	}
	m, err := s.Parser.Parse(raw)
	if err != nil {
		return nil, err
	}
	var mb *triage.Mailbox
	if rec.MailboxID != "" {
		if mb, err = s.Store.Mailbox(ctx, rec.MailboxID); triage.IsCode(err, triage.ENOTFOUND) {
			mb = nil // deleted since: import without its hints
		} else if err != nil {
			return nil, err
		}
	}
	return s.importMail(ctx, mb, m, nil, rec)
}

// messageID is the mail's Message-ID, or one made from its content for
// mail that has none, so that the same mail fetched twice is still one.
func messageID(m *mail.Message) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	return "sha256." + triage.BlobSHA256(m.Raw)[:40] + "@triage.invalid"
}

// noise says why a mail must not become a ticket or comment, or nil.
func noise(m *mail.Message, own []string) *triage.Reason {
	from := strings.ToLower(m.From.Email)
	if from != "" && slices.Contains(own, from) {
		return why(triage.ReasonMailOwnAddress, from)
	}
	signal := string(m.AutoSignal)
	switch m.Auto {
	case mail.AutoBounce:
		return why(triage.ReasonMailBounce, signal)
	case mail.AutoReply:
		return why(triage.ReasonMailAutoReply, signal)
	case mail.AutoBulk:
		return why(triage.ReasonMailBulk, signal)
	}
	return nil
}

// why makes a reason of the catalogue.
func why(code triage.ReasonCode, args ...any) *triage.Reason {
	r := triage.NewReason(code, args...)
	return &r
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// importMail is Import, Inbound and Release: release, when set, is the
// skipped record to import after all.
func (s *Service) importMail(ctx context.Context, mb *triage.Mailbox, m *mail.Message, pos *triage.MailPosition, release *triage.MailMessage) (*Result, error) {
	s.init()
	mailboxID := ""
	if mb != nil {
		mailboxID = mb.ID
	}
	msgID := messageID(m)
	mbs, err := s.Store.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	// A released mail is imported whatever it is: an admin vouched for it.
	var skip *triage.Reason
	if release == nil {
		skip = noise(m, s.ownAddresses(mbs))
	}
	if skip == nil && release == nil {
		// Throttling counts mail as it arrives, in this process: a loop
		// between two robots is stopped after a minute's worth.
		if from := strings.ToLower(m.From.Email); from != "" && !s.limiter.Allow("from:"+from).Allowed {
			skip = why(triage.ReasonMailThrottled, from, s.senderLimit())
		}
	}
	var res *Result
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		var err error
		res, err = s.importTx(ctx, tx, mb, mailboxID, msgID, m, skip, release)
		if err != nil {
			return err
		}
		return s.advance(ctx, tx, mailboxID, pos)
	})
	if err == nil || !unimportable(err) {
		return res, err
	}
	// The mail cannot become a ticket (the desk refused it): keep it,
	// skipped with the reason, and move on, or it would block the mailbox.
	s.Log.Warn("mail: a mail could not be imported; it is kept as skipped", "message_id", msgID, "err", err)
	reason := why(triage.ReasonMailInvalid, clip(triage.ErrorMessage(err), 300))
	err = s.Store.Update(ctx, func(tx triage.Tx) error {
		var err error
		res, err = s.importTx(ctx, tx, mb, mailboxID, msgID, m, reason, release)
		if err != nil {
			return err
		}
		return s.advance(ctx, tx, mailboxID, pos)
	})
	return res, err
}

func (s *Service) senderLimit() int {
	if s.SenderLimit > 0 {
		return s.SenderLimit
	}
	return DefaultSenderLimit
}

// unimportable reports whether the desk refused the mail for what it is,
// so trying again cannot help.
func unimportable(err error) bool {
	switch triage.ErrorCode(err) {
	case triage.EINVALID, triage.ETOOLARGE, triage.ECONFLICT:
		return true
	}
	return false
}

// advance commits the mailbox's position with the mail, and when the
// mailbox last imported.
func (s *Service) advance(ctx context.Context, tx triage.Tx, mailboxID string, pos *triage.MailPosition) error {
	if pos == nil || mailboxID == "" {
		return nil
	}
	if err := tx.SetMailboxPosition(ctx, mailboxID, *pos); err != nil {
		return err
	}
	now := s.now()
	return tx.SetMailboxState(ctx, mailboxID, triage.MailboxState{ImportAt: &now})
}

// importTx does the import's writes in tx.
func (s *Service) importTx(ctx context.Context, tx triage.Tx, mb *triage.Mailbox, mailboxID, msgID string, m *mail.Message,
	skip *triage.Reason, release *triage.MailMessage) (*Result, error) {
	if release == nil {
		if rec, err := tx.InboundMail(ctx, mailboxID, msgID); err == nil {
			return &Result{MailID: rec.ID, Status: Duplicate, TicketID: rec.TicketID, CommentID: rec.CommentID}, nil
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
	}
	now := s.now()
	rec := release
	if rec == nil {
		sha, err := tx.PutBlob(ctx, m.Raw)
		if err != nil {
			return nil, err
		}
		rec = &triage.MailMessage{ID: triage.NewID(), Direction: triage.MailIn, MailboxID: mailboxID, MessageID: msgID,
			From: strings.ToLower(m.From.Email), Subject: m.Subject, RawSHA256: sha, CreatedAt: now}
		for _, a := range append(slices.Clone(m.To), m.Cc...) {
			rec.To = append(rec.To, strings.ToLower(a.Email))
		}
	}
	rec.UpdatedAt = now
	res := &Result{MailID: rec.ID}
	if skip != nil {
		if skip.Code == triage.ReasonMailBounce {
			if err := s.bounced(ctx, tx, m); err != nil {
				return nil, err
			}
		}
		rec.Status, rec.Reason = triage.MailSkipped, skip
		res.Status, res.Reason = triage.MailSkipped, skip
		if release != nil {
			return res, tx.UpdateMailMessage(ctx, rec)
		}
		return res, tx.AddMailMessage(ctx, rec)
	}
	files := attachments(m)
	t, err := s.thread(ctx, tx, m)
	if err != nil {
		return nil, err
	}
	if t != nil {
		body := m.Text
		if strings.TrimSpace(body) == "" && len(files) == 0 {
			body = "（邮件没有正文）"
		}
		c, err := s.Desk.AddCommentTx(ctx, tx, t.ID, triage.NewComment{Body: body, FromRequester: true, Attachments: files})
		if err != nil {
			return nil, err
		}
		rec.TicketID, rec.CommentID = t.ID, c.ID
		res.TicketID, res.CommentID = t.ID, c.ID
	} else {
		t, err = s.newTicket(ctx, tx, mb, m, files)
		if err != nil {
			return nil, err
		}
		rec.TicketID, res.TicketID, res.Created = t.ID, t.ID, true
	}
	rec.Status, res.Status = triage.MailImported, triage.MailImported
	if release != nil {
		was := triage.Reason{}
		if release.Reason != nil {
			was = *release.Reason
		}
		rec.Reason = why(triage.ReasonMailReleased, was)
		if err := tx.UpdateMailMessage(ctx, rec); err != nil {
			return nil, err
		}
	} else if err := tx.AddMailMessage(ctx, rec); err != nil {
		return nil, err
	}
	if res.Created {
		if err := s.acknowledge(ctx, tx, t, mb); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// attachments are the mail's files within the desk's limits: the first
// ones that fit, in order. What does not fit stays in the raw mail.
func attachments(m *mail.Message) []triage.NewAttachment {
	var out []triage.NewAttachment
	var total int64
	for _, a := range m.Attachments {
		name := triage.CleanFileName(a.Filename)
		if len(a.Content) == 0 || name == "" || len(a.Content) > triage.MaxAttachmentBytes ||
			total+int64(len(a.Content)) > triage.MaxAttachmentTotalBytes || len(out) == triage.MaxAttachments {
			continue
		}
		total += int64(len(a.Content))
		out = append(out, triage.NewAttachment{Name: name, ContentType: a.ContentType, Data: a.Content, ContentID: a.ContentID, Inline: a.Inline})
	}
	return out
}

// thread finds the ticket a mail answers: by In-Reply-To and References,
// the most recent first, among every mail we sent or received; then by a
// [#ref] in the subject, from the ticket's own requester. A merged
// ticket's survivor takes its mail; a closed ticket takes none (closed
// is final: the mail opens a new ticket).
func (s *Service) thread(ctx context.Context, tx triage.Tx, m *mail.Message) (*triage.Ticket, error) {
	ids := slices.Clone(m.InReplyTo)
	for i := len(m.References) - 1; i >= 0; i-- {
		if !slices.Contains(ids, m.References[i]) {
			ids = append(ids, m.References[i])
		}
	}
	if len(ids) > maxThreadIDs {
		ids = ids[:maxThreadIDs]
	}
	recs, err := tx.MailByMessageID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		for _, r := range recs {
			if r.MessageID != id || r.TicketID == "" {
				continue
			}
			t, err := survivor(ctx, tx, r.TicketID)
			if err != nil || t != nil {
				return t, err
			}
		}
	}
	if m.TicketRef != "" {
		t, err := tx.TicketByRef(ctx, m.TicketRef)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		// The reference alone is no credential: anyone can type it. It
		// threads mail from the ticket's own requester only.
		if t.Requester.Email == "" || !strings.EqualFold(t.Requester.Email, m.Requester().Email) {
			return nil, nil
		}
		return survivor(ctx, tx, t.ID)
	}
	return nil, nil
}

// survivor follows merges from a ticket to the one that lives on; nil
// when that one is closed.
func survivor(ctx context.Context, tx triage.Tx, id string) (*triage.Ticket, error) {
	for range 10 {
		t, err := tx.Ticket(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if t.MergedInto == "" {
			if t.Status == triage.StatusClosed {
				return nil, nil
			}
			return t, nil
		}
		id = t.MergedInto
	}
	return nil, nil
}

// newTicket opens a ticket for a mail: the requester matched by address
// (the name, phone and tier a former ticket knew), triaged like any
// ticket, in the mailbox's team with its hints.
func (s *Service) newTicket(ctx context.Context, tx triage.Tx, mb *triage.Mailbox, m *mail.Message, files []triage.NewAttachment) (*triage.Ticket, error) {
	req := m.Requester()
	if req.Email != "" {
		prior, _, err := tx.Tickets(ctx, triage.TicketFilter{RequesterID: req.Email, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(prior) > 0 {
			p := prior[0].Requester
			if req.Name == "" {
				req.Name = p.Name
			}
			req.Phone, req.Tier = p.Phone, p.Tier
		}
	}
	if req.Validate() != nil {
		// An address the desk would refuse (a mail client's odd syntax):
		// the mail still becomes a ticket, without a reply address.
		req = triage.Requester{Name: req.Name}
		if req.Validate() != nil {
			req = triage.Requester{}
		}
	}
	title := strings.TrimSpace(m.Topic)
	if title == "" {
		title = "（无主题）"
	}
	in := triage.NewTicket{Title: title, Body: m.Text, Requester: req, Channel: triage.ChannelEmail, Attachments: files}
	var hints desk.Hints
	if mb != nil {
		hints = desk.Hints{Category: mb.Category, Priority: mb.Priority}
		if mb.TeamID != "" {
			// A team deleted since the mailbox was set up: the ticket
			// goes where routing puts it.
			if _, err := tx.Team(ctx, mb.TeamID); err == nil {
				in.TeamID = mb.TeamID
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				return nil, err
			}
		}
	}
	return s.Desk.CreateTicketTx(ctx, tx, in, hints)
}

// bounced marks the outbound mail a bounce reports as failed, with the
// remote server's answer, and notes it on the ticket.
func (s *Service) bounced(ctx context.Context, tx triage.Tx, m *mail.Message) error {
	var ids []string
	if m.Bounce != nil && m.Bounce.OriginalMessageID != "" {
		ids = append(ids, m.Bounce.OriginalMessageID)
	}
	ids = append(ids, m.InReplyTo...)
	ids = append(ids, m.References...)
	if len(ids) > maxThreadIDs {
		ids = ids[:maxThreadIDs]
	}
	recs, err := tx.MailByMessageID(ctx, ids)
	if err != nil {
		return err
	}
	if m.Bounce != nil && !m.Bounce.Permanent {
		return nil // a delay notice: the mail may still arrive
	}
	for _, r := range recs {
		if r.Direction != triage.MailOut || r.Status == triage.MailFailed {
			continue
		}
		answer := "bounced"
		if m.Bounce != nil {
			answer = strings.TrimSpace(strings.Join(nonEmpty(m.Bounce.Status, m.Bounce.Diagnostic), " "))
		}
		r.Status, r.Error, r.UpdatedAt = triage.MailFailed, clip(answer, 1000), s.now()
		r.Reason = why(triage.ReasonMailBounced)
		if err := tx.UpdateMailMessage(ctx, r); err != nil {
			return err
		}
		if err := s.noteFailure(ctx, tx, r); err != nil {
			return err
		}
		break
	}
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// noteFailure writes a mail's permanent failure into its ticket's
// history, where the ticket page shows it.
func (s *Service) noteFailure(ctx context.Context, tx triage.Tx, r *triage.MailMessage) error {
	if r.TicketID == "" {
		return nil
	}
	if _, err := tx.Ticket(ctx, r.TicketID); triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	reason := triage.Reason{}
	if r.Reason != nil {
		reason = *r.Reason
	}
	return tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: r.TicketID, Actor: "system:mail", At: s.now(),
		Field: "mail", Old: r.ID, New: triage.MailFailed,
		Why: triage.Reasons{triage.NewReason(triage.ReasonMailFailed, r.Purpose, strings.Join(r.To, ", "), reason, clip(r.Error, 1000))}})
}
