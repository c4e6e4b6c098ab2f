package river

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/triagehq/triage"
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

// queuedWhere selects the jobs not yet done (waiting, scheduled, retrying
// or running), oldest first.
const queuedWhere = ` FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded') ORDER BY id`

// Queued lists the jobs not yet done, oldest first, with their kind,
// arguments, unique key and the time they are due: what the service has
// still to do, for tests and operators.
func (q *SQLite) Queued(ctx context.Context) ([]triage.Job, error) {
	// river's SQLite driver keeps args as JSONB; json() makes it text.
	rows, err := q.db.QueryContext(ctx, `SELECT json(args), scheduled_at`+queuedWhere)
	if err != nil {
		return nil, fmt.Errorf("river: queued jobs: %w", err)
	}
	defer rows.Close()
	var out []triage.Job
	for rows.Next() {
		var raw []byte
		var at time.Time
		if err := rows.Scan(&raw, &at); err != nil {
			return nil, fmt.Errorf("river: queued jobs: %w", err)
		}
		out = append(out, queued(raw, at))
	}
	return out, rows.Err()
}

// Queued lists the jobs not yet done, as the SQLite queue's Queued does.
func (q *Postgres) Queued(ctx context.Context) ([]triage.Job, error) {
	rows, err := q.pool.Query(ctx, `SELECT args, scheduled_at`+queuedWhere)
	if err != nil {
		return nil, fmt.Errorf("river: queued jobs: %w", err)
	}
	defer rows.Close()
	var out []triage.Job
	for rows.Next() {
		var raw []byte
		var at time.Time
		if err := rows.Scan(&raw, &at); err != nil {
			return nil, fmt.Errorf("river: queued jobs: %w", err)
		}
		out = append(out, queued(raw, at))
	}
	return out, rows.Err()
}

// queued is the triage job carried in river's arguments.
func queued(raw []byte, at time.Time) triage.Job {
	var a args
	_ = json.Unmarshal(raw, &a)
	return triage.Job{Kind: a.Type, Args: a.Args, UniqueKey: a.Key, RunAt: at.UTC()}
}

// Waiting is the jobs of one kind that are due and not done (waiting for
// a worker, running, or failed and waiting for another try) and how long
// the oldest of them has waited: since it became due, or, for one that
// has failed, since it was queued. Jobs scheduled for later are not
// waiting.
type Waiting struct {
	Kind   string
	Jobs   int
	Oldest time.Duration
}

// waitingStates are the states of a job that is due and not done.
const waitingStates = `('available', 'pending', 'retryable', 'running')`

// Waiting counts the jobs due and not done by kind, with the wait of the
// oldest, for the queue depth and age an operator alerts on.
func (q *SQLite) Waiting(ctx context.Context) ([]Waiting, error) {
	// river's SQLite driver stores times as text; julianday reads them.
	rows, err := q.db.QueryContext(ctx, `
		SELECT COALESCE(json_extract(args, '$.type'), ''), COUNT(*),
			MAX(0, (julianday('now') - julianday(MIN(CASE WHEN state = 'retryable' THEN created_at ELSE scheduled_at END))) * 86400.0)
		FROM river_job WHERE state IN `+waitingStates+` GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("river: waiting jobs: %w", err)
	}
	defer rows.Close()
	return scanWaiting(rows.Next, rows.Scan, rows.Err)
}

// Waiting counts the jobs due and not done by kind, as the SQLite
// queue's Waiting does.
func (q *Postgres) Waiting(ctx context.Context) ([]Waiting, error) {
	rows, err := q.pool.Query(ctx, `
		SELECT COALESCE(args->>'type', ''), COUNT(*),
			GREATEST(0, EXTRACT(EPOCH FROM now() - MIN(CASE WHEN state = 'retryable' THEN created_at ELSE scheduled_at END)))::float8
		FROM river_job WHERE state IN `+waitingStates+` GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("river: waiting jobs: %w", err)
	}
	defer rows.Close()
	return scanWaiting(rows.Next, rows.Scan, rows.Err)
}

func scanWaiting(next func() bool, scan func(...any) error, rowsErr func() error) ([]Waiting, error) {
	out := []Waiting{}
	for next() {
		var w Waiting
		var secs float64
		if err := scan(&w.Kind, &w.Jobs, &secs); err != nil {
			return nil, fmt.Errorf("river: waiting jobs: %w", err)
		}
		w.Oldest = time.Duration(secs * float64(time.Second))
		out = append(out, w)
	}
	return out, rowsErr()
}
