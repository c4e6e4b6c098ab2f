package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/report"
)

// reportParams are the query parameters of a report that groups by
// groups; the summary takes the first three.
func reportParams(groups string) []Param {
	return []Param{
		{"from", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), inclusive; default 30 days before to"},
		{"to", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), exclusive; default now"},
		{"format", "string", "json (default) or csv; Accept: text/csv does the same"},
		{"group", "string", groups + "; default one row for all"},
		{"agent", "string", "only tickets of this agent id"},
		{"team", "string", "only tickets of this team id"},
		{"category", "string", "only tickets of this category"},
	}
}

// reportQuery reads a report's query string.
func reportQuery(c echo.Context) (report.Query, bool, error) {
	q := c.QueryParams()
	var err error
	var in report.Query
	if in.From, err = parseTime("from", q.Get("from")); err != nil {
		return in, false, err
	}
	if in.To, err = parseTime("to", q.Get("to")); err != nil {
		return in, false, err
	}
	in.Group, in.Agent, in.Team, in.Category = triage.ReportGroup(q.Get("group")), q.Get("agent"), q.Get("team"), q.Get("category")
	csv, err := wantsCSV(c, q.Get("format"))
	return in, csv, err
}

// wantsCSV decides the format: ?format wins over Accept, so a link in a
// browser (which sends its own Accept) can ask for CSV.
func wantsCSV(c echo.Context, format string) (bool, error) {
	switch format {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, &triage.Error{Code: triage.EINVALID, Field: "format", Allowed: []string{"json", "csv"}, Message: "format " + format + " is not json or csv"}
	}
	for _, part := range strings.Split(c.Request().Header.Get(echo.HeaderAccept), ",") {
		if t, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && t == "text/csv" {
			return true, nil
		}
	}
	return false, nil
}

// sendCSV writes a report as a CSV download. It is rendered into memory
// first, so an error midway is still a clean error response.
func sendCSV(c echo.Context, name string, write func(b *bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// reportHandler serves one report as JSON or CSV.
func reportHandler[R any](s *Server, name string, run func(*report.Service, context.Context, report.Query) (*report.Report[R], error)) echo.HandlerFunc {
	return tableHandler(s, name, run, func(r *report.Report[R]) *report.Report[R] { return r })
}

// tableHandler serves a report whose JSON holds more than its table: the
// JSON as it is, the CSV of its table.
func tableHandler[T, R any](s *Server, name string, run func(*report.Service, context.Context, report.Query) (T, error), table func(T) *report.Report[R]) echo.HandlerFunc {
	return func(c echo.Context) error {
		in, csv, err := reportQuery(c)
		if err != nil {
			return err
		}
		rep, err := run(s.ops.Reports, c.Request().Context(), in)
		if err != nil {
			return err
		}
		if csv {
			return sendCSV(c, name, func(b *bytes.Buffer) error { return report.WriteCSV(b, table(rep)) })
		}
		return send(c, http.StatusOK, 0, rep)
	}
}

func (s *Server) reportVolume(c echo.Context) error {
	return reportHandler(s, "volume", (*report.Service).Volume)(c)
}

func (s *Server) reportFirstResponse(c echo.Context) error {
	return reportHandler(s, "first-response", (*report.Service).FirstResponse)(c)
}

func (s *Server) reportResolution(c echo.Context) error {
	return reportHandler(s, "resolution", (*report.Service).Resolution)(c)
}

func (s *Server) reportBacklog(c echo.Context) error {
	return reportHandler(s, "backlog", (*report.Service).Backlog)(c)
}

func (s *Server) reportAccuracy(c echo.Context) error {
	return reportHandler(s, "accuracy", (*report.Service).Accuracy)(c)
}

func (s *Server) reportAcceptance(c echo.Context) error {
	return reportHandler(s, "acceptance", (*report.Service).Acceptance)(c)
}

func (s *Server) reportSLA(c echo.Context) error {
	return tableHandler(s, "sla", (*report.Service).SLA, func(r *report.SLAReport) *report.Report[report.SLARow] { return &r.Report })(c)
}

func (s *Server) reportCSAT(c echo.Context) error {
	return tableHandler(s, "csat", (*report.Service).CSAT, func(r *report.CSATReport) *report.Report[report.CSATRow] { return &r.Report })(c)
}

func (s *Server) reportSummary(c echo.Context) error {
	in, csv, err := reportQuery(c)
	if err != nil {
		return err
	}
	sum, err := s.ops.Reports.Summary(c.Request().Context(), in)
	if err != nil {
		return err
	}
	if csv {
		return sendCSV(c, "summary", func(b *bytes.Buffer) error { return report.WriteSummaryCSV(b, sum) })
	}
	return send(c, http.StatusOK, 0, sum)
}
