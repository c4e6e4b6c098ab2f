package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// needSLA answers 503 in place of h when the server was built without an
// SLA service, so that the handlers behind it may use s.sla.
func (s *Server) needSLA(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.sla == nil {
			return triage.Errorf(triage.EUNAVAILABLE, "SLA and satisfaction surveys are not configured on this server")
		}
		return h(c)
	}
}

func (s *Server) listSLAPolicies(c echo.Context) error {
	items, err := s.sla.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.SLAPolicy]{Items: items})
}

func (s *Server) getSLAPolicy(c echo.Context) error {
	p, err := s.sla.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, p.Version, p)
}

func (s *Server) createSLAPolicy(c echo.Context) error {
	var in triage.NewSLAPolicy
	if err := s.decode(c, &in); err != nil {
		return err
	}
	p, err := s.sla.CreatePolicy(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/sla/policies/"+p.ID, p.Version, p)
}

func (s *Server) updateSLAPolicy(c echo.Context) error {
	return update(s, c, s.sla.UpdatePolicy, func(p *triage.SLAPolicy) int { return p.Version })
}

func (s *Server) deleteSLAPolicy(c echo.Context) error {
	return remove(c, s.sla.DeletePolicy)
}

func (s *Server) listCalendars(c echo.Context) error {
	items, err := s.sla.Calendars(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Calendar]{Items: items})
}

func (s *Server) getCalendar(c echo.Context) error {
	cal, err := s.sla.Calendar(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, cal.Version, cal)
}

func (s *Server) createCalendar(c echo.Context) error {
	var in triage.NewCalendar
	if err := s.decode(c, &in); err != nil {
		return err
	}
	cal, err := s.sla.CreateCalendar(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/calendars/"+cal.ID, cal.Version, cal)
}

func (s *Server) updateCalendar(c echo.Context) error {
	return update(s, c, s.sla.UpdateCalendar, func(cal *triage.Calendar) int { return cal.Version })
}

func (s *Server) deleteCalendar(c echo.Context) error {
	return remove(c, s.sla.DeleteCalendar)
}

func (s *Server) businessTime(c echo.Context) error {
	q := c.QueryParams()
	from, err := slaInstant("from", q.Get("from"))
	if err != nil {
		return err
	}
	to, err := slaInstant("to", q.Get("to"))
	if err != nil {
		return err
	}
	bt, err := s.sla.Calculate(c.Request().Context(), c.Param("id"), from, q.Get("add"), to)
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
	v, err := s.sla.Ticket(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) ticketSurvey(c echo.Context) error {
	v, err := s.sla.TicketSurvey(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) issueSurvey(c echo.Context) error {
	// The link goes to the requester by mail; the answer says only that
	// it is on its way.
	v, err := s.sla.IssueSurvey(c.Request().Context(), c.Param("id"), idem(c, http.StatusAccepted))
	if err != nil {
		return err
	}
	return send(c, http.StatusAccepted, 0, v)
}

// publicSurvey and answerSurvey need no token of the API: the survey's own
// token, 256 random bits in the path, is the credential. The answer is
// never cached.
func (s *Server) publicSurvey(c echo.Context) error {
	v, err := s.sla.PublicSurvey(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return send(c, http.StatusOK, 0, v)
}

func (s *Server) answerSurvey(c echo.Context) error {
	// The rating is the customer's: a request that carries any staff
	// credential that still works, a token or a signed-in session's
	// cookie (an agent opening their customer's link in their own
	// browser), is refused, whatever the link.
	if p := s.staffCredential(c); p != nil {
		return triage.Errorf(triage.EFORBIDDEN, "a survey is the customer's to answer; %s may not answer it while signed in as staff", p.Role)
	}
	var a triage.SurveyAnswer
	if err := s.decode(c, &a); err != nil {
		return err
	}
	v, err := s.sla.AnswerSurvey(c.Request().Context(), c.Param("token"), a)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return send(c, http.StatusOK, 0, v)
}

// staffCredential returns the staff member a request's credentials stand
// for, a bearer token or a session cookie, or nil when it carries none
// that works. Unlike principal it asks no CSRF token: it only refuses.
func (s *Server) staffCredential(c echo.Context) *triage.Principal {
	r := c.Request()
	if scheme, secret, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") {
		if p, err := s.desk.Authenticate(r.Context(), strings.TrimSpace(secret)); err == nil {
			return p
		}
	}
	if s.accounts.Service == nil {
		return nil
	}
	if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
		if p, err := s.accounts.Service.Authenticate(r.Context(), ck.Value); err == nil {
			return p
		}
	}
	return nil
}
