package kefu

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/wechat"
)

// Sync is the JobSync handler: it reads the channel's pages from its
// stored cursor, committing each page (records, tickets, comments, media
// jobs, the cursor after it) in one transaction.
func (s *Service) Sync(ctx context.Context, a SyncArgs) error {
	c, err := s.Store.WeChatChannel(ctx, a.ChannelID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	if s.Locker != nil {
		release, err := s.lock(ctx, c.ID)
		if err != nil {
			return err
		}
		defer release()
		// Re-read under the lock: the holder before may have moved it.
		if c, err = s.Store.WeChatChannel(ctx, a.ChannelID); err != nil {
			return err
		}
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	_, err = cl.SyncEach(ctx, wechat.SyncRequest{Cursor: c.Cursor, Token: a.Token}, func(p wechat.SyncPage) error {
		return s.page(ctx, c, p, s.nicknames(ctx, cl, c, p))
	})
	now := s.now()
	state := triage.WeChatState{SyncAt: &now}
	if err != nil {
		state = triage.WeChatState{Error: clip(err.Error(), 1000), ErrorAt: &now}
		s.log().Warn("wechat: sync stopped; it resumes from the stored cursor", "channel", c.ID, "err", err)
	}
	if serr := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.SetWeChatState(ctx, c.ID, state) }); serr != nil && err == nil {
		err = serr
	}
	if err != nil && wechat.KindOf(err) == wechat.KindConfig {
		// An admin must fix the connection: retrying will not help, and
		// the error shows on the admin page.
		return nil
	}
	return err
}

// lockWait is how long a read waits for the one before it to end.
const lockWait = time.Minute

