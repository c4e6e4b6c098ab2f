package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// statusOf is the one mapping from error code to HTTP status.
func statusOf(code string) int {
	switch code {
	case triage.EINVALID:
		return http.StatusBadRequest
	case triage.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case triage.EFORBIDDEN:
		return http.StatusForbidden
	case triage.ENOTFOUND:
		return http.StatusNotFound
	case triage.EMETHOD:
		return http.StatusMethodNotAllowed
	case triage.ECONFLICT:
		return http.StatusConflict
	case triage.ESTALE:
		return http.StatusPreconditionFailed
	case triage.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case triage.EMEDIATYPE:
		return http.StatusUnsupportedMediaType
	case triage.EMISMATCH:
		return http.StatusUnprocessableEntity
	case triage.EPRECONDITION:
		return http.StatusPreconditionRequired
	case triage.ERATELIMIT:
		return http.StatusTooManyRequests
	case triage.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the one shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	Allowed []string `json:"allowed,omitempty"`
	// Reason says why as a code the UI translates, with its arguments,
	// where the error carries one (a reply over a newer one:
	// ticket.newer_reply with who wrote it).
	Reason *triage.Reason `json:"reason,omitempty"`
	// RequestID repeats the X-Request-ID header, to quote in a support
	// request.
	RequestID string `json:"request_id,omitempty"`
}

// fromEcho turns echo's own errors (unknown route, wrong method, body
// limit) into the service's error type so they share one shape.
func fromEcho(err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	switch he.Code {
	case http.StatusNotFound:
		return triage.Errorf(triage.ENOTFOUND, "no such route")
	case http.StatusMethodNotAllowed:
		return triage.Errorf(triage.EMETHOD, "this route does not take that method")
	case http.StatusRequestEntityTooLarge:
		return triage.Errorf(triage.ETOOLARGE, "the request body is too large")
	case http.StatusUnauthorized:
		return triage.Errorf(triage.EUNAUTHORIZED, "authentication required")
	case http.StatusBadRequest:
		return triage.Errorf(triage.EINVALID, "bad request")
	}
	return err
}

// handleError is echo's HTTPErrorHandler: every error leaves in one shape,
// and anything that is not a *triage.Error is logged and answered as a
// generic 500 so internals never leak.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	err = fromEcho(err)
	code := triage.ErrorCode(err)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: triage.ErrorMessage(err), RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}}
	var te *triage.Error
	if errors.As(err, &te) {
		body.Error.Field, body.Error.Allowed, body.Error.Reason = te.Field, te.Allowed, te.Reason
	}
	status := statusOf(code)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "err", err, "request_id", body.Error.RequestID, "route", c.Path())
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="triage"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	b, _ := marshal(body)
	_ = c.Blob(status, echo.MIMEApplicationJSON, b)
}
