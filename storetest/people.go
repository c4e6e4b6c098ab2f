package storetest

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var peopleTests = []test{
	{"agents create read update delete", testAgentCRUD},
	{"agents errors", testAgentErrors},
	{"agents unique e-mail", testAgentEmail},
	{"agent loads", testAgentLoads},
	{"teams create read update delete", testTeamCRUD},
	{"teams errors", testTeamErrors},
}

func newAgent(id, name, email string) *triage.Agent {
	return &triage.Agent{ID: id, Name: name, Email: email, Skills: []string{"退款"}, Capacity: 10,
		Online: true, CreatedAt: base, UpdatedAt: base}
}

// wantAgent is a as a store returns it.
func wantAgent(a *triage.Agent, version int) *triage.Agent {
	w := *a
	w.Skills = append([]string{}, a.Skills...)
	w.LastAssignedAt = storedPtr(a.LastAssignedAt)
	w.CreatedAt, w.UpdatedAt = stored(a.CreatedAt), stored(a.UpdatedAt)
	w.Version = version
	return &w
}

func testAgentCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	carol := &triage.Agent{ID: "a-3", Name: "Carol", Email: "carol@example.cn",
		Skills: []string{"退款", "支付 问题"}, Capacity: 25, Online: true,
		LastAssignedAt: ptr(created.Add(time.Minute)), CreatedAt: created, UpdatedAt: created}
	alice := newAgent("a-1", "Alice", "")
	alice.Skills = nil // reads back []
	bob := newAgent("a-2", "Bob", "bob@example.cn")
	wCarol := wantAgent(carol, 1)
	update(t, s, func(tx triage.Tx) error {
		for _, a := range []*triage.Agent{carol, alice, bob} {
			if err := tx.CreateAgent(ctx, a); err != nil {
				return err
			}
		}
		got, err := tx.Agent(ctx, "a-3")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.Agent", got, wCarol)
		return nil
	})
	sameJSON(t, "created struct", carol, wCarol)
	got, err := s.Agent(ctx, "a-3")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Agent", got, wCarol)
	wantUTC(t, "Agent", got.CreatedAt, got.UpdatedAt, *got.LastAssignedAt)

	list, err := s.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wAlice := wantAgent(alice, 1)
	wAlice.Skills = []string{}
	sameJSON(t, "Agents (by name)", list, []*triage.Agent{wAlice, wantAgent(bob, 1), wCarol})

	// Update every field from the copy that was read. LastAssignedAt is
	// routing's (MarkAssigned): an update leaves the stored value and gives
	// it back to the caller's copy.
	lastAssigned := *got.LastAssignedAt
	got.Name, got.Email, got.Skills = "Carol Chen", "carol.chen@example.cn", []string{"物流"}
	got.Capacity, got.Online, got.LastAssignedAt = 5, false, nil
	got.UpdatedAt = created.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateAgent(ctx, got) })
	if got.Version != 2 {
		t.Errorf("Version after update = %d, want 2", got.Version)
	}
	if got.LastAssignedAt == nil || !got.LastAssignedAt.Equal(lastAssigned) {
		t.Errorf("UpdateAgent changed last_assigned_at to %v, want it kept at %v", got.LastAssignedAt, lastAssigned)
	}
	again, err := s.Agent(ctx, "a-3")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Agent after update", again, got)

	// A stale copy can neither update nor delete.
	stale := wantAgent(carol, 1)
	stale.Name = "stale"
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateAgent(ctx, stale) })
	wantCode(t, err, triage.ESTALE)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "a-3", 1) })
	wantCode(t, err, triage.ESTALE)

	update(t, s, func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "a-3", 2) })
	_, err = s.Agent(ctx, "a-3")
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "a-3", 2) })
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateAgent(ctx, again) })
	wantCode(t, err, triage.ENOTFOUND)
	list, err = s.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Errorf("Agents after delete has %d agents, want 2", len(list))
	}
}

func testAgentErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateAgent(ctx, newAgent("a-1", "Alice", "")) })
	_, err := s.Agent(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateAgent(ctx, newAgent("a-1", "Other", "")) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateAgent(ctx, newAgent("", "Nobody", "")) }, triage.EINVALID},
		{"update missing", func(tx triage.Tx) error {
			a := newAgent("nope", "Nobody", "")
			a.Version = 1
			return tx.UpdateAgent(ctx, a)
		}, triage.ENOTFOUND},
		{"delete missing", func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "nope", 1) }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
}

