package report

import (
	"context"
	"time"

	"github.com/triagehq/triage"
)

// VolumeRow counts a group's tickets: created, solved, merged and closed
// in the window (each when it happened), and the backlog open at the end
// of the row's period: the end of the day for a day group, the end of the
// window otherwise.
type VolumeRow struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Created int    `json:"created"`
	Solved  int    `json:"solved"`
	Merged  int    `json:"merged"`
	Closed  int    `json:"closed"`
	Backlog int    `json:"backlog"`
}

// Volume is the volume report.
func (s *Service) Volume(ctx context.Context, in Query) (*Report[VolumeRow], error) {
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	stats, err := s.Store.ReportVolume(ctx, q)
	if err != nil {
		return nil, err
	}
	byKey := map[string]triage.VolumeStats{}
	var ks []string
	for _, v := range stats {
		byKey[v.Key] = v
		ks = append(ks, v.Key)
	}
	backlog := map[string]int{}
	var start int
	if q.Group == triage.GroupDay {
		// The backlog day by day: what was open when the window began,
		// plus what came in, minus what left (solved or merged).
		all := q
		all.Group = triage.GroupNone
		open, err := s.Store.ReportBacklog(ctx, all, q.From)
		if err != nil {
			return nil, err
		}
		for _, b := range open {
			start += b.Open
		}
	} else {
		open, err := s.Store.ReportBacklog(ctx, q, q.To)
		if err != nil {
			return nil, err
		}
		for _, b := range open {
			backlog[b.Key] = b.Open
			ks = append(ks, b.Key)
		}
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	rep := &Report[VolumeRow]{Header: s.header("volume", q), Rows: []VolumeRow{}, Total: VolumeRow{Key: "total", Label: "合计"}}
	running := start
	for _, k := range keys(q, ks) {
		v := byKey[k]
		row := VolumeRow{Key: k, Label: l.label(k), Created: v.Created, Solved: v.Solved, Merged: v.Merged, Closed: v.Closed, Backlog: backlog[k]}
		if q.Group == triage.GroupDay {
			running += v.Created - v.Solved - v.Merged
			row.Backlog = running
		}
		rep.Rows = append(rep.Rows, row)
		t := &rep.Total
		t.Created, t.Solved, t.Merged, t.Closed = t.Created+v.Created, t.Solved+v.Solved, t.Merged+v.Merged, t.Closed+v.Closed
		t.Backlog += backlog[k]
	}
	if q.Group == triage.GroupDay {
		rep.Total.Backlog = running
	}
	return rep, nil
}

// TimeRow summarises a duration over a group's tickets, in seconds of
// calendar time (business hours are the SLA report's business).
// Percentiles are nearest-rank: the time of a real ticket.
type TimeRow struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Tickets    int    `json:"tickets"`
	AvgSeconds int64  `json:"avg_seconds"`
	P50Seconds int64  `json:"p50_seconds"`
	P90Seconds int64  `json:"p90_seconds"`
	MaxSeconds int64  `json:"max_seconds"`
}

func timeRow(d triage.DurationStats, label string) TimeRow {
	return TimeRow{Key: d.Key, Label: label, Tickets: d.N, AvgSeconds: seconds(d.Avg), P50Seconds: seconds(d.P50),
		P90Seconds: seconds(d.P90), MaxSeconds: seconds(d.Max)}
}

// FirstResponse is the first-response time report: tickets whose first
// public reply was in the window, from creation to that reply.
func (s *Service) FirstResponse(ctx context.Context, in Query) (*Report[TimeRow], error) {
	return s.durations(ctx, in, "first_response", triage.FirstResponse)
}

// Resolution is the resolution time report: tickets solved in the
// window, from creation to solved; merged tickets are left out.
func (s *Service) Resolution(ctx context.Context, in Query) (*Report[TimeRow], error) {
	return s.durations(ctx, in, "resolution", triage.Resolution)
}

func (s *Service) durations(ctx context.Context, in Query, name string, m triage.DurationMetric) (*Report[TimeRow], error) {
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	stats, err := s.Store.ReportDurations(ctx, q, m)
	if err != nil {
		return nil, err
	}
	// Percentiles do not add up: the total is its own query, unless the
	// report has no groups.
	total := stats
	if q.Group != triage.GroupNone {
		all := q
		all.Group = triage.GroupNone
		if total, err = s.Store.ReportDurations(ctx, all, m); err != nil {
			return nil, err
		}
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	rep := &Report[TimeRow]{Header: s.header(name, q), Rows: []TimeRow{}, Total: TimeRow{Key: "total", Label: "合计"}}
	for _, d := range stats {
		rep.Rows = append(rep.Rows, timeRow(d, l.label(d.Key)))
	}
	if len(total) == 1 {
		rep.Total = timeRow(total[0], "合计")
		rep.Total.Key = "total"
	}
	return rep, nil
}

// BacklogRow is a group's tickets open at the end of the window, by age.
type BacklogRow struct {
	Key        string     `json:"key"`
	Label      string     `json:"label"`
	Open       int        `json:"open"`
	Unassigned int        `json:"unassigned"`
	AgeUnder1d int        `json:"age_under_1d"`
	Age1dTo3d  int        `json:"age_1d_3d"`
	Age3dTo7d  int        `json:"age_3d_7d"`
	AgeOver7d  int        `json:"age_over_7d"`
	Oldest     *time.Time `json:"oldest_created_at"`
}

// Backlog is the backlog report: what was open at the end of the window
// (now, by default). Its day-by-day history is the volume report's
// backlog column, so a day group is refused here.
func (s *Service) Backlog(ctx context.Context, in Query) (*Report[BacklogRow], error) {
	if in.Group == triage.GroupDay {
		return nil, triage.Invalid("group", "the backlog report is at one instant; the volume report with group=day has the backlog day by day")
	}
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	stats, err := s.Store.ReportBacklog(ctx, q, q.To)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	rep := &Report[BacklogRow]{Header: s.header("backlog", q), Rows: []BacklogRow{}, Total: BacklogRow{Key: "total", Label: "合计"}}
	for _, b := range stats {
		row := BacklogRow{Key: b.Key, Label: l.label(b.Key), Open: b.Open, Unassigned: b.Unassigned, AgeUnder1d: b.Under1d,
			Age1dTo3d: b.Under3d, Age3dTo7d: b.Under7d, AgeOver7d: b.Over7d, Oldest: b.Oldest}
		rep.Rows = append(rep.Rows, row)
		t := &rep.Total
		t.Open, t.Unassigned, t.AgeUnder1d, t.Age1dTo3d, t.Age3dTo7d, t.AgeOver7d = t.Open+b.Open, t.Unassigned+b.Unassigned,
			t.AgeUnder1d+b.Under1d, t.Age1dTo3d+b.Under3d, t.Age3dTo7d+b.Under7d, t.AgeOver7d+b.Over7d
		if b.Oldest != nil && (t.Oldest == nil || b.Oldest.Before(*t.Oldest)) {
			t.Oldest = b.Oldest
		}
	}
	return rep, nil
}