// lock takes the channel's read lock, waiting for a read in progress (in
// this process or another replica) to end: reads of one channel take
// turns, so two never fetch the same page at once.
func (s *Service) lock(ctx context.Context, id string) (func(), error) {
	deadline := time.Now().Add(lockWait)
	for {
		release, _, ok, err := s.Locker.TryLock(ctx, "wechat.sync:"+id)
		if err != nil {
			return nil, err
		}
		if ok {
			return release, nil
		}
		if time.Now().After(deadline) {
			return nil, triage.Errorf(triage.EUNAVAILABLE, "another read of WeChat channel %s has run for over %s; retried later", id, lockWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Page commits what one page of kf/sync_msg means, with the cursor after
// it, in one transaction. It is the unit a crash repeats: the msgids of
// its records make a repeat change nothing.
func (s *Service) Page(ctx context.Context, c *triage.WeChatChannel, p wechat.SyncPage) error {
	return s.page(ctx, c, p, nil)
}

// nicknames reads the 微信 nicknames of the customers of a page who have
// never written before (kf/customer/batchget), before the page's
// transaction: they name the requesters of their first tickets. A
// failure only costs the names.
func (s *Service) nicknames(ctx context.Context, cl *wechat.Client, c *triage.WeChatChannel, p wechat.SyncPage) map[string]string {
	var ids []string
	seen := map[string]bool{}
	for _, m := range p.Messages {
		u := m.ExternalUserID
		if m.Origin != wechat.OriginCustomer || m.Event != nil || u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if recs, err := s.Store.WeChatCustomer(ctx, c.ID, u, 1); err != nil || len(recs) > 0 {
			continue
		}
		ids = append(ids, u)
	}
	if len(ids) == 0 {
		return nil
	}
	infos, err := cl.Customers(ctx, ids)
	if err != nil {
		s.log().Warn("wechat: customers' nicknames not read; their tickets get the default name", "channel", c.ID, "err", err)
		return nil
	}
	names := map[string]string{}
	for _, in := range infos {
		if n := strings.TrimSpace(in.Nickname); n != "" {
			names[in.ExternalUserID] = clip(n, 100)
		}
	}
	return names
}

func (s *Service) page(ctx context.Context, c *triage.WeChatChannel, p wechat.SyncPage, names map[string]string) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		fresh := make([]wechat.Message, 0, len(p.Messages))
		for _, m := range p.Messages {
			if m.MsgID == "" {
				continue
			}
			if _, err := tx.WeChatByMsgID(ctx, c.ID, triage.MailIn, m.MsgID); err == nil {
				continue // read before (a page repeated after a crash)
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				return err
			}
			fresh = append(fresh, m)
		}
		for _, g := range groups(fresh, time.Duration(c.PauseSeconds)*time.Second) {
			if err := s.group(ctx, tx, c, g, names); err != nil {
				return err
			}
		}
		return tx.SetWeChatCursor(ctx, c.ID, p.NextCursor)
	})
}

// groups splits a page into what is handled together: a customer's
// consecutive messages, each within pause of the one before, are one
// group (one ticket, or one comment, triaged as one text); every other
// entry (an event, a servicer's message) is a group of its own. Groups
// keep the order of their first message.
func groups(ms []wechat.Message, pause time.Duration) [][]wechat.Message {
	var out [][]wechat.Message
	open := map[string]int{} // customer → index of their open group
	for _, m := range ms {
		if m.Origin != wechat.OriginCustomer || m.Event != nil {
			out = append(out, []wechat.Message{m})
			continue
		}
		key := m.OpenKfID + "/" + m.ExternalUserID
		if i, ok := open[key]; ok {
			last := out[i][len(out[i])-1]
			if m.Sent().Sub(last.Sent()) <= pause {
				out[i] = append(out[i], m)
				continue
			}
		}
		open[key] = len(out)
		out = append(out, []wechat.Message{m})
	}
	return out
}

func (s *Service) record(c *triage.WeChatChannel, m wechat.Message, status string, reason *triage.Reason) *triage.WeChatMessage {
	now := s.now()
	at := m.Sent().UTC()
	if m.SendTime == 0 {
		at = now
	}
	return &triage.WeChatMessage{ID: triage.NewID(), ChannelID: c.ID, Direction: triage.MailIn, MsgID: m.MsgID, OpenKfID: m.OpenKfID,
		ExternalUserID: m.ExternalUserID, Type: string(m.Type), Status: status, Reason: reason, MediaID: m.MediaID(),
		At: at, CreatedAt: now, UpdatedAt: now}
}

// group handles one group in tx.
func (s *Service) group(ctx context.Context, tx triage.Tx, c *triage.WeChatChannel, g []wechat.Message, names map[string]string) error {
	first := g[0]
	switch {
	case first.Event != nil:
		return s.event(ctx, tx, c, first)
	case first.Origin != wechat.OriginCustomer:
		return tx.AddWeChatMessage(ctx, s.record(c, first, triage.MailSkipped, why(triage.ReasonWeChatServicer)))
	}
	recs := make([]*triage.WeChatMessage, len(g))
	lines := make([]string, len(g))
	for i, m := range g {
		recs[i] = s.record(c, m, triage.MailImported, nil)
		lines[i] = render(m)
	}
	body := clipBytes(strings.Join(lines, "\n"), triage.MaxBodyBytes)
	t, err := s.customerTicket(ctx, tx, c, first.ExternalUserID)
	if err != nil {
		return err
	}
	var ticketID, commentID string
	if t != nil {
		cm, err := s.Desk.AddCommentTx(ctx, tx, t.ID, triage.NewComment{Body: body, FromRequester: true})
		if err != nil {
			return err
		}
		ticketID, commentID = t.ID, cm.ID
	} else {
		in := triage.NewTicket{Title: title(g), Body: body, Channel: triage.ChannelWechat,
			Requester: triage.Requester{Name: customerName(first.ExternalUserID)}}
		if n := names[first.ExternalUserID]; n != "" {
			in.Requester.Name = n
		}
		if team := c.TeamOf(first.OpenKfID); team != "" {
			if _, err := tx.Team(ctx, team); err == nil {
				in.TeamID = team
			} else if !triage.IsCode(err, triage.ENOTFOUND) {
				return err
			}
		}
		nt, err := s.Desk.CreateTicketTx(ctx, tx, in, desk.Hints{})
		if err != nil {
			return err
		}
		ticketID = nt.ID
	}
	for _, r := range recs {
		r.TicketID, r.CommentID = ticketID, commentID
		if err := tx.AddWeChatMessage(ctx, r); err != nil {
			return err
		}
		if r.MediaID != "" {
			j, err := JobMedia.Job(MediaArgs{RecordID: r.ID})
			if err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, j); err != nil {
				return err
			}
		}
	}
	return s.queueBot(ctx, tx, c, recs[0], t == nil)
}

