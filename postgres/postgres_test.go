package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/storetest"
)

// TestStore runs the conformance suite on a database of this run's own.
// Its tests run one after another; each gets the schema emptied (every row
// deleted and the change counter reset), which costs a fraction of creating
// the schema anew on a busy machine.
func TestStore(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	migrated := false
	storetest.Run(t, func(t *testing.T) triage.Store {
		if migrated {
			emptySchema(t, dbURL)
		}
		migrated = true
		db, err := postgres.Open(t.Context(), dbURL, postgres.Options{Normalize: segment.Normalize})
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// emptySchema deletes every row the store wrote, leaving the schema and
// its migrations in place.
func emptySchema(t testing.TB, dbURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT quote_ident(tablename) FROM pg_tables
		WHERE schemaname = current_schema()
			AND tablename NOT IN ('goose_db_version', 'change_counter', 'store_identity')`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// DELETE, not TRUNCATE: the tables hold a few rows, and TRUNCATE
	// makes new files for every table and index, which is slow.
	stmts := []string{`UPDATE change_counter SET seq = 0`}
	for _, table := range tables {
		stmts = append(stmts, `DELETE FROM `+table)
	}
	if _, err := conn.Exec(ctx, strings.Join(stmts, "; ")); err != nil {
		t.Fatal(err)
	}
}

// TestSearchFilledAtOpen: tickets written by a store without a normaliser
// (or before the search columns existed) become searchable when the store
// is next opened with one.
func TestSearchFilledAtOpen(t *testing.T) {
	ctx := t.Context()
	dbURL := pgtest.NewDatabase(t)
	db, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tk := &triage.Ticket{ID: "t-1", Title: "手環連不上藍牙", Channel: triage.ChannelWeb, Status: triage.StatusNew, Priority: triage.P3, CreatedAt: now, UpdatedAt: now}
	if err := db.Update(ctx, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		return tx.AddComment(ctx, &triage.Comment{ID: "c-1", TicketID: tk.ID, Body: "請重新配對", Public: true, CreatedAt: tk.CreatedAt})
	}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db.Tickets(ctx, triage.TicketFilter{Terms: []string{"手环"}}); err != nil || len(got) != 0 {
		t.Fatalf("found %d before normalising, %v", len(got), err)
	}
	db.Close()
	db, err = postgres.Open(ctx, dbURL, postgres.Options{Normalize: segment.Normalize})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, term := range []string{"手环", "配对"} {
		if got, _, err := db.Tickets(ctx, triage.TicketFilter{Terms: []string{term}}); err != nil || len(got) != 1 {
			t.Fatalf("%s: found %d after opening with a normaliser, %v", term, len(got), err)
		}
	}
}
