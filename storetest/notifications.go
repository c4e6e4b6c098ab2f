package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var notificationTests = []test{
	{"add, list, dedupe and read", testNotifications},
	{"bad input", testNotificationInput},
	{"e-mail choices", testNotificationPrefs},
}

// testNotificationPrefs: a person's e-mail choices are empty until saved,
// round-trip in order, are replaced by a later save, and refuse an
// unknown kind or agent.
func testNotificationPrefs(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		return tx.CreateAgent(ctx, newAgent("np-1", "钱敏", "qianmin@example.com"))
	})
	got, err := s.NotificationPrefs(ctx, "np-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "never chosen", got, &triage.NotificationPrefs{AgentID: "np-1", Mail: []triage.NotificationKind{}})
	for _, mail := range [][]triage.NotificationKind{{triage.NotifyAssigned, triage.NotifyMention}, {}} {
		p := &triage.NotificationPrefs{AgentID: "np-1", Mail: mail, UpdatedAt: base}
		update(t, s, func(tx triage.Tx) error { return tx.PutNotificationPrefs(ctx, p) })
		got, err := s.NotificationPrefs(ctx, "np-1")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "saved", got, p)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutNotificationPrefs(ctx, &triage.NotificationPrefs{AgentID: "np-1", Mail: []triage.NotificationKind{"nonsense"}, UpdatedAt: base})
	}), triage.EINVALID)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutNotificationPrefs(ctx, &triage.NotificationPrefs{AgentID: "np-nobody", Mail: []triage.NotificationKind{}, UpdatedAt: base})
	}), triage.ENOTFOUND)
}

func testNotifications(t *testing.T, s triage.Store) {
	ctx := t.Context()
	mk := func(id, agent string, at time.Duration) *triage.Notification {
		return &triage.Notification{ID: id, AgentID: agent, Kind: triage.NotifyAssigned, TicketID: "tk-1", TicketTitle: "退款", CreatedAt: base.Add(at)}
	}
	update(t, s, func(tx triage.Tx) error {
		for _, n := range []*triage.Notification{mk("n1", "a", 0), mk("n2", "a", time.Second), mk("n3", "b", 0), mk("n1", "a", time.Hour)} {
			if err := tx.AddNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	list, err := s.Notifications(ctx, "a", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "n2" || list[1].ID != "n1" || !list[1].CreatedAt.Equal(base) || list[1].ReadAt != nil {
		t.Fatalf("Notifications(a) = %+v, want n2 then n1 (the duplicate id left as it was)", list)
	}
	var n int
	update(t, s, func(tx triage.Tx) (err error) {
		n, err = tx.ReadNotifications(ctx, "a", []string{"n1", "n3"}, base.Add(time.Minute))
		return err
	})
	if n != 1 {
		t.Errorf("read %d, want 1 (n3 is b's)", n)
	}
	if got, _ := s.Notification(ctx, "n1"); got == nil || got.ReadAt == nil || !got.ReadAt.Equal(base.Add(time.Minute)) {
		t.Errorf("n1 after reading = %+v", got)
	}
	if unread, _ := s.Notifications(ctx, "a", true, 0); len(unread) != 1 || unread[0].ID != "n2" {
		t.Errorf("unread of a = %+v, want n2", unread)
	}
	update(t, s, func(tx triage.Tx) (err error) { n, err = tx.ReadNotifications(ctx, "b", nil, base); return err })
	if n != 1 {
		t.Errorf("reading all of b marked %d, want 1", n)
	}
	_, err = s.Notification(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	if none, err := s.Notifications(ctx, "nobody", false, 0); err != nil || none == nil || len(none) != 0 {
		t.Errorf("an empty centre = %#v, %v", none, err)
	}
}

func testNotificationInput(t *testing.T, s triage.Store) {
	err := updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddNotification(t.Context(), &triage.Notification{ID: "x", AgentID: "a", Kind: "nonsense", TicketID: "t", CreatedAt: base})
	})
	wantCode(t, err, triage.EINVALID)
}
