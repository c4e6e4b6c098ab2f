package kefu

import (
	"context"
	"fmt"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

// Bot answers a customer's question from the public articles: the help
// centre's answer API (POST /v1/answer), with its fact and safety rules
// and its logging for the deflection report. Handover is true when a
// person must answer (low confidence, a complaint, a threat, safety), Why
// saying which.
type Bot interface {
	Answer(ctx context.Context, q BotQuestion) (BotAnswer, error)
}

// BotQuestion is what the bot is asked: the customer's words, and the
// ticket as the session that groups one conversation's questions.
type BotQuestion struct {
	Question string
	Session  string
}

// BotAnswer is the bot's short grounded answer, its citations' titles
// and links, or a handover.
type BotAnswer struct {
	Text     string
	Links    []string
	Handover bool
	Why      string
}

// JobBot lets the bot answer, or hand over, one group of a customer's
// messages: outside the sync's transaction, since it asks the bot.
const JobBot triage.JobKind[BotArgs] = "wechat.bot"

// BotArgs name the first record of the group.
type BotArgs struct {
	RecordID string `json:"record_id"`
}

// Pseudo-types of outbound records: the bot's answer (sent as text, one
// of the replies the window allows) and a handover (a
// kf/service_state/trans call, no message).
const (
	TypeBot      = "bot"
	TypeHandover = "handover"
)

// HandoverAsked is the handover reason when the customer asks for a
// person.
const HandoverAsked = "asked"

// wantsPerson reports whether the customer asks for a person (转人工,
// 人工客服, 找人工…): the bot then hands over without answering.
func wantsPerson(s string) bool {
	return strings.Contains(s, "人工") || strings.Contains(s, "真人")
}

// saysSomething reports whether any line of a group says more than a
// greeting.
func saysSomething(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if meaningful(l) {
			return true
		}
	}
	return false
}

// botActive reports whether the bot still holds a ticket's session: no
// one but the bot has answered on it (a greeting alone is left for the
// bot to answer the question after it), and it was not handed over.
func botActive(recs []*triage.WeChatMessage) bool {
	for _, r := range recs {
		if r.Direction != triage.MailOut {
			continue
		}
		switch r.Type {
		case TypeBot, TypeWelcome, TypeSurvey:
		default:
			return false // handed over, or an agent's reply
		}
	}
	return true
}

