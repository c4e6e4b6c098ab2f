package sla

import (
	"encoding/json"
	"testing"
	"testing/synctest"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/report"
)

func pct(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func group[G any](t *testing.T, gs []G, key func(G) string, k string) G {
	t.Helper()
	for _, g := range gs {
		if key(g) == k {
			return g
		}
	}
	var zero G
	t.Fatalf("no group %q", k)
	return zero
}

// TestReports runs the SLA clocks on the fake clock and reads the SLA and
// satisfaction reports (package report) over what they recorded.
func TestReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		ctx := triage.NewContextWithPrincipal(s.ctx, &triage.Principal{TokenID: "admin", Role: triage.RoleAdmin})
		capacity := 10
		ana, _ := s.desk.CreateAgent(ctx, triage.NewAgent{Name: "Ana", Capacity: &capacity}, nil)
		bo, _ := s.desk.CreateAgent(ctx, triage.NewAgent{Name: "Bo", Capacity: &capacity}, nil)
		team, err := s.desk.CreateTeam(ctx, triage.NewTeam{Name: "Billing", Members: []string{ana.ID, bo.ID}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.policy(triage.NewSLAPolicy{Name: "p2", Priority: triage.P2, Tag: "sim", FirstResponse: "1h", Resolution: "4h"})
		s.policy(triage.NewSLAPolicy{Name: "p3", Priority: triage.P3, Tag: "sim", FirstResponse: "2h"})
		mk := func(agent string, p triage.Priority, cat string) *triage.Ticket {
			return s.ticket(triage.NewTicket{Title: "t", Priority: p, Category: cat, Tags: []string{"sim"}, AssigneeID: agent, TeamID: team.ID})
		}
		a1 := mk(ana.ID, triage.P2, "退款") // replied in 30m, solved in 3h: 2 met
		a2 := mk(ana.ID, triage.P3, "发票") // replied after 3h: first response breached
		b1 := mk(bo.ID, triage.P2, "退款")  // never answered: both breached
		s.sleepUntil(cst(2026, 3, 16, 9, 30))
		s.comment(a1.ID, triage.NewComment{Body: "好的", Public: true})
		s.sleepUntil(cst(2026, 3, 16, 12, 0))
		s.update(a1.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		s.comment(a2.ID, triage.NewComment{Body: "久等", Public: true})
		s.sleepUntil(cst(2026, 3, 17, 9, 0))
		_ = b1

		reports := &report.Service{Store: s.store, Now: s.now}
		rep, err := reports.SLA(s.ctx, report.Query{From: cst(2026, 3, 16, 0, 0), To: cst(2026, 3, 18, 0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		o := rep.Overall
		if o.Met != 2 || o.Breached != 3 || pct(o.PercentMet) != 40 {
			t.Fatalf("overall: %+v", o)
		}
		if o.FirstResponse.Met != 1 || o.FirstResponse.Breached != 2 || pct(o.FirstResponse.PercentMet) != 33.3 {
			t.Fatalf("first response: %+v", o.FirstResponse)
		}
		if o.NextResponse.PercentMet != nil {
			t.Fatalf("nothing decided must read null, not 0: %+v", o.NextResponse)
		}
		key := func(g report.SLAGroup) string { return g.Key }
		if g := group(t, rep.ByAgent, key, ana.ID); g.Name != "Ana" || g.Met != 2 || g.Breached != 1 {
			t.Fatalf("Ana: %+v", g)
		}
		if g := group(t, rep.ByAgent, key, bo.ID); g.Met != 0 || g.Breached != 2 || pct(g.PercentMet) != 0 {
			t.Fatalf("Bo: %+v", g)
		}
		if g := group(t, rep.ByPriority, key, "P2"); g.Met != 2 || g.Breached != 2 {
			t.Fatalf("P2: %+v", g)
		}
		if g := group(t, rep.ByCategory, key, "发票"); g.Breached != 1 {
			t.Fatalf("发票: %+v", g)
		}
		if g := group(t, rep.ByTeam, key, team.ID); g.Name != "Billing" || g.Met+g.Breached != 5 {
			t.Fatalf("team: %+v", g)
		}
		// A window before anything was decided is empty.
		early, err := reports.SLA(s.ctx, report.Query{From: cst(2026, 3, 1, 0, 0), To: cst(2026, 3, 16, 9, 0)})
		if err != nil || early.Overall.Met+early.Overall.Breached != 0 || len(early.ByAgent) != 0 || early.ByAgent == nil {
			t.Fatalf("empty window: %+v, %v", early, err)
		}

		// CSAT: a1 was solved and answered 4; a2 and b1 solved, one answered 2.
		s.update(a2.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		s.update(b1.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
		tokens := map[string]string{}
		for _, e := range notices2(t, s) {
			tokens[e.TicketID] = tokenOf(e.URL)
		}
		if _, err := s.svc.AnswerSurvey(s.ctx, tokens[a1.ID], triage.SurveyAnswer{Rating: 4}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.AnswerSurvey(s.ctx, tokens[b1.ID], triage.SurveyAnswer{Rating: 2, Comment: "太慢"}); err != nil {
			t.Fatal(err)
		}
		cr, err := reports.CSAT(s.ctx, report.Query{})
		if err != nil {
			t.Fatal(err)
		}
		c := cr.Overall
		if c.Sent != 3 || c.Responses != 2 || pct(c.Average) != 3 || c.Satisfied != 1 || pct(c.CSAT) != 50 || c.Ratings != [5]int{0, 1, 0, 1, 0} || pct(c.ResponseRate) != 66.7 {
			t.Fatalf("overall CSAT: %+v", c)
		}
		ckey := func(g report.CSATGroup) string { return g.Key }
		if g := group(t, cr.ByAgent, ckey, ana.ID); g.Sent != 2 || g.Responses != 1 || pct(g.Average) != 4 {
			t.Fatalf("Ana CSAT: %+v", g)
		}
		if g := group(t, cr.ByCategory, ckey, "退款"); g.Responses != 2 || pct(g.CSAT) != 50 {
			t.Fatalf("退款 CSAT: %+v", g)
		}
		if _, err := reports.CSAT(s.ctx, report.Query{From: cst(2026, 3, 2, 0, 0), To: cst(2026, 3, 1, 0, 0)}); !triage.IsCode(err, triage.EINVALID) {
			t.Fatalf("reversed window: %v", err)
		}
	})
}

func notices2(t *testing.T, s *sim) []triage.SurveyRequest {
	t.Helper()
	var out []triage.SurveyRequest
	for _, e := range s.events(triage.EventCSATRequested) {
		var r triage.SurveyRequest
		if err := json.Unmarshal(e.args, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}
