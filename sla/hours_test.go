package sla

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"pgregory.net/rapid"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// cst is a wall-clock time in Shanghai.
func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai)
}

func chinaHours(t testing.TB) *Hours {
	t.Helper()
	c, err := ChinaCalendar()
	if err != nil {
		t.Fatal(err)
	}
	h, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAdd(t *testing.T) {
	h := chinaHours(t)
	cases := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"inside a day", cst(2026, 3, 16, 9, 0), 2 * time.Hour, cst(2026, 3, 16, 11, 0)},
		{"zero is the instant itself, even when closed", cst(2026, 3, 14, 3, 0), 0, cst(2026, 3, 14, 3, 0)},
		{"before opening starts at opening", cst(2026, 3, 16, 7, 30), time.Hour, cst(2026, 3, 16, 10, 0)},
		{"exactly to closing ends at closing", cst(2026, 3, 16, 17, 0), time.Hour, cst(2026, 3, 16, 18, 0)},
		{"over a night", cst(2026, 3, 16, 17, 0), 2 * time.Hour, cst(2026, 3, 17, 10, 0)},
		{"over a weekend", cst(2026, 3, 13, 17, 0), 2 * time.Hour, cst(2026, 3, 16, 10, 0)},
		{"from a Sunday", cst(2026, 3, 15, 12, 0), 30 * time.Minute, cst(2026, 3, 16, 9, 30)},
		{"over Qingming (Sat-Mon)", cst(2026, 4, 3, 17, 0), 2 * time.Hour, cst(2026, 4, 7, 10, 0)},
		{"into the 调休 Saturday before Spring Festival", cst(2026, 2, 13, 17, 0), 2 * time.Hour, cst(2026, 2, 14, 10, 0)},
		{"over the 调休 Saturday and Spring Festival", cst(2026, 2, 13, 17, 0), 11 * time.Hour, cst(2026, 2, 24, 10, 0)},
		{"over National Day, a 调休 Saturday and a Sunday", cst(2026, 9, 30, 17, 0), 29 * time.Hour, cst(2026, 10, 12, 10, 0)},
		{"New Year's make-up Sunday is open", cst(2026, 1, 3, 12, 0), time.Hour, cst(2026, 1, 4, 10, 0)},
		{"seconds", cst(2026, 3, 16, 9, 0), 90 * time.Second, time.Date(2026, 3, 16, 9, 1, 30, 0, shanghai)},
		{"from UTC", time.Date(2026, 3, 16, 0, 30, 0, 0, time.UTC), time.Hour, cst(2026, 3, 16, 10, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := h.Add(c.from, c.d)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) {
				t.Fatalf("Add(%v, %v) = %v, want %v", c.from, c.d, got.In(shanghai), c.want)
			}
			if e := h.Elapsed(c.from, got); e != c.d {
				t.Fatalf("Elapsed back = %v, want %v", e, c.d)
			}
		})
	}
}

func TestElapsed(t *testing.T) {
	h := chinaHours(t)
	cases := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"a working day", cst(2026, 3, 16, 0, 0), cst(2026, 3, 17, 0, 0), 9 * time.Hour},
		{"a week", cst(2026, 3, 16, 0, 0), cst(2026, 3, 23, 0, 0), 45 * time.Hour},
		{"Spring Festival week and its two 调休 Saturdays", cst(2026, 2, 9, 0, 0), cst(2026, 3, 2, 0, 0), (5 + 1 + 0 + 4 + 1) * 9 * time.Hour},
		{"the whole of 2026", cst(2026, 1, 1, 0, 0), cst(2027, 1, 1, 0, 0), 0},
		{"reversed is zero", cst(2026, 3, 17, 0, 0), cst(2026, 3, 16, 0, 0), 0},
		{"inside a closed night", cst(2026, 3, 16, 19, 0), cst(2026, 3, 16, 23, 0), 0},
	}
	// 2026 has 261 weekdays, 19 of them holidays off (the 33 days off
	// include 14 weekend days), and 6 make-up days: 248 working days.
	cases[3].want = 248 * 9 * time.Hour
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h.Elapsed(c.from, c.to); got != c.want {
				t.Fatalf("Elapsed = %v (%.1f days), want %v", got, got.Hours()/9, c.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	h := chinaHours(t)
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{cst(2026, 3, 16, 9, 0), true},
		{cst(2026, 3, 16, 18, 0), false},
		{cst(2026, 3, 14, 10, 0), false}, // Saturday
		{cst(2026, 2, 14, 10, 0), true},  // 调休 Saturday
		{cst(2026, 10, 5, 10, 0), false}, // National Day, a Monday
	} {
		if got := h.Open(c.at); got != c.open {
			t.Errorf("Open(%v) = %v, want %v", c.at, got, c.open)
		}
	}
}

