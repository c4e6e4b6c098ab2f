package kefu_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// dying is a store whose process dies in the middle of a sync: after
// pages transactions commit, the next one does all its writes and is then
// cut off before its commit, as SIGKILL would, and so is every call after
// it.
type dying struct {
	triage.Store
	pages int
	dead  bool
}

var errKilled = errors.New("killed before the commit")

func (d *dying) Update(ctx context.Context, fn func(tx triage.Tx) error) error {
	if d.dead {
		return errKilled
	}
	return d.Store.Update(ctx, func(tx triage.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if d.pages == 0 {
			d.dead = true
			return errKilled
		}
		d.pages--
		return nil
	})
}

// TestKillMidSync: 35 customers write while nobody reads; a sync reading
// pages of ten dies in the middle of its third page; a new process syncs
// from the stored cursor. Every message is one record and every customer
// one ticket: nothing lost, nothing twice. A sync after that changes
// nothing.
func TestKillMidSync(t *testing.T) { stores(t, killMidSync) }

func killMidSync(t *testing.T, pg bool) {
	const customers = 35
	e := newEnv(t, opts{pageSize: 10, postgres: pg})
	for i := range customers {
		if _, err := e.fake.Write(e.ctx, wechattest.Incoming{OpenKfID: e.kf, ExternalUserID: fmt.Sprintf("wm-kill-%02d", i),
			Type: wechat.MsgText, Text: fmt.Sprintf("订单 %d 的退款还没到账", 2026120700000+i), Quiet: true}); err != nil {
			t.Fatal(err)
		}
	}
	process := func(store triage.Store) *kefu.Service {
		return &kefu.Service{Store: store, Desk: e.app.Desk, Queue: e.app.Jobs, Keys: e.app.Keys, BaseURL: e.fake.URL, Now: e.fake.Clock.Now}
	}
	d := &dying{Store: e.app.Store, pages: 2}
	if err := process(d).Sync(e.ctx, kefu.SyncArgs{ChannelID: e.channel.ID}); !errors.Is(err, errKilled) {
		t.Fatalf("the dying sync: %v", err)
	}
	n, err := e.app.Store.CountTickets(e.ctx, triage.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed in the third page: %d tickets committed", n)
	if n != 20 {
		t.Fatalf("%d tickets after two committed pages of ten", n)
	}
	for range 2 { // the restarted process, and a sync after it
		if err := process(e.app.Store).Sync(e.ctx, kefu.SyncArgs{ChannelID: e.channel.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ = e.app.Store.CountTickets(e.ctx, triage.TicketFilter{}); n != customers {
		t.Fatalf("%d tickets after the restart, want %d", n, customers)
	}
	tickets := map[string]bool{}
	for i := range customers {
		recs := e.customer(fmt.Sprintf("wm-kill-%02d", i))
		if len(recs) != 1 || recs[0].TicketID == "" || tickets[recs[0].TicketID] {
			t.Fatalf("customer %d: %d records (want 1, with a ticket of its own)", i, len(recs))
		}
		tickets[recs[0].TicketID] = true
	}
	t.Logf("after the restart: %d tickets, %d customers, each message recorded once", n, len(tickets))
}
