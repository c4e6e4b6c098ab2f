package storetest

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

var suggestionTests = []test{
	{"round trip of every field", testSuggestionRoundTrip},
	{"latest of a ticket", testLatestSuggestion},
	{"list filters", testSuggestionFilters},
	{"list limits", testSuggestionLimits},
	{"errors", testSuggestionErrors},
	{"feedback round trip and order", testFeedback},
	{"feedback counts", testFeedbackCounts},
	{"accepted feedback", testAcceptedFeedback},
	{"feedback errors", testFeedbackErrors},
}

// fullSuggestions sets every field, with scores that decimal cannot hold
// exactly and a time in another zone with nanoseconds.
func fullSuggestions(id, ticketID string) *triage.Suggestions {
	return &triage.Suggestions{
		ID:       id,
		TicketID: ticketID,
		Articles: []triage.Source{
			{N: 1, Kind: triage.DocArticle, ID: "a-1", Title: "退款多久到账？", Snippet: "原路退回，一般 1-3 个工作日到账。",
				Category: "退款", URL: "/kb/a-1", LexicalRank: 1, LexicalScore: 7.25, VectorRank: 2, VectorScore: 0.8312345678901234,
				Fused: 1.0/61 + 1.0/62, Why: triage.NewReason(triage.ReasonSourceBoth, 1, 7.25, 2, 0.8312345678901234, 1.0/61+1.0/62)},
			{N: 2, Kind: triage.DocArticle, ID: "a-7", Title: "发票", Snippet: "…", Category: "发票", URL: "/kb/a-7",
				VectorRank: 1, VectorScore: 0.5, Fused: 1.0 / 61},
		},
		Tickets: []triage.Source{
			{N: 3, Kind: triage.DocTicket, ID: "t-0", Title: "退款未到账", Snippet: "申请退款三天了", Resolution: "已联系财务加急处理。",
				Category: "退款", URL: "/tickets/t-0", LexicalRank: 2, LexicalScore: 3.5, Fused: 1.0 / 62},
		},
		Draft: triage.Draft{Mode: triage.DraftLLM, Text: "您好，退款一般 1-3 个工作日到账 [1]。已为您加急 [3]。",
			Citations: []int{1, 3}, Model: "qwen-plus"},
		BestArticle: 1.0/61 + 1.0/62,
		Degraded:    true,
		Reason:      ptr(triage.NewReason(triage.ReasonSearchVectorTimeout, 0.3)),
		CreatedAt:   time.Date(2026, 11, 22, 18, 30, 15, 123456789, cst),
	}
}

// newSuggestions is a minimal set: nil lists, no draft, created at created.
func newSuggestions(id, ticketID string, created time.Time, best float64) *triage.Suggestions {
	return &triage.Suggestions{ID: id, TicketID: ticketID, Draft: triage.Draft{Mode: triage.DraftNone},
		BestArticle: best, CreatedAt: created}
}

// wantSuggestions is s as a store returns it.
func wantSuggestions(s *triage.Suggestions) *triage.Suggestions {
	w := *s
	w.Articles = append([]triage.Source{}, s.Articles...)
	w.Tickets = append([]triage.Source{}, s.Tickets...)
	w.Draft.Citations = append([]int{}, s.Draft.Citations...)
	w.CreatedAt = stored(s.CreatedAt)
	return &w
}

// suggestionIDs returns the ids of ss, in order.
func suggestionIDs(ss []*triage.Suggestions) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

// saveSuggestions stores ss in one transaction.
func saveSuggestions(t *testing.T, s triage.Store, ss ...*triage.Suggestions) {
	t.Helper()
	update(t, s, func(tx triage.Tx) error {
		for _, sg := range ss {
			if err := tx.SaveSuggestions(t.Context(), sg); err != nil {
				return err
			}
		}
		return nil
	})
}

