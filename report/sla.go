package report

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
	m.PercentMet = rate(m.Met, m.Met+m.Breached)
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

// SLARow is one group's SLA % met.
type SLARow struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	SLAFigures
}

// SLAGroup is one agent, team, priority or category of the report's
// breakdowns. Key is "" for tickets without one (unassigned, no team, no
// category).
type SLAGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	SLAFigures
}

// SLAReport is the % met of the targets decided in the window: met when
// the clock stopped in time, breached when its time ran out. A target
// counts in the window in which it was decided, in the group the ticket
// belonged to when its clocks were last computed. Its rows follow the
// query's group (day of the decision, agent, team, category or priority)
// and filters, as every report's do; Overall (the total's figures) and
// the four By breakdowns are the report's first form, which clients read.
type SLAReport struct {
	Report[SLARow]
	Overall    SLAFigures `json:"overall"`
	ByAgent    []SLAGroup `json:"by_agent"`
	ByTeam     []SLAGroup `json:"by_team"`
	ByPriority []SLAGroup `json:"by_priority"`
	ByCategory []SLAGroup `json:"by_category"`
}

// SLA computes the SLA report.
func (s *Service) SLA(ctx context.Context, in Query) (*SLAReport, error) {
	q, err := s.window(in, true, triage.GroupNone, triage.GroupDay, triage.GroupAgent, triage.GroupTeam, triage.GroupCategory, triage.GroupPriority)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rows := map[string]*SLARow{}
	var breakdowns [4]map[string]*SLAGroup
	for i := range breakdowns {
		breakdowns[i] = map[string]*SLAGroup{}
	}
	var overall SLAFigures
	f := triage.TicketSLAFilter{ComputedFrom: q.From}
	for {
		page, next, err := s.Store.TicketSLAs(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if !match(in, r.AssigneeID, r.TeamID, r.Category) {
				continue
			}
			for _, t := range r.Targets {
				at, met, ok := decided(t, now)
				if !ok || at.Before(q.From) || !at.Before(q.To) {
					continue
				}
				overall.add(t.Metric, met)
				key := groupKey(q, at, r.AssigneeID, r.TeamID, r.Category, string(r.Priority))
				if rows[key] == nil {
					rows[key] = &SLARow{Key: key, Label: l.label(key)}
				}
				rows[key].add(t.Metric, met)
				for i, k := range []string{r.AssigneeID, r.TeamID, string(r.Priority), r.Category} {
					g := breakdowns[i][k]
					if g == nil {
						g = &SLAGroup{Key: k, Name: k}
						if i < 2 {
							g.Name = names[k]
						}
						breakdowns[i][k] = g
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
	rep := &SLAReport{Report: Report[SLARow]{Header: s.header("sla", q), Total: SLARow{Key: "total", Label: "合计", SLAFigures: overall}}, Overall: overall}
	rep.Rows = table(q, rows, func(k string) SLARow { return SLARow{Key: k, Label: l.label(k)} })
	key := func(g SLAGroup) string { return g.Key }
	rep.ByAgent, rep.ByTeam, rep.ByPriority, rep.ByCategory = sorted(breakdowns[0], key), sorted(breakdowns[1], key), sorted(breakdowns[2], key), sorted(breakdowns[3], key)
	return rep, nil
}

// decided is when and how a target was decided. A clock still stored as
// running whose due instant has passed is breached at that instant, even
// if its check has not run yet.
func decided(t triage.SLATarget, now time.Time) (time.Time, bool, bool) {
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
	f.ResponseRate = rate(f.Responses, f.Sent)
	f.CSAT = rate(f.Satisfied, f.Responses)
	if f.Responses > 0 {
		avg := float64(int64(float64(f.sum)*100/float64(f.Responses)+0.5)) / 100
		f.Average = &avg
	}
}

// CSATRow is one group's satisfaction.
type CSATRow struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	CSATFigures
}

// CSATGroup is one agent, team or category of the report's breakdowns.
type CSATGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	CSATFigures
}

// CSATReport is satisfaction over the window: surveys sent in it and
// answers given in it, in the group of the ticket's assignee, team and
// category when it was answered (or sent). Its rows follow the query's
// group (day, agent, team or category; a day counts the surveys sent and
// the answers given on it) and filters; Overall and the By breakdowns are
// the report's first form, which clients read.
type CSATReport struct {
	Report[CSATRow]
	Overall    CSATFigures `json:"overall"`
	ByAgent    []CSATGroup `json:"by_agent"`
	ByTeam     []CSATGroup `json:"by_team"`
	ByCategory []CSATGroup `json:"by_category"`
}

// CSAT computes the satisfaction report.
func (s *Service) CSAT(ctx context.Context, in Query) (*CSATReport, error) {
	q, err := s.window(in, true, triage.GroupNone, triage.GroupDay, triage.GroupAgent, triage.GroupTeam, triage.GroupCategory)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	surveys, err := s.Store.Surveys(ctx, triage.SurveyFilter{From: q.From, To: q.To})
	if err != nil {
		return nil, err
	}
	rows := map[string]*CSATRow{}
	var breakdowns [3]map[string]*CSATGroup
	for i := range breakdowns {
		breakdowns[i] = map[string]*CSATGroup{}
	}
	var overall CSATFigures
	in2 := func(t time.Time) bool { return !t.Before(q.From) && t.Before(q.To) }
	row := func(key string) *CSATRow {
		if rows[key] == nil {
			rows[key] = &CSATRow{Key: key, Label: l.label(key)}
		}
		return rows[key]
	}
	for _, sv := range surveys {
		if !match(in, sv.AgentID, sv.TeamID, sv.Category) {
			continue
		}
		sent, answered := in2(sv.CreatedAt), sv.AnsweredAt != nil && in2(*sv.AnsweredAt)
		overall.add(sv, sent, answered)
		if q.Group == triage.GroupDay {
			// A day counts what happened on it: the sending, the answer.
			if sent {
				row(groupKey(q, sv.CreatedAt, "", "", "", "")).add(sv, true, false)
			}
			if answered {
				row(groupKey(q, *sv.AnsweredAt, "", "", "", "")).add(sv, false, true)
			}
		} else {
			row(groupKey(q, time.Time{}, sv.AgentID, sv.TeamID, sv.Category, "")).add(sv, sent, answered)
		}
		for i, k := range []string{sv.AgentID, sv.TeamID, sv.Category} {
			g := breakdowns[i][k]
			if g == nil {
				g = &CSATGroup{Key: k, Name: k}
				if i < 2 {
					g.Name = names[k]
				}
				breakdowns[i][k] = g
			}
			g.add(sv, sent, answered)
		}
	}
	rep := &CSATReport{Report: Report[CSATRow]{Header: s.header("csat", q), Total: CSATRow{Key: "total", Label: "合计", CSATFigures: overall}}, Overall: overall}
	rep.Rows = table(q, rows, func(k string) CSATRow { return CSATRow{Key: k, Label: l.label(k)} })
	key := func(g CSATGroup) string { return g.Key }
	rep.ByAgent, rep.ByTeam, rep.ByCategory = sorted(breakdowns[0], key), sorted(breakdowns[1], key), sorted(breakdowns[2], key)
	return rep, nil
}

// match applies the query's filters to a record's agent, team and
// category.
func match(q Query, agent, team, category string) bool {
	return (q.Agent == "" || q.Agent == agent) && (q.Team == "" || q.Team == team) && (q.Category == "" || q.Category == category)
}

// groupKey is the key of the row a record falls in: the local day of at
// for a day group, else the record's agent, team, category or priority.
func groupKey(q triage.ReportQuery, at time.Time, agent, team, category, priority string) string {
	switch q.Group {
	case triage.GroupDay:
		return at.In(time.FixedZone("", int(q.Offset.Seconds()))).Format(time.DateOnly)
	case triage.GroupAgent:
		return agent
	case triage.GroupTeam:
		return team
	case triage.GroupCategory:
		return category
	case triage.GroupPriority:
		return priority
	}
	return ""
}

// names maps agent and team ids to names, for the breakdowns.
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

// table is a report's rows: one per key of the query's group (every day
// of the window for a day group), empty where nothing was counted.
func table[R any](q triage.ReportQuery, rows map[string]*R, empty func(key string) R) []R {
	ks := make([]string, 0, len(rows))
	for k := range rows {
		ks = append(ks, k)
	}
	out := []R{}
	for _, k := range keys(q, ks) {
		if r := rows[k]; r != nil {
			out = append(out, *r)
		} else {
			out = append(out, empty(k))
		}
	}
	return out
}

// sorted lists a breakdown's groups in key order.
func sorted[G any](m map[string]*G, key func(G) string) []G {
	out := []G{}
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b G) int { return cmp.Compare(key(a), key(b)) })
	return out
}
