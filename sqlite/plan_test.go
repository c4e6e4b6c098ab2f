package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
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
	type plan struct {
		name, query string
		args        []any
		index       string
	}
	plans := []plan{
		{"WaitingTickets", fmt.Sprintf(waitingTicketsQuery, ""), []any{200}, "tickets_waiting"},
		{"WaitingTickets by category", fmt.Sprintf(waitingTicketsQuery, "AND category IN (?, ?)"), []any{"a", "b", 200}, "tickets_waiting"},
		{"ActiveModel", activeModelQuery, []any{"category"}, "models_active"},
		{"Models", modelsQuery, []any{"category"}, "models_kind"},
		{"ArticleVersions", articleVersionsQuery, []any{"a-1"}, "sqlite_autoindex_article_versions_1"},
		{"Vectors", vectorsQuery, []any{"local-v1", "article:a-1#0", 1001}, "vectors_model_doc"},
		{"VectorOwners", vectorOwnersQuery, []any{"local-v1", triage.DocArticle}, "vectors_model_owner"},
		{"OwnerVectors", ownerVectorsQuery, []any{"local-v1", triage.DocArticle, "a-1"}, "vectors_model_owner"},
		{"LatestSuggestion", latestSuggestionQuery, []any{"t-1"}, "suggestions_ticket"},
		{"Feedback", feedbackQuery, []any{"s-1"}, "feedback_suggestion"},
	}

	// Queries built from a filter. Several statuses are several ranges of
	// articles_status, which SQLite merges with a sort; one status is a
	// single range read in order.
	cursor := triage.Cursor{CreatedAt: time.Now(), ID: "a-1"}.Encode()
	published := []triage.ArticleStatus{triage.ArticlePublished}
	for _, a := range []struct {
		name  string
		f     triage.ArticleFilter
		index string
	}{
		{"Articles", triage.ArticleFilter{}, "articles_updated"},
		{"Articles after a cursor", triage.ArticleFilter{Cursor: cursor}, "articles_updated"},
		{"Articles by status", triage.ArticleFilter{Status: published}, "articles_status"},
		{"Articles by status after a cursor", triage.ArticleFilter{Status: published, Cursor: cursor, Limit: 20}, "articles_status"},
		{"Articles by category", triage.ArticleFilter{Category: "退款"}, "articles_category"},
		{"Articles by author after a cursor", triage.ArticleFilter{AuthorID: "u-1", Cursor: cursor}, "articles_author"},
	} {
		q, args, _, err := articlesQuery(a.f)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, plan{a.name, q, args, a.index})
	}
	for _, s := range []struct {
		name string
		f    triage.SuggestionFilter
	}{
		{"Suggestions", triage.SuggestionFilter{}},
		{"Suggestions since, under a score", triage.SuggestionFilter{Since: time.Now(), MaxBestArticle: 0.02}},
	} {
		q, args := suggestionsQuery(s.f)
		plans = append(plans, plan{s.name, q, args, "suggestions_created"})
	}

	for _, tc := range plans {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, db, tc.query, tc.args)
			// An index is named before its constraints, or at the end of
			// the line when the query reads it whole, in order.
			all := strings.Join(plan, "\n") + "\n"
			uses := func(how string) bool {
				return strings.Contains(all, how+tc.index+" ") || strings.Contains(all, how+tc.index+"\n")
			}
			if !uses("USING INDEX ") && !uses("USING COVERING INDEX ") {
				t.Errorf("plan does not use %s:\n%s", tc.index, all)
			}
			if strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("plan sorts:\n%s", all)
			}
			if tc.name == "Articles by status after a cursor" && !strings.Contains(all, "(updated_at,id)<(?,?)") {
				t.Errorf("the cursor does not bound the index range:\n%s", all)
			}
		})
	}
}

// TestRequesterPlan: a requester's tickets are read through the requester
// indexes, whatever else the filter holds. With a status filter SQLite
// preferred tickets_status and read every active ticket in the time range
// to find the requester's few: the duplicate check after every create did
// that.
func TestRequesterPlan(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	active := []triage.Status{triage.StatusNew, triage.StatusOpen, triage.StatusPending}
	for _, tc := range []struct {
		name string
		f    triage.TicketFilter
	}{
		{"requester", triage.TicketFilter{RequesterID: "a@example.com"}},
		{"requester and status", triage.TicketFilter{RequesterID: "a@example.com", Status: active}},
		{"requester, status and time", triage.TicketFilter{RequesterID: "a@example.com", Status: active, CreatedFrom: now.Add(-time.Hour), CreatedTo: now}},
	} {
		where, args := ticketWhere(tc.f)
		cond := ` WHERE ` + strings.Join(where, ` AND `)
		for _, q := range []string{
			`SELECT ` + ticketColumns + ` FROM tickets` + cond + ` ORDER BY created_at DESC, id DESC LIMIT 51`, // Tickets
			`SELECT COUNT(*) FROM tickets` + cond, // CountTickets
		} {
			t.Run(tc.name, func(t *testing.T) {
				plan := explain(t, db, q, args)
				all := strings.Join(plan, "\n")
				if !strings.Contains(all, "INDEX tickets_requester_email (requester_email=?)") || strings.Contains(all, "tickets_status") {
					t.Errorf("%s\nplan does not read the requester indexes:\n%s", q, all)
				}
			})
		}
	}
}

// explain is SQLite's query plan for q: one line per step.
func explain(t *testing.T, db *DB, q string, args []any) []string {
	t.Helper()
	rows, err := db.reader.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+q, args...)
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
	return plan
}