// TestHoursOfDays covers lunch breaks, half-day holidays and make-up days
// with hours of their own, in a zone with daylight saving time.
func TestHoursOfDays(t *testing.T) {
	c := &triage.Calendar{
		Name: "Berlin", TimeZone: "Europe/Berlin",
		Hours: []triage.OpeningHours{
			{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "12:00"},
			{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "13:00", End: "17:00"},
		},
		Holidays: []triage.CalendarDay{{Date: "2026-12-24", Name: "half day", Hours: []triage.TimeRange{{Start: "09:00", End: "11:00"}}}},
		Workdays: []triage.CalendarDay{{Date: "2026-12-19", Name: "Saturday shift", Hours: []triage.TimeRange{{Start: "10:00", End: "14:00"}}}},
	}
	if err := ValidateCalendar(c); err != nil {
		t.Fatal(err)
	}
	h, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	berlin := mustZone("Europe/Berlin")
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, berlin) }
	cases := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"over lunch", at(12, 14, 11, 0), 2 * time.Hour, at(12, 14, 14, 0)},
		{"half-day holiday", at(12, 23, 16, 0), 4 * time.Hour, at(12, 25, 10, 0)},
		{"make-up day with its own hours", at(12, 18, 16, 0), 2 * time.Hour, at(12, 19, 11, 0)},
		// 2026-03-29 is the spring DST change; the working day after it is
		// an ordinary one in wall-clock terms.
		{"across daylight saving", at(3, 27, 16, 0), 2 * time.Hour, at(3, 30, 10, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := h.Add(c.from, c.d)
			if err != nil || !got.Equal(c.want) {
				t.Fatalf("Add = %v, %v; want %v", got.In(berlin), err, c.want)
			}
		})
	}
}

func TestAddNeverOpen(t *testing.T) {
	c := &triage.Calendar{Name: "x", Hours: []triage.OpeningHours{{Days: []string{"mon"}, Start: "09:00", End: "09:01"}}}
	if err := ValidateCalendar(c); err != nil {
		t.Fatal(err)
	}
	h, _ := Compile(c)
	if _, err := h.Add(cst(2026, 3, 16, 9, 0), MaxTarget); !triage.IsCode(err, triage.ECONFLICT) {
		t.Fatalf("a target the calendar cannot reach in ten years: err = %v, want a conflict", err)
	}
}

