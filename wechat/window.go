package wechat

import "time"

// WeChat's reply window ("发送消息": 用户发送消息 → 5条, 48 小时): after a
// customer's message the corp may send at most five messages within 48
// hours; the customer writing again starts a new window.
const (
	ReplyLimit = 5
	ReplySpan  = 48 * time.Hour
)

// Reasons a reply cannot be sent, declared once; the UI translates them.
const (
	ReasonNoCustomerMessage = "wechat_no_customer_message" // the customer never wrote (or it is unknown)
	ReasonWindowClosed      = "wechat_window_closed"       // 48 hours have passed; Until says when
	ReasonReplyLimit        = "wechat_reply_limit"         // the five replies are used
	// The session in 企业微信 does not let the API send: a servicer
	// answers it in the 企业微信 client (or it waits in their queue), or a
	// servicer ended it and the customer has not written since. WeChat
	// would refuse a reply with 95018.
	ReasonSessionServicer = "wechat_session_servicer"
	ReasonSessionEnded    = "wechat_session_ended"
)

// Window is the rule a reply is checked against before it is sent.
type Window struct {
	// Limit is the number of messages allowed after the customer's last
	// message; ReplyLimit when zero.
	Limit int
	// Span is how long after it they may be sent; ReplySpan when zero.
	Span time.Duration
	// Margin closes the window this much early, so that a reply the agent
	// starts just before the end is not refused by WeChat after the UI
	// said it could be sent.
	Margin time.Duration
}

// ReplyState is what Window.State says about one customer.
type ReplyState struct {
	// CanSend is whether WeChat should accept a message now.
	CanSend bool
	// Until is when the window closes (Margin applied); zero when the
	// customer never wrote.
	Until time.Time
	// Remaining is how many messages may still be sent before Until.
	Remaining int
	// Reason is empty when CanSend, else one of the Reason constants.
	Reason string
}

// State says whether a message may be sent now to a customer whose last
// message was at lastCustomer, sentSince messages having been sent to them
// since. Messages that WeChat accepted count; refused ones do not.
func (w Window) State(lastCustomer time.Time, sentSince int, now time.Time) ReplyState {
	limit, span := w.Limit, w.Span
	if limit <= 0 {
		limit = ReplyLimit
	}
	if span <= 0 {
		span = ReplySpan
	}
	if lastCustomer.IsZero() {
		return ReplyState{Reason: ReasonNoCustomerMessage}
	}
	s := ReplyState{Until: lastCustomer.Add(span - w.Margin), Remaining: max(limit-sentSince, 0)}
	switch {
	case !now.Before(s.Until):
		s.Remaining = 0
		s.Reason = ReasonWindowClosed
	case s.Remaining == 0:
		s.Reason = ReasonReplyLimit
	default:
		s.CanSend = true
	}
	return s
}