func testSuggestionRoundTrip(t *testing.T, s triage.Store) {
	ctx := t.Context()
	full := fullSuggestions("s-1", "t-1")
	bare := newSuggestions("s-2", "t-2", base, 0)
	wFull, wBare := wantSuggestions(full), wantSuggestions(bare)
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveSuggestions(ctx, full); err != nil {
			return err
		}
		if err := tx.SaveSuggestions(ctx, bare); err != nil {
			return err
		}
		got, err := tx.Suggestion(ctx, "s-1")
		if err != nil {
			return err
		}
		sameJSON(t, "tx.Suggestion", got, wFull)
		return nil
	})
	sameJSON(t, "saved struct", full, wFull)
	sameJSON(t, "saved struct with nil lists", bare, wBare)

	got, err := s.Suggestion(ctx, "s-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Suggestion", got, wFull)
	wantUTC(t, "Suggestion", got.CreatedAt)
	if got.BestArticle != full.BestArticle || got.Articles[0].VectorScore != full.Articles[0].VectorScore ||
		got.Articles[0].Fused != full.Articles[0].Fused {
		t.Errorf("scores changed in the store: %v %v %v, want %v %v %v", got.BestArticle, got.Articles[0].VectorScore,
			got.Articles[0].Fused, full.BestArticle, full.Articles[0].VectorScore, full.Articles[0].Fused)
	}
	got, err = s.Suggestion(ctx, "s-2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Suggestion with nil lists", got, wBare)
	_, err = s.Suggestion(ctx, "s-9")
	wantCode(t, err, triage.ENOTFOUND)
}

