package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// jobList is a queue that keeps what it is given.
type jobList []triage.Job

func (l *jobList) Insert(_ context.Context, j triage.Job) error { *l = append(*l, j); return nil }

// closeTickets stores n closed tickets of each category, as the value at
// close the trainer learns from.
func (e *triageEnv) closeTickets(n int, texts map[string]string) {
	e.t.Helper()
	now := time.Now()
	err := e.store.Update(e.ctx, func(tx triage.Tx) error {
		for cat, text := range texts {
			for i := range n {
				t := &triage.Ticket{ID: fmt.Sprintf("%s-%d", cat, i), Title: text, Body: fmt.Sprintf("%s，第%d次", text, i), Status: triage.StatusClosed,
					Category: cat, Priority: triage.P3, CreatedAt: now, UpdatedAt: now, ClosedAt: &now}
				if err := tx.CreateTicket(e.ctx, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestRetrainer(t *testing.T) {
	e := newTriageEnv(t)
	at := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	var queue jobList
	embedder := 0
	r := &classify.Retrainer{Trainer: &classify.Trainer{Store: e.store, Segmenter: e.tr.Segmenter, MinNew: 30}, Triager: e.tr, Queue: &queue,
		TrainEmbedder: func(context.Context) error { embedder++; return nil }, Now: func() time.Time { return at }, Log: slog.New(slog.DiscardHandler)}
	handle := r.Jobs()[0].Handler
	run := func(t *testing.T, kind string, force bool) error {
		t.Helper()
		j, err := classify.RetrainJob(kind, force, time.Time{})
		if err != nil || j.Kind != "retrain" || j.UniqueKey != "retrain:"+kind {
			t.Fatalf("RetrainJob: %+v %v", j, err)
		}
		return handle(e.ctx, j.Args)
	}

	t.Run("a closed ticket schedules each model a minute later, once", func(t *testing.T) {
		subs := r.Subscriptions()
		if len(subs) != 1 || subs[0].Kind != triage.EventTicketClosed.String() {
			t.Fatalf("subscriptions %+v", subs)
		}
		raw, _ := json.Marshal(triage.TicketEvent{TicketID: "t-1"})
		if err := subs[0].Handle(e.ctx, "k", raw); err != nil {
			t.Fatal(err)
		}
		if len(queue) != 2 {
			t.Fatalf("%d jobs, want 2", len(queue))
		}
		for i, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
			var a classify.RetrainArgs
			_ = json.Unmarshal(queue[i].Args, &a)
			if queue[i].UniqueKey != "retrain:"+kind || !queue[i].RunAt.Equal(at.Add(classify.RetrainDelay)) || a.Kind != kind || a.Force {
				t.Errorf("job %d: %+v %+v", i, queue[i], a)
			}
		}
	})
	t.Run("too few labels is not a failure", func(t *testing.T) {
		if err := run(t, triage.ModelCategory, true); err != nil {
			t.Fatalf("got %v, want nil: retrying cannot make labels", err)
		}
		if c, _ := e.tr.ModelVersions(); c != "" {
			t.Fatalf("a model %s from nothing", c)
		}
	})
	e.closeTickets(12, map[string]string{"支付与退款": "退款还没到账", "订单与物流": "快递一直没到"})
	t.Run("not due: fewer than MinNew closed since the active model", func(t *testing.T) {
		if err := run(t, triage.ModelCategory, false); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.tr.ModelVersions(); c != "" {
			t.Fatalf("trained %s although not due", c)
		}
	})
	t.Run("forced: trains, saves and serves", func(t *testing.T) {
		if err := run(t, triage.ModelCategory, true); err != nil {
			t.Fatal(err)
		}
		active, err := e.store.ActiveModel(e.ctx, triage.ModelCategory)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := e.tr.ModelVersions(); c == "" || c != active.Version {
			t.Fatalf("serving %q, active %q", c, active.Version)
		}
		// Follow of the model already served changes nothing; of
		// another kind of model, nothing either.
		if err := e.tr.Follow(active); err != nil {
			t.Fatal(err)
		}
		if err := e.tr.Follow(&triage.Model{Kind: triage.ModelEmbedder, Version: "x"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the embedder is trained by its own service", func(t *testing.T) {
		if err := run(t, triage.ModelEmbedder, true); err != nil || embedder != 1 {
			t.Fatalf("err %v, embedder trained %d times", err, embedder)
		}
	})
	t.Run("a kind that is no model is cancelled", func(t *testing.T) {
		if err := run(t, "mood", true); !triage.IsCode(err, triage.EINVALID) {
			t.Fatalf("got %v, want EINVALID", err)
		}
	})
}
