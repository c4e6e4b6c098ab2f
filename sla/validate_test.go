package sla

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/triagehq/triage"
)

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var e *triage.Error
	if err == nil {
		t.Fatalf("no error, want one about %s", field)
	}
	if !triage.IsCode(err, triage.EINVALID) {
		t.Fatalf("err = %v, want invalid %s", err, field)
	}
	if e = err.(*triage.Error); e.Field != field {
		t.Fatalf("field %q (%s), want %q", e.Field, e.Message, field)
	}
}

func TestValidateCalendar(t *testing.T) {
	ok := func() *triage.Calendar {
		return &triage.Calendar{Name: "x", Hours: []triage.OpeningHours{{Days: []string{"mon"}, Start: "09:00", End: "18:00"}}}
	}
	cases := []struct {
		name  string
		edit  func(c *triage.Calendar)
		field string
	}{
		{"no name", func(c *triage.Calendar) { c.Name = " " }, "name"},
		{"bad zone", func(c *triage.Calendar) { c.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"Local is not a zone", func(c *triage.Calendar) { c.TimeZone = "Local" }, "time_zone"},
		{"no hours", func(c *triage.Calendar) { c.Hours = nil }, "hours"},
		{"no days", func(c *triage.Calendar) { c.Hours[0].Days = nil }, "hours[0].days"},
		{"bad day", func(c *triage.Calendar) { c.Hours[0].Days = []string{"monday"} }, "hours[0].days"},
		{"bad start", func(c *triage.Calendar) { c.Hours[0].Start = "9:00" }, "hours[0].start"},
		{"24:30", func(c *triage.Calendar) { c.Hours[0].End = "24:30" }, "hours[0].end"},
		{"24:00 start", func(c *triage.Calendar) { c.Hours[0].Start = "24:00" }, "hours[0].start"},
		{"end before start", func(c *triage.Calendar) { c.Hours[0].End = "08:00" }, "hours[0].end"},
		{"overlap", func(c *triage.Calendar) {
			c.Hours = append(c.Hours, triage.OpeningHours{Days: []string{"tue", "mon"}, Start: "17:00", End: "19:00"})
		}, "hours[1]"},
		{"bad date", func(c *triage.Calendar) { c.Holidays = []triage.CalendarDay{{Date: "2026-02-30"}} }, "holidays[0].date"},
		{"date twice", func(c *triage.Calendar) {
			c.Holidays = []triage.CalendarDay{{Date: "2026-10-01"}}
			c.Workdays = []triage.CalendarDay{{Date: "2026-10-01"}}
		}, "workdays[0].date"},
		{"bad day hours", func(c *triage.Calendar) {
			c.Workdays = []triage.CalendarDay{{Date: "2026-10-10", Hours: []triage.TimeRange{{Start: "10:00", End: "10:00"}}}}
		}, "workdays[0].hours[0].end"},
		{"long day name", func(c *triage.Calendar) {
			c.Holidays = []triage.CalendarDay{{Date: "2026-10-01", Name: strings.Repeat("节", 101)}}
		}, "holidays[0].name"},
		{"long note", func(c *triage.Calendar) { c.Note = strings.Repeat("x", MaxNoteRunes+1) }, "note"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cal := ok()
			c.edit(cal)
			wantField(t, ValidateCalendar(cal), c.field)
		})
	}
	t.Run("normalises", func(t *testing.T) {
		c := &triage.Calendar{Name: " x ", Hours: []triage.OpeningHours{{Days: []string{"FRI", "mon", "mon"}, Start: "09:00", End: "24:00"}},
			Holidays: []triage.CalendarDay{{Date: "2026-10-02"}, {Date: "2026-10-01"}}}
		if err := ValidateCalendar(c); err != nil {
			t.Fatal(err)
		}
		if c.Name != "x" || c.TimeZone != "Asia/Shanghai" || strings.Join(c.Hours[0].Days, ",") != "mon,fri" || c.Holidays[0].Date != "2026-10-01" || c.Workdays == nil {
			t.Fatalf("%+v", c)
		}
	})
}

