package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/sqlite"
)

func open(t testing.TB) *sqlite.DB {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// cst is where the fixture's days are; now is 2026-11-23 10:00 there.
var (
	cst = time.FixedZone("CST", 8*3600)
	now = time.Date(2026, 11, 23, 10, 0, 0, 0, cst)
)

func ticket(id string, created time.Time, agent, team, cat string) *triage.Ticket {
	return &triage.Ticket{ID: id, Title: "工单 " + id, Status: triage.StatusOpen, Priority: triage.P3, Channel: triage.ChannelWeb,
		AssigneeID: agent, TeamID: team, Category: cat, CreatedAt: created, UpdatedAt: created}
}

// fixture: one old open ticket; on the 21st two tickets, one solved the
// same day; on the 22nd one, merged into another on the 23rd.
func fixture(t *testing.T, s triage.Store) {
	ctx := t.Context()
	at := func(d, h int) *time.Time { v := time.Date(2026, 11, d, h, 0, 0, 0, cst); return &v }
	old := ticket("t-old", *at(10, 9), "", "", "")
	a := ticket("t-a", *at(21, 9), "a1", "tm1", "支付与退款")
	a.FirstResponseAt, a.SolvedAt, a.Status = at(21, 10), at(21, 15), triage.StatusSolved
	b := ticket("t-b", *at(21, 23), "a2", "tm1", "物流")
	b.FirstResponseAt = at(22, 1)
	c := ticket("t-c", *at(22, 8), "a1", "tm1", "支付与退款")
	c.SolvedAt, c.ClosedAt, c.Status, c.MergedInto = at(23, 9), at(23, 9), triage.StatusClosed, "t-a"
	err := s.Update(ctx, func(tx triage.Tx) error {
		for _, x := range []*triage.Ticket{old, a, b, c} {
			if err := tx.CreateTicket(ctx, x); err != nil {
				return err
			}
		}
		for _, ag := range []*triage.Agent{{ID: "a1", Name: "李娜"}, {ID: "a2", Name: "=HYPERLINK(\"http://x\")"}} {
			ag.CreatedAt, ag.UpdatedAt = now, now
			if err := tx.CreateAgent(ctx, ag); err != nil {
				return err
			}
		}
		return tx.CreateTeam(ctx, &triage.Team{ID: "tm1", Name: "退款组", CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func service(s triage.Store) *report.Service {
	return &report.Service{Store: s, Zone: cst, Now: func() time.Time { return now }}
}

func window() report.Query {
	return report.Query{From: time.Date(2026, 11, 20, 0, 0, 0, 0, cst), To: now}
}

func TestVolumeByDay(t *testing.T) {
	s := open(t)
	fixture(t, s)
	q := window()
	q.Group = triage.GroupDay
	rep, err := service(s).Volume(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Rows {
		got = append(got, fmt.Sprintf("%s c%d s%d m%d x%d b%d", r.Key, r.Created, r.Solved, r.Merged, r.Closed, r.Backlog))
	}
	// The 20th has nothing but still a row (a chart needs the gap); the
	// backlog starts from the old ticket open since the 10th.
	want := []string{"2026-11-20 c0 s0 m0 x0 b1", "2026-11-21 c2 s1 m0 x0 b2", "2026-11-22 c1 s0 m0 x0 b3", "2026-11-23 c0 s0 m1 x1 b2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Total.Created != 3 || rep.Total.Backlog != 2 || rep.Zone != "CST" || rep.Total.Label != "合计" {
		t.Errorf("total %+v zone %s", rep.Total, rep.Zone)
	}
}

func TestGroupsAreLabelled(t *testing.T) {
	s := open(t)
	fixture(t, s)
	for _, c := range []struct {
		group triage.ReportGroup
		want  string
	}{
		{triage.GroupAgent, "未分配:1 李娜:0 =HYPERLINK(\"http://x\"):1"},
		{triage.GroupTeam, "无团队:1 退款组:1"},
		{triage.GroupCategory, "未分类:1 支付与退款:0 物流:1"},
	} {
		t.Run(string(c.group), func(t *testing.T) {
			q := window()
			q.Group = c.group
			rep, err := service(s).Volume(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Rows {
				got = append(got, fmt.Sprintf("%s:%d", r.Label, r.Backlog))
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("backlog by label %v, want %s", got, c.want)
			}
		})
	}
}

func TestTimesAndBacklog(t *testing.T) {
	s := open(t)
	fixture(t, s)
	svc := service(s)
	frt, err := svc.FirstResponse(t.Context(), window())
	if err != nil {
		t.Fatal(err)
	}
	if frt.Total.Tickets != 2 || frt.Total.AvgSeconds != 5400 || frt.Total.P50Seconds != 3600 || frt.Total.P90Seconds != 7200 {
		t.Errorf("first response total %+v", frt.Total)
	}
	res, err := svc.Resolution(t.Context(), window())
	if err != nil {
		t.Fatal(err)
	}
	if res.Total.Tickets != 1 || res.Total.MaxSeconds != 6*3600 {
		t.Errorf("resolution leaves merged tickets out: %+v", res.Total)
	}
	q := window()
	q.Group = triage.GroupTeam
	bl, err := svc.Backlog(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if bl.Total.Open != 2 || bl.Total.AgeOver7d != 1 || bl.Total.AgeUnder1d != 0 || bl.Total.Age1dTo3d != 1 || len(bl.Rows) != 2 {
		t.Errorf("backlog %+v", bl)
	}
}

func TestQueryChecks(t *testing.T) {
	s := open(t)
	svc := service(s)
	cases := []struct {
		name  string
		q     report.Query
		field string
	}{
		{"reversed", report.Query{From: now, To: now.Add(-time.Hour)}, "from"},
		{"too long", report.Query{From: now.AddDate(-2, 0, 0), To: now}, "from"},
		{"unknown group", report.Query{Group: "week"}, "group"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Volume(t.Context(), c.q)
			if e, ok := err.(*triage.Error); !ok || e.Code != triage.EINVALID || e.Field != c.field {
				t.Fatalf("err %v, want invalid %s", err, c.field)
			}
		})
	}
	if _, err := svc.Backlog(t.Context(), report.Query{Group: triage.GroupDay}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("backlog by day: %v", err)
	}
	rep, err := svc.Volume(t.Context(), report.Query{})
	if err != nil || !rep.To.Equal(now) || rep.To.Sub(rep.From) != report.DefaultSpan {
		t.Errorf("default window %v–%v, %v", rep.From, rep.To, err)
	}
}

func TestCSV(t *testing.T) {
	s := open(t)
	fixture(t, s)
	q := window()
	q.Group = triage.GroupAgent
	rep, err := service(s).Backlog(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no byte-order mark: % x", b.Bytes()[:8])
	}
	rows, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "key,label,open,unassigned,age_under_1d,age_1d_3d,age_3d_7d,age_over_7d,oldest_created_at" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != 4 || rows[1][1] != "未分配" || rows[1][8] != "2026-11-10 09:00:00" || rows[3][0] != "total" || rows[3][2] != "2" {
		t.Errorf("rows %q", rows)
	}
	if rows[2][1] != `'=HYPERLINK("http://x")` {
		t.Errorf("a formula-like name was not defused: %q", rows[2][1])
	}
}

func TestSummary(t *testing.T) {
	s := open(t)
	fixture(t, s)
	slaFixture(t, s)
	svc := service(s)
	sum, err := svc.Summary(t.Context(), window())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Volume.Created != 3 || sum.Backlog.Open != 2 || pct(sum.SLA.PercentMet) != 60 || sum.CSAT.Responses != 2 || sum.Reports["sla"] == "" {
		t.Errorf("summary %+v", sum)
	}
	var b bytes.Buffer
	if err := report.WriteSummaryCSV(&b, sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "volume.created,3\r\n") || !strings.Contains(b.String(), "resolution.p90_seconds,21600\r\n") {
		t.Errorf("summary CSV:\n%s", b.String())
	}
}
