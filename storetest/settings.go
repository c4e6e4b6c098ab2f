package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// The workflow settings (issues 14 and 20) are one versioned row, zero
// until saved; their changes are an audit trail listed newest first.
var settingsTests = []test{
	{"workflow settings", testWorkflowSettings},
	{"setting changes", testSettingChanges},
}

func testWorkflowSettings(t *testing.T, s triage.Store) {
	ctx := t.Context()
	got, err := s.WorkflowSettings(ctx)
	if err != nil || got.Version != 0 || got.KBReview || got.CloseSolvedAfter != "" {
		t.Fatalf("before any save: %+v, %v; want the zero settings", got, err)
	}
	v := &triage.WorkflowSettings{KBReview: true, CloseSolvedAfter: "4d", UpdatedBy: "admin:1", UpdatedAt: base.In(cst).Add(123456789)}
	update(t, s, func(tx triage.Tx) error { return tx.PutWorkflowSettings(ctx, v) })
	if v.Version != 1 {
		t.Fatalf("version after the first save = %d, want 1", v.Version)
	}
	got, err = s.WorkflowSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := *v
	want.UpdatedAt = stored(v.UpdatedAt)
	sameJSON(t, "saved settings", got, &want)
	// A second first save loses to the first; an update at the old
	// version is stale.
	err = updateErr(t, s, func(tx triage.Tx) error {
		return tx.PutWorkflowSettings(ctx, &triage.WorkflowSettings{CloseSolvedAfter: "off", UpdatedAt: base})
	})
	wantCode(t, err, triage.ESTALE)
	got.KBReview, got.CloseSolvedAfter, got.UpdatedAt = false, "off", base.Add(time.Hour)
	update(t, s, func(tx triage.Tx) error { return tx.PutWorkflowSettings(ctx, got) })
	again, err := s.WorkflowSettings(ctx)
	if err != nil || again.Version != 2 || again.KBReview || again.CloseSolvedAfter != "off" {
		t.Fatalf("after the update: %+v, %v", again, err)
	}
	stale := *again
	stale.Version = 1
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.PutWorkflowSettings(ctx, &stale) }), triage.ESTALE)
}

func testSettingChanges(t *testing.T, s triage.Store) {
	ctx := t.Context()
	if got, err := s.SettingChanges(ctx, 10); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("before any change: %v, %v; want an empty list", got, err)
	}
	changes := []*triage.SettingChange{
		{ID: "sc-1", Setting: "close_solved_after", From: "4d", To: "2d", Actor: "admin:1", At: base.In(cst)},
		{ID: "sc-2", Setting: "kb_review", From: "true", To: "false", Actor: "admin:1", At: base.Add(time.Minute)},
		{ID: "sc-3", Setting: "close_solved_after", From: "2d", To: "off", Actor: "管理员", At: base.Add(2 * time.Minute)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, c := range changes {
			if err := tx.AddSettingChange(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.SettingChanges(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "latest two changes", got, []*triage.SettingChange{changes[2], changes[1]})
}
