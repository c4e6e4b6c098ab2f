package sla

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// MetricCounts counts decided targets of one metric.
type MetricCounts struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	// PercentMet is Met / (Met + Breached) × 100; null when nothing was
	// decided.
	PercentMet *float64 `json:"percent_met"`
}

func (m *MetricCounts) add(met bool) {
	if met {
		m.Met++
	} else {
		m.Breached++
	}
	m.PercentMet = percent(m.Met, m.Met+m.Breached)
}

func percent(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	p := float64(part) * 100 / float64(whole)
	p = float64(int64(p*10+0.5)) / 10
	return &p
}

// SLAFigures are the % met of a group, overall and per metric.
type SLAFigures struct {
	MetricCounts
	FirstResponse MetricCounts `json:"first_response"`
	NextResponse  MetricCounts `json:"next_response"`
	Resolution    MetricCounts `json:"resolution"`
}

func (f *SLAFigures) add(metric string, met bool) {
	f.MetricCounts.add(met)
	switch metric {
	case triage.MetricFirstResponse:
		f.FirstResponse.add(met)
	case triage.MetricNextResponse:
		f.NextResponse.add(met)
	case triage.MetricResolution:
		f.Resolution.add(met)
	}
}

// SLAGroup is one agent, team, priority or category. Key is "" for
// tickets without one (unassigned, no team, no category).
type SLAGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	SLAFigures
}

// SLAReport is the % met of the targets decided in [From, To): met when
// the clock stopped in time, breached when its time ran out. A target
// counts in the window in which it was decided, in the group the ticket
// belonged to when its clocks were last computed.
type SLAReport struct {
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	Overall    SLAFigures `json:"overall"`
	ByAgent    []SLAGroup `json:"by_agent"`
	ByTeam     []SLAGroup `json:"by_team"`
	ByPriority []SLAGroup `json:"by_priority"`
	ByCategory []SLAGroup `json:"by_category"`
}

// MaxReportSpan bounds a report's window.
const MaxReportSpan = 366 * 24 * time.Hour

// Window checks and defaults a report window: the last 30 days up to and
// including now (the store's precision is a microsecond, so the window
// ends one after now).
func Window(from, to, now time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = now.Add(time.Microsecond)
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	switch {
	case !from.Before(to):
		return from, to, triage.Invalid("from", "from must be before to")
	case to.Sub(from) > MaxReportSpan:
		return from, to, triage.Invalid("from", "a report covers at most 366 days")
	}
	return from.UTC(), to.UTC(), nil
}

// Report computes the SLA % met report.
func (s *Service) Report(ctx context.Context, from, to time.Time) (*SLAReport, error) {
	now := s.now()
	from, to, err := Window(from, to, now)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	rep := &SLAReport{From: from, To: to}
	groups := [4]map[string]*SLAGroup{{}, {}, {}, {}}
	f := triage.TicketSLAFilter{ComputedFrom: from}
	for {
		page, next, err := s.Store.TicketSLAs(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			for _, t := range r.Targets {
				at, met, ok := decision(t, now)
				if !ok || at.Before(from) || !at.Before(to) {
					continue
				}
				rep.Overall.add(t.Metric, met)
				for i, k := range []string{r.AssigneeID, r.TeamID, string(r.Priority), r.Category} {
					g := groups[i][k]
					if g == nil {
						g = &SLAGroup{Key: k, Name: k}
						if i < 2 {
							g.Name = names[k]
						}
						groups[i][k] = g
					}
					g.add(t.Metric, met)
				}
			}
		}
		if next == "" {
			break
		}
		f.After = next
	}
	out := make([][]SLAGroup, 4)
	for i, m := range groups {
		out[i] = []SLAGroup{}
		for _, g := range m {
			out[i] = append(out[i], *g)
		}
		slices.SortFunc(out[i], func(a, b SLAGroup) int { return cmp.Compare(a.Key, b.Key) })
	}
	rep.ByAgent, rep.ByTeam, rep.ByPriority, rep.ByCategory = out[0], out[1], out[2], out[3]
	return rep, nil
}

