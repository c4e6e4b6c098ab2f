package classify_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
)

// ruleCategory makes every ticket mentioning word land in category, so the
// routing tests need no model.
func (e *triageEnv) ruleCategory(word, category string) {
	e.rule(triage.NewRule{Name: word, Any: []string{word}, SetCategory: category})
}

func (e *triageEnv) get(id string) *triage.Ticket {
	e.t.Helper()
	t, err := e.desk.Ticket(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *triageEnv) set(id string, u triage.TicketUpdate) *triage.Ticket {
	e.t.Helper()
	t, err := e.desk.UpdateTicket(e.ctx, id, 0, u)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *triageEnv) setAgent(id string, u triage.AgentUpdate) {
	e.t.Helper()
	if _, err := e.desk.UpdateAgent(e.ctx, id, 0, u); err != nil {
		e.t.Fatal(err)
	}
}

func (e *triageEnv) open(agentID string) int {
	e.t.Helper()
	loads, err := e.store.AgentLoads(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return loads[agentID].Open
}

func TestConcurrentCreatesRespectCapacity(t *testing.T) {
	e := newTriageEnv(t)
	e.ruleCategory("退款", "支付与退款")
	a := e.agent("张伟", "支付与退款", 3, true)
	b := e.agent("李娜", "支付与退款", 3, true)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.desk.CreateTicket(e.ctx, triage.NewTicket{Title: fmt.Sprintf("退款 %d", i)}, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if oa, ob := e.open(a.ID), e.open(b.ID); oa != 3 || ob != 3 {
		t.Errorf("loads after %d concurrent creates: %d and %d, want 3 and 3", n, oa, ob)
	}
	waiting, err := e.store.WaitingTickets(e.ctx, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(waiting) != n-6 {
		t.Errorf("%d tickets waiting, want %d", len(waiting), n-6)
	}
}

func TestQueueDrainsMostUrgentThenOldest(t *testing.T) {
	e := newTriageEnv(t)
	e.ruleCategory("物流", "订单与物流")
	a := e.agent("王芳", "订单与物流", 2, false)
	old := e.ticket(triage.NewTicket{Title: "物流 老的", Priority: triage.P3})
	urgent := e.ticket(triage.NewTicket{Title: "物流 紧急", Priority: triage.P1})
	newer := e.ticket(triage.NewTicket{Title: "物流 新的", Priority: triage.P3})
	for _, tk := range []*triage.Ticket{old, urgent, newer} {
		if tk.AssigneeID != "" || tk.Triage.Assignee.Source != "queue" {
			t.Fatalf("%s was assigned to an offline agent: %+v", tk.Title, tk.Triage.Assignee)
		}
	}
	e.setAgent(a.ID, triage.AgentUpdate{Online: triage.Some(true)})
	if got := e.get(urgent.ID).AssigneeID; got != a.ID {
		t.Errorf("the P1 ticket was not assigned first")
	}
	if got := e.get(old.ID).AssigneeID; got != a.ID {
		t.Errorf("the oldest P3 ticket was not assigned second")
	}
	if got := e.get(newer.ID).AssigneeID; got != "" {
		t.Errorf("a third ticket went to an agent of capacity 2")
	}
	// Solving one frees a slot: the queue moves in the same transaction.
	e.set(urgent.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
	if got := e.get(newer.ID).AssigneeID; got != a.ID {
		t.Errorf("freed capacity did not drain the queue")
	}
	hist, err := e.desk.History(e.ctx, newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Field != "assignee_id" || last.Actor != "system:routing" || !strings.Contains(triage.Sentence(last.Why, last.Note), "from the queue") || last.Why[0].Code != triage.ReasonRouteFromQueue {
		t.Errorf("drain not recorded with its reason: %+v", last)
	}
}

func TestRoundRobinBetweenEqualLoads(t *testing.T) {
	e := newTriageEnv(t)
	e.ruleCategory("发票", "发票与报销")
	a := e.agent("甲", "发票与报销", 10, true)
	b := e.agent("乙", "发票与报销", 10, true)
	got := map[string]int{}
	for i := range 6 {
		tk := e.ticket(triage.NewTicket{Title: fmt.Sprintf("发票 %d", i)})
		got[tk.AssigneeID]++
		// Solve it, so loads stay equal and only round robin decides.
		e.set(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
	}
	if got[a.ID] != 3 || got[b.ID] != 3 {
		t.Errorf("round robin split %v", got)
	}
}

func TestReopenedTicketOfOfflineAgentIsRerouted(t *testing.T) {
	e := newTriageEnv(t)
	e.ruleCategory("耳机", "设备使用与故障")
	a := e.agent("甲", "设备使用与故障", 5, true)
	tk := e.ticket(triage.NewTicket{Title: "耳机没声音"})
	if tk.AssigneeID != a.ID {
		t.Fatalf("assigned to %q", tk.AssigneeID)
	}
	e.set(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
	e.setAgent(a.ID, triage.AgentUpdate{Online: triage.Some(false)})
	b := e.agent("乙", "设备使用与故障", 5, true)
	got := e.set(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusOpen)})
	if got.AssigneeID != b.ID {
		t.Errorf("reopened ticket of an offline agent stayed with %q, want %q", got.AssigneeID, b.ID)
	}
	// With its agent online, a reopened ticket stays where it was.
	e.set(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)})
	if got := e.set(tk.ID, triage.TicketUpdate{Status: triage.Some(triage.StatusOpen)}); got.AssigneeID != b.ID {
		t.Errorf("reopened ticket moved from an online agent to %q", got.AssigneeID)
	}
}

func TestManualAssignmentWins(t *testing.T) {
	e := newTriageEnv(t)
	e.ruleCategory("退款", "支付与退款")
	full := e.agent("满员", "支付与退款", 0, true)
	tk := e.ticket(triage.NewTicket{Title: "退款"})
	if tk.AssigneeID != "" {
		t.Fatalf("routing assigned to an agent with capacity 0")
	}
	got := e.set(tk.ID, triage.TicketUpdate{AssigneeID: triage.Some(full.ID), Note: "客户指定"})
	if got.AssigneeID != full.ID {
		t.Fatalf("manual assignment did not win over capacity")
	}
	hist, err := e.desk.History(e.ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Field != "assignee_id" || last.New != full.ID || last.Note != "客户指定" || last.Actor != "token:test" {
		t.Errorf("manual assignment recorded as %+v", last)
	}
}

func TestCategorisedReviewTicketIsRouted(t *testing.T) {
	e := newTriageEnv(t)
	a := e.agent("甲", "会员与优惠", 5, true)
	tk := e.ticket(triage.NewTicket{Title: "优惠券用不了"}) // no model, no rule: needs review
	if !tk.NeedsReview || tk.AssigneeID != "" {
		t.Fatalf("needs_review %v assignee %q", tk.NeedsReview, tk.AssigneeID)
	}
	got := e.set(tk.ID, triage.TicketUpdate{Category: triage.Some("会员与优惠"), Note: "人工分类"})
	if got.NeedsReview || got.AssigneeID != a.ID {
		t.Errorf("after a person set the category: needs_review %v assignee %q", got.NeedsReview, got.AssigneeID)
	}
}
