package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Tx is a write transaction. Its Reader methods see its own writes.
type Tx struct {
	queries // reads inside the transaction

	tx  pgx.Tx
	db  *DB
	now time.Time // stamped on every change this transaction logs
	// pending are the change-log entries of this transaction, numbered
	// and written just before it commits (flushChanges).
	pending []triage.Change
}

// Update runs fn in one READ COMMITTED transaction and commits it if fn
// returns nil. A failed statement aborts a Postgres transaction, so fn
// should return the first error it gets from tx.
func (db *DB) Update(ctx context.Context, fn func(tx triage.Tx) error) (err error) {
	ctx, end := db.opts.Trace.Start(ctx, triage.SpanStoreTx, triage.Attr(triage.AttrDBSystem, "postgresql"))
	defer func() { end(err) }()
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return dbError("begin", err)
	}
	committed := false
	defer func() {
		// Also runs when fn panics, so the connection goes back to the
		// pool. A cancelled ctx must not stop the rollback; pgx closes
		// the connection if it cannot finish in time.
		if !committed {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = ptx.Rollback(rctx)
		}
	}()
	tx := &Tx{
		queries: queries{q: ptx},
		tx:      ptx,
		db:      db,
		now:     db.opts.Now().UTC().Truncate(time.Microsecond),
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.flushChanges(ctx); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		// A commit that fails on a lost connection may or may not have
		// happened; EUNAVAILABLE tells the client to retry, and the
		// Idempotency-Key makes the retry safe either way.
		return dbError("commit", err)
	}
	committed = true
	return nil
}

// logChange records one change-log entry of this transaction. Every write
// calls it after its own statement succeeds, so the log holds exactly the
// writes that committed.
func (tx *Tx) logChange(_ context.Context, entity, id, op string) error {
	tx.pending = append(tx.pending, triage.Change{Entity: entity, ID: id, Op: op, At: tx.now})
	return nil
}

// flushChanges writes the transaction's change-log entries, numbered in
// commit order, as the last statement before COMMIT.
//
// The numbers come from the one row of change_counter: the UPDATE takes
// that row's lock and holds it until the transaction ends, so a second
// writer's UPDATE waits here until the first has committed and then
// continues from the committed value (READ COMMITTED re-reads the row it
// waited for). Numbers are therefore handed out in the order transactions
// commit, without gaps, and a follower that has read up to n can never be
// overtaken by a commit below n. A sequence (nextval) would not do: its
// values are taken when asked, and seq 11 can commit before 10.
//
// The lock is taken last, not at the first write, for two reasons: it is
// held only for this statement and the commit, so writers overlap in
// everything else; and a transaction that holds it waits for nothing but
// its own commit, so it can never be part of a deadlock (taken earlier,
// a writer holding it could wait for a row lock of one that waits for it).
// An advisory lock at the same point would serialise the same way; the
// counter row needs no sequence beside it and is gap-free.
func (tx *Tx) flushChanges(ctx context.Context) error {
	n := len(tx.pending)
	if n == 0 {
		return nil
	}
	entities, ids, ops := make([]string, n), make([]string, n), make([]string, n)
	for i, c := range tx.pending {
		entities[i], ids[i], ops[i] = c.Entity, c.ID, c.Op
	}
	_, err := tx.tx.Exec(ctx, `
		WITH counter AS (
			UPDATE change_counter SET seq = seq + $1 RETURNING seq
		)
		INSERT INTO changes (seq, entity, id, op, at)
		SELECT counter.seq - $1 + e.ord, e.entity, e.id, e.op, $5
		FROM counter, unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e (entity, id, op, ord)`,
		n, entities, ids, ops, tx.now)
	if err != nil {
		return dbError("log changes", err)
	}
	tx.pending = nil
	return nil
}

// routingLock is the advisory lock key of LockRouting: an arbitrary
// constant ("triage" in ASCII) that nothing else in the database uses.
const routingLock int64 = 0x747269616765

// LockRouting takes a transaction-level advisory lock, held until commit,
// so routing decisions on every replica take turns: the next one reads the
// agents' loads only after this one's assignment is committed. Taking it
// again in the same transaction is a no-op.
func (tx *Tx) LockRouting(ctx context.Context) error {
	_, err := tx.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, routingLock)
	return dbError("lock routing", err)
}

// Enqueue hands j to Options.Enqueue with this transaction, so the job
// commits or rolls back with the data it is about.
func (tx *Tx) Enqueue(ctx context.Context, j triage.Job) error {
	if tx.db.opts.Enqueue == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "background jobs are not configured")
	}
	return tx.db.opts.Enqueue(ctx, tx.tx, j)
}