func testLatestSuggestion(t *testing.T, s triage.Store) {
	ctx := t.Context()
	later := base.Add(time.Hour)
	saveSuggestions(t, s,
		newSuggestions("s-1", "t-1", base, 0.1),
		newSuggestions("s-3", "t-1", later, 0.3), // same instant as s-2: the id decides
		newSuggestions("s-2", "t-1", later, 0.2),
		newSuggestions("s-4", "t-2", later.Add(time.Hour), 0.4),
	)
	for _, tc := range []struct{ ticket, want string }{{"t-1", "s-3"}, {"t-2", "s-4"}} {
		got, err := s.LatestSuggestion(ctx, tc.ticket)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != tc.want {
			t.Errorf("LatestSuggestion(%s) = %s, want %s", tc.ticket, got.ID, tc.want)
		}
	}
	_, err := s.LatestSuggestion(ctx, "t-9")
	wantCode(t, err, triage.ENOTFOUND)

	// A newer set replaces it, and a transaction sees its own.
	update(t, s, func(tx triage.Tx) error {
		if err := tx.SaveSuggestions(ctx, newSuggestions("s-0", "t-1", later.Add(time.Minute), 0)); err != nil {
			return err
		}
		got, err := tx.LatestSuggestion(ctx, "t-1")
		if err != nil {
			return err
		}
		if got.ID != "s-0" {
			t.Errorf("tx.LatestSuggestion(t-1) = %s, want s-0", got.ID)
		}
		return nil
	})
	got, err := s.LatestSuggestion(ctx, "t-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "LatestSuggestion", got, wantSuggestions(newSuggestions("s-0", "t-1", later.Add(time.Minute), 0)))
}

func testSuggestionFilters(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.Suggestions(ctx, triage.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("Suggestions on an empty store = %#v, want an empty slice", empty)
	}
	// Suggestion i was created i hours after base; two share an instant.
	bests := []float64{0, 0.05, 0.016, 0.033, 0.01, 0.02, 0.0325, 0.9}
	var all []*triage.Suggestions
	for i, b := range bests {
		created := base.Add(time.Duration(i) * time.Hour)
		if i == 4 {
			created = base.Add(3 * time.Hour) // same as s-03
		}
		all = append(all, newSuggestions(fmt.Sprintf("s-%02d", i), fmt.Sprintf("t-%d", i%3), created, b))
	}
	saveSuggestions(t, s, all...)
	newestFirst := slices.Clone(all)
	slices.SortStableFunc(newestFirst, func(a, b *triage.Suggestions) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	since := base.Add(3 * time.Hour)
	for _, tc := range []struct {
		name  string
		f     triage.SuggestionFilter
		match func(*triage.Suggestions) bool
	}{
		{"all", triage.SuggestionFilter{}, func(*triage.Suggestions) bool { return true }},
		{"since is inclusive", triage.SuggestionFilter{Since: since},
			func(sg *triage.Suggestions) bool { return !sg.CreatedAt.Before(since) }},
		{"since in another zone", triage.SuggestionFilter{Since: since.In(cst)},
			func(sg *triage.Suggestions) bool { return !sg.CreatedAt.Before(since) }},
		{"best article at most", triage.SuggestionFilter{MaxBestArticle: 0.02},
			func(sg *triage.Suggestions) bool { return sg.BestArticle <= 0.02 }},
		{"a negative maximum means any", triage.SuggestionFilter{MaxBestArticle: -1}, func(*triage.Suggestions) bool { return true }},
		{"since and best article", triage.SuggestionFilter{Since: base.Add(2 * time.Hour), MaxBestArticle: 0.0325},
			func(sg *triage.Suggestions) bool {
				return !sg.CreatedAt.Before(base.Add(2*time.Hour)) && sg.BestArticle <= 0.0325
			}},
		{"nothing matches", triage.SuggestionFilter{Since: base.Add(100 * time.Hour)}, func(*triage.Suggestions) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := []*triage.Suggestions{}
			for _, sg := range newestFirst {
				if tc.match(sg) {
					want = append(want, wantSuggestions(sg))
				}
			}
			got, err := s.Suggestions(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatalf("Suggestions returned a nil slice")
			}
			if !slices.Equal(suggestionIDs(got), suggestionIDs(want)) {
				t.Fatalf("Suggestions(%+v) = %v, want %v", tc.f, suggestionIDs(got), suggestionIDs(want))
			}
			sameJSON(t, "Suggestions", got, want)
		})
	}
	t.Run("limit", func(t *testing.T) {
		got, err := s.Suggestions(ctx, triage.SuggestionFilter{Limit: 3, MaxBestArticle: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, sg := range newestFirst {
			if sg.BestArticle <= 0.5 && len(want) < 3 {
				want = append(want, sg.ID)
			}
		}
		if !slices.Equal(suggestionIDs(got), want) {
			t.Errorf("Suggestions with limit 3 = %v, want %v", suggestionIDs(got), want)
		}
	})
}

func testSuggestionLimits(t *testing.T, s triage.Store) {
	ctx := t.Context()
	const n = 205
	var all []*triage.Suggestions
	for i := range n {
		all = append(all, newSuggestions(fmt.Sprintf("s-%03d", i), "t-1", base.Add(time.Duration(i)*time.Second), 0))
	}
	saveSuggestions(t, s, all...)
	for _, tc := range []struct {
		name  string
		limit int
		want  int
	}{
		{"zero means 200", 0, 200},
		{"negative means 200", -3, 200},
		{"a larger limit is honoured", 1000, n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Suggestions(ctx, triage.SuggestionFilter{Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("Limit %d gave %d suggestions, want %d", tc.limit, len(got), tc.want)
			}
			if len(got) > 0 && got[0].ID != all[n-1].ID {
				t.Errorf("first is %s, want the newest, %s", got[0].ID, all[n-1].ID)
			}
		})
	}
}

func testSuggestionErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	saveSuggestions(t, s, newSuggestions("s-1", "t-1", base, 0.5))
	badScore := fullSuggestions("s-5", "t-1")
	badScore.Articles[1].VectorScore = math.NaN()
	for _, tc := range []struct {
		name string
		sg   *triage.Suggestions
		code string
	}{
		{"empty id", newSuggestions("", "t-1", base, 0), triage.EINVALID},
		{"empty ticket id", newSuggestions("s-2", "", base, 0), triage.EINVALID},
		{"duplicate id", newSuggestions("s-1", "t-2", base, 0), triage.ECONFLICT},
		{"NaN best article", newSuggestions("s-3", "t-1", base, math.NaN()), triage.EINVALID},
		{"infinite best article", newSuggestions("s-4", "t-1", base, math.Inf(1)), triage.EINVALID},
		{"NaN score of a source", badScore, triage.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.SaveSuggestions(ctx, tc.sg) }), tc.code)
		})
	}
	got, err := s.Suggestions(ctx, triage.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Suggestions after failed saves", got, []*triage.Suggestions{wantSuggestions(newSuggestions("s-1", "t-1", base, 0.5))})
}

// newFeedback is a verdict on a source of suggestion sg, given at.
func newFeedback(id, sg, kind, source, action string, at time.Time) *triage.Feedback {
	return &triage.Feedback{ID: id, SuggestionID: sg, TicketID: "t-1", SourceKind: kind, SourceID: source,
		Action: action, Actor: "agent-1", CreatedAt: at}
}

