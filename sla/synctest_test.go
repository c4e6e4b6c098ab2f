package sla

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/triagehq/triage"
)

// waitIdle lets every goroutine of the bubble (jobs running, jobs started
// by them) run until all are blocked: the queue is drained up to now.
func waitIdle() { synctest.Wait() }

// TestBreachFiresAtTheTarget: the warning at 80% and the breach at 100%
// fire exactly at their instants, not a microsecond before.
func TestBreachFiresAtTheTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0)) // a working Monday
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", FirstResponse: "2h"})
		tk := s.ticket(triage.NewTicket{Title: "退款没到账", Priority: triage.P3, Tags: []string{"sim"}})
		due, warn := cst(2026, 3, 16, 11, 0), cst(2026, 3, 16, 10, 36)

		s.sleepUntil(warn.Add(-time.Microsecond))
		if n := len(s.events(triage.EventSLAWarning)); n != 0 {
			t.Fatalf("%d warnings before 80%%", n)
		}
		s.sleepUntil(warn)
		ws := notices(t, s.events(triage.EventSLAWarning))
		if len(ws) != 1 || !ws[0].At.Equal(warn) || ws[0].Metric != triage.MetricFirstResponse || ws[0].TicketID != tk.ID {
			t.Fatalf("warning: %+v", ws)
		}
		s.sleepUntil(due.Add(-time.Microsecond))
		if n := len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("breached %d times before the target", n)
		}
		if r := s.record(tk.ID); r.Targets[0].Status != triage.SLARunning {
			t.Fatalf("a microsecond before the target: %+v", r.Targets[0])
		}
		s.sleepUntil(due)
		bs := notices(t, s.events(triage.EventSLABreached))
		if len(bs) != 1 || !bs[0].At.Equal(due) || !bs[0].DueAt.Equal(due) || bs[0].Target != "2h" {
			t.Fatalf("breach: %+v", bs)
		}
		fr := s.record(tk.ID).Targets[0]
		if fr.Status != triage.SLABreached || !fr.BreachedAt.Equal(due) || fr.NotifiedAt == nil {
			t.Fatalf("record after the breach: %+v", fr)
		}
		sameStrings(t, "recorded", kinds(s.slaEvents(tk.ID)), []string{"warning:first_response", "breach:first_response"})
		// A late reply does not announce anything again.
		s.comment(tk.ID, triage.NewComment{Body: "抱歉久等", Public: true})
		s.sleepUntil(cst(2026, 3, 20, 18, 0))
		if n := len(s.events(triage.EventSLABreached)); n != 1 {
			t.Fatalf("%d breach events, want 1", n)
		}
	})
}

// TestAnsweredBeforeTheTarget: the check scheduled at the target finds the
// ticket answered and does nothing.
func TestAnsweredBeforeTheTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", FirstResponse: "2h"})
		tk := s.ticket(triage.NewTicket{Title: "发票", Priority: triage.P3, Tags: []string{"sim"}})
		s.sleepUntil(cst(2026, 3, 16, 10, 0))
		s.comment(tk.ID, triage.NewComment{Body: "您好", Public: true})
		s.sleepUntil(cst(2026, 3, 17, 9, 0))
		if n := len(s.events(triage.EventSLAWarning)) + len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("%d events for a ticket answered in time", n)
		}
		if fr := s.record(tk.ID).Targets[0]; fr.Status != triage.SLAMet || fr.Elapsed != "1h" {
			t.Fatalf("%+v", fr)
		}
	})
}

// TestPendingPausesResolution: the resolution check at the original due
// instant finds the ticket pending; the clock resumes when the customer
// writes and breaches after the time left, not before.
func TestPendingPausesResolution(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", Resolution: "4h", WarnPercent: new(int)})
		tk := s.ticket(triage.NewTicket{Title: "换货", Priority: triage.P3, Tags: []string{"sim"}})
		s.sleepUntil(cst(2026, 3, 16, 10, 0))
		s.comment(tk.ID, triage.NewComment{Body: "请提供订单号", Public: true})
		s.update(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusPending)})
		s.sleepUntil(cst(2026, 3, 17, 9, 0)) // 13:00 Monday passes while pending
		if n := len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("breached while pending")
		}
		if res := s.record(tk.ID).Targets[0]; res.Status != triage.SLAPaused || res.Remaining != "3h" {
			t.Fatalf("while pending: %+v", res)
		}
		s.comment(tk.ID, triage.NewComment{Body: "订单号 123", FromRequester: true})
		due := cst(2026, 3, 17, 12, 0)
		s.sleepUntil(due.Add(-time.Microsecond))
		if n := len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("breached before the time left ran out")
		}
		s.sleepUntil(due)
		if bs := notices(t, s.events(triage.EventSLABreached)); len(bs) != 1 || !bs[0].At.Equal(due) || bs[0].Metric != triage.MetricResolution {
			t.Fatalf("breach: %+v", bs)
		}
	})
}

