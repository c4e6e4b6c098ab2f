// Package report computes the figures a support manager runs a team on:
// ticket volume, backlog, first-response and resolution times, and how
// well the AI does (triage accuracy against the value at close,
// suggestion acceptance), for a window, broken down by day, agent, team,
// category, priority or channel, as JSON or CSV.
//
// Every figure is an aggregate the store computes (see triage.OpsReader),
// so a report over 100,000 tickets reads a few rows per group; this
// package names the groups, fills in empty days, derives rates and the
// day-by-day backlog, and writes CSV that Excel opens with its Chinese
// intact. SLA % met and satisfaction (CSAT) are reports of the same kind,
// from the SLA records and surveys the SLA area keeps.
package report

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Service computes reports.
type Service struct {
	Store triage.Reader
	// Zone is where days begin; nil means Asia/Shanghai.
	Zone *time.Location
	Now  func() time.Time
}

// Query is what a report is asked for. Zero times mean the last 30 days
// up to now.
type Query struct {
	From, To time.Time
	Group    triage.ReportGroup
	// Filters; empty means any.
	Agent, Team, Category string
}

// MaxSpan bounds a report's window, as the SLA reports do.
const MaxSpan = 366 * 24 * time.Hour

// DefaultSpan is a report's window when none is given.
const DefaultSpan = 30 * 24 * time.Hour

// Header is what every report says about itself.
type Header struct {
	Report string             `json:"report"`
	From   time.Time          `json:"from"`
	To     time.Time          `json:"to"`
	Zone   string             `json:"zone"`
	Group  triage.ReportGroup `json:"group"`
}

// Report is one report: its rows and the total over all of them.
type Report[R any] struct {
	Header
	Rows  []R `json:"rows"`
	Total R   `json:"total"`
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// zone is the report's time zone. China's offset is fixed, so a missing
// zone database changes nothing there.
func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Shanghai", 8*3600)
}

// store turns q into the store's query, checking and defaulting it, for
// the reports of tickets, which take every group.
func (s *Service) store(q Query) (triage.ReportQuery, error) {
	return s.window(q, false, triage.ReportGroups()...)
}

// window checks and defaults q's window and group: the last DefaultSpan
// up to now unless given, at most MaxSpan, and one of the groups the
// report takes. throughNow ends a default window just after now rather
// than at it, so what happened this very microsecond (an answer just
// given) counts; the SLA and satisfaction reports have always done so.
func (s *Service) window(q Query, throughNow bool, groups ...triage.ReportGroup) (triage.ReportQuery, error) {
	to, from := q.To, q.From
	if to.IsZero() {
		to = s.now()
		if throughNow {
			to = to.Add(time.Microsecond)
		}
	}
	if from.IsZero() {
		from = to.Add(-DefaultSpan)
	}
	switch {
	case !from.Before(to):
		return triage.ReportQuery{}, triage.Invalid("from", "from must be before to")
	case to.Sub(from) > MaxSpan:
		return triage.ReportQuery{}, triage.Invalid("from", "a report covers at most 366 days; narrow from and to")
	case !q.Group.Valid() || !slices.Contains(groups, q.Group):
		names := groupNames(groups)
		return triage.ReportQuery{}, &triage.Error{Code: triage.EINVALID, Field: "group", Allowed: names,
			Message: "group " + string(q.Group) + " is not one of " + strings.Join(names, ", ")}
	}
	_, off := from.In(s.zone()).Zone()
	return triage.ReportQuery{From: from.UTC(), To: to.UTC(), Group: q.Group, Offset: time.Duration(off) * time.Second,
		AssigneeID: q.Agent, TeamID: q.Team, Category: q.Category}, nil
}

func groupNames(groups []triage.ReportGroup) []string {
	var out []string
	for _, g := range groups {
		if g != "" {
			out = append(out, string(g))
		}
	}
	return out
}

func (s *Service) header(name string, q triage.ReportQuery) Header {
	return Header{Report: name, From: q.From, To: q.To, Zone: s.zone().String(), Group: q.Group}
}

// labeler names group keys: agents and teams by name, empty keys by what
// their emptiness means.
type labeler struct {
	group triage.ReportGroup
	names map[string]string
}

func (s *Service) labels(ctx context.Context, g triage.ReportGroup) (labeler, error) {
	l := labeler{group: g, names: map[string]string{}}
	switch g {
	case triage.GroupAgent:
		agents, err := s.Store.Agents(ctx)
		if err != nil {
			return l, err
		}
		for _, a := range agents {
			l.names[a.ID] = a.Name
		}
	case triage.GroupTeam:
		teams, err := s.Store.Teams(ctx)
		if err != nil {
			return l, err
		}
		for _, t := range teams {
			l.names[t.ID] = t.Name
		}
	}
	return l, nil
}

// Empty keys are labelled in Chinese: the people reading them are.
func (l labeler) label(key string) string {
	if key == "" {
		switch l.group {
		case triage.GroupNone:
			return "全部"
		case triage.GroupAgent:
			return "未分配"
		case triage.GroupTeam:
			return "无团队"
		case triage.GroupCategory:
			return "未分类"
		}
		return "(空)"
	}
	if n, ok := l.names[key]; ok {
		return n
	}
	return key
}

// days lists the local dates of [from, to) as YYYY-MM-DD.
func days(from, to time.Time, off time.Duration) []string {
	zone := time.FixedZone("", int(off.Seconds()))
	var out []string
	d := from.In(zone)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone)
	for ; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// keys returns the union of keys in key order, with every day of the
// window for a day group.
func keys(q triage.ReportQuery, sets ...[]string) []string {
	var out []string
	if q.Group == triage.GroupDay {
		out = days(q.From, q.To, q.Offset)
	}
	for _, set := range sets {
		for _, k := range set {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, cmp.Compare[string])
	return out
}

// rate is part/whole as a percentage with one decimal, nil for 0/0.
func rate(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	p := float64(int64(float64(part)*1000/float64(whole)+0.5)) / 10
	return &p
}

// seconds is a duration in whole seconds, rounded.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }
