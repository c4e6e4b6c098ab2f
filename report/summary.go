package report

import (
	"context"
	"io"
	"reflect"
	"time"

	"github.com/triagehq/triage"
)

// Summary is every report's total for one window, and where to find the
// detail.
type Summary struct {
	Header
	Volume        VolumeRow     `json:"volume"`
	FirstResponse TimeRow       `json:"first_response"`
	Resolution    TimeRow       `json:"resolution"`
	Backlog       BacklogRow    `json:"backlog"`
	Accuracy      AccuracyRow   `json:"accuracy"`
	Acceptance    AcceptanceRow `json:"acceptance"`
	// SLA and CSAT are the overall figures of the SLA and satisfaction
	// reports (/v1/reports/sla and /v1/reports/csat).
	SLA  SLAFigures  `json:"sla"`
	CSAT CSATFigures `json:"csat"`
	// Reports lists the detailed reports, each taking the same from and to.
	Reports map[string]string `json:"reports"`
}

// Summary computes the summary. Filters and groups do not apply.
func (s *Service) Summary(ctx context.Context, in Query) (*Summary, error) {
	in.Group, in.Agent, in.Team, in.Category = triage.GroupNone, "", "", ""
	q, err := s.store(in)
	if err != nil {
		return nil, err
	}
	in.From, in.To = q.From, q.To
	sum := &Summary{Header: s.header("summary", q), Reports: map[string]string{
		"volume": "/v1/reports/volume", "first_response": "/v1/reports/first-response", "resolution": "/v1/reports/resolution",
		"backlog": "/v1/reports/backlog", "accuracy": "/v1/reports/accuracy", "acceptance": "/v1/reports/acceptance",
		"sla": "/v1/reports/sla", "csat": "/v1/reports/csat",
	}}
	vol, err := s.Volume(ctx, in)
	if err != nil {
		return nil, err
	}
	frt, err := s.FirstResponse(ctx, in)
	if err != nil {
		return nil, err
	}
	res, err := s.Resolution(ctx, in)
	if err != nil {
		return nil, err
	}
	bl, err := s.Backlog(ctx, in)
	if err != nil {
		return nil, err
	}
	acc, err := s.Accuracy(ctx, in)
	if err != nil {
		return nil, err
	}
	acp, err := s.Acceptance(ctx, in)
	if err != nil {
		return nil, err
	}
	sum.Volume, sum.FirstResponse, sum.Resolution, sum.Backlog, sum.Accuracy, sum.Acceptance =
		vol.Total, frt.Total, res.Total, bl.Total, acc.Total, acp.Total
	sla, err := s.SLA(ctx, in)
	if err != nil {
		return nil, err
	}
	csat, err := s.CSAT(ctx, in)
	if err != nil {
		return nil, err
	}
	sum.SLA, sum.CSAT = sla.Overall, csat.Overall
	return sum, nil
}

// WriteSummaryCSV writes the summary as two columns, metric and value,
// one line per figure (volume.created, resolution.p90_seconds, …). The
// SLA area's figures are left out: their own reports export them.
func WriteSummaryCSV(w io.Writer, sum *Summary) error {
	loc, err := time.LoadLocation(sum.Zone)
	if err != nil {
		loc = time.FixedZone(sum.Zone, 8*3600)
	}
	rows := [][]string{{"metric", "value"}, {"from", cell(reflect.ValueOf(sum.From), loc)}, {"to", cell(reflect.ValueOf(sum.To), loc)}}
	for _, sec := range []struct {
		name string
		v    any
	}{{"volume", sum.Volume}, {"first_response", sum.FirstResponse}, {"resolution", sum.Resolution},
		{"backlog", sum.Backlog}, {"accuracy", sum.Accuracy}, {"acceptance", sum.Acceptance}} {
		v := reflect.ValueOf(sec.v)
		vals := cells(v, loc)
		for i, col := range columns(v.Type()) {
			if col == "key" || col == "label" {
				continue
			}
			rows = append(rows, []string{sec.name + "." + col, vals[i]})
		}
	}
	return writeAll(w, rows)
}
