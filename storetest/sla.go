package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// The SLA part of the suite pins down, beyond the interface's comments:
//
//   - Calendars list by name then id; their lists (Hours with each range's
//     Days, Holidays, Workdays) read back [] when nil and keep their order,
//     a day's Hours included; at most one calendar is the default
//     (ECONFLICT on create or update, leaving the store as it was).
//   - Policies list by priority (P1 first), then name, then id; Escalations
//     read back [] when nil; two policies with the same priority, team,
//     category and tag are ECONFLICT, while policies differing in any of
//     them coexist.
//   - Calendar and policy writes are versioned like rules: ESTALE on a
//     moved version, ENOTFOUND when gone; updates never change CreatedAt
//     (the caller's struct gets the stored one back).
//   - SaveTicketSLA normalises every time in the record, inside the
//     targets too, to UTC microseconds; TicketSLAs keeps records computed
//     at or after ComputedFrom, in ticket id order, pages with a cursor
//     that is the last ticket id of a full page ("" at the end), and
//     treats a limit of 0 or less as 500.
//   - SLAEvents lists oldest first, in insertion order within an instant.
//   - Surveys: one per ticket; the token hash is unique; UpdateSurvey keeps
//     TicketID and CreatedAt; Surveys selects created or answered in
//     [From, To) (a zero To is open-ended), by CreatedAt then id.
//   - The change log: calendars (calendar), policies (sla_policy) create,
//     update, delete; SaveTicketSLA (ticket_sla, the ticket id, create or
//     update); AddSLAEvent (sla_event, create); surveys (survey, create or
//     update).
var slaTests = []test{
	{"calendars create read update delete", testCalendarCRUD},
	{"one default calendar", testDefaultCalendar},
	{"policies create read update delete", testPolicyCRUD},
	{"policy scope is unique", testPolicyScope},
	{"ticket SLA records", testTicketSLA},
	{"ticket SLA paging and filter", testTicketSLAPaging},
	{"SLA events", testSLAEvents},
	{"SLA change log", testSLAChangeLog},
}

var csatTests = []test{
	{"surveys create read answer", testSurveys},
	{"surveys by window", testSurveyWindow},
}

func newCalendar(id, name string) *triage.Calendar {
	return &triage.Calendar{ID: id, Name: name, TimeZone: "Asia/Shanghai",
		Hours:     []triage.OpeningHours{{Days: []string{"mon", "tue"}, Start: "09:00", End: "18:00"}},
		CreatedAt: base, UpdatedAt: base}
}

func testCalendarCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	full := &triage.Calendar{ID: "c-1", Name: "中国大陆", TimeZone: "Asia/Shanghai",
		Hours:    []triage.OpeningHours{{Days: []string{"mon", "fri"}, Start: "09:00", End: "12:00"}, {Days: []string{"mon"}, Start: "13:00", End: "18:00"}},
		Holidays: []triage.CalendarDay{{Date: "2026-10-01", Name: "国庆节"}, {Date: "2026-12-24", Name: "半天", Hours: []triage.TimeRange{{Start: "09:00", End: "12:00"}}}},
		Workdays: []triage.CalendarDay{{Date: "2026-10-10", Name: "调休", Provisional: true}},
		Default:  true, Note: "source", CreatedAt: created, UpdatedAt: created.Add(time.Hour)}
	bare := &triage.Calendar{ID: "c-2", Name: "Alpha", TimeZone: "UTC", Hours: []triage.OpeningHours{{Start: "00:00", End: "24:00"}}, CreatedAt: base, UpdatedAt: base}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.CreateCalendar(ctx, full); err != nil {
			return err
		}
		return tx.CreateCalendar(ctx, bare)
	})
	if full.Version != 1 || bare.Version != 1 {
		t.Fatalf("versions %d, %d; want 1", full.Version, bare.Version)
	}
	if bare.Holidays == nil || bare.Workdays == nil || bare.Hours[0].Days == nil {
		t.Fatalf("nil lists not normalised: %+v", bare)
	}
	got, err := s.Calendar(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "calendar", got, full)
	wantUTC(t, "calendar", got.CreatedAt, got.UpdatedAt)
	all, err := s.Calendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "c-2" || all[1].ID != "c-1" {
		t.Fatalf("Calendars not by name: %v", all)
	}
	sameJSON(t, "bare calendar", all[0], bare)

	got.Name, got.Holidays, got.CreatedAt, got.UpdatedAt = "改名", nil, base.Add(time.Hour), base.Add(2*time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.UpdateCalendar(ctx, got) })
	if got.Version != 2 || !got.CreatedAt.Equal(full.CreatedAt) || got.Holidays == nil {
		t.Fatalf("after update: version %d, created %v (want %v), holidays %v", got.Version, got.CreatedAt, full.CreatedAt, got.Holidays)
	}
	again, _ := s.Calendar(ctx, "c-1")
	sameJSON(t, "updated calendar", again, got)

	stale := *again
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateCalendar(ctx, &stale) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteCalendar(ctx, "c-1", 1) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteCalendar(ctx, "c-1", 2) })
	_, err = s.Calendar(ctx, "c-1")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteCalendar(ctx, "c-1", 2) }), triage.ENOTFOUND)
	missing := newCalendar("c-9", "x")
	missing.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateCalendar(ctx, missing) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateCalendar(ctx, newCalendar("c-2", "dup")) }), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateCalendar(ctx, newCalendar("", "no id")) }), triage.EINVALID)
}

