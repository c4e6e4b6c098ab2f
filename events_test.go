package triage_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// TestEventCatalogue: every kind of the catalogue is listed once, has a
// payload type and a webhook decision (a webhook event, or the reason
// webhooks never see it). That every EventKind constant is in the
// catalogue, and declared here, app's TestEveryEventAndJobHasAHandler
// checks over the whole module.
func TestEventCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range triage.Events() {
		t.Run(e.Kind, func(t *testing.T) {
			if seen[e.Kind] {
				t.Errorf("%s is listed twice in Events", e.Kind)
			}
			seen[e.Kind] = true
			switch {
			case e.Hook == "" && e.Private == "":
				t.Errorf("%s has no webhook decision: name its webhook event, or say in Private why webhooks never see it", e.Kind)
			case e.Hook != "" && e.Private != "":
				t.Errorf("%s is both delivered as %s and private (%s)", e.Kind, e.Hook, e.Private)
			}
			if e.Payload == nil {
				t.Errorf("%s has no payload type", e.Kind)
			}
		})
	}
}

func TestHookEvents(t *testing.T) {
	want := []string{triage.HookTicketCreated, triage.HookTicketUpdated, triage.HookTicketSolved, triage.HookSLAWarning,
		triage.HookSLABreached, triage.HookCSATReceived, triage.HookArticlePublished}
	if got := triage.HookEvents(); !slices.Equal(got, want) {
		t.Errorf("HookEvents() = %v, want %v", got, want)
	}
	for _, tc := range []struct{ kind, hook string }{
		{"ticket.created", triage.HookTicketCreated},
		{"ticket.closed", triage.HookTicketUpdated},
		{"ticket.reopened", triage.HookTicketUpdated},
		{"article.changed", triage.HookArticlePublished},
		{"csat.requested", ""},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			e, ok := triage.EventInfoOf(tc.kind)
			if !ok || e.Hook != tc.hook {
				t.Errorf("%s is delivered as %q (listed %v), want %q", tc.kind, e.Hook, ok, tc.hook)
			}
		})
	}
	if _, ok := triage.EventInfoOf("ticket.deleted"); ok {
		t.Error("EventInfoOf found a kind that does not exist")
	}
}

func TestTicketEvents(t *testing.T) {
	var got []string
	for _, k := range triage.TicketEvents() {
		got = append(got, k.String())
		if e, ok := triage.EventInfoOf(k.String()); !ok {
			t.Errorf("%s is not in the catalogue", k)
		} else if _, isTicket := e.Payload.(triage.TicketEvent); !isTicket {
			t.Errorf("%s carries %T, not a TicketEvent", k, e.Payload)
		}
	}
	for _, e := range triage.Events() {
		if _, isTicket := e.Payload.(triage.TicketEvent); isTicket && !slices.Contains(got, e.Kind) {
			t.Errorf("%s carries a TicketEvent but is not in TicketEvents", e.Kind)
		}
	}
}

// tx records what is enqueued.
type tx struct {
	triage.Tx
	jobs []triage.Job
}

func (t *tx) Enqueue(_ context.Context, j triage.Job) error { t.jobs = append(t.jobs, j); return nil }

func TestEventRoundTrip(t *testing.T) {
	ctx := context.Background()
	var rec tx
	in := triage.TicketEvent{TicketID: "t-1", Event: "ticket.solved", Fields: []string{"status"}, Actor: "agent:a"}
	if err := triage.EventTicketSolved.Emit(ctx, &rec, in); err != nil {
		t.Fatal(err)
	}
	if len(rec.jobs) != 1 || rec.jobs[0].Kind != "ticket.solved" {
		t.Fatalf("emitted %+v", rec.jobs)
	}
	var got triage.Event[triage.TicketEvent]
	sub := triage.EventTicketSolved.On(func(_ context.Context, e triage.Event[triage.TicketEvent]) error { got = e; return nil })
	raw := rec.jobs[0].Args
	if err := sub.Handle(ctx, "k", raw); err != nil {
		t.Fatal(err)
	}
	if got.Kind != triage.EventTicketSolved || got.Key != "k" || got.Payload.TicketID != "t-1" || got.Payload.Fields[0] != "status" {
		t.Errorf("subscriber got %+v", got)
	}
	if err := sub.Handle(ctx, "k", json.RawMessage(`{"ticket_id":7}`)); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("a payload that does not decode: %v, want EINVALID (the job is cancelled)", err)
	}
}

