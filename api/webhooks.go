package api

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

func (s *Server) listWebhooks(c echo.Context) error {
	items, err := s.ops.Webhooks.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Webhook]{Items: items})
}

// createWebhook answers with the secret: the only time it is shown.
func (s *Server) createWebhook(c echo.Context) error {
	var in triage.NewWebhook
	if err := s.decode(c, &in); err != nil {
		return err
	}
	w, err := s.ops.Webhooks.Create(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/webhooks/"+w.ID, w.Version, w)
}

func (s *Server) getWebhook(c echo.Context) error {
	w, err := s.ops.Webhooks.Webhook(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, w.Version, w)
}

func (s *Server) updateWebhook(c echo.Context) error {
	return update(s, c, s.ops.Webhooks.Update, func(w *triage.Webhook) int { return w.Version })
}

func (s *Server) deleteWebhook(c echo.Context) error {
	return remove(c, s.ops.Webhooks.Delete)
}

// pingWebhook queues a test delivery; 202 because it is sent by the job
// queue, and its outcome shows in the delivery log.
func (s *Server) pingWebhook(c echo.Context) error {
	d, err := s.ops.Webhooks.Ping(c.Request().Context(), c.Param("id"), idem(c, http.StatusAccepted))
	if err != nil {
		return err
	}
	return accepted(c, d)
}

func (s *Server) redeliver(c echo.Context) error {
	d, err := s.ops.Webhooks.Redeliver(c.Request().Context(), c.Param("id"), c.Param("delivery"), idem(c, http.StatusAccepted))
	if err != nil {
		return err
	}
	return accepted(c, d)
}

func accepted(c echo.Context, d *triage.Delivery) error {
	c.Response().Header().Set(echo.HeaderLocation, "/v1/webhooks/"+url.PathEscape(d.WebhookID)+"/deliveries/"+url.PathEscape(d.ID))
	return send(c, http.StatusAccepted, 0, d)
}

func (s *Server) listDeliveries(c echo.Context) error {
	q := c.QueryParams()
	f := triage.DeliveryFilter{WebhookID: c.Param("id"), Status: q.Get("status"), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return err
	}
	items, next, err := s.ops.Webhooks.Deliveries(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Delivery]{Items: items, NextCursor: next})
}

func (s *Server) getDelivery(c echo.Context) error {
	d, err := s.ops.Webhooks.Delivery(c.Request().Context(), c.Param("id"), c.Param("delivery"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, d)
}
