package report_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/report"
)

// slaFixture adds SLA records and surveys to fixture's tickets:
//
//	t-a (李娜, 退款组, 支付与退款, P2): first response met on the 21st,
//	    resolution met on the 21st; survey sent on the 21st, answered 5 on the 22nd
//	t-b (a2, 退款组, 物流, P3): first response breached on the 22nd
//	t-c (李娜, 退款组, 支付与退款, P2): first response met on the 22nd; resolution
//	    still running, due on the 23rd at 8:00, before now: breached then;
//	    survey sent on the 23rd, not answered
//	t-old (nobody): survey sent on the 18th, before the window, answered 2 on the 21st
func slaFixture(t *testing.T, s triage.Store) {
	t.Helper()
	ctx := t.Context()
	at := func(d, h int) *time.Time { v := time.Date(2026, 11, d, h, 0, 0, 0, cst); return &v }
	target := func(metric, status string, met, breached, due *time.Time) triage.SLATarget {
		return triage.SLATarget{Metric: metric, Target: "4h", Status: status, StartedAt: *at(20, 9), MetAt: met, BreachedAt: breached, DueAt: due}
	}
	records := []*triage.TicketSLA{
		{TicketID: "t-a", PolicyID: "p", AssigneeID: "a1", TeamID: "tm1", Category: "支付与退款", Priority: triage.P2, Targets: []triage.SLATarget{
			target(triage.MetricFirstResponse, triage.SLAMet, at(21, 10), nil, at(21, 13)),
			target(triage.MetricResolution, triage.SLAMet, at(21, 15), nil, at(22, 9)),
		}},
		{TicketID: "t-b", PolicyID: "p", AssigneeID: "a2", TeamID: "tm1", Category: "物流", Priority: triage.P3, Targets: []triage.SLATarget{
			target(triage.MetricFirstResponse, triage.SLABreached, nil, at(22, 0), at(22, 0)),
		}},
		{TicketID: "t-c", PolicyID: "p", AssigneeID: "a1", TeamID: "tm1", Category: "支付与退款", Priority: triage.P2, Targets: []triage.SLATarget{
			target(triage.MetricFirstResponse, triage.SLAMet, at(22, 9), nil, at(22, 12)),
			target(triage.MetricResolution, triage.SLARunning, nil, nil, at(23, 8)),
		}},
	}
	surveys := []*triage.Survey{
		{ID: "s-a", TicketID: "t-a", TokenHash: "h-a", AgentID: "a1", TeamID: "tm1", Category: "支付与退款", Rating: 5, CreatedAt: *at(21, 15), AnsweredAt: at(22, 10)},
		{ID: "s-c", TicketID: "t-c", TokenHash: "h-c", AgentID: "a1", TeamID: "tm1", Category: "支付与退款", CreatedAt: *at(23, 9)},
		{ID: "s-old", TicketID: "t-old", TokenHash: "h-old", Rating: 2, CreatedAt: *at(18, 9), AnsweredAt: at(21, 9)},
	}
	err := s.Update(ctx, func(tx triage.Tx) error {
		for _, r := range records {
			r.ComputedAt = *at(23, 9)
			if err := tx.SaveTicketSLA(ctx, r); err != nil {
				return err
			}
		}
		for _, sv := range surveys {
			sv.ExpiresAt = sv.CreatedAt.Add(28 * 24 * time.Hour)
			if err := tx.CreateSurvey(ctx, sv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func pct(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func TestSLAReport(t *testing.T) {
	s := open(t)
	fixture(t, s)
	slaFixture(t, s)
	svc := service(s)
	for _, tc := range []struct {
		name  string
		q     report.Query
		rows  []string // key:met/breached
		total string
	}{
		{"one row", report.Query{}, []string{":3/2"}, "3/2"},
		{"by day of the decision", report.Query{Group: triage.GroupDay}, []string{"2026-11-20:0/0", "2026-11-21:2/0", "2026-11-22:1/1", "2026-11-23:0/1"}, "3/2"},
		{"by agent", report.Query{Group: triage.GroupAgent}, []string{"a1:3/1", "a2:0/1"}, "3/2"},
		{"by priority", report.Query{Group: triage.GroupPriority}, []string{"P2:3/1", "P3:0/1"}, "3/2"},
		{"by category, one agent", report.Query{Group: triage.GroupCategory, Agent: "a1"}, []string{"支付与退款:3/1"}, "3/1"},
		{"a category", report.Query{Category: "物流"}, []string{":0/1"}, "0/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.From, q.To = window().From, window().To
			rep, err := svc.SLA(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, r := range rep.Rows {
				rows = append(rows, r.Key+":"+itoa(r.Met)+"/"+itoa(r.Breached))
			}
			if !slices.Equal(rows, tc.rows) || itoa(rep.Total.Met)+"/"+itoa(rep.Total.Breached) != tc.total {
				t.Errorf("rows %v total %d/%d, want %v %s", rows, rep.Total.Met, rep.Total.Breached, tc.rows, tc.total)
			}
			if rep.Report.Header.Report != "sla" || rep.Overall.Met != rep.Total.Met || rep.Overall.Breached != rep.Total.Breached {
				t.Errorf("header %+v, overall %+v", rep.Header, rep.Overall)
			}
		})
	}
	t.Run("the first form's figures", func(t *testing.T) {
		rep, err := svc.SLA(t.Context(), window())
		if err != nil {
			t.Fatal(err)
		}
		o := rep.Overall
		if pct(o.PercentMet) != 60 || o.FirstResponse.Met != 2 || o.FirstResponse.Breached != 1 || pct(o.FirstResponse.PercentMet) != 66.7 ||
			o.Resolution.Met != 1 || o.Resolution.Breached != 1 || o.NextResponse.PercentMet != nil {
			t.Errorf("overall %+v", o)
		}
		if len(rep.ByAgent) != 2 || rep.ByAgent[0].Name != "李娜" || len(rep.ByTeam) != 1 || rep.ByTeam[0].Name != "退款组" ||
			len(rep.ByPriority) != 2 || len(rep.ByCategory) != 2 {
			t.Errorf("breakdowns %+v %+v %+v %+v", rep.ByAgent, rep.ByTeam, rep.ByPriority, rep.ByCategory)
		}
	})
	t.Run("no channel on an SLA record", func(t *testing.T) {
		_, err := svc.SLA(t.Context(), report.Query{Group: triage.GroupChannel})
		if e := asError(err); e == nil || e.Field != "group" || slices.Contains(e.Allowed, "channel") || !slices.Contains(e.Allowed, "priority") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		q := window()
		q.Group = triage.GroupAgent
		rep, err := svc.SLA(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.WriteCSV(&b, &rep.Report); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := "key,label,met,breached,percent_met,first_response.met,first_response.breached,first_response.percent_met," +
			"next_response.met,next_response.breached,next_response.percent_met,resolution.met,resolution.breached,resolution.percent_met"
		if strings.Join(rows[0], ",") != want {
			t.Errorf("header %v", rows[0])
		}
		if len(rows) != 4 || strings.Join(rows[1], ",") != "a1,李娜,3,1,75,2,0,100,0,0,,1,1,50" || rows[3][0] != "total" {
			t.Errorf("rows %q", rows)
		}
	})
}

func TestCSATReport(t *testing.T) {
	s := open(t)
	fixture(t, s)
	slaFixture(t, s)
	svc := service(s)
	for _, tc := range []struct {
		name string
		q    report.Query
		rows []string // key:sent/responses
	}{
		{"one row", report.Query{}, []string{":2/2"}},
		{"by day: sent on one, answered on another", report.Query{Group: triage.GroupDay}, []string{"2026-11-20:0/0", "2026-11-21:1/1", "2026-11-22:0/1", "2026-11-23:1/0"}},
		{"by agent", report.Query{Group: triage.GroupAgent}, []string{":0/1", "a1:2/1"}},
		{"one agent", report.Query{Agent: "a1"}, []string{":2/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.From, q.To = window().From, window().To
			rep, err := svc.CSAT(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, r := range rep.Rows {
				rows = append(rows, r.Key+":"+itoa(r.Sent)+"/"+itoa(r.Responses))
			}
			if !slices.Equal(rows, tc.rows) {
				t.Errorf("rows %v, want %v", rows, tc.rows)
			}
		})
	}
	rep, err := svc.CSAT(t.Context(), window())
	if err != nil {
		t.Fatal(err)
	}
	if o := rep.Overall; o.Sent != 2 || o.Responses != 2 || pct(o.Average) != 3.5 || o.Satisfied != 1 || pct(o.CSAT) != 50 || o.Ratings != [5]int{0, 1, 0, 0, 1} {
		t.Errorf("overall %+v", o)
	}
	if _, err := svc.CSAT(t.Context(), report.Query{Group: triage.GroupPriority}); asError(err) == nil {
		t.Error("a survey has no priority to group by")
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, &rep.Report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "ratings.1,ratings.2,ratings.3,ratings.4,ratings.5") || !strings.Contains(b.String(), "total,合计,2,2,100,3.5,1,50,0,1,0,0,1") {
		t.Errorf("CSV:\n%s", b.String())
	}
}

// TestSLAWindow: a window defaults to the last 30 days through now, so an
// answer given this very instant counts.
func TestSLAWindow(t *testing.T) {
	s := open(t)
	fixture(t, s)
	svc := service(s)
	answered := now
	err := s.Update(t.Context(), func(tx triage.Tx) error {
		return tx.CreateSurvey(t.Context(), &triage.Survey{ID: "s-now", TicketID: "t-a", TokenHash: "h", Rating: 4, CreatedAt: now.Add(-time.Hour),
			ExpiresAt: now.Add(time.Hour), AnsweredAt: &answered})
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.CSAT(t.Context(), report.Query{})
	if err != nil || rep.Overall.Responses != 1 || !rep.To.After(now) || rep.To.Sub(rep.From) != report.DefaultSpan {
		t.Fatalf("default window %v – %v, %d responses, %v", rep.From, rep.To, rep.Overall.Responses, err)
	}
	for _, q := range []report.Query{{From: now, To: now}, {From: now, To: now.Add(-time.Hour)}, {From: now.Add(-400 * 24 * time.Hour), To: now}} {
		if _, err := svc.SLA(t.Context(), q); asError(err) == nil || asError(err).Field != "from" {
			t.Errorf("window %v – %v: %v", q.From, q.To, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// asError is err's *triage.Error, nil for another error or none.
func asError(err error) *triage.Error {
	var e *triage.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
