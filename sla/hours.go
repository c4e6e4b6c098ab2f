package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Hours is a compiled business-hours calendar: the instants at which SLA
// clocks run. It is read-only once built, so one value may serve many
// goroutines.
type Hours struct {
	loc  *time.Location
	week [7][]span // by time.Weekday
	// days override the week on their dates.
	days map[date][]span
	// makeup is the hours of a make-up working day that gives none.
	makeup []span
}

// span is a range of minutes after local midnight, end exclusive; end may
// be 1440 (24:00).
type span struct{ start, end int }

// date is a civil date in the calendar's zone.
type date struct {
	y int
	m time.Month
	d int
}

func (d date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

// next returns the following day. Civil dates are advanced with
// time.Date's normalisation in UTC, which has no DST to trip over.
func (d date) next() date {
	t := time.Date(d.y, d.m, d.d+1, 0, 0, 0, 0, time.UTC)
	return date{t.Year(), t.Month(), t.Day()}
}

func (d date) prev() date {
	t := time.Date(d.y, d.m, d.d-1, 0, 0, 0, 0, time.UTC)
	return date{t.Year(), t.Month(), t.Day()}
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Weekday()
}

// maxDays bounds every walk over the calendar: a target that needs more
// than ten years of business time to fall due is a configuration error,
// and the bound keeps a calendar that is almost never open from looping.
const maxDays = 3660

// Compile checks a calendar and builds its Hours. The calendar must have
// been validated (ValidateCalendar); Compile reports what it cannot use
// rather than trusting it.
func Compile(c *triage.Calendar) (*Hours, error) {
	loc, err := loadZone(c.TimeZone)
	if err != nil {
		return nil, err
	}
	h := &Hours{loc: loc, days: map[date][]span{}}
	for i, oh := range c.Hours {
		s, err := parseSpan(fmt.Sprintf("hours[%d]", i), oh.Start, oh.End)
		if err != nil {
			return nil, err
		}
		for _, name := range oh.Days {
			wd, ok := weekdays[name]
			if !ok {
				return nil, triage.Invalid(fmt.Sprintf("hours[%d].days", i), "%q is not a day; use mon, tue, wed, thu, fri, sat or sun", name)
			}
			h.week[wd] = append(h.week[wd], s)
		}
	}
	for wd := range h.week {
		h.week[wd] = sortSpans(h.week[wd])
	}
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if len(h.week[wd]) > 0 {
			h.makeup = h.week[wd]
			break
		}
	}
	add := func(list string, days []triage.CalendarDay, closed bool) error {
		for i, cd := range days {
			field := fmt.Sprintf("%s[%d]", list, i)
			d, err := parseDate(field+".date", cd.Date)
			if err != nil {
				return err
			}
			var spans []span
			for j, r := range cd.Hours {
				s, err := parseSpan(fmt.Sprintf("%s.hours[%d]", field, j), r.Start, r.End)
				if err != nil {
					return err
				}
				spans = append(spans, s)
			}
			if len(cd.Hours) == 0 && !closed {
				spans = h.makeup
			}
			h.days[d] = sortSpans(spans)
		}
		return nil
	}
	if err := add("holidays", c.Holidays, true); err != nil {
		return nil, err
	}
	if err := add("workdays", c.Workdays, false); err != nil {
		return nil, err
	}
	return h, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// loadZone loads an IANA zone. The binary embeds the zone database
// (time/tzdata, imported by this package), so this works on a machine
// without /usr/share/zoneinfo.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, triage.Invalid("time_zone", "time_zone %q is not an IANA time zone such as Asia/Shanghai", name)
	}
	return loc, nil
}

func sortSpans(s []span) []span {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b span) int { return a.start - b.start })
	return s
}

// Location is the calendar's time zone.
func (h *Hours) Location() *time.Location { return h.loc }

// Day is the business time of the calendar's working day, what a target
// counts as one day ("3d"): the weekly hours of the first day of the week
// that has any, Monday's for an office week (9h for 09:00–18:00, 8h with an
// hour's lunch break), the hours a make-up working day keeps too. Counting
// days as that much business time lets them run, pause and warn like any
// other target, and makes "3d" from Monday 10:00 due on Thursday 10:00,
// skipping weekends and holidays as the calendar does. Zero for a calendar
// without weekly hours.
func (h *Hours) Day() time.Duration {
	var d time.Duration
	for _, s := range h.makeup {
		d += time.Duration(s.end-s.start) * time.Minute
	}
	return d
}

