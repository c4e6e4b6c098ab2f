package wechattest

import (
	"context"
	"fmt"

	"github.com/triagehq/triage/wechat"
)

// Session changes a 接待人员 makes in the 企业微信 client, each followed by
// a session_status_change event ("会话状态变更事件") with its change_type:
//
//	1 接入会话: a servicer takes a session waiting in the queue (待接入池);
//	2 转接会话: the servicer hands it to another servicer;
//	3 结束会话: the servicer ends it;
//	4 重新接入已结束/已转接会话: a servicer takes an ended session back.
//
// The event carries old_servicer_userid and new_servicer_userid as they
// apply, and, for change types 1 and 3, a msg_code for one
// kf/send_msg_on_event. A session with a servicer, in the queue or ended
// refuses kf/send_msg with 95018 (kf/service_state/get says which).
// Changes made through kf/service_state/trans raise no such event: the
// caller made them and knows.
const (
	ChangeTake     = 1
	ChangeTransfer = 2
	ChangeEnd      = 3
	ChangeReopen   = 4
)

// ServicerChange makes servicer do change to the session of (openKfID,
// user) in the 企业微信 client, checks it is a move the client allows, and
// notifies the event. to is the servicer a transfer goes to.
func (s *Server) ServicerChange(ctx context.Context, openKfID, user string, change int, servicer, to string) (Delivery, error) {
	s.mu.Lock()
	a := s.account(openKfID)
	if a == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("wechattest: no account %q", openKfID)
	}
	sess := s.sessions[sessionKey{openKfID, user}]
	if sess == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("wechattest: %s has no session with %s", user, openKfID)
	}
	from := s.stateOf(sess)
	ev := map[string]any{"event_type": string(wechat.EventSessionStatusChange), "open_kfid": openKfID, "external_userid": user, "change_type": change}
	var err error
	switch change {
	case ChangeTake:
		if from != wechat.StateQueued {
			err = fmt.Errorf("wechattest: only a session in the queue is taken, this one is in state %d", from)
		}
		sess.state, sess.servicer = wechat.StateServicer, servicer
		ev["new_servicer_userid"] = servicer
	case ChangeTransfer:
		if from != wechat.StateServicer || !a.servicers[to] {
			err = fmt.Errorf("wechattest: a transfer needs a session with a servicer (state %d) and a receiving servicer %q", from, to)
		}
		ev["old_servicer_userid"], ev["new_servicer_userid"] = sess.servicer, to
		sess.servicer = to
	case ChangeEnd:
		if from != wechat.StateServicer {
			err = fmt.Errorf("wechattest: only a servicer's session is ended in the client, this one is in state %d", from)
		}
		ev["old_servicer_userid"] = sess.servicer
		sess.state, sess.servicer = wechat.StateEnded, ""
	case ChangeReopen:
		if from != wechat.StateEnded {
			err = fmt.Errorf("wechattest: only an ended session is taken back, this one is in state %d", from)
		}
		sess.state, sess.servicer = wechat.StateServicer, servicer
		ev["new_servicer_userid"] = servicer
	default:
		err = fmt.Errorf("wechattest: change_type %d is not documented", change)
	}
	if err == nil && !a.servicers[servicer] {
		err = fmt.Errorf("wechattest: %q is not a servicer of %s", servicer, openKfID)
	}
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	if change == ChangeTake || change == ChangeEnd {
		code := randomAlnum(32)
		life, types := transCodeLife, []string{"text"}
		if change == ChangeEnd {
			life, types = welcomeLife, []string{"text", "msgmenu"}
		}
		s.codes[code] = &eventCode{openKfID: openKfID, user: user, state: sess.state, types: types, expires: s.Clock.Now().Add(life)}
		ev["msg_code"] = code
	}
	s.appendEvent(openKfID, ev)
	s.mu.Unlock()
	return s.notify(ctxOr(ctx), openKfID), nil
}

// Queue puts a customer's session in the queue (待接入池), as the
// account's routing in the 企业微信 admin does for a new session when no
// API takes it; kf/service_state/trans to state 2 does the same.
func (s *Server) Queue(openKfID, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessionFor(openKfID, user)
	sess.state, sess.servicer = wechat.StateQueued, ""
}
