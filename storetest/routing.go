package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var routingTests = []test{
	{"waiting tickets order and exclusions", testWaitingTickets},
	{"waiting tickets limit", testWaitingLimit},
	{"waiting tickets in a transaction", testWaitingInTx},
	{"mark assigned", testMarkAssigned},
	{"mark assigned errors", testMarkAssignedErrors},
}

// waiting reports whether routing should still place tk.
func waiting(tk *triage.Ticket) bool {
	return tk.Status.Active() && tk.AssigneeID == "" && tk.Category != "" && !tk.NeedsReview
}

// queueOrder is the order of WaitingTickets: most urgent, then oldest, then
// by id.
func queueOrder(a, b *triage.Ticket) int {
	return cmp.Or(
		cmp.Compare(a.Priority.Rank(), b.Priority.Rank()),
		a.CreatedAt.Compare(b.CreatedAt),
		cmp.Compare(a.ID, b.ID),
	)
}

func testWaitingTickets(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.WaitingTickets(ctx, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("WaitingTickets on an empty store = %#v, want an empty slice", empty)
	}

	n := 0
	mk := func(p triage.Priority, created time.Duration, edit func(*triage.Ticket)) *triage.Ticket {
		n++
		// Ids run against time, so that only the ordering rules, not
		// insertion or id order, give the expected list.
		tk := newTicket(fmt.Sprintf("w-%02d", 50-n), base.Add(created))
		tk.Priority, tk.Category = p, "退款"
		if edit != nil {
			edit(tk)
		}
		return tk
	}
	status := func(st triage.Status) func(*triage.Ticket) { return func(tk *triage.Ticket) { tk.Status = st } }
	fixtures := []*triage.Ticket{
		mk(triage.P3, 0, nil),
		mk(triage.P1, 3*time.Hour, nil),
		mk(triage.P1, time.Hour, status(triage.StatusOpen)),
		mk(triage.P4, -time.Hour, status(triage.StatusPending)),
		mk(triage.P2, 2*time.Hour, func(tk *triage.Ticket) { tk.Category = "物流" }),
		mk(triage.P1, time.Hour, nil),   // same priority and time as an earlier one: id decides
		mk(triage.P1, 2*time.Hour, nil), // a smaller id than older P1 tickets: time decides
		mk(triage.P2, 2*time.Hour, func(tk *triage.Ticket) { tk.TeamID = "tm-1" }),
		// Excluded, each for one reason, and all more urgent or older
		// than the rest so that they would show at the front.
		mk(triage.P1, -5*time.Hour, func(tk *triage.Ticket) { tk.AssigneeID = "a-1" }),
		mk(triage.P1, -5*time.Hour, status(triage.StatusSolved)),
		mk(triage.P1, -5*time.Hour, status(triage.StatusClosed)),
		mk(triage.P1, -5*time.Hour, func(tk *triage.Ticket) { tk.Category = "" }),
		mk(triage.P1, -5*time.Hour, func(tk *triage.Ticket) { tk.NeedsReview = true }),
		mk(triage.P1, -5*time.Hour, func(tk *triage.Ticket) {
			tk.AssigneeID, tk.Status = "a-2", triage.StatusOpen
		}),
	}
	createTickets(t, s, fixtures...)
	var queue []*triage.Ticket
	for _, tk := range fixtures {
		if waiting(tk) {
			queue = append(queue, want(tk, 1))
		}
	}
	slices.SortFunc(queue, queueOrder)
	if len(queue) != 8 {
		t.Fatalf("fixture problem: %d waiting tickets, want 8", len(queue))
	}
	for _, limit := range []int{0, -1, len(queue), 100} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			got, err := s.WaitingTickets(ctx, nil, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(queue)) {
				t.Errorf("WaitingTickets = %v, want %v", ids(got), ids(queue))
			}
			sameJSON(t, "WaitingTickets", got, queue)
		})
	}
	t.Run("limit 3", func(t *testing.T) {
		got, err := s.WaitingTickets(ctx, nil, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), ids(queue[:3])) {
			t.Errorf("WaitingTickets(3) = %v, want %v", ids(got), ids(queue[:3]))
		}
	})
}