// TestChinaCalendar checks the shipped data against the State Council's
// rules: every make-up day is a weekend day, 2026 has its 33 days off,
// and every 2027 date is marked provisional.
func TestChinaCalendar(t *testing.T) {
	c, err := ChinaCalendar()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Note, "PROVISIONAL") || c.TimeZone != "Asia/Shanghai" {
		t.Fatalf("note %q", c.Note)
	}
	off := map[string]int{}
	for _, d := range append(append([]triage.CalendarDay{}, c.Holidays...), c.Workdays...) {
		if strings.HasPrefix(d.Date, "2027") != d.Provisional {
			t.Errorf("%s %s: provisional = %v", d.Date, d.Name, d.Provisional)
		}
	}
	for _, d := range c.Holidays {
		off[d.Date[:4]]++
	}
	for _, d := range c.Workdays {
		day, _ := time.Parse(time.DateOnly, d.Date)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			t.Errorf("make-up day %s is a %s", d.Date, wd)
		}
	}
	if off["2026"] != 33 {
		t.Errorf("2026 has %d days off, want 33 (3+9+3+5+3+3+7)", off["2026"])
	}
	for _, want := range []struct {
		date string
		open bool
	}{
		{"2026-01-04", true}, {"2026-02-14", true}, {"2026-02-16", false}, {"2026-02-28", true},
		{"2026-04-06", false}, {"2026-05-05", false}, {"2026-05-09", true}, {"2026-06-19", false},
		{"2026-09-20", true}, {"2026-09-25", false}, {"2026-10-07", false}, {"2026-10-10", true},
		{"2027-02-05", false}, {"2027-06-09", false}, {"2027-09-15", false}, {"2027-10-09", true},
	} {
		h, _ := Compile(c)
		day, _ := time.ParseInLocation(time.DateOnly, want.date, shanghai)
		if got := h.Open(day.Add(10 * time.Hour)); got != want.open {
			t.Errorf("%s at 10:00 open = %v, want %v", want.date, got, want.open)
		}
	}
}

