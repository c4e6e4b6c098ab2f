package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var inboxTests = []test{
	{"sorted ticket lists", testTicketSort},
	{"saved views", testSavedViews},
	{"presence", testPresence},
}

func testPresence(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateAgent(ctx, newAgent("ag-1", "王芳", "wf@example.com")) })
	touch := func(at time.Time) bool {
		var wrote bool
		update(t, s, func(tx triage.Tx) (err error) { wrote, err = tx.TouchAgent(ctx, "ag-1", at); return err })
		return wrote
	}
	if !touch(base) || touch(base.Add(30*time.Second)) || !touch(base.Add(61*time.Second)) {
		t.Error("TouchAgent should write the first time and then at most once a minute")
	}
	a, err := s.Agent(ctx, "ag-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.LastSeenAt == nil || !a.LastSeenAt.Equal(base.Add(61*time.Second)) || a.LastSeenAt.Location() != time.UTC || a.Version != 1 || a.PresenceOverride != "" {
		t.Fatalf("after activity: last seen %v, version %d, override %q", a.LastSeenAt, a.Version, a.PresenceOverride)
	}
	update(t, s, func(tx triage.Tx) error { return tx.SetPresence(ctx, "ag-1", triage.PresenceAway) })
	all, _ := s.Agents(ctx)
	if len(all) != 1 || all[0].PresenceOverride != triage.PresenceAway || all[0].Version != 1 {
		t.Errorf("after choosing away: %+v", all)
	}
	if all[0].Available(base.Add(2 * time.Minute)) {
		t.Error("an agent who chose away is available to routing")
	}
	update(t, s, func(tx triage.Tx) error { return tx.SetPresence(ctx, "ag-1", "") })
	if a, _ := s.Agent(ctx, "ag-1"); a.PresenceOverride != "" || !a.Available(base.Add(2*time.Minute)) || a.Available(base.Add(time.Hour)) {
		t.Errorf("back to activity: %+v", a)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SetPresence(ctx, "ag-1", "busy") }), triage.EINVALID)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SetPresence(ctx, "nobody", triage.PresenceAway) }), triage.ENOTFOUND)
	if err := updateErr(t, s, func(tx triage.Tx) error { _, err := tx.TouchAgent(ctx, "nobody", base); return err }); err != nil {
		t.Errorf("touching an unknown agent: %v, want nothing written and no error", err)
	}
}

