package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Shadows: one running trial per kind; predictions are stored once per
// ticket and read back in ticket order; a trial ends once, promoted or
// discarded, with who and when.
var shadowTests = []test{
	{"shadow trials and predictions", testShadows},
}

func testShadows(t *testing.T, s triage.Store) {
	ctx := t.Context()
	at := time.Date(2026, 12, 7, 10, 0, 0, 123456789, cst)
	sh := &triage.Shadow{ID: "sh-1", Kind: triage.ModelCategory, CandidateID: "m-2", CandidateVersion: "v2",
		ActiveID: "m-1", ActiveVersion: "v1", StartedBy: "admin", StartedAt: at}
	update(t, s, func(tx triage.Tx) error { return tx.CreateShadow(ctx, sh) })
	got, err := s.Shadow(ctx, "sh-1")
	if err != nil {
		t.Fatalf("Shadow: %v", err)
	}
	if !reflect.DeepEqual(got, sh) {
		t.Errorf("Shadow = %+v, want %+v", got, sh)
	}
	wantUTC(t, "Shadow", got.StartedAt)
	// A second running trial of the same kind is refused; another kind is not.
	err = updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateShadow(ctx, &triage.Shadow{ID: "sh-2", Kind: triage.ModelCategory, CandidateID: "m-3", StartedAt: at})
	})
	wantCode(t, err, triage.ECONFLICT)
	update(t, s, func(tx triage.Tx) error {
		return tx.CreateShadow(ctx, &triage.Shadow{ID: "sh-3", Kind: triage.ModelPriority, CandidateID: "m-4", StartedAt: at.Add(time.Hour)})
	})
	if list, err := s.Shadows(ctx); err != nil || len(list) != 2 || list[0].ID != "sh-3" || list[1].ID != "sh-1" {
		t.Fatalf("Shadows = %v, %v; want sh-3, sh-1", list, err)
	}

	createTickets(t, s, newTicket("t-sh-1", at), newTicket("t-sh-2", at.Add(-time.Minute)))
	p1 := &triage.ShadowPrediction{ShadowID: "sh-1", TicketID: "t-sh-1", Active: "账户", ActiveConfidence: 0.5, Candidate: "支付", CandidateConfidence: 0.75, CreatedAt: at}
	p2 := &triage.ShadowPrediction{ShadowID: "sh-1", TicketID: "t-sh-2", Active: "支付", ActiveConfidence: 0.25, Candidate: "支付", CandidateConfidence: 1, CreatedAt: at.Add(-time.Minute)}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveShadowPrediction(ctx, p1); err != nil {
			return err
		}
		return tx.SaveShadowPrediction(ctx, p2)
	})
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveShadowPrediction(ctx, p1) }), triage.ECONFLICT)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.SaveShadowPrediction(ctx, &triage.ShadowPrediction{ShadowID: "sh-9", TicketID: "t-sh-1", CreatedAt: at})
	}), triage.ENOTFOUND)
	ps, err := s.ShadowPredictions(ctx, "sh-1")
	if err != nil {
		t.Fatalf("ShadowPredictions: %v", err)
	}
	if want := []*triage.ShadowPrediction{p2, p1}; !reflect.DeepEqual(ps, want) {
		t.Errorf("ShadowPredictions = %+v, want %+v (creation order)", ps, want)
	}
	if ps, err := s.ShadowPredictions(ctx, "sh-3"); err != nil || len(ps) != 0 {
		t.Errorf("ShadowPredictions(sh-3) = %v, %v; want none", ps, err)
	}

	end := at.Add(7 * 24 * time.Hour)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.EndShadow(ctx, "sh-1", triage.ShadowRunning, "admin", end) }), triage.EINVALID)
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.EndShadow(ctx, "sh-9", triage.ShadowPromoted, "admin", end) }), triage.ENOTFOUND)
	update(t, s, func(tx triage.Tx) error { return tx.EndShadow(ctx, "sh-1", triage.ShadowPromoted, "root", end) })
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.EndShadow(ctx, "sh-1", triage.ShadowDiscarded, "root", end) }), triage.ECONFLICT)
	got, err = s.Shadow(ctx, "sh-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != triage.ShadowPromoted || got.EndedBy != "root" || got.EndedAt == nil || !got.EndedAt.Equal(triage.StoreTime(end)) {
		t.Errorf("ended shadow = %+v, want promoted by root at %v", got, end)
	}
	// The kind is free again for a new trial, here of a rule set, which
	// reads back whole.
	on := false
	rules := &triage.Shadow{ID: "sh-4", Kind: triage.ModelCategory, StartedAt: end, StartedBy: "admin",
		CandidateRules: []triage.NewRule{{Name: "物流", Position: 1, Any: []string{"快递", "包裹"}, SetCategory: "物流", Mode: triage.RuleOverride, Enabled: &on}}}
	update(t, s, func(tx triage.Tx) error { return tx.CreateShadow(ctx, rules) })
	if got, err := s.Shadow(ctx, "sh-4"); err != nil || !reflect.DeepEqual(got, rules) || !got.RuleTrial() {
		t.Errorf("rule-set shadow = %+v, %v; want %+v", got, err, rules)
	}
	// A trial tries a model or a rule set: neither is refused.
	wantCode(t, updateErr(t, s, func(tx triage.Tx) error {
		return tx.CreateShadow(ctx, &triage.Shadow{ID: "sh-5", Kind: "x", StartedAt: end})
	}), triage.EINVALID)
}