func testAgentEmail(t *testing.T, s triage.Store) {
	ctx := t.Context()
	create := func(a *triage.Agent) error {
		return updateErr(t, s, func(tx triage.Tx) error { return tx.CreateAgent(ctx, a) })
	}
	if err := create(newAgent("a-1", "Li", "li@example.cn")); err != nil {
		t.Fatal(err)
	}
	// Any number of agents may have no e-mail.
	for _, id := range []string{"a-2", "a-3"} {
		if err := create(newAgent(id, "No mail "+id, "")); err != nil {
			t.Fatalf("second agent without e-mail: %v", err)
		}
	}
	for _, tc := range []struct{ name, email string }{
		{"same e-mail", "li@example.cn"},
		{"same e-mail in another case", "LI@Example.CN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, create(newAgent("a-9", "Other Li", tc.email)), triage.ECONFLICT)
		})
	}
	t.Run("update to a taken e-mail", func(t *testing.T) {
		a, err := s.Agent(ctx, "a-2")
		if err != nil {
			t.Fatal(err)
		}
		a.Email = "li@example.cn"
		wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateAgent(ctx, a) }), triage.ECONFLICT)
	})
	t.Run("freed by delete", func(t *testing.T) {
		update(t, s, func(tx triage.Tx) error { return tx.DeleteAgent(ctx, "a-1", 1) })
		if err := create(newAgent("a-9", "New Li", "li@example.cn")); err != nil {
			t.Fatal(err)
		}
	})
}

func testAgentLoads(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error {
		for _, a := range []*triage.Agent{newAgent("a1", "A", ""), newAgent("a2", "B", ""), newAgent("a3", "C", "")} {
			if err := tx.CreateAgent(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	n := 0
	tk := func(assignee string, st triage.Status, p triage.Priority) *triage.Ticket {
		n++
		x := newTicket("t-"+string(rune('a'+n)), base)
		x.AssigneeID, x.Status, x.Priority = assignee, st, p
		return x
	}
	createTickets(t, s,
		tk("a1", triage.StatusNew, triage.P1),
		tk("a1", triage.StatusOpen, triage.P2),
		tk("a1", triage.StatusPending, triage.P2),
		tk("a1", triage.StatusSolved, triage.P1), // not active
		tk("a1", triage.StatusClosed, triage.P3), // not active
		tk("a2", triage.StatusOpen, triage.P4),
		tk("", triage.StatusNew, triage.P1),         // unassigned
		tk("gone", triage.StatusOpen, triage.P3),    // an assignee that is no longer an agent
		tk("gone2", triage.StatusSolved, triage.P3), // inactive: no entry
	)
	load := func(id string, p1, p2, p3, p4 int) triage.AgentLoad {
		return triage.AgentLoad{AgentID: id, Open: p1 + p2 + p3 + p4,
			ByPriority: map[triage.Priority]int{triage.P1: p1, triage.P2: p2, triage.P3: p3, triage.P4: p4}}
	}
	want := map[string]triage.AgentLoad{
		"a1":   load("a1", 1, 2, 0, 0),
		"a2":   load("a2", 0, 0, 0, 1),
		"a3":   load("a3", 0, 0, 0, 0),
		"gone": load("gone", 0, 0, 1, 0),
	}
	check := func(what string, got map[string]triage.AgentLoad) {
		t.Helper()
		if !maps.EqualFunc(got, want, func(a, b triage.AgentLoad) bool {
			return a.AgentID == b.AgentID && a.Open == b.Open && maps.Equal(a.ByPriority, b.ByPriority)
		}) {
			t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
		}
	}
	got, err := s.AgentLoads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("AgentLoads", got)

	// Inside a transaction, the loads follow its own writes.
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, tk("a3", triage.StatusNew, triage.P2)); err != nil {
			return err
		}
		got, err := tx.AgentLoads(ctx)
		if err != nil {
			return err
		}
		want["a3"] = load("a3", 0, 1, 0, 0)
		check("tx.AgentLoads", got)
		return nil
	})

	// Loads follow every change of status, assignee and priority, and
	// leave alone edits that keep a ticket where it counts.
	edit := func(tx triage.Tx, id string, fn func(x *triage.Ticket)) error {
		x, err := tx.Ticket(ctx, id)
		if err != nil {
			return err
		}
		fn(x)
		return tx.UpdateTicket(ctx, x)
	}
	moves := []struct {
		id string
		fn func(x *triage.Ticket)
	}{
		{"t-b", func(x *triage.Ticket) { x.AssigneeID = "a2" }},            // a1 P1 -> a2 P1
		{"t-c", func(x *triage.Ticket) { x.Priority = triage.P3 }},         // a1 P2 -> a1 P3
		{"t-d", func(x *triage.Ticket) { x.Status = triage.StatusSolved }}, // a1 P2 leaves
		{"t-e", func(x *triage.Ticket) { x.Status = triage.StatusOpen }},   // a1 P1 comes back
		{"t-g", func(x *triage.Ticket) { x.AssigneeID = "" }},              // a2 P4 leaves
		{"t-h", func(x *triage.Ticket) { x.AssigneeID = "a3" }},            // a3 P1 arrives
		{"t-i", func(x *triage.Ticket) { x.Status = triage.StatusNew }},    // still active: no move
		{"t-f", func(x *triage.Ticket) { x.Title = "renamed" }},            // closed stays out
	}
	for _, m := range moves {
		t.Run("move "+m.id, func(t *testing.T) {
			update(t, s, func(tx triage.Tx) error { return edit(tx, m.id, m.fn) })
		})
	}
	want["a1"] = load("a1", 1, 0, 1, 0)
	want["a2"] = load("a2", 1, 0, 0, 0)
	want["a3"] = load("a3", 1, 1, 0, 0)
	if got, err = s.AgentLoads(ctx); err != nil {
		t.Fatal(err)
	}
	check("AgentLoads after moves", got)

	// A write that fails leaves the loads as they were.
	errBack := errors.New("back")
	if err := updateErr(t, s, func(tx triage.Tx) error {
		if err := edit(tx, "t-e", func(x *triage.Ticket) { x.AssigneeID = "a2" }); err != nil {
			return err
		}
		return errBack
	}); !errors.Is(err, errBack) {
		t.Fatalf("failed write: %v", err)
	}
	if got, err = s.AgentLoads(ctx); err != nil {
		t.Fatal(err)
	}
	check("AgentLoads after a rolled-back write", got)
}

