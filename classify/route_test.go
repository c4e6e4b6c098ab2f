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
		{ID: "t-pay", Name: "支付结算组", Categories: []string{"支付与退款"}, Members: []string{"a"}},
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
