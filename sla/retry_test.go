package sla

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/sqlite"
)

// racing is a store whose first transactions lose a race: each fails as
// if another worker had saved the SLA record first.
type racing struct {
	*sqlite.DB
	losses int
	calls  int
}

func (r *racing) Update(ctx context.Context, fn func(tx triage.Tx) error) error {
	r.calls++
	if r.calls <= r.losses {
		return triage.Errorf(triage.ESTALE, "the SLA record is at another version")
	}
	return r.DB.Update(ctx, fn)
}

// TestRecomputeRetriesALostRace: a worker that loses the race for a
// ticket's SLA record reads again and saves, rather than failing its job;
// one that keeps losing gives up after recordAttempts and says why.
func TestRecomputeRetriesALostRace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		losses int
		ok     bool
	}{
		{"no race", 0, true},
		{"lost twice", 2, true},
		{"lost every time", recordAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			// The jobs the writes queue are not this test's subject.
			discard := func(context.Context, *sql.Tx, triage.Job) error { return nil }
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Enqueue: discard})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			d := &desk.Service{Store: db}
			seed := &Service{Store: db, Tickets: d, Log: slog.New(slog.DiscardHandler)}
			if err := seed.Seed(ctx); err != nil {
				t.Fatal(err)
			}
			agent := triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "tok", Role: triage.RoleAgent})
			tk, err := d.CreateTicket(agent, triage.NewTicket{Title: "退款还没到账", Priority: triage.P2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			store := &racing{DB: db, losses: tc.losses}
			svc := &Service{Store: store, Tickets: d, Log: slog.New(slog.DiscardHandler)}
			err = svc.Recompute(ctx, tk.ID)
			if tc.ok != (err == nil) {
				t.Fatalf("Recompute after %d lost races: %v", tc.losses, err)
			}
			if !tc.ok && !triage.IsCode(err, triage.ESTALE) {
				t.Fatalf("gave up with %v, want the stale error", err)
			}
			if want := min(tc.losses+1, recordAttempts); store.calls != want {
				t.Fatalf("%d transactions, want %d", store.calls, want)
			}
			if tc.ok {
				if _, err := db.TicketSLA(ctx, tk.ID); err != nil {
					t.Fatalf("no SLA record saved: %v", err)
				}
			}
		})
	}
}
