package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryPlans checks that the queries with an index of their own use it
// and need no sort. A partial index serves a query only when the query
// repeats its WHERE terms, so an innocent edit of either can silently turn
// a range scan into a full scan and sort; this catches that.
func TestQueryPlans(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string
	}{
		{"WaitingTickets", fmt.Sprintf(waitingTicketsQuery, ""), []any{200}, "tickets_waiting"},
		{"WaitingTickets by category", fmt.Sprintf(waitingTicketsQuery, "AND category IN (?, ?)"), []any{"a", "b", 200}, "tickets_waiting"},
		{"ActiveModel", activeModelQuery, []any{"category"}, "models_active"},
		{"Models", modelsQuery, []any{"category"}, "models_kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := db.reader.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+tc.query, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			if !strings.Contains(all, "USING INDEX "+tc.index+" ") && !strings.Contains(all, "USING COVERING INDEX "+tc.index+" ") {
				t.Errorf("plan does not use %s:\n%s", tc.index, all)
			}
			if strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("plan sorts:\n%s", all)
			}
		})
	}
}