// TestDeadlineAcrossHolidays: a resolution clock started on the eve of
// National Day runs through Golden Week, the 调休 Saturday after it and a
// Sunday, and breaches on Monday 12 October at 10:00.
func TestDeadlineAcrossHolidays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 9, 30, 17, 0))
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", Resolution: "29h", WarnPercent: new(int)})
		tk := s.ticket(triage.NewTicket{Title: "国庆前的工单", Priority: triage.P3, Tags: []string{"sim"}})
		due := cst(2026, 10, 12, 10, 0)
		if r := s.record(tk.ID); !r.Targets[0].DueAt.Equal(due) {
			t.Fatalf("due %v, want %v", r.Targets[0].DueAt.In(shanghai), due)
		}
		s.sleepUntil(cst(2026, 10, 10, 18, 0)) // end of the 调休 Saturday: 28h used
		if r := s.record(tk.ID); r.Targets[0].Status != triage.SLARunning {
			t.Fatalf("%+v", r.Targets[0])
		}
		s.sleepUntil(due.Add(-time.Microsecond))
		if n := len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("breached before Monday 10:00")
		}
		s.sleepUntil(due)
		if bs := notices(t, s.events(triage.EventSLABreached)); len(bs) != 1 || !bs[0].At.Equal(due) {
			t.Fatalf("breach: %+v", bs)
		}
	})
}

// TestReprioritisedBeforeTheTarget: the check scheduled for the old target
// finds a later target and does nothing; the new target's check fires.
func TestReprioritisedBeforeTheTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		s.policy(triage.NewSLAPolicy{Name: "p3", Priority: triage.P3, Tag: "sim", FirstResponse: "1h", WarnPercent: new(int)})
		s.policy(triage.NewSLAPolicy{Name: "p4", Priority: triage.P4, Tag: "sim", FirstResponse: "3h", WarnPercent: new(int)})
		tk := s.ticket(triage.NewTicket{Title: "咨询", Priority: triage.P3, Tags: []string{"sim"}})
		s.sleepUntil(cst(2026, 3, 16, 9, 30))
		s.update(tk.ID, triage.TicketUpdate{Priority: triage.Some(triage.P4)})
		s.sleepUntil(cst(2026, 3, 16, 11, 59))
		if n := len(s.events(triage.EventSLABreached)); n != 0 {
			t.Fatalf("breached on the old target")
		}
		s.sleepUntil(cst(2026, 3, 16, 12, 0))
		bs := notices(t, s.events(triage.EventSLABreached))
		if len(bs) != 1 || bs[0].Target != "3h" || bs[0].PolicyName != "p4" {
			t.Fatalf("breach: %+v", bs)
		}
	})
}

