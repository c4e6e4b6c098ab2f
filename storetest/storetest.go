// Package storetest is the conformance suite for triage.Store: every store
// (the embedded SQLite one, the Postgres one) must pass it, so that the
// service behaves the same whichever one it runs on.
//
// Beyond what the interface's comments say, the suite pins down these
// behaviours, which callers rely on:
//
//   - Times read back in UTC, truncated to the microsecond. Writes normalise
//     the caller's struct the same way (and set nil lists and maps to empty
//     ones), so that after a successful write the caller's copy equals what
//     a read returns.
//   - Lists and maps are never nil when read: [] and {} in JSON, not null.
//     List methods return an empty, non-nil slice when nothing matches.
//   - Creates set Version to 1; versioned updates and deletes fail with
//     ESTALE when the version moved on and ENOTFOUND when the row is gone.
//     Duplicates are ECONFLICT. An empty id is EINVALID.
//   - Agents are unique by e-mail, ignoring case, when it is not empty. A
//     ticket's requester matches TicketFilter.RequesterID by phone exactly
//     or by e-mail ignoring case. TicketFilter.Text matches a substring of
//     title or body, ignoring ASCII case, with no wildcards.
//   - Agents and teams are listed by name then id, tokens oldest first,
//     comments oldest first, history by time and then insertion order.
//   - AgentLoads has an entry for every agent (zeros included) and for any
//     other assignee holding active tickets; ByPriority always holds P1-P4.
//   - Revoking a revoked token keeps the first revocation time.
//   - The change log gets one entry per successful write call: CreateTicket
//     (ticket, create); UpdateTicket, AddComment, SaveTriageRecord (ticket,
//     update); AddHistory one (ticket, update) per ticket it touches;
//     agents and teams create, update, delete; CreateToken (token, create);
//     RevokeToken (token, update). SaveIdempotency logs nothing. Sequence
//     numbers increase in commit order; rolled-back writes leave no entry.
//
// A failed write ends its transaction in these tests (the function given to
// Update returns the error), because on Postgres any error aborts the
// transaction.
package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Run runs the suite. open must return a new, empty store for each call;
// Run closes it when the sub-test ends, after which open's own t.Cleanup
// functions run (to drop a database, for example).
func Run(t *testing.T, open func(t *testing.T) triage.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"tickets", ticketTests},
		{"list", listTests},
		{"related", relatedTests},
		{"people", peopleTests},
		{"auth", authTests},
		{"tx", txTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					tc.fn(t, s)
				})
			}
		})
	}
}

// test is one behaviour, run against a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s triage.Store)
}

// base is the fixtures' clock: a fixed instant, so that tests do not depend
// on when they run.
var base = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// cst is China Standard Time, to check that stores convert to UTC.
var cst = time.FixedZone("CST", 8*3600)

// stored is t as a store returns it.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// storedPtr is stored for optional times.
func storedPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := stored(*t)
	return &u
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// update runs fn in a transaction and fails the test if it fails.
func update(t *testing.T, s triage.Store, fn func(tx triage.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// updateErr runs fn in a transaction and returns its error.
func updateErr(t *testing.T, s triage.Store, fn func(tx triage.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), fn)
}

// wantCode fails the test unless err is a *triage.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *triage.Error
	switch {
	case err == nil:
		t.Fatalf("err = nil, want code %q", code)
	case !errors.As(err, &e):
		t.Fatalf("err = %v (%T), want a *triage.Error with code %q", err, err, code)
	case e.Code != code:
		t.Fatalf("err code = %q (%v), want %q", e.Code, err, code)
	case e.Message == "":
		t.Fatalf("err %v has no message", err)
	}
}

// sameJSON fails the test unless got and want marshal to the same JSON. JSON
// is what clients see, and it tells apart what matters here: null from [],
// and a time's instant and offset to the nanosecond.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: marshal got: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: marshal want: %v", what, err)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// wantUTC fails the test unless every time is in UTC.
func wantUTC(t *testing.T, what string, times ...time.Time) {
	t.Helper()
	for i, tm := range times {
		if tm.Location() != time.UTC {
			t.Errorf("%s: time %d (%v) is in %v, want UTC", what, i, tm, tm.Location())
		}
	}
}

// ids returns the ids of tickets, in order.
func ids(ts []*triage.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// newTicket is a minimal valid ticket created at created.
func newTicket(id string, created time.Time) *triage.Ticket {
	return &triage.Ticket{
		ID:        id,
		Title:     "无法登录 " + id,
		Body:      "登录时提示密码错误，重置后仍然不行。",
		Channel:   triage.ChannelWeb,
		Status:    triage.StatusNew,
		Priority:  triage.P3,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// createTickets stores ts in one transaction.
func createTickets(t *testing.T, s triage.Store, ts ...*triage.Ticket) {
	t.Helper()
	update(t, s, func(tx triage.Tx) error {
		for _, tk := range ts {
			if err := tx.CreateTicket(t.Context(), tk); err != nil {
				return err
			}
		}
		return nil
	})
}
