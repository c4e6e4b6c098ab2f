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
