package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Imports: a key is recorded once; a second record of it is ECONFLICT and
// rolls back with its transaction, so an import run twice makes each
// ticket once.
var importTests = []test{
	{"import keys are recorded once", testImportKeys},
}

func testImportKeys(t *testing.T, s triage.Store) {
	ctx := t.Context()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, cst)
	createTickets(t, s, newTicket("t-imp-1", at), newTicket("t-imp-2", at))
	zd := triage.ImportKey{Source: triage.SourceZendesk, ExternalID: "123"}
	if _, err := s.ImportedTicket(ctx, zd); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("before import: %v, want ENOTFOUND", err)
	}
	update(t, s, func(tx triage.Tx) error { return tx.SaveImportKey(ctx, zd, "t-imp-1", at) })
	err := updateErr(t, s, func(tx triage.Tx) error {
		if err := tx.SaveImportKey(ctx, triage.ImportKey{Source: triage.SourceZammad, ExternalID: "123"}, "t-imp-2", at); err != nil {
			return err
		}
		return tx.SaveImportKey(ctx, zd, "t-imp-2", at)
	})
	wantCode(t, err, triage.ECONFLICT)
	if id, err := s.ImportedTicket(ctx, zd); err != nil || id != "t-imp-1" {
		t.Fatalf("imported ticket = %q, %v; want t-imp-1", id, err)
	}
	// The rolled-back batch left nothing behind.
	for src, want := range map[triage.ImportSource]int{triage.SourceZendesk: 1, triage.SourceZammad: 0} {
		if n, err := s.CountImported(ctx, src); err != nil || n != want {
			t.Errorf("CountImported(%s) = %d, %v; want %d", src, n, err, want)
		}
	}
	err = updateErr(t, s, func(tx triage.Tx) error {
		return tx.SaveImportKey(ctx, triage.ImportKey{Source: "Bad Source", ExternalID: "1"}, "t-imp-2", at)
	})
	wantCode(t, err, triage.EINVALID)
}
