package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// The WeChat channel. Beyond the interface's comments:
//
//   - Channels list by name, then id, and read back with their sealed
//     secrets, SecretsSet true, and no cursor or reader state whatever the
//     caller's struct held. Two channels of one corp are ECONFLICT.
//     UpdateWeChatChannel keeps the cursor and state and gives them back.
//   - SetWeChatCursor and SetWeChatState change neither the version nor
//     UpdatedAt; both are ENOTFOUND for an unknown channel.
//   - Records are unique per (channel, direction, msgid). WeChatCustomer
//     lists newest first by At; TicketWeChat oldest first by CreatedAt.
//   - A cursor and the records written with it commit or roll back
//     together: what a kill in the middle of a sync relies on.
var wechatTests = []test{
	{"wechat channels", testWeChatChannels},
	{"wechat messages", testWeChatMessages},
	{"wechat cursor commits with records", testWeChatCursorAtomic},
}

func newWeChatChannel(id, name, corp string) *triage.WeChatChannel {
	return &triage.WeChatChannel{ID: id, Name: name, CorpID: corp, SecretsSealed: "sealed:" + id,
		Accounts: []triage.WeChatAccount{{OpenKfID: "wk-1", TeamID: "team-a"}}, ReopenHours: 72, PauseSeconds: 20, Enabled: true,
		CreatedAt: base.In(cst), UpdatedAt: base}
}

func testWeChatChannels(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newWeChatChannel("wc-2", "微信客服", "ww-a"), newWeChatChannel("wc-1", "微信客服", "ww-b")
	a.Cursor, a.LastError = "should not be stored", "nor this"
	a.Bot, a.BotServicer, a.Welcome = true, "zhangsan", "您好，欢迎咨询极光商城"
	b.Accounts = nil
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateWeChatChannel(ctx, a); err != nil {
			return err
		}
		return tx.CreateWeChatChannel(ctx, b)
	})
	if a.Version != 1 || a.Cursor != "" || a.LastError != "" || !a.SecretsSet || b.Accounts == nil {
		t.Fatalf("created channel = %+v", a)
	}
	got, err := s.WeChatChannel(ctx, "wc-2")
	if err != nil {
		t.Fatal(err)
	}
	if got.SecretsSealed != a.SecretsSealed {
		t.Errorf("SecretsSealed = %q", got.SecretsSealed)
	}
	sameJSON(t, "WeChatChannel", got, a)
	list, err := s.WeChatChannels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "wc-1" || list[1].ID != "wc-2" || len(list[0].Accounts) != 0 || list[1].Accounts[0].TeamID != "team-a" {
		t.Fatalf("WeChatChannels = %+v", list)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateWeChatChannel(ctx, newWeChatChannel("wc-3", "x", "ww-a")) }), triage.ECONFLICT)

	now := base.Add(time.Minute)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SetWeChatCursor(ctx, "wc-2", "cursor-7"); err != nil {
			return err
		}
		return tx.SetWeChatState(ctx, "wc-2", triage.WeChatState{Error: "errcode 40001", ErrorAt: &now, SyncAt: &now})
	})
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SetWeChatCursor(ctx, "nope", "x") }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SetWeChatState(ctx, "nope", triage.WeChatState{}) }), triage.ENOTFOUND)
	got.Name, got.Cursor, got.UpdatedAt = "微信客服（售后）", "", base.Add(time.Hour)
	got.Bot, got.BotServicer, got.Welcome = false, "", "欢迎"
	update(t, s, func(tx triage.Tx) error { return tx.UpdateWeChatChannel(ctx, got) })
	if got.Version != 2 || got.Bot || got.BotServicer != "" || got.Welcome != "欢迎" || got.Cursor != "cursor-7" || got.LastError != "errcode 40001" || got.LastSyncAt == nil || !got.LastSyncAt.Equal(now) {
		t.Fatalf("updated channel = %+v", got)
	}
	stale := *got
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateWeChatChannel(ctx, &stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteWeChatChannel(ctx, "wc-2", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteWeChatChannel(ctx, "wc-2", 2) })
	_, err = s.WeChatChannel(ctx, "wc-2")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteWeChatChannel(ctx, "wc-2", 2) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateWeChatChannel(ctx, &triage.WeChatChannel{}) }), triage.EINVALID)
}

func newWeChatRecord(id, dir, msgID, user string, at time.Time) *triage.WeChatMessage {
	return &triage.WeChatMessage{ID: id, ChannelID: "wc-1", Direction: dir, MsgID: msgID, OpenKfID: "wk-1", ExternalUserID: user,
		Type: "text", Status: triage.MailImported, At: at, CreatedAt: at, UpdatedAt: at}
}