func testDefaultCalendar(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a, b := newCalendar("c-a", "A"), newCalendar("c-b", "B")
	a.Default, b.Default = true, true
	update(t, s, func(tx triage.Tx) error { return tx.CreateCalendar(ctx, a) })
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateCalendar(ctx, b) }), triage.ECONFLICT)
	b.Default = false
	update(t, s, func(tx triage.Tx) error { return tx.CreateCalendar(ctx, b) })
	b.Default = true
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateCalendar(ctx, b) }), triage.ECONFLICT)
	got, _ := s.Calendar(ctx, "c-b")
	if got.Default || got.Version != 1 {
		t.Fatalf("a failed update changed the calendar: %+v", got)
	}
	// Moving the default in one transaction works.
	update(t, s, func(tx triage.Tx) error {
		a.Default = false
		if err := tx.UpdateCalendar(ctx, a); err != nil {
			return err
		}
		got.Default = true
		return tx.UpdateCalendar(ctx, got)
	})
	all, _ := s.Calendars(ctx)
	if all[0].Default || !all[1].Default {
		t.Fatalf("default did not move: %v %v", all[0].Default, all[1].Default)
	}
}

func newPolicy(id string, p triage.Priority) *triage.SLAPolicy {
	return &triage.SLAPolicy{ID: id, Name: "policy " + id, Priority: p, FirstResponse: "1h", CreatedAt: base, UpdatedAt: base}
}

func testPolicyCRUD(t *testing.T, s triage.Store) {
	ctx := t.Context()
	created := time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst)
	full := &triage.SLAPolicy{ID: "p-1", Name: "VIP 退款", Priority: triage.P2, TeamID: "tm-1", Category: "支付与退款", Tag: "vip",
		CalendarID: "c-1", FirstResponse: "30m", NextResponse: "1h", Resolution: "1h30m", WarnPercent: 75,
		Escalations: []triage.Escalation{{On: "breach", Metric: "first_response", Action: "raise_priority"}, {On: "warning", Action: "notify_lead"}},
		CreatedAt:   created, UpdatedAt: created}
	p4, p1 := newPolicy("p-4", triage.P4), newPolicy("p-0", triage.P1)
	update(t, s, func(tx triage.Tx) error {
		for _, p := range []*triage.SLAPolicy{p4, full, p1} {
			if err := tx.CreateSLAPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if p4.Escalations == nil || p4.Version != 1 {
		t.Fatalf("create did not normalise: %+v", p4)
	}
	got, err := s.SLAPolicy(ctx, "p-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "policy", got, full)
	all, err := s.SLAPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != "p-0" || all[1].ID != "p-1" || all[2].ID != "p-4" {
		t.Fatalf("SLAPolicies not by priority: %v", []string{all[0].ID, all[1].ID, all[2].ID})
	}
	got.Resolution, got.Escalations, got.CreatedAt = "", nil, base
	update(t, s, func(tx triage.Tx) error { return tx.UpdateSLAPolicy(ctx, got) })
	if got.Version != 2 || !got.CreatedAt.Equal(stored(created)) || got.Escalations == nil {
		t.Fatalf("after update: %+v", got)
	}
	again, _ := s.SLAPolicy(ctx, "p-1")
	sameJSON(t, "updated policy", again, got)
	stale := *again
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateSLAPolicy(ctx, &stale) }), triage.ESTALE)
	update(t, s, func(tx triage.Tx) error { return tx.DeleteSLAPolicy(ctx, "p-1", 2) })
	_, err = s.SLAPolicy(ctx, "p-1")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.DeleteSLAPolicy(ctx, "p-1", 2) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateSLAPolicy(ctx, newPolicy("", triage.P3)) }), triage.EINVALID)
}

