package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/sla"
)

// TestSLAThroughTheQueue runs a two-second target through the real job
// queue: the ticket event recomputes the clocks, the check jobs fire at
// the warning and at the target, and solving sends the survey. The sla
// package tests the same logic with fake time; this proves the wiring.
func TestSLAThroughTheQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job queue for a few seconds; skipped with -short")
	}
	ctx := context.Background()
	m := open(t, app.Config{Threshold: 0.35, VectorWeight: 1, Segmenter: sharedSegmenter(t)})
	admin := triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "test", Role: triage.RoleAdmin})
	cals, err := m.SLA.Calendars(ctx)
	if err != nil || len(cals) != 1 || !cals[0].Default {
		t.Fatalf("the store was not seeded with the holiday calendar: %v, %v", cals, err)
	}
	// Round the clock, so that seconds of business time are seconds.
	allWeek := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	cal, err := m.SLA.CreateCalendar(admin, triage.NewCalendar{Name: "24/7", TimeZone: "UTC",
		Hours: []triage.OpeningHours{{Days: allWeek, Start: "00:00", End: "24:00"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	warn := 50
	if _, err := m.SLA.CreatePolicy(admin, triage.NewSLAPolicy{Name: "fast", Priority: triage.P1, Tag: "fast", CalendarID: cal.ID,
		FirstResponse: "2s", WarnPercent: &warn}, nil); err != nil {
		t.Fatal(err)
	}
	startJobs(t, m)
	tk, err := m.Desk.CreateTicket(admin, triage.NewTicket{Title: "加急：订单一直未发货", Priority: triage.P1, Tags: []string{"fast"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The warning at 1s is skipped when a loaded machine runs the check
	// after the target too: a warning after the breach says nothing new.
	var breach *triage.SLAEvent
	for deadline := time.Now().Add(30 * time.Second); breach == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		evs, err := m.Store.SLAEvents(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			switch {
			case e.Kind == sla.OnBreach:
				breach = e
			case e.Kind == sla.OnWarning && e.At.Sub(tk.CreatedAt) < time.Second:
				t.Fatalf("warned %v after creation, before 50%% of the target", e.At.Sub(tk.CreatedAt))
			}
		}
	}
	if breach == nil {
		t.Fatal("no breach within 30s of a 2s target")
	}
	if d := breach.At.Sub(tk.CreatedAt); d < 2*time.Second || !breach.DueAt.Equal(tk.CreatedAt.Add(2*time.Second)) {
		t.Fatalf("breached %v after creation, due %v", d, breach.DueAt)
	}
	r, err := m.Store.TicketSLA(ctx, tk.ID)
	if err != nil || r.Targets[0].Status != triage.SLABreached {
		t.Fatalf("record: %+v, %v", r, err)
	}

	if _, err := m.Desk.UpdateTicket(admin, tk.ID, 0, triage.TicketUpdate{Status: triage.Some(triage.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		sv, err := m.Store.Survey(ctx, tk.ID)
		if err == nil {
			if !sv.ExpiresAt.Equal(sv.CreatedAt.Add(sla.SurveyTTL)) {
				t.Fatalf("survey: %+v", sv)
			}
			break
		}
		if !triage.IsCode(err, triage.ENOTFOUND) || time.Now().After(deadline) {
			t.Fatalf("no survey after solving: %v", err)
		}
	}
}