func testTicketSort(t *testing.T, s triage.Store) {
	ctx := t.Context()
	mk := func(id string, created time.Duration, p triage.Priority, updated time.Duration) *triage.Ticket {
		tk := newTicket(id, base.Add(created))
		tk.Priority, tk.UpdatedAt = p, base.Add(updated)
		return tk
	}
	// t1 oldest … t4 newest; t1 changed last.
	createTickets(t, s, mk("t1", 0, triage.P2, 10*time.Hour), mk("t2", time.Hour, triage.P4, time.Hour),
		mk("t3", 2*time.Hour, triage.P1, 2*time.Hour), mk("t4", 3*time.Hour, triage.P2, 3*time.Hour))
	due := func(d time.Duration) *time.Time { x := base.Add(d); return &x }
	slaOf := func(id string, targets ...triage.SLATarget) *triage.TicketSLA {
		return &triage.TicketSLA{TicketID: id, Priority: triage.P3, Targets: targets, ComputedAt: base}
	}
	update(t, s, func(tx triage.Tx) error {
		for _, r := range []*triage.TicketSLA{
			// t2: a running target due in 5h and one met earlier (due in 1h),
			// which no longer counts.
			slaOf("t2", triage.SLATarget{Metric: triage.MetricResolution, Target: "8h", Status: triage.SLARunning, StartedAt: base, DueAt: due(5 * time.Hour)},
				triage.SLATarget{Metric: triage.MetricFirstResponse, Target: "1h", Status: triage.SLAMet, StartedAt: base, DueAt: due(time.Hour), MetAt: due(30 * time.Minute)}),
			// t1: breached, due an hour ago: the most urgent.
			slaOf("t1", triage.SLATarget{Metric: triage.MetricFirstResponse, Target: "1h", Status: triage.SLABreached, StartedAt: base, DueAt: due(-time.Hour), BreachedAt: due(-time.Hour)}),
			// t3: paused (no due time) counts as none.
			slaOf("t3", triage.SLATarget{Metric: triage.MetricResolution, Target: "8h", Status: triage.SLAPaused, StartedAt: base}),
		} {
			if err := tx.SaveTicketSLA(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []struct {
		sort triage.TicketSort
		want []string
	}{
		{"", []string{"t4", "t3", "t2", "t1"}},
		{triage.SortCreated, []string{"t4", "t3", "t2", "t1"}},
		{triage.SortUpdated, []string{"t1", "t4", "t3", "t2"}},
		{triage.SortPriority, []string{"t3", "t4", "t1", "t2"}},
		{triage.SortSLADue, []string{"t1", "t2", "t4", "t3"}},
	} {
		t.Run(string(c.sort), func(t *testing.T) {
			var got []string
			cursor := ""
			for range 5 {
				page, next, err := s.Tickets(ctx, triage.TicketFilter{Sort: c.sort, Limit: 3, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ids(page)...)
				if cursor = next; next == "" {
					break
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("sort %q in pages of 3 = %v, want %v", c.sort, got, c.want)
			}
			page, _, err := s.Tickets(ctx, triage.TicketFilter{Sort: c.sort, Priority: triage.P2})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, id := range c.want {
				if id == "t1" || id == "t4" {
					want = append(want, id)
				}
			}
			if !slices.Equal(ids(page), want) {
				t.Errorf("sort %q of P2 = %v, want %v", c.sort, ids(page), want)
			}
		})
	}
	_, next, err := s.Tickets(ctx, triage.TicketFilter{Sort: triage.SortPriority, Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: %q, %v", next, err)
	}
	for _, other := range []triage.TicketSort{"", triage.SortUpdated} {
		_, _, err = s.Tickets(ctx, triage.TicketFilter{Sort: other, Cursor: next})
		wantCode(t, err, triage.EINVALID)
	}
}

func testSavedViews(t *testing.T, s triage.Store) {
	ctx := t.Context()
	save := func(v *triage.SavedView) error {
		return updateErr(t, s, func(tx triage.Tx) error { return tx.SaveView(ctx, v) })
	}
	a := &triage.SavedView{ID: "v1", AgentID: "a", Name: "紧急", Query: "priority=P1&sort=sla_due", CreatedAt: base, UpdatedAt: base}
	for _, v := range []*triage.SavedView{a,
		{ID: "v2", AgentID: "a", Name: "待处理", Query: "status=pending", CreatedAt: base, UpdatedAt: base},
		{ID: "v3", AgentID: "b", Name: "紧急", Query: "priority=P1", CreatedAt: base, UpdatedAt: base}} {
		if err := save(v); err != nil {
			t.Fatal(err)
		}
	}
	// The same name again replaces the query and keeps the view's id.
	again := &triage.SavedView{ID: "v9", AgentID: "a", Name: "紧急", Query: "priority=P1&sort=updated", CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour)}
	if err := save(again); err != nil {
		t.Fatal(err)
	}
	if again.ID != "v1" || !again.CreatedAt.Equal(base) {
		t.Errorf("resaved view = %+v, want id v1 created at base", again)
	}
	list, err := s.SavedViews(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "待处理" || list[1].ID != "v1" || list[1].Query != "priority=P1&sort=updated" || !list[1].UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("views of a = %+v", list)
	}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteView(ctx, "a", "v3") }), triage.ENOTFOUND)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteView(ctx, "a", "v1") })
	if list, _ := s.SavedViews(ctx, "a"); len(list) != 1 || list[0].ID != "v2" {
		t.Errorf("after delete = %+v", list)
	}
	if none, err := s.SavedViews(ctx, "nobody"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("no views = %#v, %v", none, err)
	}
	wantCode(t, save(&triage.SavedView{ID: "v4", AgentID: "a", CreatedAt: base, UpdatedAt: base}), triage.EINVALID)
}