func testPolicyScope(t *testing.T, s triage.Store) {
	ctx := t.Context()
	a := newPolicy("p-a", triage.P3)
	a.Tag = "vip"
	update(t, s, func(tx triage.Tx) error { return tx.CreateSLAPolicy(ctx, a) })
	for _, p := range []*triage.SLAPolicy{newPolicy("p-b", triage.P3), func() *triage.SLAPolicy {
		p := newPolicy("p-c", triage.P3)
		p.Tag, p.TeamID = "vip", "tm-1"
		return p
	}()} {
		update(t, s, func(tx triage.Tx) error { return tx.CreateSLAPolicy(ctx, p) })
	}
	dup := newPolicy("p-d", triage.P3)
	dup.Tag = "vip"
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.CreateSLAPolicy(ctx, dup) }), triage.ECONFLICT)
	b, _ := s.SLAPolicy(ctx, "p-b")
	b.Tag = "vip"
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateSLAPolicy(ctx, b) }), triage.ECONFLICT)
}

func sampleSLA(ticketID string, computed time.Time) *triage.TicketSLA {
	due := time.Date(2026, 11, 23, 11, 0, 0, 999, cst)
	met := due.Add(-time.Minute)
	return &triage.TicketSLA{TicketID: ticketID, PolicyID: "p-1", PolicyName: "P3", CalendarID: "c-1", Priority: triage.P3,
		AssigneeID: "a-1", TeamID: "tm-1", Category: "退款",
		Targets: []triage.SLATarget{
			{Metric: triage.MetricFirstResponse, Target: "1h", Status: triage.SLAMet, StartedAt: due.Add(-time.Hour), DueAt: &due, MetAt: &met, Elapsed: "59m"},
			{Metric: triage.MetricNextResponse, Cycle: 2, Target: "2h", Status: triage.SLABreached, StartedAt: due, DueAt: &due, BreachedAt: &due, WarnedAt: &met, NotifiedAt: &due},
		},
		NextCheckAt: &due, ComputedAt: computed}
}

func testTicketSLA(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	_, err := s.TicketSLA(ctx, "t-1")
	wantCode(t, err, triage.ENOTFOUND)
	r := sampleSLA("t-1", time.Date(2026, 11, 23, 12, 0, 0, 123456789, cst))
	update(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, r) })
	if r.Version != 1 || r.Targets[0].DueAt.Location() != time.UTC || r.Targets[0].DueAt.Nanosecond()%1000 != 0 {
		t.Fatalf("save did not normalise: version %d, due %v", r.Version, r.Targets[0].DueAt)
	}
	got, err := s.TicketSLA(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "ticket SLA", got, r)
	again := sampleSLA("t-1", base)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, again) }), triage.ECONFLICT)
	got.Targets, got.NextCheckAt = nil, nil
	update(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, got) })
	if got.Version != 2 || got.Targets == nil {
		t.Fatalf("update: %+v", got)
	}
	read, _ := s.TicketSLA(ctx, "t-1")
	sameJSON(t, "updated ticket SLA", read, got)
	read.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, read) }), triage.ESTALE)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, sampleSLA("t-404", base)) }), triage.ENOTFOUND)
	gone := sampleSLA("t-405", base)
	gone.Version = 3
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, gone) }), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTicketSLA(ctx, sampleSLA("", base)) }), triage.EINVALID)
}