// genCalendar draws a calendar: random weekly ranges (maybe several a day,
// maybe a closed weekday) and random special days around 2026.
func genCalendar(t *rapid.T) *Hours {
	zone := rapid.SampledFrom([]string{"Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"}).Draw(t, "zone")
	c := &triage.Calendar{Name: "gen", TimeZone: zone}
	days := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	for _, d := range days {
		if rapid.IntRange(0, 4).Draw(t, "closed-"+d) == 0 {
			continue
		}
		start := 0
		for r := rapid.IntRange(1, 3).Draw(t, "ranges-"+d); r > 0 && start < 1440; r-- {
			a := rapid.IntRange(start, 1439).Draw(t, "start")
			b := rapid.IntRange(a+1, 1440).Draw(t, "end")
			c.Hours = append(c.Hours, triage.OpeningHours{Days: []string{d}, Start: hhmm(a), End: hhmm(b)})
			start = b
		}
	}
	if len(c.Hours) == 0 {
		c.Hours = []triage.OpeningHours{{Days: []string{"mon"}, Start: "09:00", End: "18:00"}}
	}
	used := map[string]bool{}
	for n := rapid.IntRange(0, 30).Draw(t, "special"); n > 0; n-- {
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(-10, 400).Draw(t, "day")).Format(time.DateOnly)
		if used[day] {
			continue
		}
		used[day] = true
		cd := triage.CalendarDay{Date: day}
		if rapid.Bool().Draw(t, "holiday") {
			c.Holidays = append(c.Holidays, cd)
		} else {
			c.Workdays = append(c.Workdays, cd)
		}
	}
	if err := ValidateCalendar(c); err != nil {
		t.Fatalf("generated calendar invalid: %v", err)
	}
	h, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func genInstant(t *rapid.T, label string) time.Time {
	base := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	return base.Add(time.Duration(rapid.Int64Range(0, int64(400*24*time.Hour)/int64(time.Second)).Draw(t, label)) * time.Second)
}

func genDuration(t *rapid.T, label string) time.Duration {
	return time.Duration(rapid.Int64Range(0, int64(200*time.Hour/time.Second)).Draw(t, label)) * time.Second
}

// TestAddElapsedProperties checks the invariants of the arithmetic on
// random calendars: Add is undone by Elapsed, Add gives the earliest such
// instant, Elapsed adds up over a split, and more time lands later.
func TestAddElapsedProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := genCalendar(t)
		from := genInstant(t, "from")
		d := genDuration(t, "d")
		due, err := h.Add(from, d)
		if err != nil {
			t.Skip("calendar too sparse")
		}
		if got := h.Elapsed(from, due); got != d {
			t.Fatalf("Elapsed(t, Add(t, %v)) = %v", d, got)
		}
		if due.Before(from) {
			t.Fatalf("Add went back in time")
		}
		if d > 0 {
			// Earliest: a moment before, less time has passed.
			if got := h.Elapsed(from, due.Add(-time.Nanosecond)); got >= d {
				t.Fatalf("Add(t, %v) = %v is not the earliest instant (%v already elapsed 1ns before)", d, due, got)
			}
			if !h.Open(due.Add(-time.Nanosecond)) {
				t.Fatalf("a positive Add must end inside open hours")
			}
		}
		ts := []time.Time{genInstant(t, "a"), genInstant(t, "b"), genInstant(t, "c")}
		slices.SortFunc(ts, func(x, y time.Time) int { return x.Compare(y) })
		if a, b, c := h.Elapsed(ts[0], ts[1]), h.Elapsed(ts[1], ts[2]), h.Elapsed(ts[0], ts[2]); a+b != c {
			t.Fatalf("Elapsed is not additive: %v + %v != %v", a, b, c)
		}
		d2 := d + genDuration(t, "more")
		due2, err := h.Add(from, d2)
		if err == nil && due2.Before(due) {
			t.Fatalf("Add is not monotonic: %v then %v", due, due2)
		}
	})
}

// TestAddChainProperty: adding a then b equals adding a + b.
func TestAddChainProperty(t *testing.T) {
	h := chinaHours(t)
	rapid.Check(t, func(t *rapid.T) {
		from := genInstant(t, "from")
		a, b := genDuration(t, "a"), genDuration(t, "b")
		x, err1 := h.Add(from, a)
		y, err2 := h.Add(x, b)
		z, err3 := h.Add(from, a+b)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("errors: %v %v %v", err1, err2, err3)
		}
		if b > 0 && !y.Equal(z) {
			t.Fatalf("Add(Add(t, %v), %v) = %v, Add(t, %v) = %v", a, b, y, a+b, z)
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	h := chinaHours(b)
	from := cst(2026, 9, 30, 17, 0)
	for b.Loop() {
		if _, err := h.Add(from, 45*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