// TestEscalation: a breach raises the priority and hands the ticket to the
// team lead through the ticket service, with history by the SLA and the
// lead named in the event.
func TestEscalation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		ctx := triage.NewContextWithPrincipal(s.ctx, &triage.Principal{TokenID: "admin", Role: triage.RoleAdmin})
		capacity := 5
		agent, err := s.desk.CreateAgent(ctx, triage.NewAgent{Name: "李娜", Capacity: &capacity}, nil)
		if err != nil {
			t.Fatal(err)
		}
		lead, err := s.desk.CreateAgent(ctx, triage.NewAgent{Name: "王组长", Capacity: &capacity}, nil)
		if err != nil {
			t.Fatal(err)
		}
		team, err := s.desk.CreateTeam(ctx, triage.NewTeam{Name: "售后", Members: []string{agent.ID, lead.ID}, LeadID: lead.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.policy(triage.NewSLAPolicy{Name: "escalating", Priority: triage.P3, Tag: "sim", FirstResponse: "1h", WarnPercent: new(int),
			Escalations: []triage.Escalation{
				{On: OnBreach, Action: ActionNotifyLead},
				{On: OnBreach, Metric: triage.MetricFirstResponse, Action: ActionRaisePriority},
				{On: OnBreach, Action: ActionAssignLead},
			}})
		// A P2 policy of the same scope, for the raised ticket.
		s.policy(triage.NewSLAPolicy{Name: "after", Priority: triage.P2, Tag: "sim", Resolution: "40h", WarnPercent: new(int)})
		tk := s.ticket(triage.NewTicket{Title: "投诉", Priority: triage.P3, Tags: []string{"sim"}, AssigneeID: agent.ID, TeamID: team.ID})
		s.sleepUntil(cst(2026, 3, 16, 10, 0))
		got, err := s.desk.Ticket(s.ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != triage.P2 || got.AssigneeID != lead.ID {
			t.Fatalf("after the breach: priority %s, assignee %s; want P2 and the lead", got.Priority, got.AssigneeID)
		}
		hist, _ := s.desk.History(s.ctx, tk.ID)
		var by []string
		for _, h := range hist {
			if h.Actor == "token:sla" {
				by = append(by, h.Field)
				if len(h.Why) == 0 || h.Why[0].Code != triage.ReasonSLABreached {
					t.Errorf("escalation history without a note: %+v", h)
				}
			}
		}
		sameStrings(t, "fields changed by the SLA", by, []string{"priority", "assignee_id"})
		bs := notices(t, s.events(triage.EventSLABreached))
		if len(bs) != 1 || bs[0].TeamLeadID != lead.ID || len(bs[0].Notify) != 1 || bs[0].Notify[0] != lead.ID {
			t.Fatalf("breach notice: %+v", bs)
		}
		evs := s.slaEvents(tk.ID)
		if len(evs) != 1 || evs[0].LeadID != lead.ID || len(evs[0].Actions) != 3 {
			t.Fatalf("recorded: %+v", evs)
		}
		// The ticket now follows the P2 policy; the breach stays.
		r := s.record(tk.ID)
		if r.PolicyName != "after" || r.Priority != triage.P2 {
			t.Fatalf("record after escalation: %+v", r)
		}
		if fr := target(t, r, triage.MetricFirstResponse, 0); fr.Status != triage.SLABreached || fr.Target != "1h" {
			t.Fatalf("the breach was forgotten: %+v", fr)
		}
		// Replaying the escalation job changes nothing more.
		if err := s.svc.HandleEscalate(s.ctx, EscalateArgs{TicketID: tk.ID, Actions: []string{ActionRaisePriority}, Priority: triage.P3}); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.desk.Ticket(s.ctx, tk.ID); again.Priority != triage.P2 {
			t.Fatalf("a replayed escalation raised the priority again to %s", again.Priority)
		}
	})
}

// TestDuplicateChecks: river may run a job twice; the second run finds the
// breach handled.
func TestDuplicateChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", FirstResponse: "1h", WarnPercent: new(int)})
		tk := s.ticket(triage.NewTicket{Title: "重复", Priority: triage.P3, Tags: []string{"sim"}})
		s.sleepUntil(cst(2026, 3, 16, 10, 0))
		args := CheckArgs{TicketID: tk.ID, At: cst(2026, 3, 16, 10, 0)}
		for range 3 {
			if err := s.svc.HandleCheck(s.ctx, args); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(s.events(triage.EventSLABreached)); n != 1 {
			t.Fatalf("%d breach events, want 1", n)
		}
		if err := s.svc.HandleCheck(s.ctx, CheckArgs{TicketID: "nope"}); err != nil {
			t.Fatalf("a check for a deleted ticket: %v", err)
		}
	})
}

// TestRecomputeQueuesTheNextCheck: a ticket event queues one check, at
// the earliest warning or due instant of the ticket's clocks, and that
// check queues the later ones when it runs, so every warning and breach
// still fires at its instant.
func TestRecomputeQueuesTheNextCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0)) // a working Monday
		s.policy(triage.NewSLAPolicy{Name: "t", Priority: triage.P3, Tag: "sim", FirstResponse: "2h", Resolution: "8h"})
		tk := s.ticket(triage.NewTicket{Title: "退款没到账", Priority: triage.P3, Tags: []string{"sim"}})
		r := s.record(tk.ID)
		var want []time.Time // every target's warning and due instants
		for _, tg := range r.Targets {
			if tg.WarnAt == nil || tg.DueAt == nil {
				t.Fatalf("target without instants: %+v", tg)
			}
			want = append(want, *tg.WarnAt, *tg.DueAt)
		}
		if len(want) != 4 {
			t.Fatalf("targets: %+v", r.Targets)
		}
		slices.SortFunc(want, func(a, b time.Time) int { return a.Compare(b) })
		if got := s.checks(tk.ID); len(got) != 1 || !got[0].Equal(want[0]) {
			t.Fatalf("checks queued by the create: %v, want only %v", got, want[0])
		}
		s.sleepUntil(want[len(want)-1])
		var fired []time.Time
		for _, n := range notices(t, append(s.events(triage.EventSLAWarning), s.events(triage.EventSLABreached)...)) {
			fired = append(fired, n.At)
		}
		slices.SortFunc(fired, func(a, b time.Time) int { return a.Compare(b) })
		if !slices.EqualFunc(fired, want, time.Time.Equal) {
			t.Fatalf("warnings and breaches at %v, want %v", fired, want)
		}
	})
}
