package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Report aggregates. Each query counts in SQL and returns one row per
// group, so a report over 100,000 tickets moves a few rows, not the
// tickets. Time ranges use the partial indexes on each time column.

// groupKey is the SQL of a group's key for tickets aliased t; at is the
// time column a day group buckets by. Only constants reach the SQL.
func groupKey(g triage.ReportGroup, at string) (string, error) {
	switch g {
	case triage.GroupNone:
		return `''`, nil
	case triage.GroupDay:
		// ? is the zone offset in microseconds; bound, not spliced.
		return `strftime('%Y-%m-%d', (` + at + ` + ?) / 1000000, 'unixepoch')`, nil
	case triage.GroupAgent:
		return `t.assignee_id`, nil
	case triage.GroupTeam:
		return `t.team_id`, nil
	case triage.GroupCategory:
		return `t.category`, nil
	case triage.GroupPriority:
		return `t.priority`, nil
	case triage.GroupChannel:
		return `t.channel`, nil
	}
	return "", triage.Invalid("group", "group %q is not one of day, agent, team, category, priority, channel", g)
}

// reportPart is one SELECT of a report: its key expression, and the
// conditions and arguments that pick its tickets. keyArgs go before the
// conditions' arguments, in the order the SQL uses them.
type reportPart struct {
	key     string
	keyArgs []any
	where   []string
	args    []any
}

// part builds the key and the conditions common to every report: at in
// [From, To) when at is set, and the filters. With scan, the range is
// written so that SQLite cannot use the time column's index (a unary +):
// for a window holding much of the table, reading the table in order is
// several times cheaper than an index lookup per row.
func part(q triage.ReportQuery, at string, scan bool) (reportPart, error) {
	keyAt := at
	if keyAt == "" {
		keyAt = "t.created_at"
	}
	key, err := groupKey(q.Group, keyAt)
	if err != nil {
		return reportPart{}, err
	}
	p := reportPart{key: key}
	if q.Group == triage.GroupDay {
		p.keyArgs = []any{q.Offset.Microseconds()}
	}
	if at != "" {
		col := at
		if scan {
			col = "+" + at
		}
		p.add(col+` >= ?`, micros(q.From))
		p.add(col+` < ?`, micros(q.To))
	}
	if q.AssigneeID != "" {
		p.add(`t.assignee_id = ?`, q.AssigneeID)
	}
	if q.TeamID != "" {
		p.add(`t.team_id = ?`, q.TeamID)
	}
	if q.Category != "" {
		p.add(`t.category = ?`, q.Category)
	}
	return p, nil
}

func (p *reportPart) add(cond string, args ...any) {
	p.where = append(p.where, cond)
	p.args = append(p.args, args...)
}

func (p reportPart) whereSQL() string {
	if len(p.where) == 0 {
		return "1"
	}
	return strings.Join(p.where, " AND ")
}

// reportRows runs query and scans each row with scan.
func reportRows(ctx context.Context, q queryer, op, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return dbError(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return dbError(op, err)
		}
	}
	return dbError(op, rows.Err())
}

