package api_test

import (
	"testing"

	"github.com/triagehq/triage"
)

// TestRuleMatchNegatedOption: the rule option is set at creation and by a
// PATCH, and decides whether 「没有漏电」 fires the rule.
func TestRuleMatchNegatedOption(t *testing.T) {
	e := newEnv(t)
	r := e.mustCreate("POST", "/v1/rules", triage.RoleAdmin, `{"name":"漏电","any":["漏电"],"add_tags":["漏电"],"match_negated":true}`, &triage.Rule{}).(*triage.Rule)
	if !r.MatchNegated {
		t.Fatalf("created rule %+v", r)
	}
	fires := func() bool {
		t.Helper()
		var res struct{ Rules []triage.RuleHit }
		e.do("POST", "/v1/rules/dry-run", triage.RoleAdmin, `{"title":"插座","body":"检查过了，没有漏电"}`).json(t, &res)
		for _, h := range res.Rules {
			if h.RuleID == r.ID {
				return true
			}
		}
		return false
	}
	if !fires() {
		t.Errorf("with match_negated the rule did not fire on 没有漏电")
	}
	var got triage.Rule
	e.do("PATCH", "/v1/rules/"+r.ID, triage.RoleAdmin, `{"match_negated":false}`, ifMatch(r.Version)).json(t, &got)
	if got.MatchNegated {
		t.Fatalf("after the PATCH: %+v", got)
	}
	if fires() {
		t.Errorf("without match_negated the rule fired on 没有漏电")
	}
}
