package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Report aggregates, the twins of sqlite/reports.go. Each query counts in
// SQL and returns one row per group, so a report over 100,000 tickets
// moves a few rows, not the tickets. Durations are computed in
// microseconds, as the embedded store keeps them, so both stores give the
// same figures to the microsecond.

// micros is the SQL of a timestamptz expression as microseconds since the
// epoch; EXTRACT gives numeric, which is exact.
func micros(at string) string { return `(EXTRACT(EPOCH FROM ` + at + `) * 1000000)` }

// reportPart is one SELECT of a report: its key expression and the
// conditions that pick its tickets, with their parameters numbered in a.
type reportPart struct {
	key string
	a   *args
}

// part builds the key and the conditions common to every report: at in
// [From, To) when at is set, and the filters. Only constants of this
// package reach the SQL; values are parameters.
func part(a *args, q triage.ReportQuery, at string) (reportPart, error) {
	keyAt := at
	if keyAt == "" {
		keyAt = "t.created_at"
	}
	p := reportPart{a: a}
	switch q.Group {
	case triage.GroupNone:
		p.key = `''`
	case triage.GroupDay:
		// The day in the report's zone: UTC wall time shifted by the
		// offset, which is a fixed number of microseconds.
		p.key = `to_char((` + keyAt + ` AT TIME ZONE 'UTC') + interval '1 microsecond' * ` + a.next(float64(q.Offset.Microseconds())) + `, 'YYYY-MM-DD')`
	case triage.GroupAgent:
		p.key = `t.assignee_id`
	case triage.GroupTeam:
		p.key = `t.team_id`
	case triage.GroupCategory:
		p.key = `t.category`
	case triage.GroupPriority:
		p.key = `t.priority`
	case triage.GroupChannel:
		p.key = `t.channel`
	default:
		return reportPart{}, triage.Invalid("group", "group %q is not one of day, agent, team, category, priority, channel", q.Group)
	}
	if at != "" {
		a.add(at+` >= ?`, triage.StoreTime(q.From))
		a.add(at+` < ?`, triage.StoreTime(q.To))
	}
	if q.AssigneeID != "" {
		a.add(`t.assignee_id = ?`, q.AssigneeID)
	}
	if q.TeamID != "" {
		a.add(`t.team_id = ?`, q.TeamID)
	}
	if q.Category != "" {
		a.add(`t.category = ?`, q.Category)
	}
	return p, nil
}

// whereSQL returns the conditions added since the part began (from where
// index first on), joined with AND.
func whereSQL(a *args, first int) string {
	if len(a.where) == first {
		return "true"
	}
	return strings.Join(a.where[first:], " AND ")
}

// ReportVolume counts tickets created, solved, merged and closed in the
// range, each by its own time.
func (s queries) ReportVolume(ctx context.Context, q triage.ReportQuery) ([]triage.VolumeStats, error) {
	a := &args{}
	var selects []string
	for _, c := range []struct{ at, kind string }{
		{"t.created_at", `'c'`},
		{"t.solved_at", `CASE WHEN t.merged_into <> '' THEN 'm' ELSE 's' END`},
		{"t.closed_at", `'x'`},
	} {
		first := len(a.where)
		p, err := part(a, q, c.at)
		if err != nil {
			return nil, err
		}
		selects = append(selects, `SELECT `+p.key+` AS key, `+c.kind+` AS kind FROM tickets t WHERE `+whereSQL(a, first))
	}
	rows, err := s.q.Query(ctx, `
		SELECT key,
			COUNT(*) FILTER (WHERE kind = 'c'), COUNT(*) FILTER (WHERE kind = 's'),
			COUNT(*) FILTER (WHERE kind = 'm'), COUNT(*) FILTER (WHERE kind = 'x')
		FROM (`+strings.Join(selects, " UNION ALL ")+`) AS e
		GROUP BY key ORDER BY key`, a.vals...)
	return collect(rows, err, "volume report", func(r pgx.Rows) (triage.VolumeStats, error) {
		var v triage.VolumeStats
		err := r.Scan(&v.Key, &v.Created, &v.Solved, &v.Merged, &v.Closed)
		return v, err
	})
}

