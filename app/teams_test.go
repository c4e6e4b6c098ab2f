package app_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// decodeJSON reads a recorded response into v, failing on a status other
// than want.
func decodeJSON(t *testing.T, w *httptest.ResponseRecorder, want int, v any) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
	}
	if v != nil {
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("%v: %s", err, w.Body)
		}
	}
}

// TestTeamsThatWork: on both stores, routing gives every ticket its team
// (the team owning the category, or the one a ticket arrived with) and an
// assignee from that team; a ticket nobody can take waits in its team's
// queue; "team=mine" lists an agent's teams' tickets; and the backlog by
// team has a bar per team, not one "no team" bar.
func TestTeamsThatWork(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			mk := func(path, body string, v any) {
				t.Helper()
				decodeJSON(t, r.call("POST", path, body), 201, v)
			}
			var pay1, pay2, outsider, ship triage.Agent
			mk("/v1/agents", `{"name":"王芳","skills":["支付与退款"],"capacity":1,"online":true}`, &pay1)
			mk("/v1/agents", `{"name":"刘洋","skills":["支付与退款"],"capacity":5,"online":false}`, &pay2)
			mk("/v1/agents", `{"name":"陈静","skills":["支付与退款","订单与物流"],"capacity":5,"online":true}`, &outsider)
			mk("/v1/agents", `{"name":"赵磊","skills":["订单与物流"],"capacity":5,"online":true}`, &ship)
			var payTeam, shipTeam triage.Team
			mk("/v1/teams", fmt.Sprintf(`{"name":"支付结算组","members":[%q,%q],"lead_id":%q,"categories":["支付与退款"]}`, pay1.ID, pay2.ID, pay1.ID), &payTeam)
			mk("/v1/teams", fmt.Sprintf(`{"name":"物流售后组","members":[%q,%q],"lead_id":%q,"categories":["订单与物流"]}`, ship.ID, outsider.ID, ship.ID), &shipTeam)

			ticket := func(body string) triage.Ticket {
				t.Helper()
				var tk triage.Ticket
				mk("/v1/tickets", body, &tk)
				return tk
			}
			// The owning team's member wins over a skilled, idle outsider.
			first := ticket(`{"title":"退款","body":"退款没到账","category":"支付与退款"}`)
			if first.TeamID != payTeam.ID || first.AssigneeID != pay1.ID {
				t.Fatalf("first refund: team %q assignee %q, want %s and %s", first.TeamID, first.AssigneeID, payTeam.ID, pay1.ID)
			}
			// The member is full and the other is offline: the skilled
			// outsider takes it, and it stays the pay team's ticket.
			second := ticket(`{"title":"退款","body":"又一个退款","category":"支付与退款"}`)
			if second.TeamID != payTeam.ID || second.AssigneeID != outsider.ID {
				t.Fatalf("second refund: team %q assignee %q, want %s and %s", second.TeamID, second.AssigneeID, payTeam.ID, outsider.ID)
			}
			// Make the outsider offline too: the next waits in the pay
			// team's queue.
			decodeJSON(t, r.call("PATCH", "/v1/agents/"+outsider.ID, `{"online":false}`, "If-Match: *"), 200, nil)
			third := ticket(`{"title":"退款","body":"第三个退款","category":"支付与退款"}`)
			if third.TeamID != payTeam.ID || third.AssigneeID != "" {
				t.Fatalf("third refund: team %q assignee %q, want the queue of %s", third.TeamID, third.AssigneeID, payTeam.ID)
			}
			// A ticket that came with a team (a mailbox's) keeps it.
			given := ticket(fmt.Sprintf(`{"title":"物流","body":"快递没到","category":"支付与退款","team_id":%q}`, shipTeam.ID))
			if given.TeamID != shipTeam.ID {
				t.Fatalf("a ticket given team %s got %q", shipTeam.ID, given.TeamID)
			}
			var hist api.List[triage.HistoryEntry]
			decodeJSON(t, r.call("GET", "/v1/tickets/"+first.ID+"/history", ""), 200, &hist)
			found := false
			for _, h := range hist.Items {
				if h.Field == "team_id" && h.New == payTeam.ID && len(h.Why) > 0 && h.Why[0].Code == triage.ReasonRouteTeamOwns {
					found = true
				}
			}
			if !found {
				t.Errorf("no history entry says why the team was set: %+v", hist.Items)
			}

			// team=mine, as the pay team's lead.
			var tok struct {
				Secret string `json:"secret"`
			}
			mk("/v1/tokens", fmt.Sprintf(`{"name":"王芳","role":"agent","agent_id":%q}`, pay1.ID), &tok)
			if tok.Secret == "" {
				t.Fatal("no token secret")
			}
			var mine api.List[triage.Ticket]
			decodeJSON(t, r.call("GET", "/v1/tickets?team=mine", "", "Authorization: Bearer "+tok.Secret), 200, &mine)
			if got := ids(mine.Items); !sameSet(got, []string{first.ID, second.ID, third.ID}) {
				t.Errorf("team=mine = %v, want the three refunds", got)
			}
			if w := r.call("GET", "/v1/tickets?team=mine", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "team") {
				t.Errorf("team=mine for a token without an agent: %d %s", w.Code, w.Body)
			}

			// The backlog by team: a bar per team.
			var backlog struct {
				Rows []struct {
					Key   string `json:"key"`
					Label string `json:"label"`
					Open  int    `json:"open"`
				} `json:"rows"`
			}
			decodeJSON(t, r.call("GET", "/v1/reports/backlog?group=team", ""), 200, &backlog)
			got := map[string]int{}
			for _, row := range backlog.Rows {
				got[row.Label] = row.Open
			}
			if got["支付结算组"] != 3 || got["物流售后组"] != 1 || got[""] != 0 {
				t.Errorf("backlog by team = %+v, want 支付结算组 3 and 物流售后组 1", backlog.Rows)
			}
		})
	}
}

func ids(ts []triage.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
