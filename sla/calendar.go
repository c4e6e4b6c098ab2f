package sla

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"

	// The zone database travels in the binary: business hours must not
	// depend on the host having /usr/share/zoneinfo.
	_ "time/tzdata"
)

// DefaultTimeZone is where Chinese customer-service teams work.
const DefaultTimeZone = "Asia/Shanghai"

// Calendar limits.
const (
	MaxHourRanges   = 50
	MaxCalendarDays = 2000
	MaxDayNameRunes = 100
	MaxNoteRunes    = 2000
)

// chinaCalendar is the official Chinese public-holiday arrangement for
// 2026 and the provisional one for 2027, as editable data: it is loaded
// into the store as the default calendar on first start and edited
// through the API from then on.
//
//go:embed china_calendar.json
var chinaCalendar []byte

// ChinaCalendar returns the shipped calendar of Chinese public holidays
// and make-up working days (调休), Monday to Friday 09:00-18:00 in
// Asia/Shanghai.
func ChinaCalendar() (*triage.Calendar, error) {
	var c triage.Calendar
	if err := json.Unmarshal(chinaCalendar, &c); err != nil {
		return nil, fmt.Errorf("sla: the shipped calendar does not decode: %w", err)
	}
	if err := ValidateCalendar(&c); err != nil {
		return nil, fmt.Errorf("sla: the shipped calendar is invalid: %w", err)
	}
	return &c, nil
}