// ReportDurations summarises first-response or resolution times. The
// percentiles are nearest-rank over a window ordered by duration.
func (s queries) ReportDurations(ctx context.Context, q triage.ReportQuery, m triage.DurationMetric) ([]triage.DurationStats, error) {
	var end string
	switch m {
	case triage.FirstResponse:
		end = "t.first_response_at"
	case triage.Resolution:
		end = "t.solved_at"
	default:
		return nil, triage.Invalid("metric", "metric %q is not %s or %s", m, triage.FirstResponse, triage.Resolution)
	}
	a := &args{}
	p, err := part(a, q, end)
	if err != nil {
		return nil, err
	}
	if m == triage.Resolution {
		a.add(`t.merged_into = ''`)
	}
	rows, err := s.q.Query(ctx, `
		WITH d AS (
			SELECT `+p.key+` AS key, GREATEST(`+micros(end)+` - `+micros("t.created_at")+`, 0)::bigint AS us
			FROM tickets t WHERE `+whereSQL(a, 0)+`
		), r AS (
			SELECT key, us,
				ROW_NUMBER() OVER (PARTITION BY key ORDER BY us) AS rn,
				COUNT(*) OVER (PARTITION BY key) AS n
			FROM d
		)
		SELECT key, n, AVG(us)::float8,
			MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN us END),
			MAX(CASE WHEN rn = (n * 90 + 99) / 100 THEN us END),
			MAX(us)
		FROM r GROUP BY key, n ORDER BY key`, a.vals...)
	return collect(rows, err, "duration report", func(r pgx.Rows) (triage.DurationStats, error) {
		var d triage.DurationStats
		var avg float64
		var p50, p90, mx int64
		err := r.Scan(&d.Key, &d.N, &avg, &p50, &p90, &mx)
		d.Avg = time.Duration(avg) * time.Microsecond
		d.P50, d.P90, d.Max = time.Duration(p50)*time.Microsecond, time.Duration(p90)*time.Microsecond, time.Duration(mx)*time.Microsecond
		return d, err
	})
}

// ReportBacklog counts what was open at at: created before it and not
// solved by then. A ticket reopened later has no solved_at, so it counts
// as open all along: the store keeps the current state, not every past
// one.
func (s queries) ReportBacklog(ctx context.Context, q triage.ReportQuery, at time.Time) ([]triage.BacklogStats, error) {
	if q.Group == triage.GroupDay {
		return nil, triage.Invalid("group", "the backlog at an instant has no day group")
	}
	day := (24 * time.Hour).Microseconds()
	a := &args{}
	d1, d3, d7 := a.next(day), a.next(3*day), a.next(7*day)
	now := a.next(triage.StoreTime(at))
	p, err := part(a, q, "")
	if err != nil {
		return nil, err
	}
	a.add(`t.created_at < ?`, triage.StoreTime(at))
	a.add(`(t.solved_at IS NULL OR t.solved_at >= ?)`, triage.StoreTime(at))
	rows, err := s.q.Query(ctx, `
		SELECT key, COUNT(*), COUNT(*) FILTER (WHERE assignee_id = ''),
			COUNT(*) FILTER (WHERE age < `+d1+`), COUNT(*) FILTER (WHERE age >= `+d1+` AND age < `+d3+`),
			COUNT(*) FILTER (WHERE age >= `+d3+` AND age < `+d7+`), COUNT(*) FILTER (WHERE age >= `+d7+`),
			MIN(created_at)
		FROM (
			SELECT `+p.key+` AS key, t.assignee_id, `+micros(now+`::timestamptz`)+` - `+micros("t.created_at")+` AS age, t.created_at
			FROM tickets t WHERE `+whereSQL(a, 0)+`
		) AS b
		GROUP BY key ORDER BY key`, a.vals...)
	return collect(rows, err, "backlog report", func(r pgx.Rows) (triage.BacklogStats, error) {
		var b triage.BacklogStats
		var oldest time.Time
		err := r.Scan(&b.Key, &b.Open, &b.Unassigned, &b.Under1d, &b.Under3d, &b.Under7d, &b.Over7d, &oldest)
		b.Oldest = &oldest
		return b, err
	})
}

