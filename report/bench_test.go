package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/report"
	"github.com/triagehq/triage/sqlite"
)

var (
	bigOnce  sync.Once
	bigStore *sqlite.DB
)

// big is a store of 100,000 tickets over a year (20 agents, 4 teams, 8
// categories), most solved, with triage records, shared by the benchmarks.
func big(b *testing.B) *sqlite.DB {
	bigOnce.Do(func() {
		ctx := context.Background()
		// TRIAGE_REPORT_BENCH_DB keeps the seeded file between runs.
		path, keep := os.LookupEnv("TRIAGE_REPORT_BENCH_DB")
		if !keep {
			path = b.TempDir() + "/big.db"
		}
		_, statErr := os.Stat(path)
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if keep && statErr == nil {
			bigStore = s
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		start := now.AddDate(-1, 0, 0)
		cats := []string{"支付与退款", "物流", "账号", "发票与报销", "售后", "投诉", "活动", ""}
		dec := func(v string) triage.Decision { return triage.Decision{Value: v, Source: "model"} }
		for batch := 0; batch < 10; batch++ {
			err := s.Update(ctx, func(tx triage.Tx) error {
				for i := range 10000 {
					n := batch*10000 + i
					created := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
					t := ticket(fmt.Sprintf("t-%06d", n), created, fmt.Sprintf("a%02d", r.IntN(20)), fmt.Sprintf("tm%d", r.IntN(4)), cats[r.IntN(len(cats))])
					if r.IntN(10) < 9 {
						fr := created.Add(time.Duration(r.Int64N(int64(8 * time.Hour))))
						t.FirstResponseAt = &fr
					}
					if r.IntN(10) < 8 {
						sv := created.Add(time.Duration(r.Int64N(int64(96 * time.Hour))))
						t.SolvedAt, t.Status = &sv, triage.StatusSolved
						if r.IntN(2) == 0 {
							cl := sv.Add(72 * time.Hour)
							t.ClosedAt, t.Status = &cl, triage.StatusClosed
						}
					}
					if err := tx.CreateTicket(ctx, t); err != nil {
						return err
					}
					rec := &triage.TriageRecord{TicketID: t.ID, Category: dec(cats[r.IntN(len(cats))]), Priority: dec("P3"), Assignee: dec(t.AssigneeID), CreatedAt: created}
					if err := tx.SaveTriageRecord(ctx, rec); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		bigStore = s
	})
	return bigStore
}

// BenchmarkReports100k runs each report over a store of 100,000 tickets:
// a quarter by day, a year by agent.
func BenchmarkReports100k(b *testing.B) {
	svc := &report.Service{Store: big(b), Zone: cst, Now: func() time.Time { return now }}
	ctx := context.Background()
	quarter := report.Query{From: now.AddDate(0, -3, 0), To: now, Group: triage.GroupDay}
	year := report.Query{From: now.AddDate(-1, 0, 0), To: now, Group: triage.GroupAgent}
	for _, c := range []struct {
		name string
		fn   func(report.Query) error
	}{
		{"volume", func(q report.Query) error { _, err := svc.Volume(ctx, q); return err }},
		{"first-response", func(q report.Query) error { _, err := svc.FirstResponse(ctx, q); return err }},
		{"resolution", func(q report.Query) error { _, err := svc.Resolution(ctx, q); return err }},
		{"accuracy", func(q report.Query) error { _, err := svc.Accuracy(ctx, q); return err }},
		{"acceptance", func(q report.Query) error { _, err := svc.Acceptance(ctx, q); return err }},
	} {
		for _, w := range []struct {
			name string
			q    report.Query
		}{{"quarter-by-day", quarter}, {"year-by-agent", year}} {
			b.Run(c.name+"/"+w.name, func(b *testing.B) {
				for b.Loop() {
					if err := c.fn(w.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	b.Run("backlog/by-team", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Backlog(ctx, report.Query{Group: triage.GroupTeam}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("summary/30-days", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Summary(ctx, report.Query{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
