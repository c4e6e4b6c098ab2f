package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// checkQuery enforces a route's declared query parameters (Route.Query),
// the same list the OpenAPI document shows: a parameter the route does not
// take is a 400 naming it, on every route, so a typo (stauts=open) is an
// error rather than a silently unfiltered answer. A query string that does
// not parse is a 400 too. Handlers then read c.QueryParams() knowing
// every name in it is one they declared.
func checkQuery(rt Route, next echo.HandlerFunc) echo.HandlerFunc {
	names := make([]string, len(rt.Query))
	for i, p := range rt.Query {
		names[i] = p.Name
	}
	return func(c echo.Context) error {
		q, err := url.ParseQuery(c.Request().URL.RawQuery)
		if err != nil {
			return triage.Invalid("query", "the query string is malformed: %v", err)
		}
		for name := range q {
			if !slices.Contains(names, name) {
				takes := "takes no query parameters"
				if len(names) > 0 {
					takes = "takes " + strings.Join(names, ", ")
				}
				return &triage.Error{Code: triage.EINVALID, Field: name, Allowed: names,
					Message: "unknown query parameter " + strconv.Quote(name) + ": " + rt.Method + " " + rt.Path + " " + takes}
			}
		}
		return next(c)
	}
}
