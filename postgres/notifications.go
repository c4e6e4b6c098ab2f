package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const notificationColumns = `id, agent_id, kind, ticket_id, ticket_title, actor, detail, created_at, read_at`

func scanNotification(r pgx.Row) (*triage.Notification, error) {
	var n triage.Notification
	err := r.Scan(&n.ID, &n.AgentID, &n.Kind, &n.TicketID, &n.TicketTitle, &n.Actor, &n.Detail, &n.CreatedAt, &n.ReadAt)
	n.CreatedAt = n.CreatedAt.UTC()
	if n.ReadAt != nil {
		u := n.ReadAt.UTC()
		n.ReadAt = &u
	}
	return &n, err
}

// Notification returns one notification.
func (s queries) Notification(ctx context.Context, id string) (*triage.Notification, error) {
	n, err := scanNotification(s.q.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("notification", id)
	}
	return n, dbError("notification", err)
}

// Notifications lists an agent's notifications, newest first.
func (s queries) Notifications(ctx context.Context, agentID string, unread bool, limit int) ([]*triage.Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE agent_id = $1`
	if unread {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.q.Query(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT $2`, agentID, limit)
	return collect(rows, err, "notifications", func(r pgx.Rows) (*triage.Notification, error) { return scanNotification(r) })
}

// AddNotification stores n unless its id is stored already.
func (tx *Tx) AddNotification(ctx context.Context, n *triage.Notification) error {
	if err := checkNotification(n); err != nil {
		return err
	}
	n.CreatedAt = triage.StoreTime(n.CreatedAt)
	n.ReadAt = triage.StoreTimePtr(n.ReadAt)
	tag, err := tx.tx.Exec(ctx, `INSERT INTO notifications (`+notificationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO NOTHING`,
		n.ID, n.AgentID, string(n.Kind), n.TicketID, n.TicketTitle, n.Actor, n.Detail, n.CreatedAt, n.ReadAt)
	if err != nil {
		return dbError("add notification", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return tx.logChange(ctx, "notification", n.ID, "create")
}

// ReadNotifications marks an agent's unread notifications read.
func (tx *Tx) ReadNotifications(ctx context.Context, agentID string, ids []string, at time.Time) (int, error) {
	if err := triage.Required("agent_id", agentID); err != nil {
		return 0, err
	}
	q := `UPDATE notifications SET read_at = $1 WHERE agent_id = $2 AND read_at IS NULL`
	args := []any{triage.StoreTime(at), agentID}
	if ids != nil {
		if len(ids) == 0 {
			return 0, nil
		}
		q += ` AND id = ANY($3)`
		args = append(args, ids)
	}
	tag, err := tx.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, dbError("read notifications", err)
	}
	n := int(tag.RowsAffected())
	if n > 0 {
		if err := tx.logChange(ctx, "notification", "agent:"+agentID, "update"); err != nil {
			return 0, err
		}
	}
	return n, nil
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
	err := s.q.QueryRow(ctx, `SELECT mail, updated_at FROM notification_prefs WHERE agent_id = $1`, agentID).Scan(&mail, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return nil, dbError("notification prefs", err)
	}
	p.UpdatedAt = triage.StoreTime(p.UpdatedAt)
	for _, k := range strings.Split(mail, ",") {
		if k != "" {
			p.Mail = append(p.Mail, triage.NotificationKind(k))
		}
	}
	return p, nil
}

// PutNotificationPrefs saves a person's choices.
func (tx *Tx) PutNotificationPrefs(ctx context.Context, p *triage.NotificationPrefs) error {
	if err := triage.Required("agent_id", p.AgentID); err != nil {
		return err
	}
	if p.Mail == nil {
		p.Mail = []triage.NotificationKind{}
	}
	parts := make([]string, len(p.Mail))
	for i, k := range p.Mail {
		if !k.Valid() {
			return triage.Invalid("mail", "mail[%d] = %q is not a notification kind", i, k)
		}
		parts[i] = string(k)
	}
	if _, err := tx.Agent(ctx, p.AgentID); err != nil {
		return err
	}
	p.UpdatedAt = triage.StoreTime(p.UpdatedAt)
	if _, err := tx.tx.Exec(ctx, `INSERT INTO notification_prefs (agent_id, mail, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (agent_id) DO UPDATE SET mail = excluded.mail, updated_at = excluded.updated_at`, p.AgentID, strings.Join(parts, ","), p.UpdatedAt); err != nil {
		return dbError("notification prefs", err)
	}
	// No change-log entry: nothing derived (search, vectors) reads them.
	return nil
}
