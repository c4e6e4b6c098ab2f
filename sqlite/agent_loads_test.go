package sqlite_test

import (
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/sqlite"
)

// TestAgentLoadsMigration: a store with tickets from before migration
// 00370 gets agent_loads filled from them when it opens, so routing reads
// the same loads as the count it replaced.
func TestAgentLoadsMigration(t *testing.T) {
	path, raw, err := migratedOnly(t, func(n string) bool { return n < "00370" })
	if err != nil {
		t.Fatal(err)
	}
	for i, tk := range []struct{ assignee, status, priority string }{
		{"a1", "new", "P1"}, {"a1", "open", "P2"}, {"a1", "pending", "P2"},
		{"a1", "solved", "P1"}, {"a2", "closed", "P3"}, {"", "open", "P1"}, {"a2", "open", "P4"},
	} {
		if _, err := raw.ExecContext(t.Context(), `
			INSERT INTO tickets (id, title, body, status, priority, assignee_id, created_at, updated_at, version)
			VALUES (?, 't', 'b', ?, ?, ?, 1, 1, 1)`, "t"+string(rune('0'+i)), tk.status, tk.priority, tk.assignee); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.AgentLoads(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[triage.Priority]int{
		"a1": {triage.P1: 1, triage.P2: 2, triage.P3: 0, triage.P4: 0},
		"a2": {triage.P1: 0, triage.P2: 0, triage.P3: 0, triage.P4: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("loads %+v, want %+v", got, want)
	}
	for id, byP := range want {
		l := got[id]
		open := 0
		for p, n := range byP {
			open += n
			if l.ByPriority[p] != n {
				t.Errorf("%s %s: %d, want %d", id, p, l.ByPriority[p], n)
			}
		}
		if l.Open != open {
			t.Errorf("%s open: %d, want %d", id, l.Open, open)
		}
	}
}
