package kefu

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

// TypeSessionState is the pseudo-type of a record that says where a
// customer's session in 企业微信 went: a session_status_change event (a
// servicer took, transferred, ended or took back the session in the
// 企业微信 client), or the answer of kf/service_state/get after a send was
// refused with 95018. kf/send_msg works only while a session is 未处理
// or with the bot; with a servicer, in the queue or ended it is refused,
// so a reply is refused here first, with a reason the agent can act on.
const TypeSessionState = "session_state"

// stateWords name the session states in a record's reason; the UI
// translates them (wechat.session.*).
var stateWords = map[wechat.ServiceState]string{
	wechat.StateUntreated: "untreated",
	wechat.StateBot:       "bot",
	wechat.StateQueued:    "queued",
	wechat.StateServicer:  "servicer",
	wechat.StateEnded:     "ended",
}

// changeState is the state a session_status_change leaves the session
// in ("会话状态变更事件"): 1 接入会话 (a servicer took it from the queue),
// 2 转接会话 (to another servicer) and 4 重新接入 (a servicer took an
// ended or transferred session back) give it to a servicer; 3 结束会话
// ends it. Other change types are not documented: ok is false.
func changeState(changeType int) (st wechat.ServiceState, ok bool) {
	switch changeType {
	case 1, 2, 4:
		return wechat.StateServicer, true
	case 3:
		return wechat.StateEnded, true
	}
	return 0, false
}

// stateRecord is a record of the session of customer (openKfID, user)
// going to st with servicer.
func (s *Service) stateRecord(channelID, openKfID, user, msgID string, st wechat.ServiceState, servicer string) *triage.WeChatMessage {
	now := s.now()
	return &triage.WeChatMessage{ID: triage.NewID(), ChannelID: channelID, Direction: triage.MailIn, MsgID: msgID,
		OpenKfID: openKfID, ExternalUserID: user, Type: TypeSessionState, Status: triage.MailSkipped,
		Reason: why(triage.ReasonWeChatSessionState, stateWords[st], servicer), At: now, CreatedAt: now, UpdatedAt: now}
}

// recordState reads a state record's state back.
func recordState(r *triage.WeChatMessage) (wechat.ServiceState, bool) {
	if r.Reason == nil || len(r.Reason.Args) == 0 {
		return 0, false
	}
	for st, w := range stateWords {
		if r.Reason.Args["state"] == w {
			return st, true
		}
	}
	return 0, false
}

// sessionState is where a customer's session stands by their records
// (newest first): what the bot's handover, the session events and a
// refused send's kf/service_state/get left, and a customer writing after
// the session ended reopening it (未处理). No record says 未处理.
func sessionState(recs []*triage.WeChatMessage) (wechat.ServiceState, string) {
	st, servicer := wechat.StateUntreated, ""
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		switch {
		case r.Direction == triage.MailIn && r.Status == triage.MailImported:
			if st == wechat.StateEnded {
				st, servicer = wechat.StateUntreated, ""
			}
		case r.Type == TypeSessionState:
			if to, ok := recordState(r); ok {
				servicer, _ = r.Reason.Args["servicer"].(string)
				st = to
			}
		case r.Type == TypeHandover && r.Status == triage.MailSent && r.Reason != nil:
			to, _ := r.Reason.Args["to"].(string)
			if strings.HasPrefix(to, "servicer ") {
				st, servicer = wechat.StateServicer, strings.TrimPrefix(to, "servicer ")
			} else {
				st, servicer = wechat.StateQueued, ""
			}
		}
	}
	return st, servicer
}

// sessionRefusal is the reason a reply cannot go out in session state
// st, or "" when kf/send_msg may send in it.
func sessionRefusal(st wechat.ServiceState) string {
	switch {
	case st.APISendable():
		return ""
	case st == wechat.StateEnded:
		return wechat.ReasonSessionEnded
	}
	return wechat.ReasonSessionServicer
}

// learnState asks 企业微信 where the session of a reply it refused with
// 95018 stands (kf/service_state/get) and records it, so that the next
// reply is refused before it is stored, not after. It runs in the send
// job, outside any transaction; a failed query is only logged.
func (s *Service) learnState(ctx context.Context, cl *wechat.Client, rec *triage.WeChatMessage) {
	st, servicer, err := cl.ServiceState(ctx, rec.OpenKfID, rec.ExternalUserID)
	if err != nil {
		s.log().Warn("wechat: could not read the session state after a refused send", "record", rec.ID, "err", err)
		return
	}
	sr := s.stateRecord(rec.ChannelID, rec.OpenKfID, rec.ExternalUserID, "state_"+rec.MsgID, st, servicer)
	sr.TicketID = rec.TicketID
	if err := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.AddWeChatMessage(ctx, sr) }); err != nil {
		s.log().Warn("wechat: could not record the session state", "record", rec.ID, "err", err)
	}
}
