package sqlite

import (
	"context"
	"database/sql"
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
// Write transactions run one at a time on the single writer connection,
// which holds SQLite's write lock from BEGIN IMMEDIATE: whatever fn reads
// stays true until it commits. They are committed in groups (see
// committer): fn runs inside a savepoint of a transaction that may hold
// other callers' writes before and after it, which it sees as if they had
// committed just before it. A failing fn rolls back to its savepoint and
// leaves the others be. Update returns only after the commit that holds fn's
// writes is durable (synchronous=FULL), or with the error that kept it
// from committing. fn must not call Update (or use WriterDB) itself: it
// would wait forever for the connection it holds.
func (db *DB) Update(ctx context.Context, fn func(tx triage.Tx) error) (err error) {
	ctx, end := db.opts.Trace.Start(ctx, triage.SpanStoreTx, triage.Attr(triage.AttrDBSystem, "sqlite"))
	defer func() { end(err) }()
	w := &write{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case db.writes <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return triage.Errorf(triage.EUNAVAILABLE, "the database is closed")
	}
	<-w.done
	if w.panicked != nil {
		panic(w.panicked)
	}
	return w.err
}

// write is one call of Update waiting for the committer.
type write struct {
	ctx      context.Context
	fn       func(tx triage.Tx) error
	err      error
	panicked any
	done     chan struct{}
}

// A group is committed once it holds maxGroup writes or its writes have
// run for groupTime, so that the first of a long queue is not kept
// waiting for the last.
const (
	maxGroup  = 64
	groupTime = 10 * time.Millisecond
)

// committer is the one goroutine that writes (apart from the job queue's
// own transactions on WriterDB). It takes a waiting write, begins a
// transaction, runs it and every other write already waiting, each in a
// savepoint, and commits them together: one fsync for the group instead
// of one each, which is what a durable commit costs most. Each caller is
// answered after the commit.
func (db *DB) committer() {
	defer close(db.stopped)
	for {
		var first *write
		select {
		case first = <-db.writes:
		case <-db.closing:
			return
		}
		db.commitGroup(first)
	}
}

func (db *DB) commitGroup(first *write) {
	// The group's transaction belongs to no caller: one that gives up
	// must not roll back the others' writes.
	stx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		first.err = dbError("begin", err)
		close(first.done)
		return
	}
	// A write that failed is answered after the group's commit too: it
	// failed on what the writes before it in the group did (a unique
	// Idempotency-Key, a version moved), and its caller may read that
	// next, as the API does to replay the request that committed first.
	var group, failed []*write
	defer func() {
		for _, f := range failed {
			close(f.done)
		}
	}()
	start := time.Now()
	w := first
	for {
		ok := db.runWrite(stx, w)
		if w.err == nil && w.panicked == nil {
			group = append(group, w)
		} else {
			failed = append(failed, w)
		}
		if !ok {
			// The savepoint could not be rolled back: SQLite rolled back
			// the whole transaction (an interrupted statement, an I/O
			// error), and the group's writes with it.
			_ = stx.Rollback()
			for _, g := range group {
				g.err = triage.Errorf(triage.EUNAVAILABLE, "the write was rolled back with another that failed; retry")
				close(g.done)
			}
			return
		}
		if len(group) >= maxGroup || time.Since(start) >= groupTime {
			break
		}
		select {
		case w = <-db.writes:
			continue
		default:
		}
		break
	}
	if len(group) == 0 {
		_ = stx.Rollback()
		return
	}
	err = stx.Commit()
	for _, g := range group {
		if err != nil {
			g.err = dbError("commit", err)
		}
		close(g.done)
	}
}

// runWrite runs w in a savepoint of stx, leaving its result in w. It
// reports false when the transaction itself is lost.
func (db *DB) runWrite(stx *sql.Tx, w *write) (ok bool) {
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return true
	}
	if _, err := stx.ExecContext(context.Background(), `SAVEPOINT write`); err != nil {
		w.err = dbError("savepoint", err)
		return false
	}
	tx := &Tx{
		queries: queries{q: stx, blobs: db.opts.BlobDir},
		tx:      stx,
		db:      db,
		now:     db.opts.Now().UTC().Truncate(time.Microsecond),
	}
	func() {
		defer func() {
			// A panicking fn is answered with its panic, which Update
			// raises again in the caller's goroutine.
			if p := recover(); p != nil {
				w.panicked = p
			}
		}()
		w.err = w.fn(tx)
	}()
	if w.err != nil || w.panicked != nil {
		if _, err := stx.ExecContext(context.Background(), `ROLLBACK TO write`); err != nil {
			return false
		}
	}
	if _, err := stx.ExecContext(context.Background(), `RELEASE write`); err != nil {
		if w.err == nil && w.panicked == nil {
			w.err = dbError("release", err)
		}
		return false
	}
	return true
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
