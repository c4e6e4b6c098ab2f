package sla

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Target
		text string
	}{
		{"3d", Target{Days: 3}, "3d"},
		{" 1d4h ", Target{Days: 1, Time: 4 * time.Hour}, "1d4h"},
		{"1d90m", Target{Days: 1, Time: 90 * time.Minute}, "1d1h30m"},
		{"0d2h", Target{Time: 2 * time.Hour}, "2h"},
		{"90m", Target{Time: 90 * time.Minute}, "1h30m"},
		{"1000d", Target{Days: 1000}, "1000d"},
	} {
		got, err := ParseTarget("resolution", c.in)
		if err != nil || got != c.want || got.String() != c.text {
			t.Errorf("ParseTarget(%q) = %+v (%q), %v; want %+v (%q)", c.in, got, got.String(), err, c.want, c.text)
		}
	}
	for _, bad := range []string{"d", "0d", "1.5d", "-3d", "+3d", "3d-1h", "3d+1h", "3 d", "3 days", "d3", "3dd", "1001d", "3D", "3d500ms", "三天"} {
		if _, err := ParseTarget("resolution", bad); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("ParseTarget(%q): %v, want an invalid resolution", bad, err)
		}
	}
}

// TestTargetInDays: a day is the calendar's working day, so "3d" runs on
// business hours, skips weekends and holidays, pauses and warns like any
// target, and is shown as written.
func TestTargetInDays(t *testing.T) {
	h := chinaHours(t)
	if h.Day() != 9*time.Hour {
		t.Fatalf("the China calendar's day is %v, want 9h (09:00-18:00)", h.Day())
	}
	lunch, err := Compile(&triage.Calendar{TimeZone: "Asia/Shanghai", Hours: []triage.OpeningHours{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "12:00"},
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "13:00", End: "18:00"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if lunch.Day() != 8*time.Hour {
		t.Fatalf("a day with a lunch break is %v, want 8h", lunch.Day())
	}
	due := func(h *Hours, from time.Time, target string) time.Time {
		t.Helper()
		tg, err := ParseTarget("resolution", target)
		if err != nil {
			t.Fatal(err)
		}
		d, err := tg.In(h)
		if err != nil {
			t.Fatal(err)
		}
		at, err := h.Add(from, d)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	for _, c := range []struct {
		name     string
		h        *Hours
		from     time.Time
		target   string
		want     time.Time
		calendar string
	}{
		{"3d from Monday 10:00 is Thursday 10:00", h, cst(2026, 3, 16, 10, 0), "3d", cst(2026, 3, 19, 10, 0), "china"},
		{"3d from Monday's opening ends with Wednesday", h, cst(2026, 3, 16, 9, 0), "3d", cst(2026, 3, 18, 18, 0), "china"},
		{"2d from Friday 15:00 skips the weekend", h, cst(2026, 3, 20, 15, 0), "2d", cst(2026, 3, 24, 15, 0), "china"},
		{"1d from the eve of 国庆 is after the holiday week", h, cst(2026, 9, 30, 17, 0), "1d", cst(2026, 10, 8, 17, 0), "china"},
		{"1d4h is a day and four hours", h, cst(2026, 3, 16, 10, 0), "1d4h", cst(2026, 3, 17, 14, 0), "china"},
		{"a day with a lunch break", lunch, cst(2026, 3, 16, 10, 0), "1d", cst(2026, 3, 17, 10, 0), "lunch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := due(c.h, c.from, c.target); !got.Equal(c.want) {
				t.Errorf("%s from %v: due %v, want %v", c.target, c.from, got.In(shanghai), c.want)
			}
		})
	}
	closed, err := Compile(&triage.Calendar{TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (Target{Days: 1}).In(closed); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("days in a calendar without working days: %v", err)
	}

	// A policy's "2d" resolution on a ticket's clock: paused while
	// pending, shown as written.
	s := newStory(t, policy("", "", "2d"))
	s.reply(monday.Add(time.Hour))
	s.status(cst(2026, 3, 16, 14, 0), triage.StatusPending)
	s.status(cst(2026, 3, 17, 14, 0), triage.StatusOpen)
	res := target(t, s.compute(cst(2026, 3, 17, 15, 0), nil), triage.MetricResolution, 0)
	// 5h on Monday before the pause, 13h left from Tuesday 14:00: Tuesday
	// until 18:00 (4h) and Wednesday 09:00-18:00.
	timeIs(t, "due", res.DueAt, cst(2026, 3, 18, 18, 0))
	if res.Target != "2d" || res.Status != triage.SLARunning || res.Elapsed != "6h" || res.Remaining != "12h" {
		t.Errorf("the 2d target: %+v", res)
	}
	if p := policy("", "", " 2d "); ValidatePolicy(p) != nil || p.Resolution != "2d" {
		t.Errorf("a policy's 2d: %q", p.Resolution)
	}
}
