package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

const notificationColumns = `id, agent_id, kind, ticket_id, ticket_title, actor, detail, created_at, read_at`

func scanNotification(r interface{ Scan(...any) error }) (*triage.Notification, error) {
	var n triage.Notification
	err := r.Scan(&n.ID, &n.AgentID, &n.Kind, &n.TicketID, &n.TicketTitle, &n.Actor, &n.Detail, timeCol{&n.CreatedAt}, nullTimeCol{&n.ReadAt})
	return &n, err
}

// Notification returns one notification.
func (s queries) Notification(ctx context.Context, id string) (*triage.Notification, error) {
	n, err := scanNotification(s.q.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("notification", id)
	}
	return n, dbError("notification", err)
}

// Notifications lists an agent's notifications, newest first.
func (s queries) Notifications(ctx context.Context, agentID string, unread bool, limit int) ([]*triage.Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE agent_id = ?`
	if unread {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, agentID, limit)
	if err != nil {
		return nil, dbError("notifications", err)
	}
	defer rows.Close()
	out := []*triage.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, dbError("notifications", err)
		}
		out = append(out, n)
	}
	return out, dbError("notifications", rows.Err())
}

// AddNotification stores n unless its id is stored already.
func (tx *Tx) AddNotification(ctx context.Context, n *triage.Notification) error {
	if err := checkNotification(n); err != nil {
		return err
	}
	n.CreatedAt = triage.StoreTime(n.CreatedAt)
	n.ReadAt = triage.StoreTimePtr(n.ReadAt)
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO notifications (`+notificationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		n.ID, n.AgentID, n.Kind, n.TicketID, n.TicketTitle, n.Actor, n.Detail, micros(n.CreatedAt), nullMicros(n.ReadAt))
	if err != nil {
		return dbError("add notification", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return nil
	}
	return tx.logChange(ctx, "notification", n.ID, "create")
}

// ReadNotifications marks an agent's unread notifications read.
func (tx *Tx) ReadNotifications(ctx context.Context, agentID string, ids []string, at time.Time) (int, error) {
	if err := triage.Required("agent_id", agentID); err != nil {
		return 0, err
	}
	q := `UPDATE notifications SET read_at = ? WHERE agent_id = ? AND read_at IS NULL`
	args := []any{micros(triage.StoreTime(at)), agentID}
	if ids != nil {
		if len(ids) == 0 {
			return 0, nil
		}
		q += ` AND id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := tx.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, dbError("read notifications", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		if err := tx.logChange(ctx, "notification", "agent:"+agentID, "update"); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

func checkNotification(n *triage.Notification) error {
	for _, f := range []struct{ name, v string }{{"id", n.ID}, {"agent_id", n.AgentID}, {"ticket_id", n.TicketID}} {
		if err := triage.Required(f.name, f.v); err != nil {
			return err
		}
	}
	if !n.Kind.Valid() {
		return triage.Invalid("kind", "kind %q is not a notification kind", n.Kind)
	}
	return nil
}

// NotificationPrefs returns a person's choices, empty when none.
func (s queries) NotificationPrefs(ctx context.Context, agentID string) (*triage.NotificationPrefs, error) {
	p := &triage.NotificationPrefs{AgentID: agentID, Mail: []triage.NotificationKind{}}
	var mail string
	err := s.q.QueryRowContext(ctx, `SELECT mail, updated_at FROM notification_prefs WHERE agent_id = ?`, agentID).Scan(&mail, timeCol{&p.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return nil, dbError("notification prefs", err)
	}
	p.Mail = splitKinds(mail)
	return p, nil
}

// PutNotificationPrefs saves a person's choices.
func (tx *Tx) PutNotificationPrefs(ctx context.Context, p *triage.NotificationPrefs) error {
	mail, err := joinKinds(p)
	if err != nil {
		return err
	}
	if _, err := tx.Agent(ctx, p.AgentID); err != nil {
		return err
	}
	p.UpdatedAt = triage.StoreTime(p.UpdatedAt)
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO notification_prefs (agent_id, mail, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (agent_id) DO UPDATE SET mail = excluded.mail, updated_at = excluded.updated_at`, p.AgentID, mail, micros(p.UpdatedAt)); err != nil {
		return dbError("notification prefs", err)
	}
	// No change-log entry: nothing derived (search, vectors) reads them.
	return nil
}

func splitKinds(s string) []triage.NotificationKind {
	out := []triage.NotificationKind{}
	for _, k := range strings.Split(s, ",") {
		if k != "" {
			out = append(out, triage.NotificationKind(k))
		}
	}
	return out
}

func joinKinds(p *triage.NotificationPrefs) (string, error) {
	if err := triage.Required("agent_id", p.AgentID); err != nil {
		return "", err
	}
	if p.Mail == nil {
		p.Mail = []triage.NotificationKind{}
	}
	parts := make([]string, len(p.Mail))
	for i, k := range p.Mail {
		if !k.Valid() {
			return "", triage.Invalid("mail", "mail[%d] = %q is not a notification kind", i, k)
		}
		parts[i] = string(k)
	}
	return strings.Join(parts, ","), nil
}