func testTicketSLAPaging(t *testing.T, s triage.Store) {
	ctx := t.Context()
	for i := range 7 {
		id := string(rune('a'+6-i)) + "-ticket"
		createTickets(t, s, newTicket(id, base))
		update(t, s, func(tx triage.Tx) error {
			return tx.SaveTicketSLA(ctx, sampleSLA(id, base.Add(time.Duration(i)*time.Hour)))
		})
	}
	// Computed at base+3h or later: tickets d, c, b, a (i = 3..6).
	f := triage.TicketSLAFilter{ComputedFrom: base.Add(3 * time.Hour), Limit: 2}
	var got []string
	for range 5 {
		page, next, err := s.TicketSLAs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if page == nil {
			t.Fatal("nil page")
		}
		for _, r := range page {
			got = append(got, r.TicketID)
		}
		if next == "" {
			break
		}
		f.After = next
	}
	want := []string{"a-ticket", "b-ticket", "c-ticket", "d-ticket"}
	sameJSON(t, "paged ids", got, want)
	all, next, err := s.TicketSLAs(ctx, triage.TicketSLAFilter{})
	if err != nil || next != "" || len(all) != 7 {
		t.Fatalf("unfiltered: %d records, next %q, %v", len(all), next, err)
	}
	none, _, err := s.TicketSLAs(ctx, triage.TicketSLAFilter{ComputedFrom: base.Add(100 * time.Hour)})
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("empty filter: %v, %v", none, err)
	}
}

func testSLAEvents(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	if got, err := s.SLAEvents(ctx, "t-1"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no events: %v, %v", got, err)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 123456789, cst)
	evs := []*triage.SLAEvent{
		{ID: "e-2", TicketID: "t-1", Kind: "breach", Metric: triage.MetricResolution, PolicyID: "p-1", Target: "4h", DueAt: at, LeadID: "a-1", Actions: []string{"notify_lead", "raise_priority"}, At: at},
		{ID: "e-1", TicketID: "t-1", Kind: "warning", Metric: triage.MetricNextResponse, Cycle: 3, DueAt: at, At: at},
		{ID: "e-0", TicketID: "t-1", Kind: "warning", Metric: triage.MetricFirstResponse, DueAt: at, At: at.Add(-time.Hour)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, e := range evs {
			if err := tx.AddSLAEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.SLAEvents(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "events", got, []*triage.SLAEvent{evs[2], evs[0], evs[1]})
	wantUTC(t, "event", got[0].At, got[0].DueAt)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddSLAEvent(ctx, evs[0]) }), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.AddSLAEvent(ctx, &triage.SLAEvent{ID: "e-9", TicketID: "t-404", DueAt: at, At: at})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddSLAEvent(ctx, &triage.SLAEvent{TicketID: "t-1"}) }), triage.EINVALID)
}

