package postgres_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
)

// brokenMigration changes the schema and the data, then fails on a
// statement the database refuses: all of it must be undone.
const brokenMigration = `-- +goose Up
CREATE TABLE probe_new (id bigint PRIMARY KEY);
ALTER TABLE tickets ADD COLUMN probe text NOT NULL DEFAULT '';
UPDATE tickets SET title = 'overwritten by a broken migration';
DELETE FROM comments;
INSERT INTO no_such_table (x) VALUES (1);
`

// withMigrations is the embedded migrations (read from the package's
// directory) plus extra files.
func withMigrations(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	all := os.DirFS("migrations")
	names, err := fs.Glob(all, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	out := fstest.MapFS{}
	for _, n := range names {
		b, err := fs.ReadFile(all, n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "+goose NO TRANSACTION") {
			t.Errorf("%s runs outside a transaction: a failure in it would leave the store half-migrated", n)
		}
		out[n] = &fstest.MapFile{Data: b}
	}
	for n, s := range extra {
		out[n] = &fstest.MapFile{Data: []byte(s)}
	}
	return out
}

// snapshot is everything a migration could change: the tables and their
// columns, the indexes, each table's rows in order, and the migration
// versions applied.
func snapshot(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	rows, err := conn.Query(ctx, `
		SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || COALESCE(column_default, '') FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(strings.Join(cols, "\n"))
	rows, err = conn.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(strings.Join(idx, "\n"))
	rows, err = conn.Query(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT to_jsonb(t)::text FROM `+table+` t ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n%s: %s", table, strings.Join(vals, "\n"))
	}
	return b.String()
}

// TestFailedMigrationLeavesTheStore: a database with data meets a binary
// whose newest migration fails halfway. Open refuses, naming the
// migration file and the database's error, and the database is exactly as
// it was: same tables, columns, indexes, rows and version; the good
// binary opens it and reads the ticket back.
func TestFailedMigrationLeavesTheStore(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	db, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	tk := &triage.Ticket{ID: "01TICKETMIGRATE", Title: "无法登录", Body: "登录时提示密码错误。", Channel: triage.ChannelWeb,
		Status: triage.StatusNew, Priority: triage.P3, CreatedAt: now, UpdatedAt: now}
	if err := db.Update(ctx, func(tx triage.Tx) error {
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		return tx.AddComment(ctx, &triage.Comment{ID: "01COMMENTMIGRATE", TicketID: tk.ID, FromRequester: true, Body: "请重置密码。", Public: true, CreatedAt: now})
	}); err != nil {
		t.Fatal(err)
	}
	version := db.SchemaVersion()
	db.Close()
	before := snapshot(t, dbURL)

	_, err = postgres.Open(ctx, dbURL, postgres.Options{Migrations: withMigrations(t, map[string]string{"00219_broken.sql": brokenMigration})})
	if err == nil {
		t.Fatal("a failing migration opened the store")
	}
	for _, want := range []string{"00219_broken.sql", `relation "no_such_table" does not exist`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	t.Logf("the error: %v", err)
	if after := snapshot(t, dbURL); after != before {
		t.Fatalf("the failed migration changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	db, err = postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatalf("the store does not open with the good migrations after the failure: %v", err)
	}
	defer db.Close()
	got, err := db.Ticket(ctx, tk.ID)
	if err != nil || got.Title != tk.Title || db.SchemaVersion() != version {
		t.Fatalf("ticket %+v, %v; version %d, want %d", got, err, db.SchemaVersion(), version)
	}
}
