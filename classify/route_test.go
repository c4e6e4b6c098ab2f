package classify

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func at(min int) *time.Time {
	t := time.Date(2026, 11, 23, 9, min, 0, 0, time.UTC)
	return &t
}

func loads(m map[string][4]int) map[string]triage.AgentLoad {
	out := map[string]triage.AgentLoad{}
	for id, byP := range m {
		l := triage.AgentLoad{AgentID: id, ByPriority: map[triage.Priority]int{}}
		for i, n := range byP {
			l.ByPriority[triage.Priorities()[i]] = n
			l.Open += n
		}
		out[id] = l
	}
	return out
}

func TestChoose(t *testing.T) {
	agent := func(id string, skills string, capacity int, online bool, last *time.Time) *triage.Agent {
		return &triage.Agent{ID: id, Name: id, Skills: strings.Split(skills, ","), Capacity: capacity, Online: online, LastAssignedAt: last}
	}
	teams := []*triage.Team{
		// No members: these cases are about load and skills; team
		// preference has its own test (TestChooseTeam).
		{ID: "t-pay", Name: "支付结算组", Categories: []string{"支付与退款"}},
		{ID: "t-ship", Name: "物流售后组", Members: []string{"c"}},
	}
	cases := []struct {
		name     string
		category string
		agents   []*triage.Agent
		loads    map[string][4]int
		want     string // agent id, or "queue:<team>"
		reasons  map[string]string
	}{
		{"only the skilled", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 5, true, nil), agent("b", "订单与物流", 5, true, nil)},
			nil, "a", nil},
		{"offline skipped", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 5, false, nil), agent("b", "支付与退款", 5, true, nil)},
			nil, "b", map[string]string{"a": "offline"}},
		{"full skipped", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 2, true, nil), agent("b", "支付与退款", 5, true, nil)},
			map[string][4]int{"a": {0, 0, 2, 0}, "b": {0, 0, 4, 0}}, "b", map[string]string{"a": "at capacity (2 of 2)"}},
		{"least loaded", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 9, true, nil), agent("b", "支付与退款", 9, true, nil)},
			map[string][4]int{"a": {0, 0, 3, 0}, "b": {0, 0, 2, 0}}, "b", nil},
		{"load weighted by priority", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 9, true, nil), agent("b", "支付与退款", 9, true, nil)},
			// a: one P1 (3.0); b: two P3 and one P4 (2.5): b has more tickets but less load.
			map[string][4]int{"a": {1, 0, 0, 0}, "b": {0, 0, 2, 1}}, "b", nil},
		{"tie goes to the longest idle", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 9, true, at(30)), agent("b", "支付与退款", 9, true, at(10))},
			nil, "b", nil},
		{"never assigned beats assigned", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 9, true, at(10)), agent("b", "支付与退款", 9, true, nil)},
			nil, "b", nil},
		{"nobody free: team naming the category", "支付与退款",
			[]*triage.Agent{agent("a", "支付与退款", 1, true, nil)},
			map[string][4]int{"a": {0, 0, 1, 0}}, "queue:t-pay", nil},
		{"nobody free: team with a skilled member", "订单与物流",
			[]*triage.Agent{agent("c", "订单与物流", 1, false, nil)},
			nil, "queue:t-ship", nil},
		{"no skill anywhere", "发票与报销",
			[]*triage.Agent{agent("a", "支付与退款", 5, true, nil)},
			nil, "queue:", nil},
		{"no category", "",
			[]*triage.Agent{agent("a", "支付与退款", 5, true, nil)},
			nil, "queue:", nil},
	}
	r := &Router{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.Choose(c.category, c.agents, loads(c.loads), teams)
			id := "queue:" + got.TeamID
			if got.Agent != nil {
				id = got.Agent.ID
			}
			if id != c.want {
				t.Fatalf("chose %s, want %s; candidates %+v", id, c.want, got.Candidates)
			}
			for _, o := range got.Candidates {
				if !o.Reason.Code.Known() {
					t.Errorf("candidate %s has no reason", o.AgentID)
				}
				if want, ok := c.reasons[o.AgentID]; ok && o.Reason.Text != want {
					t.Errorf("%s: reason %q, want %q", o.AgentID, o.Reason.Text, want)
				}
			}
		})
	}
}

// TestChooseTeam: the ticket's team is the one it came with, else the one
// owning its category, else the chosen agent's; that team's members are
// preferred, and a skilled outsider takes the ticket only when no member
// is free.
func TestChooseTeam(t *testing.T) {
	agent := func(id string, online bool) *triage.Agent {
		return &triage.Agent{ID: id, Name: id, Skills: []string{"支付与退款", "订单与物流"}, Capacity: 5, Online: online}
	}
	teams := []*triage.Team{
		{ID: "t-pay", Name: "支付结算组", Categories: []string{"支付与退款"}, Members: []string{"m1", "m2"}, LeadID: "m1"},
		{ID: "t-mail", Name: "邮件组", Members: []string{"x"}},
	}
	cases := []struct {
		name      string
		team      string // the team the ticket arrived with
		category  string
		agents    []*triage.Agent
		loads     map[string][4]int
		wantAgent string
		wantTeam  string
		wantWhy   triage.ReasonCode
	}{
		{"owner team's member beats a less loaded outsider", "", "支付与退款",
			[]*triage.Agent{agent("m1", true), agent("x", true)}, map[string][4]int{"m1": {0, 0, 3, 0}},
			"m1", "t-pay", triage.ReasonRouteTeamOwns},
		{"least loaded member among members", "", "支付与退款",
			[]*triage.Agent{agent("m1", true), agent("m2", true), agent("x", true)}, map[string][4]int{"m1": {0, 0, 3, 0}, "m2": {0, 0, 1, 0}},
			"m2", "t-pay", triage.ReasonRouteTeamOwns},
		{"no member free: an outsider, the team stays", "", "支付与退款",
			[]*triage.Agent{agent("m1", false), agent("m2", false), agent("x", true)}, nil,
			"x", "t-pay", triage.ReasonRouteTeamOwns},
		{"nobody free: waits in the owner's queue", "", "支付与退款",
			[]*triage.Agent{agent("m1", false)}, nil,
			"", "t-pay", triage.ReasonRouteTeamOwns},
		{"the mailbox's team wins over the owner", "t-mail", "支付与退款",
			[]*triage.Agent{agent("m1", true), agent("x", true)}, map[string][4]int{"x": {0, 0, 4, 0}},
			"x", "t-mail", triage.ReasonRouteTeamGiven},
		{"no owner: a team with a skilled member", "", "订单与物流",
			[]*triage.Agent{agent("x", true)}, nil,
			"x", "t-mail", triage.ReasonRouteTeamSkilled},
	}
	r := &Router{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.ChooseIn(c.team, c.category, c.agents, loads(c.loads), teams)
			id := ""
			if got.Agent != nil {
				id = got.Agent.ID
			}
			if id != c.wantAgent || got.TeamID != c.wantTeam || got.TeamWhy.Code != c.wantWhy {
				t.Fatalf("agent %q team %q (%s), want %q %q (%s)", id, got.TeamID, got.TeamWhy.Code, c.wantAgent, c.wantTeam, c.wantWhy)
			}
		})
	}
}
