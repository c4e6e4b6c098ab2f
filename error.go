package triage

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The set is deliberately small: each code maps to exactly one
// HTTP status in package api, and callers branch on the code, never on the
// message.
const (
	EINVALID      = "invalid"                // 400: the input is wrong; Field names what.
	EUNAUTHORIZED = "unauthorized"           // 401: no valid credentials.
	EFORBIDDEN    = "forbidden"              // 403: valid credentials, not allowed.
	ENOTFOUND     = "not_found"              // 404
	EMETHOD       = "method_not_allowed"     // 405
	ECONFLICT     = "conflict"               // 409: the resource's state does not allow it.
	ESTALE        = "precondition_failed"    // 412: If-Match names an old version.
	ETOOLARGE     = "too_large"              // 413
	EMEDIATYPE    = "unsupported_media_type" // 415: a body in a type the route does not take.
	EMISMATCH     = "idempotency_mismatch"   // 422: Idempotency-Key reused with another body.
	EPRECONDITION = "precondition_required"  // 428: a write without If-Match.
	ERATELIMIT    = "rate_limited"           // 429
	EUNAVAILABLE  = "unavailable"            // 503: a dependency is down; retry.
	EINTERNAL     = "internal"               // 500: a bug; never expected.
)

// Error is the one error type the service returns to its callers. Message is
// safe to show to an API client; Err, when set, is the cause for logs only.
type Error struct {
	Code    string
	Message string
	// Field names the input field that is wrong, as the client spelt it.
	Field string
	// Allowed lists the values that would have been accepted, for example
	// the status transitions open from the current status.
	Allowed []string
	Err     error
	// Reason, when set, explains the failure as a code a person's screen
	// translates, for a caller that reports it instead of failing (an
	// open circuit breaker becomes a degraded search that says so).
	Reason *Reason
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("triage error: code=%s message=%s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("triage error: code=%s message=%s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other error
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, and a generic one for
// errors that are not *Error so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }

// ErrorMessageOrText returns the client-safe message of an *Error and the
// full text of any other error; for command-line tools, whose user is the
// operator and needs the cause.
func ErrorMessageOrText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Field != "" && !strings.Contains(e.Message, e.Field) {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}