// customerTicket is the ticket a customer's new message joins: their
// latest ticket (merges followed) unless it is closed, or solved longer
// ago than the channel's reopen window; nil starts a new one.
func (s *Service) customerTicket(ctx context.Context, tx triage.Tx, c *triage.WeChatChannel, user string) (*triage.Ticket, error) {
	recs, err := tx.WeChatCustomer(ctx, c.ID, user, 50)
	if err != nil {
		return nil, err
	}
	id := ""
	for _, r := range recs {
		if r.TicketID != "" {
			id = r.TicketID
			break
		}
	}
	if id == "" {
		return nil, nil
	}
	for range 10 {
		t, err := tx.Ticket(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if t.MergedInto != "" {
			id = t.MergedInto
			continue
		}
		switch {
		case t.Status == triage.StatusClosed:
			return nil, nil
		case t.Status == triage.StatusSolved && t.SolvedAt != nil &&
			s.now().Sub(*t.SolvedAt) > time.Duration(c.ReopenHours)*time.Hour:
			return nil, nil
		}
		return t, nil
	}
	return nil, nil
}

// event records a session event and acts on the ones that say something
// about our replies.
func (s *Service) event(ctx context.Context, tx triage.Tx, c *triage.WeChatChannel, m wechat.Message) error {
	e := m.Event
	rec := s.record(c, m, triage.MailSkipped, why(triage.ReasonWeChatEvent, string(e.EventType)))
	switch e.EventType {
	case wechat.EventEnterSession:
		if err := s.queueWelcome(ctx, tx, c, rec, e.WelcomeCode); err != nil {
			return err
		}
	case wechat.EventMsgSendFail:
		out, err := tx.WeChatByMsgID(ctx, c.ID, triage.MailOut, e.FailMsgID)
		if err == nil && out.Status != triage.MailFailed {
			out.Status, out.Reason, out.UpdatedAt = triage.MailFailed, why(triage.ReasonWeChatSendFail, int(e.FailType)), s.now()
			out.Error = fmt.Sprintf("msg_send_fail fail_type %d", e.FailType)
			if err := tx.UpdateWeChatMessage(ctx, out); err != nil {
				return err
			}
			if err := s.noteFailure(ctx, tx, out); err != nil {
				return err
			}
			rec.TicketID = out.TicketID
		} else if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return err
		}
	case wechat.EventSessionStatusChange:
		if st, ok := changeState(e.ChangeType); ok {
			servicer := e.NewServicerUserID
			if st == wechat.StateEnded {
				servicer = ""
			}
			sr := s.stateRecord(c.ID, m.OpenKfID, m.ExternalUserID, m.MsgID, st, servicer)
			sr.At = rec.At
			rec = sr
		}
	case wechat.EventUserRecallMsg:
		rec.Reason = why(triage.ReasonWeChatRecalled, e.RecallMsgID)
		if in, err := tx.WeChatByMsgID(ctx, c.ID, triage.MailIn, e.RecallMsgID); err == nil {
			rec.TicketID = in.TicketID
		}
	}
	return tx.AddWeChatMessage(ctx, rec)
}

// noteFailure writes a reply's failure into its ticket's history.
func (s *Service) noteFailure(ctx context.Context, tx triage.Tx, r *triage.WeChatMessage) error {
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
	return tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: r.TicketID, Actor: "system:wechat", At: s.now(),
		Field: "wechat", Old: r.ID, New: triage.MailFailed, Why: triage.Reasons{triage.NewReason(triage.ReasonWeChatFailed, reason)}})
}

// render is a message as a line of the ticket's text.
func render(m wechat.Message) string {
	switch {
	case m.Text != nil:
		return m.Text.Content
	case m.Image != nil:
		return "[图片]"
	case m.Voice != nil:
		return "[语音]"
	case m.Video != nil:
		return "[视频]"
	case m.File != nil:
		return "[文件]"
	case m.Location != nil:
		l := m.Location
		return strings.TrimSpace(fmt.Sprintf("[位置] %s %s (%.6f, %.6f)", l.Name, l.Address, l.Latitude, l.Longitude))
	case m.Link != nil:
		return strings.TrimSpace(fmt.Sprintf("[链接] %s %s %s", m.Link.Title, m.Link.Desc, m.Link.URL))
	}
	return "[" + string(m.Type) + "消息]"
}

// greetings are openings that say nothing about the problem: a title
// made of one would tell an agent nothing.
var greetings = []string{"你好", "您好", "在吗", "在不在", "有人吗", "hello", "hi", "客服", "人工", "人工客服", "在", "哈喽", "嗨", "请问"}

// meaningful reports whether a text says more than a greeting.
func meaningful(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimRight(t, "?？!！。.,，~ ")
	if t == "" {
		return false
	}
	for _, g := range greetings {
		if t == g {
			return false
		}
	}
	return true
}

// title is the ticket's title: the first meaningful text of the group
// (its first line, at most 50 characters), else what the first message
// was.
func title(g []wechat.Message) string {
	for _, m := range g {
		if m.Text != nil && meaningful(m.Text.Content) {
			line := strings.TrimSpace(strings.SplitN(strings.TrimSpace(m.Text.Content), "\n", 2)[0])
			return clip(line, 50)
		}
	}
	for _, m := range g {
		if m.Link != nil && m.Link.Title != "" {
			return clip(m.Link.Title, 50)
		}
	}
	return "微信消息：" + render(g[0])[:min(len(render(g[0])), 60)]
}

// customerName is how a customer without a known name is shown.
func customerName(user string) string {
	if len(user) > 6 {
		user = user[len(user)-6:]
	}
	return "微信客户 " + user
}

func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8ValidTail(s) {
		s = s[:len(s)-1]
	}
	return s
}
