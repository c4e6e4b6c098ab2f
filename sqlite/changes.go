package sqlite

import (
	"context"

	"github.com/triagehq/triage"
)

// Changes returns up to limit change log entries after seq, oldest first.
// A limit of 0 or less means 1000; more than 10000 means 10000.
func (s queries) Changes(ctx context.Context, after int64, limit int) ([]triage.Change, error) {
	limit = triage.Limit(limit, triage.DefaultChangesPage, triage.MaxChangesPage)
	rows, err := s.q.QueryContext(ctx, `
		SELECT seq, entity, id, op, at
		FROM changes
		WHERE seq > ?
		ORDER BY seq
		LIMIT ?`, after, limit)
	if err != nil {
		return nil, dbError("changes", err)
	}
	defer rows.Close()
	out := []triage.Change{}
	for rows.Next() {
		var c triage.Change
		if err := rows.Scan(&c.Seq, &c.Entity, &c.ID, &c.Op, timeCol{&c.At}); err != nil {
			return nil, dbError("changes", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("changes", err)
	}
	return out, nil
}