func testWeChatMessages(t *testing.T, s triage.Store) {
	ctx := t.Context()
	tk := newTicket("t-wx", base)
	r1 := newWeChatRecord("wm-1", triage.MailIn, "m1", "wm-user", base)
	r2 := newWeChatRecord("wm-2", triage.MailOut, "m1", "wm-user", base.Add(time.Minute).In(cst))
	r3 := newWeChatRecord("wm-3", triage.MailIn, "m3", "wm-user", base.Add(2*time.Minute))
	r4 := newWeChatRecord("wm-4", triage.MailIn, "m4", "other", base.Add(3*time.Minute))
	r1.TicketID, r2.TicketID = tk.ID, tk.ID
	r2.Status, r2.Reason = triage.MailQueued, &triage.Reason{Code: "x.y", Args: map[string]any{"n": 1.0}, Text: "why"}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		for _, r := range []*triage.WeChatMessage{r1, r2, r3, r4} {
			if err := tx.AddWeChatMessage(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddWeChatMessage(ctx, newWeChatRecord("wm-5", triage.MailIn, "m1", "wm-user", base))
	}), triage.ECONFLICT)
	got, err := s.WeChatByMsgID(ctx, "wc-1", triage.MailOut, "m1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "WeChatByMsgID", got, r2)
	_, err = s.WeChatByMsgID(ctx, "wc-1", triage.MailOut, "m3")
	wantCode(t, err, triage.ENOTFOUND)
	cust, err := s.WeChatCustomer(ctx, "wc-1", "wm-user", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cust) != 2 || cust[0].ID != "wm-3" || cust[1].ID != "wm-2" {
		t.Fatalf("WeChatCustomer = %v", cust)
	}
	r2.Status, r2.Attempts, r2.Error, r2.Reason = triage.MailSent, 1, "", nil
	sent := base.Add(5 * time.Minute)
	r2.SentAt, r2.MediaID, r2.UpdatedAt = &sent, "", sent
	update(t, s, func(tx triage.Tx) error { return tx.UpdateWeChatMessage(ctx, r2) })
	tw, err := s.TicketWeChat(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tw) != 2 || tw[0].ID != "wm-1" || tw[1].Status != triage.MailSent || tw[1].Reason != nil {
		t.Fatalf("TicketWeChat = %+v", tw)
	}
	sameJSON(t, "updated record", tw[1], r2)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateWeChatMessage(ctx, &triage.WeChatMessage{ID: "nope"}) }), triage.ENOTFOUND)
}

// testWeChatCursorAtomic is the store's half of "a kill in the middle of
// a sync loses and repeats nothing": a page's records, its ticket and the
// cursor after it are one transaction, so a failure before the commit
// leaves the old cursor and no record, and the page read again commits
// once.
func testWeChatCursorAtomic(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		return tx.CreateWeChatChannel(ctx, newWeChatChannel("wc-1", "微信客服", "ww-k"))
	})
	update(t, s, func(tx triage.Tx) error { return tx.SetWeChatCursor(ctx, "wc-1", "c1") })
	killed := errors.New("killed before the commit")
	page := func(fail bool) error {
		return s.Update(ctx, func(tx triage.Tx) error {
			if _, err := tx.WeChatByMsgID(ctx, "wc-1", triage.MailIn, "p2"); err == nil {
				return nil // read before: nothing to do again
			}
			tk := newTicket("t-page", base)
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			r := newWeChatRecord("wm-p2", triage.MailIn, "p2", "u", base)
			r.TicketID = tk.ID
			if err := tx.AddWeChatMessage(ctx, r); err != nil {
				return err
			}
			if err := tx.SetWeChatCursor(ctx, "wc-1", "c2"); err != nil {
				return err
			}
			if fail {
				return killed
			}
			return nil
		})
	}
	if err := page(true); !errors.Is(err, killed) {
		t.Fatalf("page = %v", err)
	}
	c, err := s.WeChatChannel(ctx, "wc-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Cursor != "c1" {
		t.Fatalf("cursor after a failed page = %q, want c1", c.Cursor)
	}
	if _, err := s.WeChatByMsgID(ctx, "wc-1", triage.MailIn, "p2"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("record of a failed page: %v", err)
	}
	if _, err := s.Ticket(ctx, "t-page"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("ticket of a failed page: %v", err)
	}
	for range 2 {
		if err := page(false); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = s.WeChatChannel(ctx, "wc-1")
	recs, err := s.WeChatCustomer(ctx, "wc-1", "u", 10)
	if err != nil {
		t.Fatal(err)
	}
	if c.Cursor != "c2" || len(recs) != 1 {
		t.Fatalf("after the page twice: cursor %q, %d records", c.Cursor, len(recs))
	}
}