func TestValidatePolicy(t *testing.T) {
	ok := func() *triage.SLAPolicy {
		return &triage.SLAPolicy{Name: "p", Priority: triage.P3, FirstResponse: "1h", WarnPercent: 80}
	}
	cases := []struct {
		name  string
		edit  func(p *triage.SLAPolicy)
		field string
	}{
		{"no name", func(p *triage.SLAPolicy) { p.Name = "" }, "name"},
		{"bad priority", func(p *triage.SLAPolicy) { p.Priority = "P9" }, "priority"},
		{"no target", func(p *triage.SLAPolicy) { p.FirstResponse = "" }, "first_response"},
		{"bad duration", func(p *triage.SLAPolicy) { p.Resolution = "3 days" }, "resolution"},
		{"negative", func(p *triage.SLAPolicy) { p.NextResponse = "-1h" }, "next_response"},
		{"too short", func(p *triage.SLAPolicy) { p.FirstResponse = "500ms" }, "first_response"},
		{"too long", func(p *triage.SLAPolicy) { p.Resolution = "9000h" }, "resolution"},
		{"fractions of a second", func(p *triage.SLAPolicy) { p.FirstResponse = "1.5s" }, "first_response"},
		{"warn 100", func(p *triage.SLAPolicy) { p.WarnPercent = 100 }, "warn_percent"},
		{"bad tag", func(p *triage.SLAPolicy) { p.Tag = "a b" }, "tag"},
		{"bad on", func(p *triage.SLAPolicy) {
			p.Escalations = []triage.Escalation{{On: "later", Action: ActionNotifyLead}}
		}, "escalations[0].on"},
		{"bad metric", func(p *triage.SLAPolicy) {
			p.Escalations = []triage.Escalation{{On: OnBreach, Metric: "speed", Action: ActionNotifyLead}}
		}, "escalations[0].metric"},
		{"bad action", func(p *triage.SLAPolicy) { p.Escalations = []triage.Escalation{{On: OnBreach, Action: "fire"}} }, "escalations[0].action"},
		{"warning without warnings", func(p *triage.SLAPolicy) {
			p.WarnPercent = 0
			p.Escalations = []triage.Escalation{{On: OnWarning, Action: ActionNotifyLead}}
		}, "escalations[0].on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ok()
			c.edit(p)
			wantField(t, ValidatePolicy(p), c.field)
		})
	}
	p := ok()
	p.FirstResponse, p.Resolution, p.Tag = "90m", "3600s", " VIP "
	if err := ValidatePolicy(p); err != nil || p.FirstResponse != "1h30m" || p.Resolution != "1h" || p.Tag != "vip" || p.Escalations == nil {
		t.Fatalf("normalised: %+v, %v", p, err)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Second: "1s", 90 * time.Minute: "1h30m", 27 * time.Hour: "27h", time.Hour + time.Second: "1h1s", 1500 * time.Millisecond: "2s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestServiceCRUD covers the rules the service adds to the store's: one
// default calendar, which cannot be deleted; calendars in use stay;
// references are checked; every change recomputes the running clocks.
func TestServiceCRUD(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		ctx := s.ctx
		cals, _ := s.svc.Calendars(ctx)
		if len(cals) != 1 || !cals[0].Default || len(cals[0].Holidays) != 61 {
			t.Fatalf("seeded calendars: %+v", cals)
		}
		china := cals[0]
		ps, _ := s.svc.Policies(ctx)
		if len(ps) != 4 || ps[0].Priority != triage.P1 || ps[3].Resolution != "45h" {
			t.Fatalf("seeded policies: %d", len(ps))
		}
		if err := s.svc.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.svc.Policies(ctx); len(again) != 4 {
			t.Fatalf("seeding twice added policies")
		}
		if err := s.svc.DeleteCalendar(ctx, china.ID, 0); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("deleting the default calendar: %v", err)
		}
		hk, err := s.svc.CreateCalendar(ctx, triage.NewCalendar{Name: "香港", TimeZone: "Asia/Hong_Kong",
			Hours: []triage.OpeningHours{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat"}, Start: "10:00", End: "19:00"}}}, nil)
		if err != nil || hk.Default {
			t.Fatalf("create: %+v, %v", hk, err)
		}
		if _, err := s.svc.CreatePolicy(ctx, triage.NewSLAPolicy{Name: "x", Priority: triage.P1, CalendarID: "nope", FirstResponse: "1h"}, nil); err == nil {
			t.Fatal("a policy on an unknown calendar")
		} else {
			wantField(t, err, "calendar_id")
		}
		if _, err := s.svc.CreatePolicy(ctx, triage.NewSLAPolicy{Name: "x", Priority: triage.P1, TeamID: "nope", FirstResponse: "1h"}, nil); err == nil {
			t.Fatal("a policy for an unknown team")
		} else {
			wantField(t, err, "team_id")
		}
		p, err := s.svc.CreatePolicy(ctx, triage.NewSLAPolicy{Name: "HK", Priority: triage.P1, Tag: "hk", CalendarID: hk.ID, FirstResponse: "1h"}, nil)
		if err != nil || p.WarnPercent != DefaultWarnPercent {
			t.Fatalf("policy: %+v, %v", p, err)
		}
		if _, err := s.svc.CreatePolicy(ctx, triage.NewSLAPolicy{Name: "dup", Priority: triage.P1, Tag: "hk", FirstResponse: "2h"}, nil); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("same scope twice: %v", err)
		}
		if err := s.svc.DeleteCalendar(ctx, hk.ID, 0); !triage.IsCode(err, triage.ECONFLICT) {
			t.Fatalf("deleting a calendar in use: %v", err)
		}
		// Make HK the default: China stops being it.
		hk, err = s.svc.UpdateCalendar(ctx, hk.ID, hk.Version, triage.CalendarUpdate{Default: triage.Some(true)})
		if err != nil || !hk.Default {
			t.Fatalf("make default: %+v, %v", hk, err)
		}
		if c, _ := s.svc.Calendar(ctx, china.ID); c.Default {
			t.Fatalf("two defaults")
		}
		if _, err := s.svc.UpdateCalendar(ctx, hk.ID, 0, triage.CalendarUpdate{Default: triage.Some(false)}); err == nil {
			t.Fatal("unsetting the default directly")
		}
		if _, err := s.svc.UpdateCalendar(ctx, hk.ID, 1, triage.CalendarUpdate{Name: triage.Some("x")}); !triage.IsCode(err, triage.ESTALE) {
			t.Fatalf("stale If-Match: %v", err)
		}
		if err := s.svc.DeleteCalendar(ctx, china.ID, 0); err != nil {
			t.Fatalf("deleting the former default: %v", err)
		}
		// A policy change retargets a running ticket in the background.
		tk := s.ticket(triage.NewTicket{Title: "x", Priority: triage.P1, Tags: []string{"hk"}})
		if r := s.record(tk.ID); r.PolicyID != p.ID || r.Targets[0].Target != "1h" {
			t.Fatalf("record: %+v", r)
		}
		p, err = s.svc.UpdatePolicy(ctx, p.ID, p.Version, triage.SLAPolicyUpdate{FirstResponse: triage.Some("3h")})
		if err != nil || p.FirstResponse != "3h" {
			t.Fatalf("update policy: %+v, %v", p, err)
		}
		s.sleepUntil(s.now().Add(2 * time.Second))
		if r := s.record(tk.ID); r.Targets[0].Target != "3h" {
			t.Fatalf("not retargeted: %+v", r.Targets[0])
		}
		if _, err := s.svc.UpdatePolicy(ctx, p.ID, 0, triage.SLAPolicyUpdate{Priority: triage.Opt[triage.Priority]{Set: true, Null: true}}); !triage.IsCode(err, triage.EINVALID) {
			t.Fatalf("null priority: %v", err)
		}
		if err := s.svc.DeletePolicy(ctx, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.Policy(ctx, p.ID); !triage.IsCode(err, triage.ENOTFOUND) {
			t.Fatalf("deleted policy: %v", err)
		}
	})
}

func TestCalculate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSim(t, cst(2026, 3, 16, 9, 0))
		cals, _ := s.svc.Calendars(s.ctx)
		id := cals[0].ID
		bt, err := s.svc.Calculate(s.ctx, id, cst(2026, 9, 30, 17, 0), "29h", time.Time{})
		if err != nil || !bt.Due.Equal(cst(2026, 10, 12, 10, 0)) || !bt.Open {
			t.Fatalf("add: %+v, %v", bt, err)
		}
		bt, err = s.svc.Calculate(s.ctx, id, cst(2026, 9, 30, 17, 0), "", cst(2026, 10, 12, 10, 0))
		if err != nil || bt.Elapsed != "29h" {
			t.Fatalf("elapsed: %+v, %v", bt, err)
		}
		for _, c := range []struct {
			add   string
			to    time.Time
			field string
		}{{"", time.Time{}, "add"}, {"1h", cst(2026, 10, 1, 0, 0), "add"}, {"soon", time.Time{}, "add"}, {"", cst(2026, 9, 1, 0, 0), "to"}} {
			_, err := s.svc.Calculate(s.ctx, id, cst(2026, 9, 30, 17, 0), c.add, c.to)
			wantField(t, err, c.field)
		}
		if _, err := s.svc.Calculate(s.ctx, "nope", cst(2026, 9, 30, 17, 0), "1h", time.Time{}); !triage.IsCode(err, triage.ENOTFOUND) {
			t.Fatalf("unknown calendar: %v", err)
		}
	})
}