// wide reports whether a report's window holds more than a quarter of
// the tickets, which is when a scan beats the time indexes. Both counts
// read an index only. A planner without statistics cannot know this, and
// statistics go stale; the question costs a few milliseconds.
func (s queries) wide(ctx context.Context, q triage.ReportQuery) (bool, error) {
	var all, in int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&all); err != nil {
		return false, dbError("report window", err)
	}
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE created_at >= ? AND created_at < ?`,
		micros(q.From), micros(q.To)).Scan(&in)
	if err != nil {
		return false, dbError("report window", err)
	}
	return in*4 > all, nil
}

// ReportVolume counts tickets created, solved, merged and closed in the
// range, each by its own time.
func (s queries) ReportVolume(ctx context.Context, q triage.ReportQuery) ([]triage.VolumeStats, error) {
	scan, err := s.wide(ctx, q)
	if err != nil {
		return nil, err
	}
	if scan && q.Group != triage.GroupDay {
		return s.volumeOnePass(ctx, q)
	}
	var selects []string
	var args []any
	for _, c := range []struct{ at, kind string }{
		{"t.created_at", `'c'`},
		{"t.solved_at", `CASE WHEN t.merged_into <> '' THEN 'm' ELSE 's' END`},
		{"t.closed_at", `'x'`},
	} {
		p, err := part(q, c.at, scan)
		if err != nil {
			return nil, err
		}
		selects = append(selects, `SELECT `+p.key+` AS key, `+c.kind+` AS kind FROM tickets t WHERE `+p.whereSQL())
		args = append(append(args, p.keyArgs...), p.args...)
	}
	query := `
		SELECT key, SUM(kind = 'c'), SUM(kind = 's'), SUM(kind = 'm'), SUM(kind = 'x')
		FROM (` + strings.Join(selects, " UNION ALL ") + `)
		GROUP BY key ORDER BY key`
	out := []triage.VolumeStats{}
	err = reportRows(ctx, s.q, "volume report", query, args, func(rows *sql.Rows) error {
		var v triage.VolumeStats
		if err := rows.Scan(&v.Key, &v.Created, &v.Solved, &v.Merged, &v.Closed); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// volumeOnePass is ReportVolume in one scan of the table, for a wide
// window whose groups do not depend on which time is counted.
func (s queries) volumeOnePass(ctx context.Context, q triage.ReportQuery) ([]triage.VolumeStats, error) {
	p, err := part(q, "", true)
	if err != nil {
		return nil, err
	}
	in := func(col string) string { return `(+` + col + ` >= ?1 AND +` + col + ` < ?2)` }
	query := `
		SELECT key,
			COALESCE(SUM(` + in("created_at") + `), 0),
			COALESCE(SUM(` + in("solved_at") + ` AND merged_into = ''), 0),
			COALESCE(SUM(` + in("solved_at") + ` AND merged_into <> ''), 0),
			COALESCE(SUM(` + in("closed_at") + `), 0)
		FROM (
			SELECT ` + p.key + ` AS key, t.created_at, t.solved_at, t.closed_at, t.merged_into
			FROM tickets t WHERE ` + p.whereSQL() + `
		)
		WHERE ` + in("created_at") + ` OR ` + in("solved_at") + ` OR ` + in("closed_at") + `
		GROUP BY key ORDER BY key`
	args := append([]any{micros(q.From), micros(q.To)}, p.args...)
	out := []triage.VolumeStats{}
	err = reportRows(ctx, s.q, "volume report", query, args, func(rows *sql.Rows) error {
		var v triage.VolumeStats
		if err := rows.Scan(&v.Key, &v.Created, &v.Solved, &v.Merged, &v.Closed); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// ReportDurations summarises first-response or resolution times. The
// percentiles are nearest-rank over a window ordered by duration, which
// both SQLite and Postgres compute in the one pass.
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
	scan, err := s.wide(ctx, q)
	if err != nil {
		return nil, err
	}
	p, err := part(q, end, scan)
	if err != nil {
		return nil, err
	}
	if m == triage.Resolution {
		p.add(`t.merged_into = ''`)
	}
	query := `
		WITH d AS (
			SELECT ` + p.key + ` AS key, MAX(` + end + ` - t.created_at, 0) AS us
			FROM tickets t WHERE ` + p.whereSQL() + `
		), r AS (
			SELECT key, us,
				ROW_NUMBER() OVER (PARTITION BY key ORDER BY us) AS rn,
				COUNT(*) OVER (PARTITION BY key) AS n
			FROM d
		)
		SELECT key, n, AVG(us),
			MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN us END),
			MAX(CASE WHEN rn = (n * 90 + 99) / 100 THEN us END),
			MAX(us)
		FROM r GROUP BY key, n ORDER BY key`
	out := []triage.DurationStats{}
	err = reportRows(ctx, s.q, "duration report", query, append(p.keyArgs, p.args...), func(rows *sql.Rows) error {
		var d triage.DurationStats
		var avg float64
		var p50, p90, mx int64
		if err := rows.Scan(&d.Key, &d.N, &avg, &p50, &p90, &mx); err != nil {
			return err
		}
		d.Avg = time.Duration(avg) * time.Microsecond
		d.P50, d.P90, d.Max = time.Duration(p50)*time.Microsecond, time.Duration(p90)*time.Microsecond, time.Duration(mx)*time.Microsecond
		out = append(out, d)
		return nil
	})
	return out, err
}

// ReportBacklog counts what was open at at: created before it and not
// solved by then. A ticket reopened later has no solved_at, so it counts
// as open all along: the store keeps the current state, not every past
// one.
func (s queries) ReportBacklog(ctx context.Context, q triage.ReportQuery, at time.Time) ([]triage.BacklogStats, error) {
	if q.Group == triage.GroupDay {
		return nil, triage.Invalid("group", "the backlog at an instant has no day group")
	}
	p, err := part(q, "", true)
	if err != nil {
		return nil, err
	}
	now := micros(at)
	// Most tickets were created before any recent instant: a scan.
	p.add(`+t.created_at < ?`, now)
	p.add(`(t.solved_at IS NULL OR t.solved_at >= ?)`, now)
	day := (24 * time.Hour).Microseconds()
	query := `
		SELECT key, COUNT(*), SUM(assignee_id = ''),
			SUM(age < ?), SUM(age >= ? AND age < ?), SUM(age >= ? AND age < ?), SUM(age >= ?),
			MIN(created_at)
		FROM (
			SELECT ` + p.key + ` AS key, t.assignee_id, ? - t.created_at AS age, t.created_at
			FROM tickets t WHERE ` + p.whereSQL() + `
		)
		GROUP BY key ORDER BY key`
	args := []any{day, day, 3 * day, 3 * day, 7 * day, 7 * day}
	args = append(append(append(args, p.keyArgs...), now), p.args...)
	out := []triage.BacklogStats{}
	err = reportRows(ctx, s.q, "backlog report", query, args, func(rows *sql.Rows) error {
		var b triage.BacklogStats
		var oldest time.Time
		if err := rows.Scan(&b.Key, &b.Open, &b.Unassigned, &b.Under1d, &b.Under3d, &b.Under7d, &b.Over7d, timeCol{&oldest}); err != nil {
			return err
		}
		b.Oldest = &oldest
		out = append(out, b)
		return nil
	})
	return out, err
}

// ReportAccuracy compares the triage records of tickets closed in the
// range with their values at close. A prediction whose source is
// "manual" was the client's choice, not triage's, and is not counted.
func (s queries) ReportAccuracy(ctx context.Context, q triage.ReportQuery) ([]triage.AccuracyStats, error) {
	scan, err := s.wide(ctx, q)
	if err != nil {
		return nil, err
	}
	p, err := part(q, "t.closed_at", scan)
	if err != nil {
		return nil, err
	}
	p.add(`t.merged_into = ''`)
	query := `
		SELECT key, COUNT(*),
			COALESCE(SUM(cs <> 'manual' AND cv <> ''), 0),
			COALESCE(SUM(cs <> 'manual' AND cv <> '' AND cv = category), 0),
			COALESCE(SUM(cs <> 'manual' AND cv = ''), 0),
			COALESCE(SUM(ps <> 'manual' AND pv <> ''), 0),
			COALESCE(SUM(ps <> 'manual' AND pv <> '' AND pv = priority), 0),
			COALESCE(SUM(as_ <> 'manual' AND av <> ''), 0),
			COALESCE(SUM(as_ <> 'manual' AND av <> '' AND av = assignee_id), 0)
		FROM (
			SELECT ` + p.key + ` AS key, t.category, t.priority, t.assignee_id,
				json_extract(r.category, '$.value') AS cv, json_extract(r.category, '$.source') AS cs,
				json_extract(r.priority, '$.value') AS pv, json_extract(r.priority, '$.source') AS ps,
				json_extract(r.assignee, '$.value') AS av, json_extract(r.assignee, '$.source') AS as_
			FROM tickets t LEFT JOIN triage_records r ON r.ticket_id = t.id
			WHERE ` + p.whereSQL() + `
		)
		GROUP BY key ORDER BY key`
	out := []triage.AccuracyStats{}
	err = reportRows(ctx, s.q, "accuracy report", query, append(p.keyArgs, p.args...), func(rows *sql.Rows) error {
		var a triage.AccuracyStats
		if err := rows.Scan(&a.Key, &a.Closed, &a.CategoryPredicted, &a.CategoryCorrect, &a.CategoryAbstained,
			&a.PriorityPredicted, &a.PriorityCorrect, &a.AssigneePredicted, &a.AssigneeCorrect); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// ReportFeedback sums verdicts given in the range. An agent group is the
// agent who gave the verdict (its actor without the "agent:" prefix);
// the other groups and the filters are the ticket's.
func (s queries) ReportFeedback(ctx context.Context, q triage.ReportQuery) ([]triage.FeedbackStats, error) {
	agentQ := q
	agentQ.AssigneeID = "" // the filter means the agent who gave the verdict
	p, err := part(agentQ, "f.created_at", false)
	if err != nil {
		return nil, err
	}
	actor := `CASE WHEN f.actor LIKE 'agent:%' THEN substr(f.actor, 7) ELSE f.actor END`
	if q.Group == triage.GroupAgent {
		p.key = actor
	}
	if q.AssigneeID != "" {
		p.add(actor+` = ?`, q.AssigneeID)
	}
	query := `
		SELECT key,
			SUM(action = 'accepted'), SUM(action = 'edited'), SUM(action = 'rejected'),
			SUM(draft AND action = 'accepted'), SUM(draft AND action = 'edited'), SUM(draft AND action = 'rejected')
		FROM (
			SELECT COALESCE(` + p.key + `, '') AS key, f.action, f.source_kind = 'draft' AS draft
			FROM feedback f LEFT JOIN tickets t ON t.id = f.ticket_id
			WHERE ` + p.whereSQL() + `
		)
		GROUP BY key ORDER BY key`
	out := []triage.FeedbackStats{}
	err = reportRows(ctx, s.q, "feedback report", query, append(p.keyArgs, p.args...), func(rows *sql.Rows) error {
		var f triage.FeedbackStats
		if err := rows.Scan(&f.Key, &f.Accepted, &f.Edited, &f.Rejected, &f.DraftAccepted, &f.DraftEdited, &f.DraftRejected); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}