func testFeedback(t *testing.T, s triage.Store) {
	ctx := t.Context()
	saveSuggestions(t, s, fullSuggestions("s-1", "t-1"), newSuggestions("s-2", "t-1", base, 0))
	at := time.Date(2026, 11, 22, 18, 0, 0, 123456789, cst)
	edited := newFeedback("f-2", "s-1", "draft", "", triage.FeedbackEdited, at.Add(time.Minute))
	edited.FinalText = "您好，退款已加急，预计明天到账。"
	rejected := newFeedback("f-3", "s-1", triage.DocTicket, "t-0", triage.FeedbackRejected, at.Add(2*time.Minute))
	rejected.Reason = "不相关"
	in := []*triage.Feedback{
		newFeedback("f-1", "s-1", triage.DocArticle, "a-1", triage.FeedbackAccepted, at),
		edited,
		rejected,
		// Same instant as f-3: insertion order decides.
		newFeedback("f-0", "s-1", triage.DocArticle, "a-7", triage.FeedbackRejected, at.Add(2*time.Minute)),
	}
	update(t, s, func(tx triage.Tx) error {
		for _, f := range in {
			if err := tx.AddFeedback(ctx, f); err != nil {
				return err
			}
		}
		got, err := tx.Feedback(ctx, "s-1")
		if err != nil {
			return err
		}
		if len(got) != len(in) {
			t.Errorf("tx.Feedback sees %d verdicts, want %d", len(got), len(in))
		}
		return nil
	})
	var want []*triage.Feedback
	for _, f := range in {
		w := *f
		w.CreatedAt = stored(f.CreatedAt)
		want = append(want, &w)
	}
	sameJSON(t, "added structs", in, want)
	got, err := s.Feedback(ctx, "s-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Feedback", got, want)
	wantUTC(t, "Feedback", got[0].CreatedAt)
	for _, id := range []string{"s-2", "s-9"} {
		none, err := s.Feedback(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if none == nil || len(none) != 0 {
			t.Errorf("Feedback(%s) = %#v, want an empty slice", id, none)
		}
	}
}

func testFeedbackCounts(t *testing.T, s triage.Store) {
	ctx := t.Context()
	empty, err := s.FeedbackCounts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("FeedbackCounts on an empty store = %#v, want an empty slice", empty)
	}
	saveSuggestions(t, s, newSuggestions("s-1", "t-1", base, 0), newSuggestions("s-2", "t-2", base, 0))
	verdicts := []struct {
		kind, id, action string
		hours            int
	}{
		{triage.DocArticle, "a-1", triage.FeedbackAccepted, 0},
		{triage.DocArticle, "a-1", triage.FeedbackRejected, 0},
		{triage.DocArticle, "a-1", triage.FeedbackAccepted, 2},
		{triage.DocArticle, "a-2", triage.FeedbackRejected, 1},
		{triage.DocArticle, "a-2", triage.FeedbackRejected, 2},
		{triage.DocArticle, "a-2", triage.FeedbackEdited, 3},
		{triage.DocTicket, "a-2", triage.FeedbackRejected, 2}, // a ticket with an article's id: another source
		{triage.DocTicket, "a-2", triage.FeedbackRejected, 3},
		{"draft", "", triage.FeedbackEdited, 0},
		{"draft", "", triage.FeedbackEdited, 1},
		{"draft", "", triage.FeedbackAccepted, 2},
		{triage.DocTicket, "t-9", triage.FeedbackAccepted, 0},
	}
	update(t, s, func(tx triage.Tx) error {
		for i, v := range verdicts {
			f := newFeedback(fmt.Sprintf("f-%02d", i), []string{"s-1", "s-2"}[i%2], v.kind, v.id, v.action,
				base.Add(time.Duration(v.hours)*time.Hour))
			if err := tx.AddFeedback(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name  string
		since time.Time
		want  []triage.FeedbackCount
	}{
		{"all", time.Time{}, []triage.FeedbackCount{
			{SourceKind: triage.DocArticle, SourceID: "a-2", Rejected: 2, Edited: 1},
			{SourceKind: triage.DocTicket, SourceID: "a-2", Rejected: 2},
			{SourceKind: triage.DocArticle, SourceID: "a-1", Accepted: 2, Rejected: 1},
			{SourceKind: "draft", SourceID: "", Accepted: 1, Edited: 2},
			{SourceKind: triage.DocTicket, SourceID: "t-9", Accepted: 1},
		}},
		{"since is inclusive", base.Add(2 * time.Hour), []triage.FeedbackCount{
			{SourceKind: triage.DocTicket, SourceID: "a-2", Rejected: 2},
			{SourceKind: triage.DocArticle, SourceID: "a-2", Rejected: 1, Edited: 1},
			{SourceKind: triage.DocArticle, SourceID: "a-1", Accepted: 1},
			{SourceKind: "draft", SourceID: "", Accepted: 1},
		}},
		{"since in another zone", base.Add(3 * time.Hour).In(cst), []triage.FeedbackCount{
			{SourceKind: triage.DocTicket, SourceID: "a-2", Rejected: 1},
			{SourceKind: triage.DocArticle, SourceID: "a-2", Edited: 1},
		}},
		{"nothing since", base.Add(4 * time.Hour), []triage.FeedbackCount{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.FeedbackCounts(ctx, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "FeedbackCounts", got, tc.want)
		})
	}
}

// testAcceptedFeedback: only accepted verdicts, on articles, tickets and
// the draft, newest first, verdicts of one instant latest-added first, at
// most the limit.
func testAcceptedFeedback(t *testing.T, s triage.Store) {
	ctx := t.Context()
	saveSuggestions(t, s, newSuggestions("s-1", "t-1", base, 0))
	verdicts := []struct {
		kind, id, action string
		hours            int
	}{
		{triage.DocArticle, "a-1", triage.FeedbackAccepted, 0},
		{triage.DocArticle, "a-2", triage.FeedbackRejected, 1},
		{triage.DocArticle, "a-3", triage.FeedbackEdited, 1},
		{triage.FeedbackDraft, "", triage.FeedbackAccepted, 3},
		{triage.FeedbackDraft, "", triage.FeedbackEdited, 4},
		{triage.DocArticle, "a-4", triage.FeedbackAccepted, 2},
		{triage.DocTicket, "t-9", triage.FeedbackAccepted, 0},
	}
	update(t, s, func(tx triage.Tx) error {
		for i, v := range verdicts {
			if err := tx.AddFeedback(ctx, newFeedback(fmt.Sprintf("f-%d", i), "s-1", v.kind, v.id, v.action, base.Add(time.Duration(v.hours)*time.Hour))); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name  string
		limit int
		want  []string
	}{
		{"all", 10, []string{"f-3", "f-5", "f-6", "f-0"}},
		{"limited", 2, []string{"f-3", "f-5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AcceptedFeedback(ctx, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, f := range got {
				ids = append(ids, f.ID)
				if f.TicketID != "t-1" || f.Action != triage.FeedbackAccepted {
					t.Errorf("%s: ticket %q action %q", f.ID, f.TicketID, f.Action)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("AcceptedFeedback(%d) = %v, want %v", tc.limit, ids, tc.want)
			}
		})
	}
}

func testFeedbackErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	saveSuggestions(t, s, newSuggestions("s-1", "t-1", base, 0))
	first := newFeedback("f-1", "s-1", triage.DocArticle, "a-1", triage.FeedbackAccepted, base)
	update(t, s, func(tx triage.Tx) error { return tx.AddFeedback(ctx, first) })
	for _, tc := range []struct {
		name string
		f    *triage.Feedback
		code string
	}{
		{"empty id", newFeedback("", "s-1", triage.DocArticle, "a-1", triage.FeedbackAccepted, base), triage.EINVALID},
		{"empty suggestion id", newFeedback("f-2", "", triage.DocArticle, "a-1", triage.FeedbackAccepted, base), triage.EINVALID},
		{"unknown action", newFeedback("f-3", "s-1", triage.DocArticle, "a-1", "liked", base), triage.EINVALID},
		{"empty action", newFeedback("f-4", "s-1", triage.DocArticle, "a-1", "", base), triage.EINVALID},
		{"missing suggestion", newFeedback("f-5", "s-9", triage.DocArticle, "a-1", triage.FeedbackAccepted, base), triage.ENOTFOUND},
		{"duplicate id", newFeedback("f-1", "s-1", triage.DocArticle, "a-2", triage.FeedbackRejected, base), triage.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, updateErr(t, s, func(tx triage.Tx) error { return tx.AddFeedback(ctx, tc.f) }), tc.code)
		})
	}
	got, err := s.Feedback(ctx, "s-1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Feedback after failed adds", got, []*triage.Feedback{first})
}
