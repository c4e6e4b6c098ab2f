package sqlite_test

import (
	"testing"

	"github.com/triagehq/triage/sqlite"
)

func TestTryLock(t *testing.T) {
	db, _ := open(t, sqlite.Options{})
	ctx := t.Context()
	release, lost, ok, err := db.TryLock(ctx, "mailbox:1")
	if err != nil || !ok || lost == nil {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if _, _, ok, err := db.TryLock(ctx, "mailbox:1"); err != nil || ok {
		t.Fatalf("second TryLock of a held lock = %v, %v", ok, err)
	}
	if r, _, ok, err := db.TryLock(ctx, "mailbox:2"); err != nil || !ok {
		t.Fatalf("another name = %v, %v", ok, err)
	} else {
		r()
	}
	release()
	release() // twice is harmless
	if r, _, ok, err := db.TryLock(ctx, "mailbox:1"); err != nil || !ok {
		t.Fatalf("after release = %v, %v", ok, err)
	} else {
		r()
	}
}