// testWaitingLimit checks that a limit of 0 or less means 200, and that a
// larger limit is honoured.
func testWaitingLimit(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = 230
	var all []*triage.Ticket
	for i := range n {
		tk := newTicket(fmt.Sprintf("q-%03d", i), base.Add(time.Duration(n-i)*time.Second))
		tk.Category = "退款"
		tk.Priority = triage.Priorities()[i%4]
		all = append(all, tk)
	}
	createTickets(t, s, all...)
	slices.SortFunc(all, queueOrder)
	for _, tc := range []struct{ limit, want int }{
		{0, 200},
		{-3, 200},
		{1, 1},
		{210, 210},
		{1000, n},
	} {
		t.Run(fmt.Sprintf("limit %d", tc.limit), func(t *testing.T) {
			got, err := s.WaitingTickets(ctx, nil, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(all[:tc.want])) {
				t.Errorf("WaitingTickets(%d) gave %d tickets, want the first %d of the queue:\n got  %v\n want %v",
					tc.limit, len(got), tc.want, ids(got), ids(all[:tc.want]))
			}
		})
	}
}

// testWaitingInTx checks that routing inside a transaction sees its own
// assignments: a ticket it has just placed leaves the queue at once.
func testWaitingInTx(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newTicket("t-a", base), newTicket("t-b", base.Add(time.Minute))
	a.Category, b.Category = "退款", "退款"
	createTickets(t, s, a, b)
	update(t, s, func(tx triage.Tx) error {
		q, err := tx.WaitingTickets(ctx, nil, 0)
		if err != nil {
			return err
		}
		if !slices.Equal(ids(q), []string{"t-a", "t-b"}) {
			t.Errorf("tx.WaitingTickets = %v, want [t-a t-b]", ids(q))
		}
		q[0].AssigneeID = "a-1"
		if err := tx.UpdateTicket(ctx, q[0]); err != nil {
			return err
		}
		c := newTicket("t-c", base.Add(-time.Minute))
		c.Category, c.Priority = "物流", triage.P1
		if err := tx.CreateTicket(ctx, c); err != nil {
			return err
		}
		q, err = tx.WaitingTickets(ctx, nil, 0)
		if err != nil {
			return err
		}
		if !slices.Equal(ids(q), []string{"t-c", "t-b"}) {
			t.Errorf("tx.WaitingTickets after assigning t-a and creating t-c = %v, want [t-c t-b]", ids(q))
		}
		return nil
	})
}

func testMarkAssigned(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	a := newAgent("a-1", "Alice", "alice@example.cn")
	a.CreatedAt, a.UpdatedAt = created, created
	other := newAgent("a-2", "Bob", "")
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateAgent(ctx, a); err != nil {
			return err
		}
		return tx.CreateAgent(ctx, other)
	})
	_, seq := changesAfter(t, s, 0)
	// An admin reads the agent (and its ETag) before routing marks it.
	adminCopy, err := s.Agent(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 11, 23, 9, 30, 0, 987654321, cst)
	for i, mark := range []time.Time{at, at.Add(time.Minute)} {
		update(t, s, func(tx triage.Tx) error {
			if err := tx.MarkAssigned(ctx, "a-1", mark); err != nil {
				return err
			}
			// The transaction sees the mark.
			got, err := tx.Agent(ctx, "a-1")
			if err != nil {
				return err
			}
			if got.LastAssignedAt == nil || !got.LastAssignedAt.Equal(stored(mark)) {
				t.Errorf("mark %d: tx.Agent LastAssignedAt = %v, want %v", i, got.LastAssignedAt, stored(mark))
			}
			return nil
		})
		got, err := s.Agent(ctx, "a-1")
		if err != nil {
			t.Fatal(err)
		}
		w := wantAgent(a, 1)
		w.LastAssignedAt = ptr(stored(mark))
		sameJSON(t, fmt.Sprintf("mark %d: Agent (version and UpdatedAt unchanged)", i), got, w)
		wantUTC(t, "LastAssignedAt", *got.LastAssignedAt)
	}
	if b, err := s.Agent(ctx, "a-2"); err != nil || b.LastAssignedAt != nil {
		t.Errorf("marking a-1 touched a-2: %v, %v", b, err)
	}
	if got, _ := changesAfter(t, s, seq); !slices.Equal(got, []change{{"agent", "a-1", "update"}, {"agent", "a-1", "update"}}) {
		t.Errorf("changes = %v, want one (agent, a-1, update) per mark", got)
	}

	// The admin's If-Match is still good.
	adminCopy.Capacity = 3
	update(t, s, func(tx triage.Tx) error { return tx.UpdateAgent(ctx, adminCopy) })
	if adminCopy.Version != 2 {
		t.Errorf("Version after the admin's update = %d, want 2", adminCopy.Version)
	}
}

func testMarkAssignedErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name, id string
		code     string
	}{
		{"unknown agent", "nope", triage.ENOTFOUND},
		{"empty id", "", triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := updateErr(t, s, func(tx triage.Tx) error { return tx.MarkAssigned(ctx, tc.id, base) })
			wantCode(t, err, tc.code)
		})
	}
}
