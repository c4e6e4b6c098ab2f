package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// mergeTicket merges the ticket in the path into body.into. If-Match
// guards the merged ticket; into_version, when sent, the survivor.
func (s *Server) mergeTicket(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in triage.Merge
	if err := s.decode(c, &in); err != nil {
		return err
	}
	res, err := s.desk.Merge(c.Request().Context(), c.Param("id"), version, in, idem(c, http.StatusOK))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, res)
}

func (s *Server) ticketLinks(c echo.Context) error {
	items, err := s.desk.Links(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[triage.LinkView]{Items: items})
}
