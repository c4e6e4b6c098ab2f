package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
)

// Eval holds what the evaluation routes serve: the reports that
// `triage eval … --save` kept in <data>/reports. A zero Eval lists none.
type Eval struct {
	Reports eval.Reports
}

// EvalReport is one saved report: what the list shows of it, and the
// report as `triage eval` wrote it (its shape depends on info.kind:
// classify, retrieve, live or suite; README "Evaluation" describes them).
type EvalReport struct {
	Info   eval.ReportInfo `json:"info"`
	Report map[string]any  `json:"report"`
}

// evalReportWire is EvalReport as sent: the report's bytes pass through
// untouched, so numbers and key order read exactly as in the file.
type evalReportWire struct {
	Info   eval.ReportInfo `json:"info"`
	Report json.RawMessage `json:"report"`
}

// reportPolicy is the Content-Security-Policy of a report's page. The page
// is self-contained (inline CSS and SVG, no script) and is built from data
// files whose texts we do not control, so it may load nothing, run
// nothing, submit nothing, and is sandboxed into an origin of its own; the
// UI may frame it (same origin), nobody else may.
const reportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"

// evalRoutes are the routes of saved evaluation reports, for admins: a
// report names the data files on the server's disk and may quote texts of
// the evaluation sets.
func (s *Server) evalRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/eval/reports", Tag: "eval", Summary: "Saved evaluation reports (triage eval --save), newest first, with their headline metrics", Roles: admins(), Handler: s.listEvalReports, Response: List[eval.ReportInfo]{}},
		{Method: "GET", Path: "/v1/eval/reports/:id", Tag: "eval", Summary: "One saved evaluation report as JSON", Roles: admins(), Handler: s.getEvalReport, Response: EvalReport{}},
		{Method: "GET", Path: "/v1/eval/reports/:id/view", Tag: "eval", Summary: "A saved report drawn for a page that has its own header: its sections as HTML (inline SVG charts, no script, styled by /assets/eval-report.css), labels in one language", Roles: admins(), Handler: s.evalReportView, Response: EvalView{},
			Query: []Param{{"lang", "string", "the labels' language: zh-CN (default) or en"}}},
		{Method: "GET", Path: "/v1/eval/reports/:id/html", Tag: "eval", Summary: "A saved report's self-contained HTML page (text/html; charts as inline SVG, no script)", Roles: admins(), Handler: s.evalReportPage},
	}
}

// reports is the store, or ok=false when none is configured: a zero Dir
// must not read the working directory.
func (s *Server) reports() (eval.Reports, bool) {
	return s.eval.Reports, s.eval.Reports.Dir != ""
}

func (s *Server) listEvalReports(c echo.Context) error {
	r, ok := s.reports()
	if !ok {
		return send(c, http.StatusOK, 0, List[eval.ReportInfo]{Items: []eval.ReportInfo{}})
	}
	items, err := r.List()
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[eval.ReportInfo]{Items: items})
}

func (s *Server) getEvalReport(c echo.Context) error {
	r, ok := s.reports()
	if !ok {
		return noReport(c.Param("id"))
	}
	info, err := r.Info(c.Param("id"))
	if err != nil {
		return err
	}
	b, err := r.JSON(info.ID)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, evalReportWire{Info: info, Report: b})
}

func (s *Server) evalReportPage(c echo.Context) error {
	r, ok := s.reports()
	if !ok {
		return noReport(c.Param("id"))
	}
	page, err := r.HTML(c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", reportPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, no-cache")
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", page)
}

// EvalView is a saved report drawn by package eval (the same drawing as
// its HTML page) for the web UI to show under its own header.
type EvalView struct {
	Info  eval.ReportInfo `json:"info"`
	Lang  eval.Lang       `json:"lang"`
	Title string          `json:"title"`
	// HTML is one element of class eval-report holding the sections:
	// escaped texts, tables and inline SVG, no script and no style
	// attribute, styled by the stylesheet at /assets/eval-report.css.
	HTML string `json:"html"`
}

func (s *Server) evalReportView(c echo.Context) error {
	lang := eval.LangZH
	if v := c.QueryParam("lang"); v != "" {
		if lang = eval.ParseLang(v); lang == eval.LangBoth {
			return triage.Invalid("lang", "lang is zh-CN or en, not %q", v)
		}
	}
	r, ok := s.reports()
	if !ok {
		return noReport(c.Param("id"))
	}
	info, err := r.Info(c.Param("id"))
	if err != nil {
		return err
	}
	b, err := r.JSON(info.ID)
	if err != nil {
		return err
	}
	d, err := eval.DecodeReport(info.ID+".json", b)
	if err != nil {
		return err
	}
	body, err := eval.WriteBody(d, lang)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, EvalView{Info: info, Lang: lang, Title: d.TitleIn(lang), HTML: string(body)})
}

func noReport(id string) error {
	return triage.Errorf(triage.ENOTFOUND, "report %s not found: this server keeps no saved reports", id)
}
