package api_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// rfc3339 matches a JSON string that is a time.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// TestTimesAreUTC calls every route as an admin, with the matrix's bodies
// and queries (a business-time question asked in +08:00 among them), and
// finds every time in every JSON answer: each is RFC 3339 in UTC, one form
// across the API.
func TestTimesAreUTC(t *testing.T) {
	e := newEnv(t)
	seen := 0
	for _, rt := range e.srv.Routes() {
		if rt.Roles == nil || rt.Method == "DELETE" {
			continue
		}
		key := rt.Method + " " + rt.Path
		t.Run(key, func(t *testing.T) {
			path := e.fixturePath(rt.Path, triage.RoleAdmin, false) + matrixQueries[key]
			var headers []string
			if rt.Conditional {
				headers = append(headers, "If-Match: *")
			}
			r := e.do(rt.Method, path, triage.RoleAdmin, strings.ReplaceAll(matrixBodies[key], "{ticket}", e.ticket("").ID), headers...)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				return
			}
			var v any
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Fatalf("%d: not JSON: %v", r.Code, err)
			}
			walkStrings(v, "", func(where, s string) {
				if rfc3339.MatchString(s) {
					seen++
					if !strings.HasSuffix(s, "Z") {
						t.Errorf("%s = %q: not in UTC", where, s)
					}
				}
			})
		})
	}
	if seen < 100 {
		t.Errorf("only %d times seen across the API", seen)
	}
}

func walkStrings(v any, where string, fn func(where, s string)) {
	switch v := v.(type) {
	case string:
		fn(where, v)
	case map[string]any:
		for k, x := range v {
			walkStrings(x, where+"."+k, fn)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, where+"[]", fn)
		}
	}
}
