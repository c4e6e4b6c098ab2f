package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Trace hooks the server into a tracer (package otel): Handler wraps the
// whole server (a span per request), and Route names the request's span
// by its route template once the router has matched it, never by its
// URL. Either may be nil.
type Trace struct {
	Handler func(http.Handler) http.Handler
	Route   func(ctx context.Context, method, route string)
}

// traceRoute names the request's span. echo has matched the route before
// its middleware runs, so the span is named even when the handler panics.
func (s *Server) traceRoute(next echo.HandlerFunc) echo.HandlerFunc {
	if s.trace.Route == nil {
		return next
	}
	return func(c echo.Context) error {
		route := c.Path()
		if !s.known(c.Request().Method, route) {
			route = "unmatched"
		}
		s.trace.Route(c.Request().Context(), c.Request().Method, route)
		return next(c)
	}
}
