package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/sqlite"
)

// brokenMigration changes the schema and the data, then fails on a
// statement the database refuses: all of it must be undone.
const brokenMigration = `-- +goose Up
CREATE TABLE probe_new (id INTEGER PRIMARY KEY) STRICT;
ALTER TABLE tickets ADD COLUMN probe TEXT NOT NULL DEFAULT '';
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

// snapshot is everything a migration could change: the schema, each
// table's rows in order, and the migration versions applied.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var b strings.Builder
	rows, err := raw.Query(`SELECT type, name, COALESCE(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s: %s\n", typ, name, def)
		if typ == "table" && !strings.HasPrefix(name, "sqlite_") {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, table := range tables {
		rows, err := raw.Query(`SELECT * FROM "` + table + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return b.String()
}

// TestFailedMigrationLeavesTheStore: a store with data meets a binary
// whose newest migration fails halfway. Open refuses, naming the
// migration file and the database's error, and the store is exactly as it
// was: same schema, same rows, same version; the good binary opens it
// and reads the ticket back.
func TestFailedMigrationLeavesTheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
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
	before := snapshot(t, path)

	_, err = sqlite.Open(ctx, path, sqlite.Options{Migrations: withMigrations(t, map[string]string{"00219_broken.sql": brokenMigration})})
	if err == nil {
		t.Fatal("a failing migration opened the store")
	}
	for _, want := range []string{"00219_broken.sql", "no such table: no_such_table", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	t.Logf("the error: %v", err)
	if after := snapshot(t, path); after != before {
		t.Fatalf("the failed migration changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("the store does not open with the good migrations after the failure: %v", err)
	}
	defer db.Close()
	got, err := db.Ticket(ctx, tk.ID)
	if err != nil || got.Title != tk.Title || db.SchemaVersion() != version {
		t.Fatalf("ticket %+v, %v; version %d, want %d", got, err, db.SchemaVersion(), version)
	}
}
