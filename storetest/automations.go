package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Automations: the store keeps an automation as given but for Version
// (its conditions, actions and age read back exactly, nil lists as []),
// lists them by kind, position, id, and logs each firing once per
// automation, ticket and key; the log goes with a deleted automation.
var automationTests = []test{
	{"automations create read update delete", testAutomationCRUD},
	{"automation log is once per key, newest first, filtered", testAutomationRuns},
}

func newAutomation(id, name string, kind triage.AutomationKind, pos int) *triage.Automation {
	created := time.Date(2026, 12, 7, 18, 30, 15, 123456789, cst)
	a := &triage.Automation{ID: id, Name: name, Kind: kind, Match: triage.MatchAll, Position: pos, Enabled: true,
		AuthorID: "token:t-1", CreatedAt: created, UpdatedAt: created,
		Conditions: []triage.Condition{{Field: "title", Op: triage.OpContains, Value: "发票"}},
		Actions:    []triage.Action{{Type: triage.ActSetTeam, Value: "tm-1"}, {Type: triage.ActAddTags, Tags: []string{"invoice"}}}}
	if kind == triage.AutomationTrigger {
		a.Events = []triage.TriggerEvent{triage.OnTicketCreated}
	} else {
		a.Age = &triage.AutomationAge{Since: triage.AgeSinceStatus, After: "3d", Business: true}
	}
	return a
}

func testAutomationCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	trig := newAutomation("au-2", "发票 → 支付结算组", triage.AutomationTrigger, 1)
	first := newAutomation("au-3", "先跑", triage.AutomationTrigger, 0)
	first.Conditions = nil // reads back []
	timed := newAutomation("au-1", "待回复 3 天提醒", triage.AutomationTime, 0)
	timed.Conditions = []triage.Condition{{Field: "status", Op: triage.OpIn, Values: []string{"pending"}}}
	update(t, s, func(tx triage.Tx) error {
		for _, a := range []*triage.Automation{trig, first, timed} {
			if err := tx.CreateAutomation(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if trig.Version != 1 || first.Conditions == nil {
		t.Fatalf("created struct: version %d, conditions %v", trig.Version, first.Conditions)
	}
	got, err := s.Automation(ctx, "au-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "time rule read back", got, timed)
	if got.Age == nil || got.Age.After != "3d" || !got.Age.Business {
		t.Fatalf("age = %+v", got.Age)
	}
	list, err := s.Automations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	sameJSON(t, "order (kind, position, id)", ids, []string{"au-1", "au-3", "au-2"})
	sameJSON(t, "trigger in the list", list[2], trig)

	trig.Stop, trig.Enabled, trig.Name = true, false, "改名"
	trig.UpdatedAt = trig.CreatedAt.Add(time.Hour)
	trig.CreatedAt, trig.AuthorID = time.Time{}, "someone else" // kept as created
	update(t, s, func(tx triage.Tx) error { return tx.UpdateAutomation(ctx, trig) })
	if trig.Version != 2 || trig.AuthorID != "token:t-1" || trig.CreatedAt.IsZero() {
		t.Fatalf("updated struct: %+v", trig)
	}
	got, _ = s.Automation(ctx, "au-2")
	sameJSON(t, "updated read back", got, trig)

	stale := *got
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateAutomation(ctx, &stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateAutomation(ctx, newAutomation("au-2", "x", triage.AutomationTrigger, 0))
	}), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateAutomation(ctx, newAutomation("", "x", triage.AutomationTrigger, 0))
	}), triage.EINVALID)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteAutomation(ctx, "au-2", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteAutomation(ctx, "au-2", 2) })
	_, err = s.Automation(ctx, "au-2")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteAutomation(ctx, "au-2", 2) }), triage.ENOTFOUND)
}

func testAutomationRuns(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newAutomation("au-1", "a", triage.AutomationTrigger, 0), newAutomation("au-2", "b", triage.AutomationTrigger, 1)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateAutomation(ctx, a); err != nil {
			return err
		}
		return tx.CreateAutomation(ctx, b)
	})
	at := time.Date(2026, 12, 7, 10, 0, 0, 999, cst)
	runs := []*triage.AutomationRun{
		{ID: "r-1", AutomationID: "au-1", TicketID: "tk-1", Event: triage.OnTicketCreated, Key: "k1", At: at,
			Why:     triage.Reasons{triage.NewReason(triage.ReasonAutomationCondition, "title", "contains", "发票")},
			Changes: triage.Reasons{triage.NewReason(triage.ReasonAutomationSet, "team_id", "", "tm-1")}},
		{ID: "r-2", AutomationID: "au-2", TicketID: "tk-1", Event: triage.OnTime, Key: "k1", At: at.Add(time.Minute)},
		{ID: "r-3", AutomationID: "au-1", TicketID: "tk-2", Event: triage.OnTicketCreated, Key: "k2", At: at.Add(2 * time.Minute)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, r := range runs {
			if err := tx.AddAutomationRun(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if runs[1].Why == nil || runs[1].Changes == nil {
		t.Fatal("nil reasons are not normalised to []")
	}
	dup := &triage.AutomationRun{ID: "r-4", AutomationID: "au-1", TicketID: "tk-1", Event: triage.OnTicketUpdated, Key: "k1", At: at}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddAutomationRun(ctx, dup) }), triage.ECONFLICT)
	gone := &triage.AutomationRun{ID: "r-5", AutomationID: "au-9", TicketID: "tk-1", Key: "k9", At: at}
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddAutomationRun(ctx, gone) }), triage.ENOTFOUND)

	all, err := s.AutomationRuns(ctx, triage.AutomationRunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "log newest first", all, []*triage.AutomationRun{runs[2], runs[1], runs[0]})
	byRule, _ := s.AutomationRuns(ctx, triage.AutomationRunFilter{AutomationID: "au-1", Limit: 1})
	sameJSON(t, "log of au-1, limit 1", byRule, []*triage.AutomationRun{runs[2]})
	byTicket, _ := s.AutomationRuns(ctx, triage.AutomationRunFilter{TicketID: "tk-1"})
	sameJSON(t, "log of tk-1", byTicket, []*triage.AutomationRun{runs[1], runs[0]})
	// r-2 and r-3 changed nothing: logged, and left out when asked.
	changed, err := s.AutomationRuns(ctx, triage.AutomationRunFilter{Changed: true})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "log of firings that changed something", changed, []*triage.AutomationRun{runs[0]})
	changedOfTicket, _ := s.AutomationRuns(ctx, triage.AutomationRunFilter{TicketID: "tk-2", Changed: true})
	sameJSON(t, "changes of tk-2", changedOfTicket, []*triage.AutomationRun{})
	for _, c := range []struct {
		rule, ticket, key string
		want              bool
	}{{"au-1", "tk-1", "k1", true}, {"au-1", "tk-1", "k2", false}, {"au-2", "tk-2", "k2", false}} {
		got, err := s.AutomationFired(ctx, c.rule, c.ticket, c.key)
		if err != nil || got != c.want {
			t.Errorf("AutomationFired(%s, %s, %s) = %v, %v; want %v", c.rule, c.ticket, c.key, got, err, c.want)
		}
	}
	update(t, s, func(tx triage.Tx) error { return tx.DeleteAutomation(ctx, "au-1", 1) })
	left, _ := s.AutomationRuns(ctx, triage.AutomationRunFilter{})
	sameJSON(t, "log after deleting au-1", left, []*triage.AutomationRun{runs[1]})
}
