package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIHistoryKinds: a ticket changed in every way a person or the
// service changes one (status, priority, category, assignee, team, tags,
// title, body, requester, channel, fields, review, a bulk action, a
// presence-driven reroute) shows its history in Chinese in the Chinese
// UI: no English word and no untranslated key in any line.
func TestUIHistoryKinds(t *testing.T) {
	u := startUI(t)
	var agents struct{ Items []struct{ ID string } }
	if err := u.api("GET", "/v1/agents", &agents); err != nil || len(agents.Items) < 2 {
		t.Fatalf("agents: %v %d", err, len(agents.Items))
	}
	var teams struct{ Items []struct{ ID string } }
	if err := u.api("GET", "/v1/teams", &teams); err != nil || len(teams.Items) == 0 {
		t.Fatalf("teams: %v", err)
	}
	var tk struct {
		ID      string
		Version int
	}
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "历史记录测试", "body": "退款没有到账", "requester": map[string]any{"name": "韩梅", "email": "hm@example.com"}}, &tk); err != nil {
		t.Fatal(err)
	}
	patch := func(body map[string]any) {
		t.Helper()
		var after struct{ Version int }
		if err := u.send("PATCH", "/v1/tickets/"+tk.ID, body, &after, fmt.Sprintf(`If-Match: "%d"`, tk.Version)); err != nil {
			t.Fatal(err)
		}
		tk.Version = after.Version
	}
	for _, b := range []map[string]any{
		{"status": "open"},
		{"priority": "P1", "note": "客户是大客户"},
		{"category": "支付与退款"},
		{"assignee_id": agents.Items[1].ID},
		{"team_id": teams.Items[0].ID},
		{"tags": []string{"vip", "回访"}},
		{"title": "历史记录测试（已改）", "body": "退款没有到账，已催"},
		{"requester": map[string]any{"name": "韩梅梅", "email": "hmm@example.com", "phone": "13700000000"}},
		{"channel": "phone"},
		{"fields": map[string]string{"order_id": "A123"}},
		{"needs_review": true},
		{"needs_review": false},
		{"status": "pending"},
		{"assignee_id": agents.Items[0].ID},
	} {
		patch(b)
	}
	var bulk struct {
		Updated int
		Items   []map[string]any
	}
	if err := u.send("POST", "/v1/tickets/bulk", map[string]any{"tickets": []map[string]any{{"id": tk.ID, "version": tk.Version}}, "status": "solved", "add_tags": []string{"批量"}}, &bulk); err != nil || bulk.Updated != 1 {
		t.Fatalf("bulk: %v %+v", err, bulk.Items)
	}
	ctx := u.tab(t, 1366, 900)
	u.signIn(t, ctx)
	step(t, ctx, "open the ticket",
		chromedp.Navigate(u.url+"/app/tickets/"+tk.ID),
		chromedp.WaitVisible(chromedp.CSS(`.history summary`)),
		chromedp.Click(chromedp.CSS(`.history summary`)))
	n := jsEval[int](t, ctx, `document.querySelectorAll('.history li, .history .hist-entry, .history tr').length`)
	if n < 15 {
		t.Errorf("the history shows %d lines, want one for each of the 15+ changes", n)
	}
	u.noEnglish(t, ctx, "the history", `.history`, "admin (TRIAGE_ADMIN_TOKEN)", "vip", "hm@example.com", "hmm@example.com", "A123", "order_id", "13700000000")
}
