package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var viewerTests = []test{
	{"put, refresh, expire and delete", testViewers},
	{"required fields", testViewerRequired},
}

func testViewers(t *testing.T, s triage.Store) {
	ctx := t.Context()
	put := func(v triage.Viewer) {
		t.Helper()
		update(t, s, func(tx triage.Tx) error { return tx.PutViewer(ctx, &v) })
	}
	put(triage.Viewer{TicketID: "tk-1", AgentID: "b", SeenAt: base})
	put(triage.Viewer{TicketID: "tk-1", AgentID: "a", SeenAt: base.Add(-time.Minute)})
	put(triage.Viewer{TicketID: "tk-2", AgentID: "a", SeenAt: base})
	// A heartbeat refreshes the row rather than adding one.
	put(triage.Viewer{TicketID: "tk-1", AgentID: "a", Typing: true, SeenAt: base.Add(time.Second)})

	got, err := s.Viewers(ctx, "tk-1", base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].AgentID != "a" || !got[0].Typing || !got[0].SeenAt.Equal(base.Add(time.Second)) || got[1].AgentID != "b" || got[1].Typing {
		t.Fatalf("Viewers(tk-1) = %+v", got)
	}
	if got[0].SeenAt.Location() != time.UTC {
		t.Errorf("seen_at in %v, want UTC", got[0].SeenAt.Location())
	}
	// since leaves out those not seen lately.
	if got, _ := s.Viewers(ctx, "tk-1", base.Add(500*time.Millisecond)); len(got) != 1 || got[0].AgentID != "a" {
		t.Errorf("Viewers since a later time = %+v, want a alone", got)
	}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.DeleteViewer(ctx, "tk-1", "a"); err != nil {
			return err
		}
		return tx.DeleteViewer(ctx, "tk-1", "nobody") // absent: no error
	})
	if got, _ := s.Viewers(ctx, "tk-1", time.Time{}); len(got) != 1 || got[0].AgentID != "b" {
		t.Errorf("after delete = %+v, want b alone", got)
	}
	if got, err := s.Viewers(ctx, "tk-none", time.Time{}); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Viewers of a ticket nobody views = %#v, %v; want an empty slice", got, err)
	}
}

func testViewerRequired(t *testing.T, s triage.Store) {
	err := updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutViewer(t.Context(), &triage.Viewer{TicketID: "tk-1", SeenAt: base})
	})
	wantCode(t, err, triage.EINVALID)
}
