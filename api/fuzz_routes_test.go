package api_test

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// FuzzRouteBodies throws arbitrary bodies at every route that takes one,
// as an admin (who may call them all): whatever comes in, the answer is a
// success or a 4xx in the error shape, never a 5xx and never a panic. The
// seeds are each route's valid body from the role matrix and a few broken
// twins of it, so `make test` calls every body route with each.
func FuzzRouteBodies(f *testing.F) {
	shared := newEnv(f)
	var routes []string
	for _, rt := range shared.srv.Routes() {
		if rt.Request != nil {
			routes = append(routes, rt.Method+" "+rt.Path)
		}
	}
	if len(routes) == 0 {
		f.Fatal("no route takes a body")
	}
	for i, key := range routes {
		valid := matrixBodies[key]
		for _, body := range []string{
			valid,
			strings.TrimSuffix(valid, "}"),
			strings.Replace(valid, `"`, `""`, 1),
			strings.Replace(valid, ":", `:{"x":[`, 1),
			`{"unknown_field":1}`, `null`, `[]`, "\xff\xfe", `{"a":1e400}`,
		} {
			f.Add(uint16(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, body []byte) {
		e := *shared
		e.t = t
		key := routes[int(which)%len(routes)]
		method, path, _ := strings.Cut(key, " ")
		path = e.fixturePath(path, triage.RoleAdmin, false)
		body2 := strings.ReplaceAll(string(body), "{ticket}", e.ticket("").ID)
		r := e.do(method, path, triage.RoleAdmin, body2, "If-Match: *")
		switch {
		case r.Code >= 500:
			t.Fatalf("%s %s: %d: %s", method, path, r.Code, r.Body)
		case r.Code >= 400:
			r.errorBody(t)
		}
	})
}