func testSLAChangeLog(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	_, after := changesAfter(t, s, 0)
	c := newCalendar("c-1", "A")
	p := newPolicy("p-1", triage.P3)
	r := sampleSLA("t-1", base)
	sv := &triage.Survey{ID: "s-1", TicketID: "t-1", TokenHash: "h1", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	update(t, s, func(tx triage.Tx) error {
		for _, fn := range []func() error{
			func() error { return tx.CreateCalendar(ctx, c) },
			func() error { return tx.UpdateCalendar(ctx, c) },
			func() error { return tx.CreateSLAPolicy(ctx, p) },
			func() error { return tx.UpdateSLAPolicy(ctx, p) },
			func() error { return tx.SaveTicketSLA(ctx, r) },
			func() error { return tx.SaveTicketSLA(ctx, r) },
			func() error {
				return tx.AddSLAEvent(ctx, &triage.SLAEvent{ID: "e-1", TicketID: "t-1", DueAt: base, At: base})
			},
			func() error { return tx.CreateSurvey(ctx, sv) },
			func() error { return tx.UpdateSurvey(ctx, sv) },
			func() error { return tx.DeleteSLAPolicy(ctx, "p-1", p.Version) },
			func() error { return tx.DeleteCalendar(ctx, "c-1", c.Version) },
		} {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	})
	got, _ := changesAfter(t, s, after)
	want := []change{
		{"calendar", "c-1", "create"}, {"calendar", "c-1", "update"},
		{"sla_policy", "p-1", "create"}, {"sla_policy", "p-1", "update"},
		{"ticket_sla", "t-1", "create"}, {"ticket_sla", "t-1", "update"},
		{"sla_event", "e-1", "create"},
		{"survey", "s-1", "create"}, {"survey", "s-1", "update"},
		{"sla_policy", "p-1", "delete"}, {"calendar", "c-1", "delete"},
	}
	sameJSON(t, "change log", got, want)
}

func testSurveys(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base))
	_, err := s.Survey(ctx, "t-1")
	wantCode(t, err, triage.ENOTFOUND)
	created := time.Date(2026, 11, 23, 10, 0, 0, 123456789, cst)
	sv := &triage.Survey{ID: "s-1", TicketID: "t-1", TokenHash: "hash-1", AgentID: "a-1", TeamID: "tm-1", Category: "退款",
		CreatedAt: created, ExpiresAt: created.Add(28 * 24 * time.Hour)}
	update(t, s, func(tx triage.Tx) error { return tx.CreateSurvey(ctx, sv) })
	if sv.Version != 1 || sv.CreatedAt.Location() != time.UTC {
		t.Fatalf("create: %+v", sv)
	}
	for _, read := range []func() (*triage.Survey, error){
		func() (*triage.Survey, error) { return s.Survey(ctx, "t-1") },
		func() (*triage.Survey, error) { return s.SurveyByHash(ctx, "hash-1") },
	} {
		got, err := read()
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "survey", got, sv)
		if got.TokenHash != "hash-1" {
			t.Fatalf("token hash %q", got.TokenHash)
		}
	}
	_, err = s.SurveyByHash(ctx, "nope")
	wantCode(t, err, triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateSurvey(ctx, &triage.Survey{ID: "s-2", TicketID: "t-1", TokenHash: "hash-2", CreatedAt: base, ExpiresAt: base})
	}), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateSurvey(ctx, &triage.Survey{ID: "s-3", TicketID: "t-2", TokenHash: "hash-1", CreatedAt: base, ExpiresAt: base})
	}), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateSurvey(ctx, &triage.Survey{ID: "s-4", TicketID: "t-404", TokenHash: "hash-4", CreatedAt: base, ExpiresAt: base})
	}), triage.ENOTFOUND)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateSurvey(ctx, &triage.Survey{ID: "s-5", TicketID: "t-2", CreatedAt: base, ExpiresAt: base})
	}), triage.EINVALID)

	answered := created.Add(time.Hour)
	sv.Rating, sv.Comment, sv.AnsweredAt, sv.TokenHash = 5, "很满意", &answered, "hash-9"
	sv.TicketID, sv.CreatedAt = "t-2", base
	update(t, s, func(tx triage.Tx) error { return tx.UpdateSurvey(ctx, sv) })
	if sv.Version != 2 || sv.TicketID != "t-1" || !sv.CreatedAt.Equal(stored(created)) {
		t.Fatalf("update changed what it must keep: %+v", sv)
	}
	got, _ := s.SurveyByHash(ctx, "hash-9")
	sameJSON(t, "answered survey", got, sv)
	got.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.UpdateSurvey(ctx, got) }), triage.ESTALE)
}

func testSurveyWindow(t *testing.T, s triage.Store) {
	ctx := t.Context()
	day := func(n int) time.Time { return base.Add(time.Duration(n) * 24 * time.Hour) }
	mk := func(id string, created int, answered int) *triage.Survey {
		sv := &triage.Survey{ID: id, TicketID: "t-" + id, TokenHash: "h-" + id, CreatedAt: day(created), ExpiresAt: day(created + 28)}
		if answered >= 0 {
			a := day(answered)
			sv.AnsweredAt, sv.Rating = &a, 4
		}
		createTickets(t, s, newTicket("t-"+id, base))
		update(t, s, func(tx triage.Tx) error { return tx.CreateSurvey(ctx, sv) })
		return sv
	}
	mk("a", 0, -1) // sent before the window
	mk("b", 0, 5)  // sent before, answered in
	mk("c", 4, -1) // sent in
	mk("d", 6, 7)  // sent and answered in
	mk("e", 10, 11)
	got, err := s.Surveys(ctx, triage.SurveyFilter{From: day(3), To: day(10)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sv := range got {
		ids = append(ids, sv.ID)
	}
	sameJSON(t, "surveys in window", ids, []string{"b", "c", "d"})
	open, err := s.Surveys(ctx, triage.SurveyFilter{From: day(6)})
	if err != nil || len(open) != 2 {
		t.Fatalf("open-ended window: %d, %v", len(open), err)
	}
	none, err := s.Surveys(ctx, triage.SurveyFilter{From: day(50), To: day(60)})
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("empty window: %v, %v", none, err)
	}
}