func TestEventJobs(t *testing.T) {
	ctx := context.Background()
	var calls []string
	sub := func(name string, err error) triage.Subscription {
		return triage.EventTicketCreated.On(func(_ context.Context, e triage.Event[triage.TicketEvent]) error {
			calls = append(calls, name+":"+e.Key)
			return err
		})
	}
	boom := errors.New("boom")
	specs, err := triage.EventJobs([]triage.Subscription{sub("a", nil), sub("b", boom)})
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]triage.JobHandler{}
	for _, s := range specs {
		handlers[s.Kind] = s.Handler
	}
	t.Run("one handler per kind of the catalogue", func(t *testing.T) {
		for _, e := range triage.Events() {
			if handlers[e.Kind] == nil {
				t.Errorf("no handler of %s", e.Kind)
			}
		}
		if len(handlers) != len(triage.Events()) {
			t.Errorf("%d handlers for %d kinds", len(handlers), len(triage.Events()))
		}
	})
	t.Run("every subscriber runs, with the event's key, and a failure retries", func(t *testing.T) {
		raw := json.RawMessage(`{"ticket_id":"t-1"}`)
		err := handlers["ticket.created"](ctx, raw)
		key := triage.EventKey("ticket.created", raw)
		if !errors.Is(err, boom) || !slices.Equal(calls, []string{"a:" + key, "b:" + key}) {
			t.Errorf("err %v, calls %v", err, calls)
		}
	})
	t.Run("a kind nobody follows is done", func(t *testing.T) {
		if err := handlers["csat.requested"](ctx, json.RawMessage(`{}`)); err != nil {
			t.Error(err)
		}
	})
	t.Run("a subscription to a kind not in the catalogue", func(t *testing.T) {
		_, err := triage.EventJobs([]triage.Subscription{triage.EventKind[triage.TicketEvent]("ticket.deleted").On(nil)})
		if err == nil || !strings.Contains(err.Error(), "ticket.deleted") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("the key is stable and tells kinds and payloads apart", func(t *testing.T) {
		a := triage.EventKey("ticket.created", []byte(`{"ticket_id":"t-1"}`))
		if a != triage.EventKey("ticket.created", []byte(`{"ticket_id":"t-1"}`)) || a == triage.EventKey("ticket.updated", []byte(`{"ticket_id":"t-1"}`)) ||
			a == triage.EventKey("ticket.created", []byte(`{"ticket_id":"t-2"}`)) || len(a) != 32 {
			t.Errorf("EventKey %q", a)
		}
	})
}

func TestJobKind(t *testing.T) {
	type args struct {
		Kind string `json:"kind"`
	}
	const k triage.JobKind[args] = "test.job"
	j, err := k.Job(args{Kind: "category"})
	if err != nil || j.Kind != "test.job" || string(j.Args) != `{"kind":"category"}` {
		t.Fatalf("Job: %+v %v", j, err)
	}
	var got args
	spec := k.Handle(func(_ context.Context, a args) error { got = a; return nil })
	if spec.Kind != "test.job" {
		t.Errorf("spec kind %q", spec.Kind)
	}
	for _, tc := range []struct {
		name string
		raw  string
		want string
		code string
	}{
		{"arguments", `{"kind":"priority"}`, "priority", ""},
		{"none", ``, "", ""},
		{"unknown fields are ignored (an older or newer version queued it)", `{"kind":"category","extra":1}`, "category", ""},
		{"not JSON of the type", `{"kind":3}`, "", triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = args{}
			err := spec.Handler(context.Background(), json.RawMessage(tc.raw))
			if triage.ErrorCode(err) != tc.code || tc.code == "" && got.Kind != tc.want {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}
