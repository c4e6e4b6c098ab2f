package notify_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/notify"
)

// TestAutomationCall: an automation's webhook action queues one delivery
// of automation.fired to the webhook it names, whatever the webhook
// subscribes to; the same key adds nothing; the delivery carries the
// automation and the ticket, signed like every delivery.
func TestAutomationCall(t *testing.T) {
	h := newHarness(t, "127.0.0.0/8")
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	w := h.hook(srv.URL+"/auto", triage.HookArticlePublished)
	tk := h.ticket("t-1")
	a := &triage.Automation{ID: "au-1", Name: "发票 → 支付结算组"}
	for range 2 {
		err := h.store.Update(t.Context(), func(tx triage.Tx) error {
			return h.svc.Call(t.Context(), tx, w.ID, "key-1", a, triage.OnTicketCreated, tk)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	jobs := h.take(notify.JobDeliver)
	if len(jobs) != 1 {
		t.Fatalf("%d delivery jobs, want 1", len(jobs))
	}
	if err := h.run(t.Context(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 1 || rcv.got[0].Header.Get(notify.HeaderEvent) != notify.HookAutomation {
		t.Fatalf("receiver got %d requests", rcv.count())
	}
	var p struct {
		Event string
		Data  notify.AutomationData
	}
	if err := json.Unmarshal(rcv.bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Event != "automation.fired" || p.Data.AutomationName != "发票 → 支付结算组" || p.Data.Event != "ticket.created" || p.Data.Ticket.ID != "t-1" {
		t.Fatalf("payload %s", rcv.bodies[0])
	}
	err := h.store.Update(t.Context(), func(tx triage.Tx) error {
		return h.svc.Call(t.Context(), tx, "gone", "key-2", a, triage.OnTicketCreated, tk)
	})
	if !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("a webhook that is gone: %v", err)
	}
}
