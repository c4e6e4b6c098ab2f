package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Changes returns up to limit change log entries after seq, oldest first.
// A limit of 0 or less means 1000; more than 10000 means 10000.
func (s queries) Changes(ctx context.Context, after int64, limit int) ([]triage.Change, error) {
	rows, err := s.q.Query(ctx, `
		SELECT seq, entity, id, op, at
		FROM changes
		WHERE seq > $1
		ORDER BY seq
		LIMIT $2`, after, triage.Limit(limit, triage.DefaultChangesPage, triage.MaxChangesPage))
	return collect(rows, err, "changes", func(r pgx.Rows) (triage.Change, error) {
		var c triage.Change
		err := r.Scan(&c.Seq, &c.Entity, &c.ID, &c.Op, &c.At)
		return c, err
	})
}

// Changes, inside a transaction, adds the transaction's own entries after
// the committed ones. They are numbered after the newest committed entry,
// provisionally: the numbers they commit with are taken at commit.
func (tx *Tx) Changes(ctx context.Context, after int64, limit int) ([]triage.Change, error) {
	limit = triage.Limit(limit, triage.DefaultChangesPage, triage.MaxChangesPage)
	out, err := tx.queries.Changes(ctx, after, limit)
	if err != nil || len(out) == limit || len(tx.pending) == 0 {
		return out, err
	}
	var head int64
	if err := tx.tx.QueryRow(ctx, `SELECT seq FROM change_counter`).Scan(&head); err != nil {
		return nil, dbError("changes", err)
	}
	for i, c := range tx.pending {
		c.Seq = head + int64(i) + 1
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}
