package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/sqlite"
)

// sim is the service on a real SQLite store with a job queue that runs
// each job at its RunAt on the bubble's fake clock: inside
// testing/synctest, a check due in three business days runs in no wall
// time, and exactly at its instant. The store's clock, the ticket
// service's and this package's all read the same fake clock, shifted to
// start at a chosen instant.
type sim struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlite.DB
	store *queued
	svc   *Service
	desk  *desk.Service
	start time.Time // the fake clock's reading at the chosen instant
	base  time.Time // the chosen instant

	mu      sync.Mutex
	emitted []emitted
	queued  []emitted // every job the store queued, in commit order
	wg      sync.WaitGroup
	stop    chan struct{}
}

// emitted is an event job as the queue received it.
type emitted struct {
	kind string
	args json.RawMessage
	at   time.Time
}

func (s *sim) now() time.Time { return s.base.Add(time.Since(s.start)) }

// newSim must run inside a synctest bubble; it closes everything when the
// test ends, before the bubble does.
func newSim(t *testing.T, base time.Time) *sim {
	s := &sim{t: t, ctx: t.Context(), base: base, start: time.Now(), stop: make(chan struct{})}
	db, err := sqlite.Open(s.ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	s.db = db
	s.store = &queued{DB: db, sim: s}
	s.desk = &desk.Service{Store: s.store, Now: s.now}
	s.svc = &Service{Store: s.store, Tickets: s.desk, Now: s.now, SurveyURL: "https://help.example.com/v1/csat/", Log: slog.New(slog.DiscardHandler),
		Mailer: fakeMailer{}}
	t.Cleanup(func() {
		close(s.stop)
		s.wg.Wait()
		db.Close()
	})
	if err := s.svc.Seed(s.ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// queued is the store with jobs dispatched when their transaction
// commits, as river does.
type queued struct {
	*sqlite.DB
	sim *sim
}

type jobTx struct {
	triage.Tx
	jobs *[]triage.Job
}

func (tx jobTx) Enqueue(_ context.Context, j triage.Job) error {
	*tx.jobs = append(*tx.jobs, j)
	return nil
}

func (q *queued) Update(ctx context.Context, fn func(tx triage.Tx) error) error {
	var jobs []triage.Job
	err := q.DB.Update(ctx, func(tx triage.Tx) error { return fn(jobTx{Tx: tx, jobs: &jobs}) })
	if err == nil {
		for _, j := range jobs {
			q.sim.dispatch(j)
		}
	}
	return err
}

// handler is the service's handler of a job or event kind, as it
// declares them to the application; nil for the events it only emits,
// which the simulation records.
func (s *sim) handler(kind string) triage.JobHandler {
	for _, j := range s.svc.Jobs() {
		if j.Kind == kind {
			return j.Handler
		}
	}
	for _, sub := range s.svc.Subscriptions() {
		if sub.Kind == kind {
			return func(ctx context.Context, raw json.RawMessage) error {
				return sub.Handle(ctx, triage.EventKey(kind, raw), raw)
			}
		}
	}
	return nil
}

func (s *sim) dispatch(j triage.Job) {
	s.mu.Lock()
	s.queued = append(s.queued, emitted{j.Kind, j.Args, j.RunAt})
	s.mu.Unlock()
	h := s.handler(j.Kind)
	if h == nil {
		s.mu.Lock()
		s.emitted = append(s.emitted, emitted{j.Kind, j.Args, s.now()})
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if d := j.RunAt.Sub(s.now()); !j.RunAt.IsZero() && d > 0 {
			select {
			case <-time.After(d):
			case <-s.stop:
				return
			}
		}
		for attempt := 0; ; attempt++ {
			err := h(s.ctx, j.Args)
			if err == nil {
				return
			}
			if attempt == 3 {
				s.t.Errorf("job %s failed: %v", j.Kind, err)
				return
			}
			select {
			case <-time.After(time.Second):
			case <-s.stop:
				return
			}
		}
	}()
}

// events returns the emitted events of a kind.
func (s *sim) events(kind fmt.Stringer) []emitted {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []emitted
	for _, e := range s.emitted {
		if e.kind == kind.String() {
			out = append(out, e)
		}
	}
	return out
}

// checks returns the instants of the SLA checks queued so far for a
// ticket.
func (s *sim) checks(id string) []time.Time {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, j := range s.queued {
		if j.kind != JobCheck.String() {
			continue
		}
		var a CheckArgs
		if err := json.Unmarshal(j.args, &a); err != nil {
			s.t.Fatal(err)
		}
		if a.TicketID == id {
			out = append(out, a.At)
		}
	}
	return out
}

// sleepUntil advances the fake clock to at and lets every job due by then
// finish.
func (s *sim) sleepUntil(at time.Time) {
	s.t.Helper()
	if d := at.Sub(s.now()); d > 0 {
		time.Sleep(d)
	}
	waitIdle()
}

func (s *sim) policy(in triage.NewSLAPolicy) *triage.SLAPolicy {
	s.t.Helper()
	p, err := s.svc.CreatePolicy(s.ctx, in, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	waitIdle()
	return p
}

// ticket creates a ticket through the ticket service; tags pick the test's
// policy over the seeded ones.
func (s *sim) ticket(in triage.NewTicket) *triage.Ticket {
	s.t.Helper()
	tk, err := s.desk.CreateTicket(s.asAgent(""), in, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	waitIdle()
	return tk
}

func (s *sim) asAgent(id string) context.Context {
	return triage.NewContextWithPrincipal(s.ctx, &triage.Principal{TokenID: "tok-" + id, Role: triage.RoleAgent, AgentID: id})
}

func (s *sim) comment(id string, c triage.NewComment) {
	s.t.Helper()
	if _, err := s.desk.AddComment(s.asAgent("a-1"), id, c, nil); err != nil {
		s.t.Fatal(err)
	}
	waitIdle()
}

func (s *sim) update(id string, u triage.TicketUpdate) *triage.Ticket {
	s.t.Helper()
	tk, err := s.desk.UpdateTicket(s.asAgent("a-1"), id, 0, u)
	if err != nil {
		s.t.Fatal(err)
	}
	waitIdle()
	return tk
}

func (s *sim) record(id string) *triage.TicketSLA {
	s.t.Helper()
	r, err := s.db.TicketSLA(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *sim) slaEvents(id string) []*triage.SLAEvent {
	s.t.Helper()
	evs, err := s.db.SLAEvents(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return evs
}

func notices(t *testing.T, es []emitted) []triage.SLANotice {
	t.Helper()
	out := make([]triage.SLANotice, len(es))
	for i, e := range es {
		if err := json.Unmarshal(e.args, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func kinds(evs []*triage.SLAEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind+":"+e.Metric)
	}
	return out
}

func sameStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// fakeMailer reaches every requester with an address, as the e-mail
// channel with outbound mail does.
type fakeMailer struct{}

func (fakeMailer) CanMailSurvey(t *triage.Ticket) error {
	if t.Requester.Email == "" {
		return &triage.Error{Code: triage.ECONFLICT, Field: "requester.email", Message: "no address"}
	}
	return nil
}
