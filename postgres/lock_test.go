package postgres_test

import (
	"testing"

	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestTryLock: two stores on one database stand for two replicas; only
// one holds a name at a time, and a released lock is free at once.
func TestTryLock(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	ctx := t.Context()
	var dbs [2]*postgres.DB
	for i := range dbs {
		db, err := postgres.Open(ctx, dbURL, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	release, lost, ok, err := dbs[0].TryLock(ctx, "mailbox:1")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if _, _, ok, err := dbs[1].TryLock(ctx, "mailbox:1"); err != nil || ok {
		t.Fatalf("the other replica took a held lock: %v, %v", ok, err)
	}
	if r, _, ok, err := dbs[1].TryLock(ctx, "mailbox:2"); err != nil || !ok {
		t.Fatalf("another name = %v, %v", ok, err)
	} else {
		r()
	}
	select {
	case <-lost:
		t.Fatal("lost closed while the connection is fine")
	default:
	}
	release()
	r, _, ok, err := dbs[1].TryLock(ctx, "mailbox:1")
	if err != nil || !ok {
		t.Fatalf("after release the other replica = %v, %v", ok, err)
	}
	r()
}