// queueBot queues the bot for a group that started a ticket (a new
// session) or joined one the bot still holds. tx is the page's.
func (s *Service) queueBot(ctx context.Context, tx triage.Tx, c *triage.WeChatChannel, first *triage.WeChatMessage, newTicket bool) error {
	if !c.Bot || s.Bot == nil {
		return nil
	}
	if !newTicket {
		recs, err := tx.TicketWeChat(ctx, first.TicketID)
		if err != nil {
			return err
		}
		if !botActive(recs) {
			return nil
		}
	}
	j, err := JobBot.Job(BotArgs{RecordID: first.ID})
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

// botMsgID and handoverMsgID derive from the customer's record, so a
// repeated job finds what it did before and does nothing twice.
func botMsgID(recordID string) string { return strings.ReplaceAll(recordID, "-", "") }
func handoverMsgID(recordID string) string {
	return "h" + botMsgID(recordID)[:wechat.MaxMsgIDBytes-1]
}

// bot is the JobBot handler.
func (s *Service) bot(ctx context.Context, a BotArgs) error {
	in, err := s.Store.WeChatMessage(ctx, a.RecordID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	for _, id := range []string{botMsgID(in.ID), handoverMsgID(in.ID)} {
		if _, err := s.Store.WeChatByMsgID(ctx, in.ChannelID, triage.MailOut, id); err == nil {
			return nil // done before
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
	}
	c, err := s.Store.WeChatChannel(ctx, in.ChannelID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if !c.Bot || s.Bot == nil || in.TicketID == "" {
		return nil
	}
	question, err := s.question(ctx, in)
	if err != nil {
		return err
	}
	if wantsPerson(question) {
		return s.handover(ctx, c, in, HandoverAsked)
	}
	if !saysSomething(question) {
		return nil // 你好, 在吗: the answer API would hand over; wait for the question
	}
	ans, err := s.Bot.Answer(ctx, BotQuestion{Question: clip(question, 2000), Session: "wechat:" + in.TicketID})
	if err != nil {
		if triage.IsCode(err, triage.EINVALID) {
			return s.handover(ctx, c, in, "invalid")
		}
		return err
	}
	if ans.Handover || strings.TrimSpace(ans.Text) == "" {
		return s.handover(ctx, c, in, ans.Why)
	}
	return s.botAnswer(ctx, in, ans)
}

// question is the text of the customer's group: the ticket's body for a
// group that started it, else the comment it made.
func (s *Service) question(ctx context.Context, in *triage.WeChatMessage) (string, error) {
	if in.CommentID == "" {
		t, err := s.Store.Ticket(ctx, in.TicketID)
		if err != nil {
			return "", err
		}
		return t.Body, nil
	}
	cs, err := s.Store.Comments(ctx, in.TicketID)
	if err != nil {
		return "", err
	}
	for _, x := range cs {
		if x.ID == in.CommentID {
			return x.Body, nil
		}
	}
	return "", nil
}

// botText is the answer as sent: the text, then the cited articles'
// links, within WeChat's limit.
func botText(a BotAnswer) string {
	text := strings.TrimSpace(a.Text)
	for _, l := range a.Links {
		if len(text)+1+len(l) > wechat.MaxTextBytes {
			break
		}
		text += "\n" + l
	}
	return clipBytes(text, wechat.MaxTextBytes)
}

// botAnswer stores the bot's answer as an internal note on the ticket (so
// agents read what the customer was told, and it is not the ticket's
// first response) and queues it for kf/send_msg by the send job, one
// transaction.
func (s *Service) botAnswer(ctx context.Context, in *triage.WeChatMessage, a BotAnswer) error {
	body := botText(a)
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if _, err := tx.WeChatByMsgID(ctx, in.ChannelID, triage.MailOut, botMsgID(in.ID)); err == nil {
			return nil // a job before this one got here
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		st, err := s.state(ctx, tx, &Customer{ChannelID: in.ChannelID, OpenKfID: in.OpenKfID, ExternalUserID: in.ExternalUserID})
		if err != nil {
			return err
		}
		if !st.CanSend || st.Remaining < 1 {
			return nil // the window closed while the bot thought
		}
		note, err := s.Desk.AddCommentTx(ctx, tx, in.TicketID, triage.NewComment{Body: body})
		if triage.IsCode(err, triage.ECONFLICT) {
			return nil // closed meanwhile
		} else if err != nil {
			return err
		}
		now := s.now()
		rec := &triage.WeChatMessage{ID: triage.NewID(), ChannelID: in.ChannelID, Direction: triage.MailOut, MsgID: botMsgID(in.ID),
			OpenKfID: in.OpenKfID, ExternalUserID: in.ExternalUserID, Type: TypeBot, TicketID: in.TicketID, CommentID: note.ID,
			Status: triage.MailQueued, Reason: why(triage.ReasonWeChatBotAnswer), At: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.AddWeChatMessage(ctx, rec); err != nil {
			return err
		}
		j, err := JobSend.Job(SendArgs{RecordID: rec.ID})
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, j)
	})
}

// handover hands the session to a person with kf/service_state/trans: to
// the channel's servicer (state 3) when one is set, else, or when 企业微信
// refuses that servicer, to the queue (待接入池, state 2). The ticket
// stays where the sync put it, for the team; its history says why.
func (s *Service) handover(ctx context.Context, c *triage.WeChatChannel, in *triage.WeChatMessage, reason string) error {
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	to, target := wechat.StateQueued, "queue"
	var transErr error
	if c.BotServicer != "" {
		_, transErr = cl.TransServiceState(ctx, in.OpenKfID, in.ExternalUserID, wechat.StateServicer, c.BotServicer)
		if transErr == nil {
			to, target = wechat.StateServicer, "servicer "+c.BotServicer
		} else if wechat.Retryable(transErr) {
			return transErr
		}
	}
	if c.BotServicer == "" || transErr != nil {
		_, transErr = cl.TransServiceState(ctx, in.OpenKfID, in.ExternalUserID, wechat.StateQueued, "")
		if transErr != nil && wechat.Retryable(transErr) {
			return transErr
		}
	}
	now := s.now()
	rec := &triage.WeChatMessage{ID: triage.NewID(), ChannelID: in.ChannelID, Direction: triage.MailOut, MsgID: handoverMsgID(in.ID),
		OpenKfID: in.OpenKfID, ExternalUserID: in.ExternalUserID, Type: TypeHandover, TicketID: in.TicketID,
		Status: triage.MailSent, Reason: why(triage.ReasonWeChatHandover, reason, target), At: now, CreatedAt: now, UpdatedAt: now, SentAt: &now}
	if transErr != nil {
		rec.Status, rec.SentAt, rec.Error = triage.MailFailed, nil, clip(transErr.Error(), 1000)
		s.log().Warn("wechat: handover refused; the ticket is with the team all the same", "ticket_id", in.TicketID, "err", transErr)
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		if _, err := tx.WeChatByMsgID(ctx, in.ChannelID, triage.MailOut, rec.MsgID); err == nil {
			return nil // a job before this one got here
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		if err := tx.AddWeChatMessage(ctx, rec); err != nil {
			return err
		}
		return tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: in.TicketID, Actor: "system:wechat", At: now,
			Field: "wechat", Old: TypeBot, New: fmt.Sprintf("%s:%d", TypeHandover, to), Why: triage.Reasons{*rec.Reason}})
	})
}