func newTeam(id, name string) *triage.Team {
	return &triage.Team{ID: id, Name: name, CreatedAt: base, UpdatedAt: base}
}

func testTeamCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	support := &triage.Team{ID: "tm-2", Name: "Support", Members: []string{"a1", "a2"}, LeadID: "a1",
		Categories: []string{"退款", "支付 问题"}, CreatedAt: created, UpdatedAt: created}
	billing := newTeam("tm-1", "Billing") // nil members and categories read back []
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateTeam(ctx, support); err != nil {
			return err
		}
		return tx.CreateTeam(ctx, billing)
	})
	wSupport := *support
	wSupport.Members, wSupport.Categories = []string{"a1", "a2"}, []string{"退款", "支付 问题"}
	wSupport.CreatedAt, wSupport.UpdatedAt, wSupport.Version = stored(created), stored(created), 1
	wBilling := *billing
	wBilling.Members, wBilling.Categories, wBilling.Version = []string{}, []string{}, 1
	sameJSON(t, "created struct", support, &wSupport)

	got, err := s.Team(ctx, "tm-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Team", got, &wSupport)
	wantUTC(t, "Team", got.CreatedAt, got.UpdatedAt)
	list, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Teams (by name)", list, []*triage.Team{&wBilling, &wSupport})

	got.Name, got.Members, got.LeadID, got.Categories = "Support East", []string{"a3"}, "", nil
	got.UpdatedAt = created.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateTeam(ctx, got) })
	if got.Version != 2 || got.Categories == nil {
		t.Errorf("after update: Version %d, Categories %#v; want 2 and []", got.Version, got.Categories)
	}
	again, err := s.Team(ctx, "tm-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Team after update", again, got)

	stale := wSupport
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateTeam(ctx, &stale) })
	wantCode(t, err, triage.ESTALE)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteTeam(ctx, "tm-2", 1) })
	wantCode(t, err, triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteTeam(ctx, "tm-2", 2) })
	_, err = s.Team(ctx, "tm-2")
	wantCode(t, err, triage.ENOTFOUND)
	list, err = s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(list, []*triage.Team{&wBilling}, func(a, b *triage.Team) bool { return a.ID == b.ID }) {
		t.Errorf("Teams after delete = %d teams, want only tm-1", len(list))
	}
}

func testTeamErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	update(t, s, func(tx triage.Tx) error { return tx.CreateTeam(ctx, newTeam("tm-1", "Billing")) })
	_, err := s.Team(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	for _, tc := range []struct {
		name string
		fn   func(tx triage.Tx) error
		code string
	}{
		{"duplicate id", func(tx triage.Tx) error { return tx.CreateTeam(ctx, newTeam("tm-1", "Other")) }, triage.ECONFLICT},
		{"empty id", func(tx triage.Tx) error { return tx.CreateTeam(ctx, newTeam("", "Nobody")) }, triage.EINVALID},
		{"update missing", func(tx triage.Tx) error {
			tm := newTeam("nope", "Nobody")
			tm.Version = 1
			return tx.UpdateTeam(ctx, tm)
		}, triage.ENOTFOUND},
		{"delete missing", func(tx triage.Tx) error { return tx.DeleteTeam(ctx, "nope", 1) }, triage.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, tc.fn), tc.code)
		})
	}
}