// ValidateCalendar checks a calendar and normalises it in place: names
// trimmed, days lower-cased and in week order, special days in date order,
// the time zone defaulted to Asia/Shanghai.
func ValidateCalendar(c *triage.Calendar) error {
	c.Name = strings.TrimSpace(c.Name)
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	c.Note = strings.TrimSpace(c.Note)
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	switch {
	case c.Name == "":
		return triage.Invalid("name", "name is required")
	case utf8.RuneCountInString(c.Name) > triage.MaxNameRunes:
		return triage.Invalid("name", "name is longer than %d characters", triage.MaxNameRunes)
	case utf8.RuneCountInString(c.Note) > MaxNoteRunes:
		return triage.Invalid("note", "note is longer than %d characters", MaxNoteRunes)
	case len(c.Hours) == 0:
		return triage.Invalid("hours", "hours needs at least one range, like {\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"start\":\"09:00\",\"end\":\"18:00\"}")
	case len(c.Hours) > MaxHourRanges:
		return triage.Invalid("hours", "hours has %d ranges; at most %d are allowed", len(c.Hours), MaxHourRanges)
	case len(c.Holidays) > MaxCalendarDays:
		return triage.Invalid("holidays", "holidays has %d dates; at most %d are allowed", len(c.Holidays), MaxCalendarDays)
	case len(c.Workdays) > MaxCalendarDays:
		return triage.Invalid("workdays", "workdays has %d dates; at most %d are allowed", len(c.Workdays), MaxCalendarDays)
	}
	if _, err := loadZone(c.TimeZone); err != nil {
		return err
	}
	order := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	perDay := map[string][]span{}
	for i, oh := range c.Hours {
		field := fmt.Sprintf("hours[%d]", i)
		if len(oh.Days) == 0 {
			return triage.Invalid(field+".days", "%s.days needs at least one of mon, tue, wed, thu, fri, sat, sun", field)
		}
		s, err := parseSpan(field, strings.TrimSpace(oh.Start), strings.TrimSpace(oh.End))
		if err != nil {
			return err
		}
		var days []string
		for _, d := range oh.Days {
			d = strings.ToLower(strings.TrimSpace(d))
			if _, ok := weekdays[d]; !ok {
				return triage.Invalid(field+".days", "%q is not a day; use mon, tue, wed, thu, fri, sat or sun", d)
			}
			if !slices.Contains(days, d) {
				days = append(days, d)
			}
		}
		slices.SortFunc(days, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
		for _, d := range days {
			if overlaps(perDay[d], s) {
				return triage.Invalid(field, "%s overlaps another range on %s", field, d)
			}
			perDay[d] = append(perDay[d], s)
		}
		c.Hours[i] = triage.OpeningHours{Days: days, Start: strings.TrimSpace(oh.Start), End: strings.TrimSpace(oh.End)}
	}
	seen := map[string]string{}
	for _, list := range []struct {
		name string
		days []triage.CalendarDay
	}{{"holidays", c.Holidays}, {"workdays", c.Workdays}} {
		for i := range list.days {
			if err := validateDay(list.name, i, &list.days[i], seen); err != nil {
				return err
			}
		}
		slices.SortStableFunc(list.days, func(a, b triage.CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	}
	if c.Holidays == nil {
		c.Holidays = []triage.CalendarDay{}
	}
	if c.Workdays == nil {
		c.Workdays = []triage.CalendarDay{}
	}
	_, err := Compile(c)
	return err
}

func validateDay(list string, i int, d *triage.CalendarDay, seen map[string]string) error {
	field := fmt.Sprintf("%s[%d]", list, i)
	d.Date = strings.TrimSpace(d.Date)
	d.Name = strings.TrimSpace(d.Name)
	pd, err := parseDate(field+".date", d.Date)
	if err != nil {
		return err
	}
	d.Date = pd.String()
	if other, dup := seen[d.Date]; dup {
		return triage.Invalid(field+".date", "%s.date %s is also %s; a date may appear once", field, d.Date, other)
	}
	seen[d.Date] = field
	if utf8.RuneCountInString(d.Name) > MaxDayNameRunes {
		return triage.Invalid(field+".name", "%s.name is longer than %d characters", field, MaxDayNameRunes)
	}
	var spans []span
	for j, r := range d.Hours {
		f := fmt.Sprintf("%s.hours[%d]", field, j)
		s, err := parseSpan(f, strings.TrimSpace(r.Start), strings.TrimSpace(r.End))
		if err != nil {
			return err
		}
		if overlaps(spans, s) {
			return triage.Invalid(f, "%s overlaps another range of the day", f)
		}
		spans = append(spans, s)
		d.Hours[j] = triage.TimeRange{Start: strings.TrimSpace(r.Start), End: strings.TrimSpace(r.End)}
	}
	if len(d.Hours) > MaxHourRanges {
		return triage.Invalid(field+".hours", "%s.hours has more than %d ranges", field, MaxHourRanges)
	}
	return nil
}

func overlaps(have []span, s span) bool {
	for _, o := range have {
		if s.start < o.end && o.start < s.end {
			return true
		}
	}
	return false
}

// newCalendar builds a calendar from an API request.
func newCalendar(in triage.NewCalendar) *triage.Calendar {
	return &triage.Calendar{
		Name: in.Name, TimeZone: in.TimeZone, Hours: in.Hours, Holidays: in.Holidays, Workdays: in.Workdays,
		Default: in.Default, Note: in.Note,
	}
}

// applyCalendarUpdate changes c in place.
func applyCalendarUpdate(c *triage.Calendar, u triage.CalendarUpdate) error {
	if u.Default.Set && !u.Default.V && c.Default {
		return triage.Invalid("default", "a calendar stops being the default when another one becomes it; set default on that one")
	}
	for _, f := range []struct {
		name string
		null bool
	}{{"name", u.Name.Null}, {"hours", u.Hours.Null}, {"default", u.Default.Null}} {
		if f.null {
			return triage.Invalid(f.name, "%s cannot be null", f.name)
		}
	}
	if u.Name.Set {
		c.Name = u.Name.V
	}
	if u.TimeZone.Set {
		c.TimeZone = u.TimeZone.V
	}
	if u.Hours.Set {
		c.Hours = u.Hours.V
	}
	if u.Holidays.Set {
		c.Holidays = u.Holidays.V
	}
	if u.Workdays.Set {
		c.Workdays = u.Workdays.V
	}
	if u.Default.Set {
		c.Default = u.Default.V
	}
	if u.Note.Set {
		c.Note = u.Note.V
	}
	return ValidateCalendar(c)
}
