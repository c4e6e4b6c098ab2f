package river

import (
	"context"
	"fmt"
)

// Stat counts the jobs of one kind in one state, and the failed attempts
// they carry (river keeps each attempt's error on the job).
type Stat struct {
	Kind     string
	State    string // available, scheduled, running, retryable, completed, cancelled, discarded, pending
	Jobs     int
	Failures int
}

// Stats counts the jobs in river's table by kind and state, for metrics.
// Completed, cancelled and discarded jobs stay in the table until river
// prunes them (a day by default), so their counts cover about that long.
func (q *SQLite) Stats(ctx context.Context) ([]Stat, error) {
	rows, err := q.db.QueryContext(ctx, `
		SELECT COALESCE(json_extract(args, '$.type'), ''), state, COUNT(*), COALESCE(SUM(json_array_length(errors)), 0)
		FROM river_job GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("river: job stats: %w", err)
	}
	defer rows.Close()
	out := []Stat{}
	for rows.Next() {
		var s Stat
		if err := rows.Scan(&s.Kind, &s.State, &s.Jobs, &s.Failures); err != nil {
			return nil, fmt.Errorf("river: job stats: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Stats counts the jobs in river's table by kind and state, as the
// SQLite queue's Stats does.
func (q *Postgres) Stats(ctx context.Context) ([]Stat, error) {
	rows, err := q.pool.Query(ctx, `
		SELECT COALESCE(args->>'type', ''), state::text, COUNT(*), COALESCE(SUM(COALESCE(array_length(errors, 1), 0)), 0)::bigint
		FROM river_job GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("river: job stats: %w", err)
	}
	defer rows.Close()
	out := []Stat{}
	for rows.Next() {
		var s Stat
		if err := rows.Scan(&s.Kind, &s.State, &s.Jobs, &s.Failures); err != nil {
			return nil, fmt.Errorf("river: job stats: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
