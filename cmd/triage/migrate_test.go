package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestMigratePostgres: `triage migrate --db` brings a new database to the
// binary's schema, again is a no-op; eval live reads it; and migrate, serve
// and eval live refuse a database whose schema a newer binary has moved
// past.
func TestMigratePostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	runCmd := func(args ...string) (int, string) {
		t.Helper()
		var out, errOut syncBuffer
		code := run(ctx, args, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	// The schema ends at the highest migration shipped; engineers take
	// numbers from ranges with gaps, so it is read, not counted.
	names, err := os.ReadDir("../../postgres/migrations")
	if err != nil {
		t.Fatal(err)
	}
	latest := 0
	for _, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(n.Name(), "_", 2)[0]); err == nil {
			latest = max(latest, v)
		}
	}
	for i := range 2 {
		code, out := runCmd("migrate", "--db", url)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("schema at version %d\n", latest)) {
			t.Fatalf("migrate #%d: exit %d: %s", i+1, code, out)
		}
	}
	// A read-only tool opens the same database without migrating it.
	if code, out := runCmd("eval", "live", "--db", url); code != 0 || !strings.Contains(out, `"kind": "live"`) {
		t.Fatalf("eval live --db: exit %d: %s", code, out)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// What a newer triage would leave behind.
	newer := latest + 1
	if _, err := conn.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, newer); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ args []string }{
		{[]string{"migrate", "--db", url}},
		{[]string{"serve", "--db", url, "--data", t.TempDir(), "--addr", "127.0.0.1:0"}},
		{[]string{"eval", "live", "--db", url}},
	}
	for _, c := range cases {
		t.Run(c.args[0], func(t *testing.T) {
			code, out := runCmd(c.args...)
			if want := fmt.Sprintf("schema version %d but this binary knows only up to %d", newer, latest); code != 1 || !strings.Contains(out, want) {
				t.Errorf("exit %d, output %q; want a refusal of schema %d", code, out, newer)
			}
		})
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = $1`, newer).Scan(&n); err != nil || n != 1 {
		t.Errorf("the newer schema's row was touched: %d rows (%v)", n, err)
	}
}
