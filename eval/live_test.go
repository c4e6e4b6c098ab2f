package eval_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/sqlite"
)

// liveTicket is a ticket as triage saw it at intake and as it was closed.
type liveTicket struct {
	id, status            string
	predCat, finalCat     string
	catSource             string
	catConf               float64
	predPri, finalPri     string
	predAgent, finalAgent string
	agentSource           string
	noRecord              bool
	created               time.Time
	model                 string
}

// liveStore builds a store with closed tickets whose values at close
// differ from what triage predicted, through the store's own transactions.
func liveStore(t *testing.T, base time.Time) (*sqlite.DB, []liveTicket) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "triage.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	day := func(n int) time.Time { return base.Add(time.Duration(n) * 24 * time.Hour) }
	tickets := []liveTicket{
		// Right on every field.
		{id: "t1", status: "closed", predCat: "退款", finalCat: "退款", catSource: "model", catConf: 0.9, predPri: "P2", finalPri: "P2", predAgent: "a1", finalAgent: "a1", agentSource: "routing", created: day(0), model: "m1"},
		// The category was corrected to 物流 and the ticket handed to Bob.
		{id: "t2", status: "closed", predCat: "退款", finalCat: "物流", catSource: "model", catConf: 0.7, predPri: "P3", finalPri: "P1", predAgent: "a1", finalAgent: "a2", agentSource: "routing", created: day(1), model: "m1"},
		// Triage abstained (best guess 物流, right) and the queue had it.
		{id: "t3", status: "closed", predCat: "", finalCat: "物流", catSource: "model", catConf: 0.4, predPri: "P3", finalPri: "P3", predAgent: "", finalAgent: "a2", agentSource: "queue", created: day(2), model: "m2"},
		// Set by hand at creation: not a prediction.
		{id: "t4", status: "closed", predCat: "账号", finalCat: "账号", catSource: "manual", catConf: 1, predPri: "P4", finalPri: "P4", predAgent: "a2", finalAgent: "a2", agentSource: "manual", created: day(3), model: "m2"},
		// Still open: not scored.
		{id: "t5", status: "open", predCat: "退款", finalCat: "账号", catSource: "model", catConf: 0.8, predPri: "P2", finalPri: "P2", created: day(4), model: "m2"},
		// Closed but created before triage ran.
		{id: "t6", status: "closed", finalCat: "退款", finalPri: "P3", noRecord: true, created: day(5)},
		// Closed with no assignee at close.
		{id: "t7", status: "closed", predCat: "账号", finalCat: "退款", catSource: "rule", catConf: 1, predPri: "P2", finalPri: "P2", predAgent: "a1", agentSource: "routing", created: day(6), model: "m2"},
	}
	err = db.Update(ctx, func(tx triage.Tx) error {
		for _, a := range []*triage.Agent{{ID: "a1", Name: "艾丽丝", Email: "a1@example.com", Capacity: 5}, {ID: "a2", Name: "鲍勃", Email: "a2@example.com", Capacity: 5}} {
			a.CreatedAt, a.UpdatedAt = base, base
			if err := tx.CreateAgent(ctx, a); err != nil {
				return err
			}
		}
		for _, lt := range tickets {
			tk := &triage.Ticket{ID: lt.id, Title: "工单 " + lt.id, Body: "正文", Channel: triage.ChannelWeb, Status: triage.Status(lt.status),
				Priority: triage.Priority(lt.finalPri), Category: lt.finalCat, AssigneeID: lt.finalAgent, CreatedAt: lt.created, UpdatedAt: lt.created}
			if lt.status == "closed" {
				at := lt.created.Add(time.Hour)
				tk.SolvedAt, tk.ClosedAt = &at, &at
			}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return fmt.Errorf("%s: %w", lt.id, err)
			}
			if lt.noRecord {
				continue
			}
			cat := triage.Decision{Value: lt.predCat, Confidence: lt.catConf, Source: lt.catSource}
			best := lt.predCat
			if best == "" {
				best = "物流"
			}
			cat.Top = []triage.Scored{{Value: best, Score: lt.catConf}, {Value: "账号", Score: 0.05}}
			rec := &triage.TriageRecord{TicketID: lt.id, Category: cat, NeedsReview: lt.predCat == "",
				Priority:     triage.Decision{Value: lt.predPri, Confidence: 0.8, Source: "signals"},
				Assignee:     triage.Decision{Value: lt.predAgent, Confidence: 1, Source: lt.agentSource},
				ModelVersion: lt.model, CreatedAt: lt.created}
			if err := tx.SaveTriageRecord(ctx, rec); err != nil {
				return fmt.Errorf("%s record: %w", lt.id, err)
			}
		}
		if err := tx.SaveSuggestions(ctx, &triage.Suggestions{ID: "s1", TicketID: "t1", CreatedAt: day(0)}); err != nil {
			return err
		}
		for i, f := range []struct{ kind, id, action string }{
			{"article", "kb-1", "accepted"}, {"article", "kb-1", "accepted"}, {"article", "kb-2", "rejected"},
			{"ticket", "t0", "edited"}, {"draft", "", "rejected"}, {"draft", "", "accepted"},
		} {
			fb := &triage.Feedback{ID: fmt.Sprint("f", i), SuggestionID: "s1", TicketID: "t1", SourceKind: f.kind, SourceID: f.id, Action: f.action, Actor: "a1", CreatedAt: day(0)}
			if err := tx.AddFeedback(ctx, fb); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, tickets
}

func TestLive(t *testing.T) {
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db, _ := liveStore(t, base)
	r, err := eval.Live(t.Context(), db, eval.LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Closed != 6 || r.NoRecord != 1 {
		t.Errorf("closed %d, no record %d; want 6 and 1", r.Closed, r.NoRecord)
	}
	fields := map[string]eval.LiveField{}
	for _, f := range r.Fields {
		fields[f.Field] = f
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

	// category: t1 right, t2 wrong, t3 abstained with a right best guess,
	// t4 manual, t7 a rule that was wrong.
	cat := fields["category"]
	if cat.Examples != 4 || cat.Manual != 1 || cat.Abstained != 1 {
		t.Errorf("category: %d scored, %d manual, %d abstained; want 4, 1, 1", cat.Examples, cat.Manual, cat.Abstained)
	}
	if !near(cat.Accuracy, 0.5) || !near(cat.AccuracyAsSet, 0.25) {
		t.Errorf("category accuracy %v (best guess), %v as set; want 0.5 and 0.25", cat.Accuracy, cat.AccuracyAsSet)
	}
	if !near(cat.Abstain.AbstainRate, 0.25) || cat.Abstain.Answered != 3 || !near(cat.Abstain.AnsweredAccuracy, 1.0/3) {
		t.Errorf("category abstain = %+v", cat.Abstain)
	}
	// Confusion of gold × best guess, labels sorted: 物流, 账号, 退款.
	wantConf := [][]int{{1, 0, 1}, {0, 0, 0}, {0, 1, 1}}
	if fmt.Sprint(cat.Confusion.Labels) != "[物流 账号 退款]" || fmt.Sprint(cat.Confusion.Counts) != fmt.Sprint(wantConf) {
		t.Errorf("confusion %v %v", cat.Confusion.Labels, cat.Confusion.Counts)
	}
	if pc := cat.PerClass["退款"]; pc.Support != 2 || !near(pc.Recall, 0.5) || !near(pc.Precision, 0.5) {
		t.Errorf("退款 = %+v", pc)
	}
	if len(cat.ByModel) != 2 || cat.ByModel[0].Version != "m1" || !near(cat.ByModel[0].Accuracy, 0.5) || cat.ByModel[1].Tickets != 2 {
		t.Errorf("by model = %+v", cat.ByModel)
	}

	// priority: t1 P2 right, t2 P3→P1 wrong, t3 right, t4 right (signals
	// are not manual), t7 right.
	pri := fields["priority"]
	if pri.Examples != 5 || !near(pri.Accuracy, 0.8) || pri.Abstained != 0 {
		t.Errorf("priority: %d scored, accuracy %v, %d abstained", pri.Examples, pri.Accuracy, pri.Abstained)
	}

	// assignee: t1 right, t2 wrong (艾丽丝 → 鲍勃), t3 queued, t4 manual,
	// t7 had nobody at close. Agents show by name.
	as := fields["assignee"]
	if as.Examples != 3 || as.Manual != 1 || as.NoFinal != 1 || as.Abstained != 1 {
		t.Errorf("assignee: %d scored, %d manual, %d no final, %d abstained", as.Examples, as.Manual, as.NoFinal, as.Abstained)
	}
	if !near(as.Accuracy, 1.0/3) || fmt.Sprint(as.Confusion.Labels) != "[(none) 艾丽丝 鲍勃]" {
		t.Errorf("assignee accuracy %v, labels %v", as.Accuracy, as.Confusion.Labels)
	}

	fb := r.Suggestions
	if fb.Total.Accepted != 3 || fb.Total.Edited != 1 || fb.Total.Rejected != 2 || !near(fb.Total.AcceptanceRate, 0.5) || !near(fb.Total.UsefulRate, 4.0/6) {
		t.Errorf("feedback total = %+v", fb.Total)
	}
	if len(fb.Kinds) != 3 || fb.Kinds[0].Kind != "article" || fb.Kinds[0].Sources != 2 || !near(fb.Kinds[0].AcceptanceRate, 2.0/3) {
		t.Errorf("kinds = %+v", fb.Kinds)
	}
	if len(fb.MostRejected) != 2 {
		t.Errorf("most rejected = %+v", fb.MostRejected)
	}

	t.Run("since", func(t *testing.T) {
		r, err := eval.Live(t.Context(), db, eval.LiveOptions{Since: base.Add(36 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		// t3, t4, t6, t7 were created since; the feedback was given before.
		if r.Closed != 4 || r.Fields[0].Examples != 2 || r.Suggestions.Total.Sources != 0 {
			t.Errorf("closed %d, category scored %d, feedback sources %d", r.Closed, r.Fields[0].Examples, r.Suggestions.Total.Sources)
		}
		if r.Since != "2026-11-02T21:00:00Z" {
			t.Errorf("since = %q", r.Since)
		}
	})
	t.Run("empty store", func(t *testing.T) {
		empty, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "e.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer empty.Close()
		r, err := eval.Live(t.Context(), empty, eval.LiveOptions{})
		if err != nil || r.Closed != 0 || len(r.Fields) != 3 || r.Fields[0].Examples != 0 {
			t.Errorf("empty store: %+v, %v", r, err)
		}
		if _, err := eval.WriteHTML(&eval.Decoded{Kind: eval.KindLive, Live: r}); err != nil {
			t.Error(err)
		}
	})
}
