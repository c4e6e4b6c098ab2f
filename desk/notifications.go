package desk

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Notifier fills each person's in-app notification centre from the
// events: a ticket assigned to them, the customer writing on their
// ticket, an SLA warning or breach of their ticket or of a ticket of the
// team they lead (the policy's "notify_lead" escalation names the lead),
// and an @mention in an internal note. Every notification's id derives
// from its event and recipient, so an event handled twice (a retried job)
// notifies once.
type Notifier struct {
	Store triage.Store
	// Mail queues the e-mail of a notification whose person chose to get
	// its kind by e-mail too; nil mails nothing.
	Mail NotificationMailer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NotificationMailer queues a notification's e-mail in the transaction
// that stores it (package email).
type NotificationMailer interface {
	QueueNotificationMail(ctx context.Context, tx triage.Tx, n *triage.Notification) error
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Subscriptions are the events the notifier follows.
func (n *Notifier) Subscriptions() []triage.Subscription {
	subs := []triage.Subscription{
		triage.EventSLAWarning.On(n.sla(triage.NotifySLAWarning)),
		triage.EventSLABreached.On(n.sla(triage.NotifySLABreached)),
	}
	for _, k := range triage.TicketEvents() {
		subs = append(subs, k.On(n.ticket))
	}
	return subs
}

func (n *Notifier) sla(kind triage.NotificationKind) func(ctx context.Context, e triage.Event[triage.SLANotice]) error {
	return func(ctx context.Context, e triage.Event[triage.SLANotice]) error {
		t, err := n.Store.Ticket(ctx, e.Payload.TicketID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil
		} else if err != nil {
			return err
		}
		who := slices.Clone(e.Payload.Notify)
		if t.AssigneeID != "" && !slices.Contains(who, t.AssigneeID) {
			who = append(who, t.AssigneeID)
		}
		return n.add(ctx, e.Key, kind, t, "", e.Payload.Metric, who)
	}
}

// mentionRe finds @names in a note: a name runs to the next space or
// punctuation.
var mentionRe = regexp.MustCompile(`@([\p{L}\p{N}_.\-]+)`)

func (n *Notifier) ticket(ctx context.Context, e triage.Event[triage.TicketEvent]) error {
	p := e.Payload
	t, err := n.Store.Ticket(ctx, p.TicketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	actor, _ := strings.CutPrefix(p.Actor, "agent:")
	if !strings.HasPrefix(p.Actor, "agent:") {
		actor = ""
	}
	if slices.Contains(p.Fields, "assignee_id") && t.AssigneeID != "" && t.AssigneeID != actor {
		if err := n.add(ctx, e.Key, triage.NotifyAssigned, t, actor, "", []string{t.AssigneeID}); err != nil {
			return err
		}
	}
	// The comments this write added, as its event names them.
	ids := p.CommentIDs
	if len(ids) == 0 {
		return nil
	}
	cs, err := n.Store.Comments(ctx, t.ID)
	if err != nil {
		return err
	}
	var agents []*triage.Agent
	for _, c := range cs {
		if !slices.Contains(ids, c.ID) {
			continue
		}
		switch {
		case c.FromRequester && t.AssigneeID != "":
			if err := n.add(ctx, e.Key+":"+c.ID, triage.NotifyCustomerReplied, t, "", "", []string{t.AssigneeID}); err != nil {
				return err
			}
		case !c.Public && !c.FromRequester:
			names := mentionRe.FindAllStringSubmatch(c.Body, -1)
			if len(names) == 0 {
				continue
			}
			if agents == nil {
				if agents, err = n.Store.Agents(ctx); err != nil {
					return err
				}
			}
			var who []string
			for _, m := range names {
				for _, a := range agents {
					if (a.Name == m[1] || strings.HasPrefix(m[1], a.Name)) && a.ID != c.AuthorID && !slices.Contains(who, a.ID) {
						who = append(who, a.ID)
					}
				}
			}
			if err := n.add(ctx, e.Key+":"+c.ID, triage.NotifyMention, t, c.AuthorID, "", who); err != nil {
				return err
			}
		}
	}
	return nil
}

// add stores one notification per recipient, in one transaction.
func (n *Notifier) add(ctx context.Context, key string, kind triage.NotificationKind, t *triage.Ticket, actor, detail string, who []string) error {
	if len(who) == 0 {
		return nil
	}
	now := n.now()
	return n.Store.Update(ctx, func(tx triage.Tx) error {
		for _, id := range who {
			if id == "" {
				continue
			}
			nt := &triage.Notification{ID: triage.EventKey(string(kind), []byte(key+"\x00"+id)), AgentID: id, Kind: kind, TicketID: t.ID,
				TicketTitle: t.Title, Actor: actor, Detail: detail, CreatedAt: now}
			// A notification stored already (an event handled twice) was
			// mailed already, if it was to be.
			_, err := tx.Notification(ctx, nt.ID)
			fresh := triage.IsCode(err, triage.ENOTFOUND)
			if err != nil && !fresh {
				return err
			}
			if err := tx.AddNotification(ctx, nt); err != nil {
				return err
			}
			if !fresh || n.Mail == nil {
				continue
			}
			prefs, err := tx.NotificationPrefs(ctx, id)
			if err != nil {
				return err
			}
			if prefs.Mails(kind) {
				if err := n.Mail.QueueNotificationMail(ctx, tx, nt); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Notifications lists the caller's notification centre and how many of
// it are unread; a caller who is not an agent has none.
func (s *Service) Notifications(ctx context.Context, unread bool) ([]*triage.Notification, int, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return []*triage.Notification{}, 0, nil
	}
	list, err := s.Store.Notifications(ctx, p.AgentID, unread, 50)
	if err != nil {
		return nil, 0, err
	}
	open, err := s.Store.Notifications(ctx, p.AgentID, true, 1000)
	if err != nil {
		return nil, 0, err
	}
	return list, len(open), nil
}

// ReadNotifications marks the caller's notifications read: those of ids,
// or all when all is set.
func (s *Service) ReadNotifications(ctx context.Context, ids []string, all bool) (int, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return 0, nil
	}
	if !all && len(ids) == 0 {
		return 0, triage.Invalid("ids", "name the notifications to mark read in ids, or set all")
	}
	if all {
		ids = nil
	}
	var n int
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		var err error
		n, err = tx.ReadNotifications(ctx, p.AgentID, ids, s.now())
		return err
	})
	return n, err
}

// NotificationPrefs returns the caller's choices about their
// notifications; a caller who is not an agent has none (and no
// notifications).
func (s *Service) NotificationPrefs(ctx context.Context) (*triage.NotificationPrefs, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return &triage.NotificationPrefs{Mail: []triage.NotificationKind{}}, nil
	}
	return s.Store.NotificationPrefs(ctx, p.AgentID)
}

// SetNotificationPrefs saves the caller's choices: which kinds of
// notification also come by e-mail.
func (s *Service) SetNotificationPrefs(ctx context.Context, in triage.NotificationPrefsChange) (*triage.NotificationPrefs, error) {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.AgentID == "" {
		return nil, triage.Errorf(triage.ECONFLICT, "only a person (an agent) gets notifications; this token is not one, so it has no choices to make")
	}
	mail, err := in.Normalize()
	if err != nil {
		return nil, err
	}
	out := &triage.NotificationPrefs{AgentID: p.AgentID, Mail: mail, UpdatedAt: s.now()}
	if err := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.PutNotificationPrefs(ctx, out) }); err != nil {
		return nil, err
	}
	return out, nil
}
