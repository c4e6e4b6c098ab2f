package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/helpcentre"
)

// Answerer answers a bot's question (helpcentre.Service).
type Answerer interface {
	Answer(ctx context.Context, in helpcentre.AnswerRequest) (*helpcentre.AnswerResult, error)
}

// DeflectionReporter builds the deflection report (helpcentre.Service).
type DeflectionReporter interface {
	Deflection(ctx context.Context, from, to time.Time) (*helpcentre.Deflection, error)
}

func deflectionParams() []Param {
	return []Param{
		{"from", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), inclusive; default 30 days before to"},
		{"to", "string", "RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), exclusive; default now"},
		{"format", "string", "json (default) or csv; Accept: text/csv does the same"},
	}
}

func (s *Server) answer(c echo.Context) error {
	if s.help.Answers == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "the help centre is not configured on this server")
	}
	var in helpcentre.AnswerRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	out, err := s.help.Answers.Answer(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, out)
}

func (s *Server) deflection(c echo.Context) error {
	if s.help.Deflection == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "the help centre is not configured on this server")
	}
	q := c.QueryParams()
	from, err := parseTime("from", q.Get("from"))
	if err != nil {
		return err
	}
	to, err := parseTime("to", q.Get("to"))
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = time.Now().UTC()
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	csv, err := wantsCSV(c, q.Get("format"))
	if err != nil {
		return err
	}
	rep, err := s.help.Deflection.Deflection(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	if csv {
		return sendCSV(c, "deflection", func(b *bytes.Buffer) error { return rep.WriteCSV(b) })
	}
	return send(c, http.StatusOK, 0, rep)
}
