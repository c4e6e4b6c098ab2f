package kefu

import (
	"context"
	"fmt"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

// Pseudo-types of outbound records: the welcome (kf/send_msg_on_event
// with enter_session's welcome_code, which the reply window does not
// count) and the satisfaction survey's link after a ticket is solved (a
// kf/send_msg text, which it does).
const (
	TypeWelcome = "welcome"
	TypeSurvey  = "survey"
)

// JobWelcome sends a channel's welcome with the code of one enter_session.
const JobWelcome triage.JobKind[WelcomeArgs] = "wechat.welcome"

// WelcomeArgs name the enter_session's record and carry its welcome_code
// (valid 20 seconds, one message).
type WelcomeArgs struct {
	RecordID string `json:"record_id"`
	Code     string `json:"code"`
}

// queueWelcome queues the welcome of an enter_session that carries a
// welcome_code: 企业微信 gives one only when no welcome is configured in
// its admin and the customer had none and no message in 48 hours.
func (s *Service) queueWelcome(ctx context.Context, tx triage.Tx, c *triage.WeChatChannel, rec *triage.WeChatMessage, code string) error {
	if code == "" || c.Welcome == "" {
		return nil
	}
	j, err := JobWelcome.Job(WelcomeArgs{RecordID: rec.ID, Code: code})
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

func welcomeMsgID(recordID string) string {
	return "w" + botMsgID(recordID)[:wechat.MaxMsgIDBytes-1]
}

// welcome is the JobWelcome handler. A code that expired (the sync came
// late) is recorded as failed, not retried: no later try can use it.
func (s *Service) welcome(ctx context.Context, a WelcomeArgs) error {
	ev, err := s.Store.WeChatMessage(ctx, a.RecordID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	msgID := welcomeMsgID(ev.ID)
	if _, err := s.Store.WeChatByMsgID(ctx, ev.ChannelID, triage.MailOut, msgID); err == nil {
		return nil // sent before
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return err
	}
	c, err := s.Store.WeChatChannel(ctx, ev.ChannelID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if c.Welcome == "" {
		return nil
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	m, err := wechat.NewText(ev.ExternalUserID, ev.OpenKfID, msgID, c.Welcome)
	if err != nil {
		return err
	}
	now := s.now()
	rec := &triage.WeChatMessage{ID: triage.NewID(), ChannelID: ev.ChannelID, Direction: triage.MailOut, MsgID: msgID, OpenKfID: ev.OpenKfID,
		ExternalUserID: ev.ExternalUserID, Type: TypeWelcome, Status: triage.MailSent, At: now, CreatedAt: now, UpdatedAt: now, SentAt: &now, Attempts: 1}
	if _, err := cl.SendOnEvent(ctx, a.Code, m); err != nil {
		if wechat.Retryable(err) {
			return err
		}
		answer := clip(err.Error(), 1000)
		rec.Status, rec.SentAt, rec.Error, rec.Reason = triage.MailFailed, nil, answer, why(triage.ReasonWeChatRejected, answer)
	}
	return s.Store.Update(ctx, func(tx triage.Tx) error { return tx.AddWeChatMessage(ctx, rec) })
}

// surveyRequested sends a solved WeChat ticket's satisfaction survey link
// to its customer, as a text through the send job, when WeChat's window
// still allows a message; otherwise the record says why it was not sent
// (the requester can still rate from "my tickets"). 企业微信's own
// satisfaction menu needs the session ended by API, which would take it
// from the servicers; the link is what we send.
func (s *Service) surveyRequested(ctx context.Context, e triage.Event[triage.SurveyRequest]) error {
	t, err := s.Store.Ticket(ctx, e.Payload.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if t.Channel != triage.ChannelWechat || e.Payload.URL == "" {
		return nil
	}
	msgID := "s" + botMsgID(e.Payload.SurveyID)
	msgID = msgID[:min(len(msgID), wechat.MaxMsgIDBytes)]
	text := fmt.Sprintf("您的问题已处理完毕。欢迎为本次服务评分（%s前有效）：%s", e.Payload.ExpiresAt.In(time.FixedZone("CST", 8*3600)).Format("1月2日"), e.Payload.URL)
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		recs, err := tx.TicketWeChat(ctx, t.ID)
		if err != nil {
			return err
		}
		cu := customerOf(recs)
		if cu == nil {
			return nil
		}
		if _, err := tx.WeChatByMsgID(ctx, cu.ChannelID, triage.MailOut, msgID); err == nil {
			return nil // queued when this event ran before
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
		now := s.now()
		rec := &triage.WeChatMessage{ID: triage.NewID(), ChannelID: cu.ChannelID, Direction: triage.MailOut, MsgID: msgID,
			OpenKfID: cu.OpenKfID, ExternalUserID: cu.ExternalUserID, Type: TypeSurvey, TicketID: t.ID,
			Status: triage.MailQueued, At: now, CreatedAt: now, UpdatedAt: now}
		st, err := s.state(ctx, tx, cu)
		if err != nil {
			return err
		}
		if !st.CanSend || st.Remaining < 1 {
			rec.Status, rec.Reason = triage.MailFailed, why(triage.ReasonWeChatCannotReply, st.Reason)
			return tx.AddWeChatMessage(ctx, rec)
		}
		if err := tx.AddWeChatMessage(ctx, rec); err != nil {
			return err
		}
		j, err := JobSend.Job(SendArgs{RecordID: rec.ID, Text: text})
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, j)
	})
}

// Subscriptions are the events the channel follows: a survey to send.
func (s *Service) Subscriptions() []triage.Subscription {
	return []triage.Subscription{triage.EventCSATRequested.On(s.surveyRequested)}
}
