package sqlite_test

import (
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/triagehq/triage/sqlite"
)

// TestMissingMigrationApplied: a store that has every migration but one
// (as a release leaves it when a branch with a lower-numbered migration
// is merged after it) opens with this binary, which applies the one
// missing rather than refusing to start.
func TestMissingMigrationApplied(t *testing.T) {
	all := os.DirFS("migrations")
	names, err := fs.Glob(all, "*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	for _, skip := range names[1:] {
		t.Run(skip, func(t *testing.T) {
			path, raw, err := migratedOnly(t, func(n string) bool { return n != skip })
			if err != nil {
				// A later migration builds on it, so no release can have
				// shipped without it.
				t.Skipf("later migrations need %s: %v", skip, err)
			}
			raw.Close()
			db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err != nil {
				t.Fatalf("a store without %s does not open: %v", skip, err)
			}
			defer db.Close()
			var n int
			if err := db.WriterDB().QueryRowContext(t.Context(), `SELECT COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&n); err != nil || n != len(names) {
				t.Fatalf("%d migrations applied after opening, want %d (%v)", n, len(names), err)
			}
		})
	}
}

// migratedOnly makes a store file with only the migrations keep accepts,
// applied by goose as an older release would have, and opens it raw. The
// error is goose's, from applying them.
func migratedOnly(t *testing.T, keep func(name string) bool) (string, *sql.DB, error) {
	t.Helper()
	all := os.DirFS("migrations")
	names, err := fs.Glob(all, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	kept := fstest.MapFS{}
	for _, n := range names {
		if !keep(n) {
			continue
		}
		b, err := fs.ReadFile(all, n)
		if err != nil {
			t.Fatal(err)
		}
		kept[n] = &fstest.MapFile{Data: b}
	}
	path := filepath.Join(t.TempDir(), "t.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, kept, goose.WithDisableGlobalRegistry(true), goose.WithLogger(goose.NopLogger()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(t.Context())
	return path, raw, err
}