// ReportAccuracy compares the triage records of tickets closed in the
// range with their values at close. A prediction whose source is
// "manual" was the client's choice, not triage's, and is not counted.
func (s queries) ReportAccuracy(ctx context.Context, q triage.ReportQuery) ([]triage.AccuracyStats, error) {
	a := &args{}
	p, err := part(a, q, "t.closed_at")
	if err != nil {
		return nil, err
	}
	a.add(`t.merged_into = ''`)
	rows, err := s.q.Query(ctx, `
		SELECT key, COUNT(*),
			COUNT(*) FILTER (WHERE cs <> 'manual' AND cv <> ''),
			COUNT(*) FILTER (WHERE cs <> 'manual' AND cv <> '' AND cv = category),
			COUNT(*) FILTER (WHERE cs <> 'manual' AND cv = ''),
			COUNT(*) FILTER (WHERE ps <> 'manual' AND pv <> ''),
			COUNT(*) FILTER (WHERE ps <> 'manual' AND pv <> '' AND pv = priority),
			COUNT(*) FILTER (WHERE as_ <> 'manual' AND av <> ''),
			COUNT(*) FILTER (WHERE as_ <> 'manual' AND av <> '' AND av = assignee_id)
		FROM (
			SELECT `+p.key+` AS key, t.category, t.priority, t.assignee_id,
				r.category->>'value' AS cv, r.category->>'source' AS cs,
				r.priority->>'value' AS pv, r.priority->>'source' AS ps,
				r.assignee->>'value' AS av, r.assignee->>'source' AS as_
			FROM tickets t LEFT JOIN triage_records r ON r.ticket_id = t.id
			WHERE `+whereSQL(a, 0)+`
		) AS c
		GROUP BY key ORDER BY key`, a.vals...)
	return collect(rows, err, "accuracy report", func(r pgx.Rows) (triage.AccuracyStats, error) {
		var s triage.AccuracyStats
		err := r.Scan(&s.Key, &s.Closed, &s.CategoryPredicted, &s.CategoryCorrect, &s.CategoryAbstained,
			&s.PriorityPredicted, &s.PriorityCorrect, &s.AssigneePredicted, &s.AssigneeCorrect)
		return s, err
	})
}

// ReportFeedback sums verdicts given in the range. An agent group is the
// agent who gave the verdict (its actor without the "agent:" prefix); the
// other groups and the filters are the ticket's.
func (s queries) ReportFeedback(ctx context.Context, q triage.ReportQuery) ([]triage.FeedbackStats, error) {
	agentQ := q
	agentQ.AssigneeID = "" // the filter means the agent who gave the verdict
	a := &args{}
	p, err := part(a, agentQ, "f.created_at")
	if err != nil {
		return nil, err
	}
	actor := `CASE WHEN f.actor LIKE 'agent:%' THEN substr(f.actor, 7) ELSE f.actor END`
	if q.Group == triage.GroupAgent {
		p.key = actor
	}
	if q.AssigneeID != "" {
		a.add(actor+` = ?`, q.AssigneeID)
	}
	rows, err := s.q.Query(ctx, `
		SELECT key,
			COUNT(*) FILTER (WHERE action = 'accepted'), COUNT(*) FILTER (WHERE action = 'edited'),
			COUNT(*) FILTER (WHERE action = 'rejected'),
			COUNT(*) FILTER (WHERE draft AND action = 'accepted'), COUNT(*) FILTER (WHERE draft AND action = 'edited'),
			COUNT(*) FILTER (WHERE draft AND action = 'rejected')
		FROM (
			SELECT COALESCE(`+p.key+`, '') AS key, f.action, f.source_kind = 'draft' AS draft
			FROM feedback f LEFT JOIN tickets t ON t.id = f.ticket_id
			WHERE `+whereSQL(a, 0)+`
		) AS v
		GROUP BY key ORDER BY key`, a.vals...)
	return collect(rows, err, "feedback report", func(r pgx.Rows) (triage.FeedbackStats, error) {
		var f triage.FeedbackStats
		err := r.Scan(&f.Key, &f.Accepted, &f.Edited, &f.Rejected, &f.DraftAccepted, &f.DraftEdited, &f.DraftRejected)
		return f, err
	})
}
