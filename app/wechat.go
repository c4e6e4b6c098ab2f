package app

import (
	"context"
	"fmt"
	"net/http"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/kefu"
)

// openWeChat builds the WeChat channel (微信客服) beside the e-mail one:
// the sealing key is the mailboxes' (openMail loads it), and the desk
// hands public replies to both channels, each taking its own tickets.
func (a *App) openWeChat() error {
	a.WeChat = &kefu.Service{Store: a.Store, Desk: a.Desk, Queue: a.Jobs, Locker: a.Store, Keys: a.Keys,
		BaseURL: a.Config.WeChatAPI, Now: a.Config.WeChatNow, Log: a.Log.With("part", "wechat"),
		// Every call to 企业微信 is a span "outbound wechat" (no URL: the
		// access_token is in its query) and counts in the outbound metrics.
		HTTPClient: &http.Client{Timeout: kefu.HTTPTimeout, Transport: a.outbound(triage.OutboundWeChat)(nil)}}
	a.WeChat.Bot = helpBot{a}
	a.Desk.Outbox = outboxes{a.Desk.Outbox, a.WeChat}
	return nil
}

// outboxes hands a public reply to every channel; each queues it only for
// its own tickets, and one refusing it (WeChat's window) refuses the
// reply.
type outboxes []desk.Outbox

func (o outboxes) Reply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c *triage.Comment, atts []*triage.Attachment) error {
	for _, x := range o {
		if x == nil {
			continue
		}
		if err := x.Reply(ctx, tx, t, c, atts); err != nil {
			return err
		}
	}
	return nil
}

// helpBot is the help centre's answer API as the WeChat channel's bot: the
// same grounded answer from public articles, the same handovers, and each
// answer logged for the deflection report. The help centre opens after
// the channel, so it is looked up on each question.
type helpBot struct{ a *App }

func (b helpBot) Answer(ctx context.Context, q kefu.BotQuestion) (kefu.BotAnswer, error) {
	if b.a.Help == nil {
		return kefu.BotAnswer{}, triage.Errorf(triage.EUNAVAILABLE, "the help centre is not open")
	}
	r, err := b.a.Help.Answer(ctx, helpcentre.AnswerRequest{Question: q.Question, Session: q.Session})
	if err != nil {
		return kefu.BotAnswer{}, err
	}
	out := kefu.BotAnswer{Text: r.Answer, Handover: r.Handover, Why: r.Reason}
	for _, c := range r.Citations {
		out.Links = append(out.Links, fmt.Sprintf("[%d] %s %s", c.N, c.Title, c.URL))
	}
	return out, nil
}
