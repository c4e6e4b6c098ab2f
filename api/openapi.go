package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// OpenAPI builds the OpenAPI 3.0 document from the route table and the Go
// types of request and response bodies, so the document cannot drift from
// the code: a field added to a type appears in it on the next build.
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{components: map[string]any{}}
	g.components["Error"] = g.schema(reflect.TypeOf(ErrorBody{}))
	paths := map[string]map[string]any{}
	for _, r := range s.routes {
		p := openAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.Method)] = g.operation(r)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "triage",
			"version":     s.version,
			"description": "Ticket triage for Chinese customer service. Errors share one shape; writes to an existing resource take If-Match; POST takes Idempotency-Key.",
		},
		// The document describes the server that serves it, wherever it
		// is deployed.
		"servers": []any{map[string]any{"url": "/", "description": "the server that serves this document"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
}

var pathParam = regexp.MustCompile(`:(\w+)`)

func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

func (s *Server) openapi(c echo.Context) error {
	return send(c, http.StatusOK, 0, s.OpenAPI())
}

func (g *schemaGen) operation(r Route) map[string]any {
	op := map[string]any{
		"summary":     r.Summary,
		"operationId": operationID(r),
		"tags":        []string{r.Tag},
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range r.Query {
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
	}
	if r.Conditional {
		params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": true, "description": "the ETag of the version being changed", "schema": map[string]any{"type": "string"}})
	}
	if r.Method == http.MethodPost && r.Roles != nil {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "description": "retry-safe key: the same key and body replay the first response", "schema": map[string]any{"type": "string", "maxLength": maxKey}})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch {
	case r.RequestType != "":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.RequestType: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
	case r.Request != nil:
		content := map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.Request))}}
		if r.Multipart {
			content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "required": []string{"json"}, "properties": map[string]any{
				"json": map[string]any{"type": "string", "description": "the same JSON object as an application/json body"},
				"file": map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "binary"}, "description": "one part per file, with its file name"},
			}}}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if r.Response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.Response))}}
	}
	responses := map[string]any{strconv.Itoa(status): ok}
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	addErr := func(code int) {
		e := map[string]any{"description": http.StatusText(code)}
		for k, v := range errRef {
			e[k] = v
		}
		responses[strconv.Itoa(code)] = e
	}
	if r.Roles != nil {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
		addErr(http.StatusUnauthorized)
		addErr(http.StatusForbidden)
	} else {
		op["security"] = []any{} // public: no token
	}
	if r.Request != nil || len(r.Query) > 0 {
		addErr(http.StatusBadRequest)
	}
	if r.Request != nil {
		addErr(http.StatusRequestEntityTooLarge)
	}
	if strings.Contains(r.Path, ":") {
		addErr(http.StatusNotFound)
	}
	if r.Conditional {
		addErr(http.StatusPreconditionFailed)
		addErr(http.StatusPreconditionRequired)
		addErr(http.StatusConflict)
	}
	if r.Method == http.MethodPost && r.Roles != nil {
		addErr(http.StatusUnprocessableEntity)
	}
	op["responses"] = responses
	return op
}

func operationID(r Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Method))
	for _, part := range strings.Split(r.Path, "/") {
		if part == "" || part == "v1" {
			continue
		}
		part = strings.TrimPrefix(part, ":")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// schemaGen turns Go types into JSON Schema (the OpenAPI 3.0 dialect).
type schemaGen struct {
	components map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		s := g.schema(t.Elem())
		return g.nullable(s)
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if opt, ok := optElem(t); ok {
		return g.nullable(g.schema(opt))
	}
	switch t.Kind() {
	case reflect.String:
		if enum := enumOf(t); enum != nil {
			return g.enum(t, enum)
		}
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.object(t)
	case reflect.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}

// enum returns a $ref to the component of an enum type (Status, Priority,
// Channel, Role, ArticleStatus), named after it, which lists its values
// and, for a lifecycle, x-next: each value's next values. Clients read
// them here rather than keep a copy (the web UI does).
func (g *schemaGen) enum(t reflect.Type, values []string) map[string]any {
	name := t.Name()
	if _, ok := g.components[name]; !ok {
		c := map[string]any{"type": "string", "enum": values}
		if next := nextOf(t); next != nil {
			c["x-next"] = next
		}
		g.components[name] = c
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// nextOf is the lifecycle of a status type: each value's next values.
func nextOf(t reflect.Type) map[string][]string {
	out := map[string][]string{}
	switch t {
	case reflect.TypeOf(triage.Status("")):
		for _, s := range triage.Statuses() {
			out[string(s)] = strs(s.Next())
		}
	case reflect.TypeOf(triage.ArticleStatus("")):
		for _, s := range triage.ArticleStatuses() {
			out[string(s)] = strs(s.Next())
		}
	default:
		return nil
	}
	return out
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// nullable marks a schema as allowing null. OpenAPI 3.0 wants a type
// beside nullable, which for a $ref is the type of its component.
func (g *schemaGen) nullable(s map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		typ := "object"
		if c, ok := g.components[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any); ok && c["type"] != nil {
			typ = c["type"].(string)
		}
		return map[string]any{"type": typ, "allOf": []any{map[string]any{"$ref": ref}}, "nullable": true}
	}
	c := map[string]any{"nullable": true}
	for k, v := range s {
		c[k] = v
	}
	return c
}

// optElem recognises triage.Opt[T] and returns T.
func optElem(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeOf(triage.Opt[int]{}).PkgPath() || !strings.HasPrefix(t.Name(), "Opt[") {
		return nil, false
	}
	f, ok := t.FieldByName("V")
	return f.Type, ok
}

func enumOf(t reflect.Type) []string {
	var vals []string
	add := func(vs ...string) { vals = append(vals, vs...) }
	switch t {
	case reflect.TypeOf(triage.Status("")):
		for _, v := range triage.Statuses() {
			add(string(v))
		}
	case reflect.TypeOf(triage.Priority("")):
		for _, v := range triage.Priorities() {
			add(string(v))
		}
	case reflect.TypeOf(triage.Channel("")):
		for _, v := range triage.Channels() {
			add(string(v))
		}
	case reflect.TypeOf(triage.Role("")):
		for _, v := range triage.Roles() {
			add(string(v))
		}
	case reflect.TypeOf(triage.ArticleStatus("")):
		for _, v := range triage.ArticleStatuses() {
			add(string(v))
		}
	}
	return vals
}

// object returns a $ref to a named struct's component, building it once;
// anonymous and generic structs are inlined.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	name := componentName(t)
	if name != "" {
		if _, ok := g.components[name]; ok {
			return map[string]any{"$ref": "#/components/schemas/" + name}
		}
		g.components[name] = map[string]any{} // placeholder against recursion
	}
	props := map[string]any{}
	g.fields(t, props)
	s := map[string]any{"type": "object", "properties": props}
	if name == "" {
		return s
	}
	g.components[name] = s
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			g.fields(ft, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
	}
}

func componentName(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return ""
	}
	if i := strings.IndexByte(n, '['); i >= 0 {
		// List[github.com/…/triage.Ticket] → TicketList
		inner := n[i+1 : len(n)-1]
		inner = inner[strings.LastIndexAny(inner, "./")+1:]
		return strings.TrimPrefix(inner, "*") + n[:i]
	}
	return n
}
