package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var relatedTests = []test{
	{"comments", testComments},
	{"comments errors", testCommentErrors},
	{"history order", testHistory},
	{"history errors", testHistoryErrors},
	{"triage record upsert and read", testTriageRecord},
	{"triage record errors", testTriageRecordErrors},
}

func testComments(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base))
	at := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	in := []*triage.Comment{
		{ID: "c-1", TicketID: "t-1", AuthorID: "a1", Body: "您好，已为您查询。", Public: true, CreatedAt: at},
		{ID: "c-2", TicketID: "t-1", FromRequester: true, Body: "还是没到账", Public: true, CreatedAt: at.Add(time.Minute)},
		{ID: "c-3", TicketID: "t-1", AuthorID: "a2", Body: "内部备注：财务已确认", CreatedAt: at.Add(2 * time.Minute)},
		// Same instant as c-3: insertion order decides.
		{ID: "c-4", TicketID: "t-1", AuthorID: "a1", Body: "已回复客户", Public: true, CreatedAt: at.Add(2 * time.Minute)},
	}
	update(t, s, func(tx triage.Tx) error {
		for _, c := range in {
			if err := tx.AddComment(ctx, c); err != nil {
				return err
			}
		}
		got, err := tx.Comments(ctx, "t-1")
		if err != nil {
			return err
		}
		if len(got) != len(in) {
			t.Errorf("tx.Comments sees %d comments, want %d", len(got), len(in))
		}
		return nil
	})
	var want []*triage.Comment
	for _, c := range in {
		w := *c
		w.CreatedAt = stored(w.CreatedAt)
		want = append(want, &w)
	}
	got, err := s.Comments(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Comments", got, want)
	wantUTC(t, "Comments", got[0].CreatedAt)
	sameJSON(t, "created structs", in, want)

	none, err := s.Comments(ctx, "t-2")
	if err != nil {
		t.Fatal(err)
	}
	if none == nil || len(none) != 0 {
		t.Errorf("Comments of a ticket without any = %#v, want an empty slice", none)
	}
}

func testCommentErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	c := func(id, ticket string) *triage.Comment {
		return &triage.Comment{ID: id, TicketID: ticket, Body: "x", CreatedAt: base}
	}
	update(t, s, func(tx triage.Tx) error { return tx.AddComment(ctx, c("c-1", "t-1")) })
	for _, tc := range []struct {
		name string
		c    *triage.Comment
		code string
	}{
		{"missing ticket", c("c-2", "nope"), triage.ENOTFOUND},
		{"duplicate id", c("c-1", "t-1"), triage.ECONFLICT},
		{"empty id", c("", "t-1"), triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := updateErr(t, s, func(tx triage.Tx) error { return tx.AddComment(ctx, tc.c) })
			wantCode(t, err, tc.code)
		})
	}
}

func testHistory(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base), newTicket("t-2", base))
	at := time.Date(2026, 11, 22, 18, 0, 0, 999999999, cst)
	h := func(id, field, old, new string, at time.Time) *triage.HistoryEntry {
		return &triage.HistoryEntry{ID: id, TicketID: "t-1", Actor: "system", At: at, Field: field,
			Old: old, New: new, Note: "routing: least loaded"}
	}
	// One call with three changes at the same instant, as a triage writes
	// them; then one that happened earlier, written later.
	first := []*triage.HistoryEntry{
		h("h-1", "category", "", "退款", at),
		h("h-2", "priority", "", "P2", at),
		h("h-3", "assignee_id", "", "a1", at),
	}
	early := h("h-0", "status", "", "new", at.Add(-time.Hour))
	early.Note, early.Actor = "", "agent:a1"
	// The service's reasons beside a person's note, nested arguments
	// included, read back as written.
	first[1].Why = triage.Reasons{triage.NewReason(triage.ReasonPriorityToneRaises,
		triage.NewReason(triage.ReasonSignalToneWords, -0.82, []string{"垃圾"}), triage.P3, triage.P2)}
	first[2].Note, first[2].Why = "", triage.Reasons{triage.NewReason(triage.ReasonRouteFromQueue),
		triage.NewReason(triage.ReasonSLABreached, "first_response", "1h", "标准", []triage.Reason{triage.NewReason(triage.ReasonSLAToLead)})}
	update(t, s, func(tx triage.Tx) error { return tx.AddHistory(ctx, first...) })
	update(t, s, func(tx triage.Tx) error { return tx.AddHistory(ctx, early) })
	update(t, s, func(tx triage.Tx) error { return tx.AddHistory(ctx) }) // nothing to add

	var want []*triage.HistoryEntry
	for _, e := range append([]*triage.HistoryEntry{early}, first...) {
		w := *e
		w.At = stored(w.At)
		want = append(want, &w)
	}
	got, err := s.History(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "History", got, want)
	wantUTC(t, "History", got[0].At)
	for i := range got {
		if !reflect.DeepEqual(got[i].Why, want[i].Why) {
			t.Errorf("History[%d].Why = %#v, want %#v", i, got[i].Why, want[i].Why)
		}
	}

	none, err := s.History(ctx, "t-2")
	if err != nil {
		t.Fatal(err)
	}
	if none == nil || len(none) != 0 {
		t.Errorf("History of a ticket without any = %#v, want an empty slice", none)
	}
}

func testHistoryErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	e := func(id, ticket string) *triage.HistoryEntry {
		return &triage.HistoryEntry{ID: id, TicketID: ticket, Actor: "system", At: base, Field: "status"}
	}
	update(t, s, func(tx triage.Tx) error { return tx.AddHistory(ctx, e("h-1", "t-1")) })
	for _, tc := range []struct {
		name string
		e    []*triage.HistoryEntry
		code string
	}{
		{"missing ticket", []*triage.HistoryEntry{e("h-2", "nope")}, triage.ENOTFOUND},
		{"duplicate id", []*triage.HistoryEntry{e("h-3", "t-1"), e("h-1", "t-1")}, triage.ECONFLICT},
		{"empty id", []*triage.HistoryEntry{e("", "t-1")}, triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := updateErr(t, s, func(tx triage.Tx) error { return tx.AddHistory(ctx, tc.e...) })
			wantCode(t, err, tc.code)
		})
	}
	// The failed calls rolled back whole: h-3 is not there.
	got, err := s.History(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("History has %d entries after failed adds, want 1", len(got))
	}
}

// fullRecord fills every part of a triage record.
func fullRecord(ticketID string) *triage.TriageRecord {
	return &triage.TriageRecord{
		TicketID: ticketID,
		Category: triage.Decision{
			Value: "退款", Confidence: 0.8734, Source: "model",
			Top: []triage.Scored{{Value: "退款", Score: 0.8734}, {Value: "支付", Score: 0.1}, {Value: "物流", Score: 0.0266}},
			Why: triage.Reasons{triage.NewReason(triage.ReasonCategoryRuleBias, []string{"R1"}, 0.5, "退款"), triage.NewReason(triage.ReasonCategoryModel, "退款", 0.8734)},
		},
		Priority:     triage.Decision{Value: "P2", Confidence: 1, Source: "signals", Why: triage.Reasons{triage.NewReason(triage.ReasonPriorityTier, "vip"), triage.Note("an older version's sentence")}},
		Assignee:     triage.Decision{Value: "a1", Source: "routing"}, // Why nil: reads back []
		NeedsReview:  true,
		ModelVersion: "linear-2026-11-20",
		Explanation: triage.Explain{
			Rules:      []triage.RuleHit{{RuleID: "R1", Name: "退款", Matched: []string{"退款", "到账"}, Effect: triage.Reasons{triage.NewReason(triage.ReasonRuleSetsCategory, "退款")}}},
			Model:      []triage.Scored{{Value: "退款", Score: 0.8734}},
			Neighbours: []triage.Neighbour{{TicketID: "old-1", Category: "退款", Similarity: 0.91}},
			Signals:    []triage.Signal{{Name: "tier", Detail: triage.NewReason(triage.ReasonSignalTier, "vip"), Sets: triage.P2}},
			Candidates: []triage.AgentOption{
				{AgentID: "a1", Name: "Alice", Open: 2, Capacity: 10, Load: 2.5, Online: true, Eligible: true, Reason: triage.NewReason(triage.ReasonRouteChosen, 2.5)},
				{AgentID: "a2", Name: "Bob", Open: 10, Capacity: 10, Load: 12, Online: true, Reason: triage.NewReason(triage.ReasonRouteAtCapacity, 10, 10)},
			},
			Timings: map[string]int{"segment": 120, "classify": 340},
		},
		CreatedAt: time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst),
	}
}

func testTriageRecord(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	r := fullRecord("t-1")
	update(t, s, func(tx triage.Tx) error { return tx.SaveTriageRecord(ctx, r) })

	w := *fullRecord("t-1")
	w.CreatedAt = stored(w.CreatedAt)
	w.Assignee.Why = triage.Reasons{}
	got, err := s.TriageRecord(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "TriageRecord", got, &w)
	wantUTC(t, "TriageRecord", got.CreatedAt)
	sameJSON(t, "saved struct", r, &w)

	tk, err := s.Ticket(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Triage != nil {
		t.Errorf("Ticket filled Triage; only TriageRecord reads it")
	}

	// A re-triage replaces the record.
	r2 := &triage.TriageRecord{
		TicketID:     "t-1",
		Category:     triage.Decision{Value: "支付", Confidence: 0.5, Source: "rule", Why: triage.Reasons{triage.NewReason(triage.ReasonCategoryRule, "R7")}},
		Priority:     triage.Decision{Value: "P3", Source: "default"},
		Assignee:     triage.Decision{Source: "queue", Why: triage.Reasons{triage.NewReason(triage.ReasonRouteNoSkill, "支付")}},
		ModelVersion: "linear-2026-11-21",
		CreatedAt:    base.Add(time.Hour),
	}
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveTriageRecord(ctx, r2); err != nil {
			return err
		}
		got, err := tx.TriageRecord(ctx, "t-1")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.TriageRecord after replace", got, r2)
		return nil
	})
	got, err = s.TriageRecord(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "TriageRecord after replace", got, r2)
	if got.Priority.Why == nil || got.Explanation.Rules != nil {
		t.Errorf("replaced record kept parts of the old one or reads null: %+v", got)
	}
}

func testTriageRecordErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	createTickets(t, s, newTicket("t-1", base))
	_, err := s.TriageRecord(ctx, "t-1")
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTriageRecord(ctx, fullRecord("nope")) })
	wantCode(t, err, triage.ENOTFOUND)
	err = updateErr(t, s, func(tx triage.Tx) error { return tx.SaveTriageRecord(ctx, fullRecord("")) })
	wantCode(t, err, triage.EINVALID)
}
