package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/sla"
)

// slaService returns the SLA service, or 503 when the server was built
// without one.
func (s *Server) slaService() (*sla.Service, error) {
	if s.sla == nil {
		return nil, triage.Errorf(triage.EUNAVAILABLE, "SLA and satisfaction surveys are not configured on this server")
	}
	return s.sla, nil
}

func (s *Server) listSLAPolicies(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	if err := slaNoQuery(c); err != nil {
		return err
	}
	items, err := svc.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.SLAPolicy]{Items: items})
}

func (s *Server) getSLAPolicy(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	p, err := svc.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, p.Version, p)
}

func (s *Server) createSLAPolicy(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	var in triage.NewSLAPolicy
	if err := s.decode(c, &in); err != nil {
		return err
	}
	p, err := svc.CreatePolicy(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/sla/policies/"+p.ID, p.Version, p)
}

func (s *Server) updateSLAPolicy(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	return update(s, c, svc.UpdatePolicy, func(p *triage.SLAPolicy) int { return p.Version })
}

func (s *Server) deleteSLAPolicy(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	return remove(c, svc.DeletePolicy)
}

func (s *Server) listCalendars(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	if err := slaNoQuery(c); err != nil {
		return err
	}
	items, err := svc.Calendars(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Calendar]{Items: items})
}

func (s *Server) getCalendar(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	cal, err := svc.Calendar(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, cal.Version, cal)
}

func (s *Server) createCalendar(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	var in triage.NewCalendar
	if err := s.decode(c, &in); err != nil {
		return err
	}
	cal, err := svc.CreateCalendar(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/calendars/"+cal.ID, cal.Version, cal)
}

func (s *Server) updateCalendar(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	return update(s, c, svc.UpdateCalendar, func(cal *triage.Calendar) int { return cal.Version })
}

func (s *Server) deleteCalendar(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	return remove(c, svc.DeleteCalendar)
}

func (s *Server) businessTime(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	q, err := slaQuery(c, "from", "add", "to")
	if err != nil {
		return err
	}
	from, err := slaInstant("from", q.Get("from"))
	if err != nil {
		return err
	}
	to, err := slaInstant("to", q.Get("to"))
	if err != nil {
		return err
	}
	bt, err := svc.Calculate(c.Request().Context(), c.Param("id"), from, q.Get("add"), to)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, bt)
}

// slaInstant reads an RFC 3339 time: an instant, not a day, since
// business time depends on the hour.
func slaInstant(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, triage.Invalid(field, "%s must be an RFC 3339 time such as 2026-09-30T17:00:00+08:00", field)
	}
	return t, nil
}

func (s *Server) ticketSLA(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	v, err := svc.Ticket(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) slaReport(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	from, to, err := slaWindow(c)
	if err != nil {
		return err
	}
	rep, err := svc.Report(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, rep)
}

func (s *Server) csatReport(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	from, to, err := slaWindow(c)
	if err != nil {
		return err
	}
	rep, err := svc.CSATReport(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, rep)
}

// slaWindow reads a report's from and to.
func slaWindow(c echo.Context) (time.Time, time.Time, error) {
	q, err := slaQuery(c, "from", "to")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	from, err := parseTime("from", q.Get("from"))
	if err != nil {
		return from, time.Time{}, err
	}
	to, err := parseTime("to", q.Get("to"))
	return from, to, err
}

// slaQuery parses the query string and rejects parameters other than names.
func slaQuery(c echo.Context, names ...string) (url.Values, error) {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, triage.Invalid("query", "the query string is malformed: %v", err)
	}
	known := make([]Param, len(names))
	for i, n := range names {
		known[i] = Param{Name: n}
	}
	return q, knownParams(q, known)
}

func slaNoQuery(c echo.Context) error {
	_, err := slaQuery(c)
	return err
}

func (s *Server) ticketSurvey(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	v, err := svc.TicketSurvey(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) issueSurvey(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	link, err := svc.IssueSurvey(c.Request().Context(), c.Param("id"), idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/tickets/"+link.TicketID+"/csat", 0, link)
}

// publicSurvey and answerSurvey need no token of the API: the survey's own
// token, 256 random bits in the path, is the credential. The answer is
// never cached.
func (s *Server) publicSurvey(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	v, err := svc.PublicSurvey(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) answerSurvey(c echo.Context) error {
	svc, err := s.slaService()
	if err != nil {
		return err
	}
	var a triage.SurveyAnswer
	if err := s.decode(c, &a); err != nil {
		return err
	}
	v, err := svc.AnswerSurvey(c.Request().Context(), c.Param("token"), a)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return send(c, http.StatusOK, 0, v)
}
