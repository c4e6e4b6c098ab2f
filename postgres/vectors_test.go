package postgres_test

import (
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestPutVectorsSameOwner re-embeds one owner from many transactions at
// once, as embedding jobs of one ticket's updates do: each replaces the
// vectors, none fails as if another owner held the document.
func TestPutVectorsSameOwner(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := t.Context()
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const writers = 24
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = db.Update(ctx, func(tx triage.Tx) error {
				if err := tx.DeleteVectors(ctx, triage.DocTicket, "t-1"); err != nil {
					return err
				}
				return tx.PutVectors(ctx, triage.DocTicket, "t-1", []*triage.Vector{
					{DocID: "ticket:t-1", Kind: triage.DocTicket, OwnerID: "t-1", Model: "m", Vec: []float32{1, float32(i)}}})
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got, err := db.OwnerVectors(ctx, triage.DocTicket, "t-1", "m")
	if err != nil || len(got) != 1 {
		t.Fatalf("OwnerVectors = %v, %v; want one vector", got, err)
	}
}
