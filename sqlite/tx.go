package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

// Tx is a write transaction. Its Reader methods see its own writes.
type Tx struct {
	queries // reads inside the transaction

	tx  *sql.Tx
	db  *DB
	now time.Time // stamped on every change this transaction logs
}

// Update runs fn in one write transaction and commits it if fn returns nil.
//
// The transaction begins with BEGIN IMMEDIATE on the single writer
// connection, so it holds SQLite's write lock from its first statement:
// whatever fn reads stays true until it commits. fn must not call Update (or
// use WriterDB) itself: it would wait forever for the connection it holds.
func (db *DB) Update(ctx context.Context, fn func(tx triage.Tx) error) (err error) {
	ctx, end := db.opts.Trace.Start(ctx, triage.SpanStoreTx, triage.Attr(triage.AttrDBSystem, "sqlite"))
	defer func() { end(err) }()
	stx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return dbError("begin", err)
	}
	committed := false
	defer func() {
		// Also runs when fn panics, so the writer connection is released.
		if !committed {
			if rerr := stx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err == nil {
				err = dbError("rollback", rerr)
			}
		}
	}()
	tx := &Tx{
		queries: queries{q: stx, blobs: db.opts.BlobDir},
		tx:      stx,
		db:      db,
		now:     db.opts.Now().UTC().Truncate(time.Microsecond),
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return dbError("commit", err)
	}
	committed = true
	return nil
}

// LockRouting does nothing here: every write transaction already holds
// SQLite's write lock from BEGIN IMMEDIATE, and there is one writer process,
// so routing decisions are serialised without a separate lock.
func (tx *Tx) LockRouting(ctx context.Context) error { return ctx.Err() }

// Enqueue hands j to Options.Enqueue with this transaction, so the job
// commits or rolls back with the data it is about.
func (tx *Tx) Enqueue(ctx context.Context, j triage.Job) error {
	if tx.db.opts.Enqueue == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "background jobs are not configured")
	}
	return tx.db.opts.Enqueue(ctx, tx.tx, j)
}

// logChange appends one entry to the change log. Every write calls it after
// its own statement succeeds, in the same transaction, so the log holds
// exactly the writes that committed.
func (tx *Tx) logChange(ctx context.Context, entity, id, op string) error {
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO changes (entity, id, op, at) VALUES (?, ?, ?, ?)`,
		entity, id, op, micros(tx.now))
	return dbError("log change", err)
}
