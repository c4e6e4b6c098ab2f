package storetest

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// Report aggregates. Beyond the types' comments: rows come in key order;
// a day key is the date at the query's Offset; a group with nothing to
// count has no row; an unknown group is EINVALID, and so is a day group
// for the backlog.
var reportTests = []test{
	{"volume", testReportVolume},
	{"durations", testReportDurations},
	{"backlog", testReportBacklog},
	{"accuracy", testReportAccuracy},
	{"feedback", testReportFeedback},
	{"errors", testReportErrors},
}

// reportFixture stores tickets whose events straddle midnight in China
// (base is 17:00 there), with triage records and feedback.
func reportFixture(t *testing.T, s triage.Store) {
	ctx := t.Context()
	h := func(n float64) time.Time { return base.Add(time.Duration(n * float64(time.Hour))) }
	at := func(n float64) *time.Time { v := h(n); return &v }
	tk := func(id string, created float64, agent, team, cat string, p triage.Priority) *triage.Ticket {
		x := newTicket(id, h(created))
		x.AssigneeID, x.TeamID, x.Category, x.Priority, x.Status = agent, team, cat, p, triage.StatusOpen
		return x
	}
	t1 := tk("t-1", 0, "a1", "tm1", "退款", triage.P2)
	t1.FirstResponseAt, t1.SolvedAt, t1.ClosedAt, t1.Status = at(0.5), at(2), at(26), triage.StatusClosed
	t2 := tk("t-2", 1, "a1", "tm1", "退款", triage.P3)
	t2.FirstResponseAt, t2.SolvedAt, t2.Status = at(1+1.0/6), at(5), triage.StatusSolved
	t3 := tk("t-3", 8, "a2", "tm2", "物流", triage.P3)
	t4 := tk("t-4", -72, "a2", "tm2", "物流", triage.P3)
	t4.FirstResponseAt, t4.SolvedAt, t4.ClosedAt, t4.Status = at(-71), at(3), at(27), triage.StatusClosed
	t5 := tk("t-5", 2, "a1", "tm1", "退款", triage.P3)
	t5.SolvedAt, t5.ClosedAt, t5.Status, t5.MergedInto = at(4), at(4), triage.StatusClosed, "t-1"
	t6 := tk("t-6", -24, "", "", "", triage.P4)
	createTickets(t, s, t1, t2, t3, t4, t5, t6)
	dec := func(v, src string) triage.Decision { return triage.Decision{Value: v, Source: src} }
	update(t, s, func(tx triage.Tx) error {
		for _, r := range []*triage.TriageRecord{
			{TicketID: "t-1", Category: dec("退款", "model"), Priority: dec("P3", "signals"), Assignee: dec("a1", "routing"), CreatedAt: h(0)},
			{TicketID: "t-4", Category: dec("", "model"), Priority: dec("P3", "manual"), Assignee: dec("", "queue"), CreatedAt: h(-72)},
			{TicketID: "t-5", Category: dec("投诉", "model"), Priority: dec("P1", "signals"), Assignee: dec("a9", "routing"), CreatedAt: h(2)},
		} {
			if err := tx.SaveTriageRecord(ctx, r); err != nil {
				return err
			}
		}
		for _, sg := range []*triage.Suggestions{newSuggestions("sg-1", "t-1", h(0), 0.5), newSuggestions("sg-3", "t-3", h(8), 0.5)} {
			if err := tx.SaveSuggestions(ctx, sg); err != nil {
				return err
			}
		}
		for _, f := range []*triage.Feedback{
			{ID: "f-1", SuggestionID: "sg-1", TicketID: "t-1", SourceKind: "draft", Action: triage.FeedbackAccepted, Actor: "agent:a1", CreatedAt: h(1)},
			{ID: "f-2", SuggestionID: "sg-1", TicketID: "t-1", SourceKind: triage.DocArticle, SourceID: "art-1", Action: triage.FeedbackRejected, Actor: "agent:a1", CreatedAt: h(1)},
			{ID: "f-3", SuggestionID: "sg-3", TicketID: "t-3", SourceKind: triage.DocArticle, SourceID: "art-1", Action: triage.FeedbackAccepted, Actor: "agent:a2", CreatedAt: h(9)},
			{ID: "f-4", SuggestionID: "sg-3", TicketID: "t-3", SourceKind: "draft", Action: triage.FeedbackRejected, Actor: "agent:a2", CreatedAt: h(-2)},
		} {
			if err := tx.AddFeedback(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
}

// reportRange is the fixture's range: an hour before base to two days
// after, so t-4 and t-6 were created before it.
func reportRange(g triage.ReportGroup) triage.ReportQuery {
	return triage.ReportQuery{From: base.Add(-time.Hour), To: base.Add(48 * time.Hour), Group: g, Offset: 8 * time.Hour}
}

func testReportVolume(t *testing.T, s triage.Store) {
	reportFixture(t, s)
	utcDays := reportRange(triage.GroupDay)
	utcDays.Offset = 0
	team := reportRange(triage.GroupNone)
	team.TeamID = "tm1"
	for _, tc := range []struct {
		name string
		q    triage.ReportQuery
		want []triage.VolumeStats
	}{
		{"total", reportRange(triage.GroupNone), []triage.VolumeStats{{Key: "", Created: 4, Solved: 3, Merged: 1, Closed: 3}}},
		{"days in China", reportRange(triage.GroupDay), []triage.VolumeStats{
			{Key: "2026-11-22", Created: 3, Solved: 3, Merged: 1, Closed: 1},
			{Key: "2026-11-23", Created: 1, Closed: 2},
		}},
		{"days in UTC", utcDays, []triage.VolumeStats{
			{Key: "2026-11-22", Created: 4, Solved: 3, Merged: 1, Closed: 1},
			{Key: "2026-11-23", Closed: 2},
		}},
		{"by agent", reportRange(triage.GroupAgent), []triage.VolumeStats{
			{Key: "a1", Created: 3, Solved: 2, Merged: 1, Closed: 2},
			{Key: "a2", Created: 1, Solved: 1, Closed: 1},
		}},
		{"one team", team, []triage.VolumeStats{{Key: "", Created: 3, Solved: 2, Merged: 1, Closed: 2}}},
		{"empty range", triage.ReportQuery{From: base.Add(100 * time.Hour), To: base.Add(200 * time.Hour)}, []triage.VolumeStats{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReportVolume(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ReportVolume", got, tc.want)
		})
	}
}

func testReportDurations(t *testing.T, s triage.Store) {
	reportFixture(t, s)
	const m, hr = time.Minute, time.Hour
	for _, tc := range []struct {
		name   string
		metric triage.DurationMetric
		q      triage.ReportQuery
		want   []triage.DurationStats
	}{
		{"first response", triage.FirstResponse, reportRange(triage.GroupNone), []triage.DurationStats{{N: 2, Avg: 20 * m, P50: 10 * m, P90: 30 * m, Max: 30 * m}}},
		{"resolution leaves merged out", triage.Resolution, reportRange(triage.GroupNone), []triage.DurationStats{{N: 3, Avg: 27 * hr, P50: 4 * hr, P90: 75 * hr, Max: 75 * hr}}},
		{"resolution by agent", triage.Resolution, reportRange(triage.GroupAgent), []triage.DurationStats{
			{Key: "a1", N: 2, Avg: 3 * hr, P50: 2 * hr, P90: 4 * hr, Max: 4 * hr},
			{Key: "a2", N: 1, Avg: 75 * hr, P50: 75 * hr, P90: 75 * hr, Max: 75 * hr},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReportDurations(t.Context(), tc.q, tc.metric)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ReportDurations", got, tc.want)
		})
	}
}

func testReportBacklog(t *testing.T, s triage.Store) {
	reportFixture(t, s)
	oldest := stored(base.Add(-24 * time.Hour))
	t2 := stored(base.Add(time.Hour))
	at := base.Add(4*time.Hour + 30*time.Minute)
	for _, tc := range []struct {
		name string
		g    triage.ReportGroup
		want []triage.BacklogStats
	}{
		{"total", triage.GroupNone, []triage.BacklogStats{{Open: 2, Unassigned: 1, Under1d: 1, Under3d: 1, Oldest: &oldest}}},
		{"by team", triage.GroupTeam, []triage.BacklogStats{
			{Key: "", Open: 1, Unassigned: 1, Under3d: 1, Oldest: &oldest},
			{Key: "tm1", Open: 1, Under1d: 1, Oldest: &t2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := reportRange(tc.g)
			got, err := s.ReportBacklog(t.Context(), q, at)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ReportBacklog", got, tc.want)
		})
	}
}

func testReportAccuracy(t *testing.T, s triage.Store) {
	reportFixture(t, s)
	for _, tc := range []struct {
		name string
		g    triage.ReportGroup
		want []triage.AccuracyStats
	}{
		{"total", triage.GroupNone, []triage.AccuracyStats{{Closed: 2, CategoryPredicted: 1, CategoryCorrect: 1, CategoryAbstained: 1,
			PriorityPredicted: 1, AssigneePredicted: 1, AssigneeCorrect: 1}}},
		{"by final category", triage.GroupCategory, []triage.AccuracyStats{
			{Key: "物流", Closed: 1, CategoryAbstained: 1},
			{Key: "退款", Closed: 1, CategoryPredicted: 1, CategoryCorrect: 1, PriorityPredicted: 1, AssigneePredicted: 1, AssigneeCorrect: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReportAccuracy(t.Context(), reportRange(tc.g))
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ReportAccuracy", got, tc.want)
		})
	}
}

func testReportFeedback(t *testing.T, s triage.Store) {
	reportFixture(t, s)
	oneAgent := reportRange(triage.GroupNone)
	oneAgent.AssigneeID = "a2"
	for _, tc := range []struct {
		name string
		q    triage.ReportQuery
		want []triage.FeedbackStats
	}{
		{"total", reportRange(triage.GroupNone), []triage.FeedbackStats{{Accepted: 2, Rejected: 1, DraftAccepted: 1}}},
		{"by agent who judged", reportRange(triage.GroupAgent), []triage.FeedbackStats{
			{Key: "a1", Accepted: 1, Rejected: 1, DraftAccepted: 1},
			{Key: "a2", Accepted: 1},
		}},
		{"by ticket team", reportRange(triage.GroupTeam), []triage.FeedbackStats{
			{Key: "tm1", Accepted: 1, Rejected: 1, DraftAccepted: 1},
			{Key: "tm2", Accepted: 1},
		}},
		{"one agent", oneAgent, []triage.FeedbackStats{{Accepted: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReportFeedback(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "ReportFeedback", got, tc.want)
		})
	}
}

func testReportErrors(t *testing.T, s triage.Store) {
	ctx := t.Context()
	bad := reportRange("week")
	_, err := s.ReportVolume(ctx, bad)
	wantCode(t, err, triage.EINVALID)
	_, err = s.ReportDurations(ctx, reportRange(triage.GroupNone), "handle_time")
	wantCode(t, err, triage.EINVALID)
	_, err = s.ReportBacklog(ctx, reportRange(triage.GroupDay), base)
	wantCode(t, err, triage.EINVALID)
	_, err = s.ReportAccuracy(ctx, bad)
	wantCode(t, err, triage.EINVALID)
	_, err = s.ReportFeedback(ctx, bad)
	wantCode(t, err, triage.EINVALID)
}