// decision is when and how a target was decided. A clock still stored as
// running whose due instant has passed is breached at that instant, even
// if its check has not run yet.
func decision(t triage.SLATarget, now time.Time) (time.Time, bool, bool) {
	switch {
	case t.Status == triage.SLAMet && t.MetAt != nil:
		return *t.MetAt, true, true
	case t.Status == triage.SLABreached && t.BreachedAt != nil:
		return *t.BreachedAt, false, true
	case t.Status == triage.SLARunning && t.DueAt != nil && !t.DueAt.After(now):
		return *t.DueAt, false, true
	}
	return time.Time{}, false, false
}

// names maps agent and team ids to names.
func (s *Service) names(ctx context.Context) (map[string]string, error) {
	out := map[string]string{"": ""}
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range agents {
		out[a.ID] = a.Name
	}
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		out[t.ID] = t.Name
	}
	return out, nil
}

// CSATFigures sum up the surveys of a group.
type CSATFigures struct {
	// Sent counts surveys sent in the window; Responses those answered in
	// it.
	Sent      int `json:"sent"`
	Responses int `json:"responses"`
	// ResponseRate is Responses / Sent × 100.
	ResponseRate *float64 `json:"response_rate"`
	// Average is the mean rating, 1 to 5.
	Average *float64 `json:"average"`
	// Satisfied counts ratings of 4 and 5; CSAT is Satisfied / Responses
	// × 100, the usual satisfaction score.
	Satisfied int      `json:"satisfied"`
	CSAT      *float64 `json:"csat"`
	// Ratings counts each rating: Ratings[0] is the number of 1s.
	Ratings [5]int `json:"ratings"`
	sum     int
}

func (f *CSATFigures) add(sv *triage.Survey, sent, answered bool) {
	if sent {
		f.Sent++
	}
	if answered && sv.Rating >= 1 && sv.Rating <= 5 {
		f.Responses++
		f.Ratings[sv.Rating-1]++
		f.sum += sv.Rating
		if sv.Rating >= 4 {
			f.Satisfied++
		}
	}
	f.ResponseRate = percent(f.Responses, f.Sent)
	f.CSAT = percent(f.Satisfied, f.Responses)
	if f.Responses > 0 {
		avg := float64(int64(float64(f.sum)*100/float64(f.Responses)+0.5)) / 100
		f.Average = &avg
	}
}

// CSATGroup is one agent, team or category.
type CSATGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	CSATFigures
}

// CSATReport is satisfaction per agent, team and category over [From, To).
type CSATReport struct {
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	Overall    CSATFigures `json:"overall"`
	ByAgent    []CSATGroup `json:"by_agent"`
	ByTeam     []CSATGroup `json:"by_team"`
	ByCategory []CSATGroup `json:"by_category"`
}

// CSATReport computes the satisfaction report.
func (s *Service) CSATReport(ctx context.Context, from, to time.Time) (*CSATReport, error) {
	from, to, err := Window(from, to, s.now())
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	surveys, err := s.Store.Surveys(ctx, triage.SurveyFilter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	rep := &CSATReport{From: from, To: to}
	groups := [3]map[string]*CSATGroup{{}, {}, {}}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, sv := range surveys {
		sent, answered := in(sv.CreatedAt), sv.AnsweredAt != nil && in(*sv.AnsweredAt)
		rep.Overall.add(sv, sent, answered)
		for i, k := range []string{sv.AgentID, sv.TeamID, sv.Category} {
			g := groups[i][k]
			if g == nil {
				g = &CSATGroup{Key: k, Name: k}
				if i < 2 {
					g.Name = names[k]
				}
				groups[i][k] = g
			}
			g.add(sv, sent, answered)
		}
	}
	out := make([][]CSATGroup, 3)
	for i, m := range groups {
		out[i] = []CSATGroup{}
		for _, g := range m {
			out[i] = append(out[i], *g)
		}
		slices.SortFunc(out[i], func(a, b CSATGroup) int { return cmp.Compare(a.Key, b.Key) })
	}
	rep.ByAgent, rep.ByTeam, rep.ByCategory = out[0], out[1], out[2]
	return rep, nil
}