// interval is an open range of absolute time, end exclusive.
type interval struct{ start, end time.Time }

// day returns the open intervals of one civil date, in order.
func (h *Hours) day(d date) []interval {
	spans, special := h.days[d]
	if !special {
		spans = h.week[d.weekday()]
	}
	out := make([]interval, 0, len(spans))
	for _, s := range spans {
		a := time.Date(d.y, d.m, d.d, 0, s.start, 0, 0, h.loc)
		b := time.Date(d.y, d.m, d.d, 0, s.end, 0, 0, h.loc)
		// A range that a DST change swallows is skipped.
		if b.After(a) {
			out = append(out, interval{a, b})
		}
	}
	return out
}

// dateOf is the civil date of t in the calendar's zone.
func (h *Hours) dateOf(t time.Time) date {
	l := t.In(h.loc)
	return date{l.Year(), l.Month(), l.Day()}
}

// Open reports whether t is within business hours.
func (h *Hours) Open(t time.Time) bool {
	for _, iv := range h.day(h.dateOf(t)) {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

// Add returns the earliest instant at which d of business time has passed
// since t: Elapsed(t, Add(t, d)) == d. Add(t, 0) is t. It fails when the
// calendar does not have d of business time in the next ten years. The
// instant is in UTC, the one form of times in the store and the API,
// whatever the calendar's zone.
func (h *Hours) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d <= 0 {
		return t.UTC(), nil
	}
	// The previous day's last range can run past midnight only through a
	// DST change; starting one day early costs nothing and covers it.
	day := h.dateOf(t).prev()
	for range maxDays {
		for _, iv := range h.day(day) {
			if !iv.end.After(t) {
				continue
			}
			start := iv.start
			if start.Before(t) {
				start = t
			}
			avail := iv.end.Sub(start)
			if d <= avail {
				return start.Add(d).UTC(), nil
			}
			d -= avail
		}
		day = day.next()
	}
	return time.Time{}, triage.Errorf(triage.ECONFLICT, "the calendar does not have enough business hours in the next ten years")
}

// Elapsed returns the business time between from and to; 0 when to is not
// after from. Spans longer than ten years count their first ten years.
func (h *Hours) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var sum time.Duration
	day := h.dateOf(from).prev()
	last := h.dateOf(to)
	for range maxDays {
		for _, iv := range h.day(day) {
			a, b := iv.start, iv.end
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				sum += b.Sub(a)
			}
		}
		if day == last {
			break
		}
		day = day.next()
	}
	return sum
}

// parseDate reads YYYY-MM-DD.
func parseDate(field, s string) (date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1970 || t.Year() > 2200 {
		return date{}, triage.Invalid(field, "%s %q is not a date like 2026-10-01", field, s)
	}
	return date{t.Year(), t.Month(), t.Day()}, nil
}

// parseSpan reads a start and end of "HH:MM", end after start; "24:00" is
// the end of the day.
func parseSpan(field, start, end string) (span, error) {
	a, err := parseClock(field+".start", start, false)
	if err != nil {
		return span{}, err
	}
	b, err := parseClock(field+".end", end, true)
	if err != nil {
		return span{}, err
	}
	if b <= a {
		return span{}, triage.Invalid(field+".end", "%s.end %s must be after %s.start %s", field, end, field, start)
	}
	return span{a, b}, nil
}

func parseClock(field, s string, end bool) (int, error) {
	bad := triage.Invalid(field, "%s %q is not a time like 09:00 (00:00 to 24:00)", field, s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	hh, mm := 0, 0
	for _, c := range s[:2] + s[3:] {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	hh = int(s[0]-'0')*10 + int(s[1]-'0')
	mm = int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case mm > 59, hh > 24, hh == 24 && (mm != 0 || !end):
		return 0, bad
	}
	return hh*60 + mm, nil
}
