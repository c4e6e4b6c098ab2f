package kefu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

// JobSend sends one queued reply with kf/send_msg.
const JobSend triage.JobKind[SendArgs] = "wechat.send"

// SendArgs name the record of the reply to send.
type SendArgs struct {
	RecordID string `json:"record_id"`
	// Text is sent instead of a comment's body: the survey's link.
	Text string `json:"text,omitempty"`
}

// Customer is who a WeChat ticket's replies go to.
type Customer struct {
	ChannelID      string `json:"channel_id"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
}

// ReplyState is what the agent is told before writing a public reply on a
// WeChat ticket: whether WeChat will deliver it now, until when, how many
// replies are left, and why not (a wechat.Reason… code the UI translates).
type ReplyState struct {
	WeChat    bool      `json:"wechat"`
	CanSend   bool      `json:"can_send"`
	Until     time.Time `json:"until,omitzero"`
	Remaining int       `json:"remaining"`
	Reason    string    `json:"reason,omitempty"`
	Customer  *Customer `json:"customer,omitempty"`
	// Records are the ticket's messages in and out, oldest first, each
	// with its delivery state.
	Records []*triage.WeChatMessage `json:"records"`
}

// customerOf finds a ticket's WeChat customer: the one who last wrote on it.
func customerOf(recs []*triage.WeChatMessage) *Customer {
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Direction == triage.MailIn && r.ExternalUserID != "" && r.Status == triage.MailImported {
			return &Customer{ChannelID: r.ChannelID, OpenKfID: r.OpenKfID, ExternalUserID: r.ExternalUserID}
		}
	}
	return nil
}

// state computes the reply window of a customer from their records.
func (s *Service) state(ctx context.Context, r triage.Reader, cu *Customer) (wechat.ReplyState, error) {
	recs, err := r.WeChatCustomer(ctx, cu.ChannelID, cu.ExternalUserID, 100)
	if err != nil {
		return wechat.ReplyState{}, err
	}
	var last time.Time
	sent := 0
	files := map[string]map[string]int{} // ticket → comment → files
	for _, x := range recs {             // newest first
		if x.Direction == triage.MailIn && x.Status == triage.MailImported {
			last = x.At
			break
		}
		if x.Direction != triage.MailOut || x.Status == triage.MailFailed || x.Type == TypeHandover || x.Type == TypeWelcome {
			continue
		}
		// A reply is its text and one message per file.
		if x.Type != "files" {
			sent++
		}
		if _, ok := files[x.TicketID]; !ok {
			atts, err := r.Attachments(ctx, x.TicketID)
			if err != nil {
				return wechat.ReplyState{}, err
			}
			files[x.TicketID] = map[string]int{}
			for _, a := range atts {
				files[x.TicketID][a.CommentID]++
			}
		}
		sent += files[x.TicketID][x.CommentID]
	}
	st := s.Window.State(last, sent, s.now())
	if st.CanSend {
		if ss, _ := sessionState(recs); sessionRefusal(ss) != "" {
			st.CanSend, st.Reason = false, sessionRefusal(ss)
		}
	}
	return st, nil
}

// ReplyState says whether a reply on ticket id can go out on WeChat now.
func (s *Service) ReplyState(ctx context.Context, ticketID string) (*ReplyState, error) {
	t, err := s.Store.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	recs, err := s.Store.TicketWeChat(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := &ReplyState{Records: recs, WeChat: t.Channel == triage.ChannelWechat}
	cu := customerOf(recs)
	if cu == nil {
		out.Reason = wechat.ReasonNoCustomerMessage
		return out, nil
	}
	st, err := s.state(ctx, s.Store, cu)
	if err != nil {
		return nil, err
	}
	out.Customer, out.CanSend, out.Until, out.Remaining, out.Reason = cu, st.CanSend, st.Until, st.Remaining, st.Reason
	return out, nil
}

// refusal is the 4xx an agent gets for a reply WeChat would not deliver.
func refusal(st wechat.ReplyState) error {
	var msg string
	switch st.Reason {
	case wechat.ReasonWindowClosed:
		msg = fmt.Sprintf("WeChat delivers replies only within 48 hours of the customer's last message; that window closed at %s. Reply by another channel (phone, e-mail) or wait for the customer to write again", st.Until.UTC().Format(time.RFC3339))
	case wechat.ReasonReplyLimit:
		msg = fmt.Sprintf("WeChat allows %d replies after the customer's last message and they are used; wait for the customer to write again or reply by another channel", wechat.ReplyLimit)
	case wechat.ReasonSessionServicer:
		msg = "the WeChat session was handed to a servicer in 企业微信 (or waits in their queue), so WeChat refuses replies sent from here (95018); answer in 企业微信 or reply by another channel"
	case wechat.ReasonSessionEnded:
		msg = "a servicer ended the WeChat session in 企业微信, so WeChat refuses replies until the customer writes again; reply by another channel"
	default:
		msg = "the customer has not written on WeChat, so WeChat cannot deliver a reply; reply by another channel"
	}
	return &triage.Error{Code: triage.ECONFLICT, Field: "wechat", Message: msg, Allowed: []string{st.Reason}}
}

// Reply is the desk's Outbox for WeChat tickets: it checks WeChat's window
// and queues the reply, in the transaction that stores it. A reply WeChat
// would refuse is refused here, before anything is stored or sent.
func (s *Service) Reply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c *triage.Comment, atts []*triage.Attachment) error {
	if t.Channel != triage.ChannelWechat {
		return nil
	}
	recs, err := tx.TicketWeChat(ctx, t.ID)
	if err != nil {
		return err
	}
	cu := customerOf(recs)
	if cu == nil {
		return nil // a WeChat ticket typed in by hand: nobody to send to
	}
	if len(c.Body) > wechat.MaxTextBytes {
		return triage.Invalid("body", "WeChat takes at most %d bytes in one message (about %d Chinese characters); this reply is %d", wechat.MaxTextBytes, wechat.MaxTextBytes/3, len(c.Body))
	}
	st, err := s.state(ctx, tx, cu)
	if err != nil {
		return err
	}
	if !st.CanSend || st.Remaining < 1+len(atts) {
		if st.CanSend {
			st.Reason = wechat.ReasonReplyLimit
		}
		return refusal(st)
	}
	now := s.now()
	id := triage.NewID()
	rec := &triage.WeChatMessage{ID: id, ChannelID: cu.ChannelID, Direction: triage.MailOut, MsgID: strings.ReplaceAll(id, "-", ""),
		OpenKfID: cu.OpenKfID, ExternalUserID: cu.ExternalUserID, Type: string(wechat.MsgText), TicketID: t.ID, CommentID: c.ID,
		Status: triage.MailQueued, At: now, CreatedAt: now, UpdatedAt: now}
	if strings.TrimSpace(c.Body) == "" {
		rec.Type = "files"
	}
	if err := tx.AddWeChatMessage(ctx, rec); err != nil {
		return err
	}
	j, err := JobSend.Job(SendArgs{RecordID: rec.ID})
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

// send is the JobSend handler: it sends the reply as stored now (its text,
// then its files uploaded with media/upload), outside any transaction, and
// records how it went. The msgid is the record's, so a retried send after
// a crash is one message at 企业微信.
func (s *Service) send(ctx context.Context, a SendArgs) error {
	rec, err := s.Store.WeChatMessage(ctx, a.RecordID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if rec.Status != triage.MailQueued {
		return nil
	}
	c, err := s.Store.WeChatChannel(ctx, rec.ChannelID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonWeChatRejected, "the WeChat channel was deleted"), "")
	} else if err != nil {
		return err
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	sendErr := s.deliver(ctx, cl, rec, a.Text)
	rec.Attempts++
	if sendErr == nil {
		now := s.now()
		rec.SentAt = &now
		return s.finish(ctx, rec, triage.MailSent, nil, "")
	}
	answer := clip(sendErr.Error(), 1000)
	switch {
	case wechat.KindOf(sendErr) == wechat.KindCannotReply:
		if errors.Is(sendErr, wechat.ErrSessionState) {
			s.learnState(ctx, cl, rec)
		}
		return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonWeChatCannotReply, answer), answer)
	case wechat.Retryable(sendErr) && rec.Attempts < MaxSendAttempts:
		rec.Error, rec.UpdatedAt = answer, s.now()
		if err := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.UpdateWeChatMessage(ctx, rec) }); err != nil {
			return err
		}
		return sendErr
	case wechat.Retryable(sendErr):
		return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonWeChatGaveUp, rec.Attempts), answer)
	}
	return s.finish(ctx, rec, triage.MailFailed, why(triage.ReasonWeChatRejected, answer), answer)
}

// deliver sends the comment's text and files.
func (s *Service) deliver(ctx context.Context, cl *wechat.Client, rec *triage.WeChatMessage, text string) error {
	if text != "" {
		m, err := wechat.NewText(rec.ExternalUserID, rec.OpenKfID, rec.MsgID, text)
		if err != nil {
			return err
		}
		_, err = cl.SendMsg(ctx, m)
		return err
	}
	cs, err := s.Store.Comments(ctx, rec.TicketID)
	if err != nil {
		return err
	}
	var body string
	found := false
	for _, x := range cs {
		if x.ID == rec.CommentID {
			body, found = x.Body, true
		}
	}
	if !found {
		return triage.Invalid("comment_id", "the reply of this message is gone")
	}
	if strings.TrimSpace(body) != "" {
		m, err := wechat.NewText(rec.ExternalUserID, rec.OpenKfID, rec.MsgID, body)
		if err != nil {
			return err
		}
		if _, err := cl.SendMsg(ctx, m); err != nil {
			return err
		}
	}
	atts, err := s.Store.Attachments(ctx, rec.TicketID)
	if err != nil {
		return err
	}
	n := 0
	for _, at := range atts {
		if at.CommentID != rec.CommentID {
			continue
		}
		n++
		data, err := s.Store.Blob(ctx, at.SHA256)
		if err != nil {
			return err
		}
		typ := wechat.MediaFile
		if strings.HasPrefix(at.ContentType, "image/") && len(data) <= wechat.MediaImage.MaxBytes() {
			typ = wechat.MediaImage
		}
		up, err := cl.UploadMedia(ctx, typ, at.Name, data)
		if err != nil {
			return err
		}
		// One msgid per file, derived from the record's, so a retry
		// repeats none of the files already sent.
		m, err := wechat.NewMediaMessage(rec.ExternalUserID, rec.OpenKfID, fmt.Sprintf("%s_%d", rec.MsgID[:28], n), typ.MsgType(), up.MediaID)
		if err != nil {
			return err
		}
		if _, err := cl.SendMsg(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// finish records a reply's outcome; a failure is noted on its ticket.
func (s *Service) finish(ctx context.Context, rec *triage.WeChatMessage, status string, reason *triage.Reason, answer string) error {
	rec.Status, rec.Reason, rec.Error, rec.UpdatedAt = status, reason, answer, s.now()
	if status == triage.MailFailed {
		s.log().Warn("wechat: reply not sent", "record", rec.ID, "ticket_id", rec.TicketID, "answer", answer)
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if err := tx.UpdateWeChatMessage(ctx, rec); err != nil {
			return err
		}
		if status == triage.MailFailed {
			return s.noteFailure(ctx, tx, rec)
		}
		return nil
	})
}
