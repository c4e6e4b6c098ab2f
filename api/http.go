package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
)

// decode reads a JSON request body into v strictly: a body that is not
// application/json is a 415; unknown fields, a key sent twice or beside a
// case variant of itself ("Title" and "title", which encoding/json would
// both take for one field, the last silently winning), a NUL character in
// any string (PostgreSQL cannot store one, SQLite would: both stores must
// answer alike), trailing data and wrong types are 400s that name the
// field; a body over the limit is a 413.
func (s *Server) decode(c echo.Context, v any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return triage.Invalid("body", "the request body is empty; send a JSON object")
	}
	if err := jsonContentType(c.Request().Header.Get(echo.HeaderContentType)); err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// jsonContentType accepts application/json, in UTF-8 if a charset is
// named, and nothing else.
func jsonContentType(h string) error {
	mt, params, err := mime.ParseMediaType(h)
	switch {
	case h == "":
		return &triage.Error{Code: triage.EMEDIATYPE, Field: "Content-Type", Message: "the request has no Content-Type; send the JSON body with Content-Type: application/json"}
	case err != nil || mt != echo.MIMEApplicationJSON:
		return &triage.Error{Code: triage.EMEDIATYPE, Field: "Content-Type", Message: fmt.Sprintf("Content-Type %s is not accepted here; send the JSON body with Content-Type: application/json", clipHeader(h))}
	case params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"):
		return &triage.Error{Code: triage.EMEDIATYPE, Field: "Content-Type", Message: fmt.Sprintf("charset %s is not accepted; send the JSON body in UTF-8", clipHeader(params["charset"]))}
	}
	return nil
}

// decodeJSON decodes one JSON value from body into v under the rules of
// decode (the content type aside): a JSON body, or the json part of a
// multipart one.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return triage.Invalid("body", "the request body is not valid UTF-8")
	}
	if err := checkJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return triage.Invalid("body", "the request body holds more than one JSON value")
	}
	return nil
}

// maxJSONDepth bounds the nesting checkJSON walks; no request body of this
// API nests deeper than a handful of levels.
const maxJSONDepth = 64

// checkJSON walks the first JSON value of body once, before it is decoded,
// for what encoding/json lets through: duplicate keys, keys that differ
// only in case, NUL characters, and absurd nesting. Syntax errors are left
// to the decoder, which reports them with their offset.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := walkJSON(dec, "", 0)
	var te *triage.Error
	if errors.As(err, &te) {
		return te
	}
	return nil
}

func walkJSON(dec *json.Decoder, path string, depth int) error {
	if depth > maxJSONDepth {
		return triage.Invalid(cmp.Or(path, "body"), "the request body nests deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		if strings.ContainsRune(t, 0) {
			field := cmp.Or(path, "body")
			return triage.Invalid(field, "%s contains a NUL character (\\u0000), which text may not hold", field)
		}
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]string{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				field := k
				if path != "" {
					field = path + "." + k
				}
				if strings.ContainsRune(k, 0) {
					return triage.Invalid(cmp.Or(path, "body"), "a key contains a NUL character (\\u0000)")
				}
				f := foldKey(k)
				if prev, ok := seen[f]; ok && prev == k {
					return triage.Invalid(field, "%s is sent twice; send each field once", field)
				} else if ok {
					return triage.Invalid(field, "%q and %q differ only in case, and would be read as one field; send it once, as %q", prev, k, strings.ToLower(k))
				}
				seen[f] = k
				if err := walkJSON(dec, field, depth+1); err != nil {
					return err
				}
			}
			_, err := dec.Token()
			return err
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walkJSON(dec, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
					return err
				}
			}
			_, err := dec.Token()
			return err
		}
	}
	return nil
}

// foldKey maps a key to what encoding/json matches it by: case folded,
// so that "Title", "TITLE" and "title" (and the Kelvin sign beside k)
// fold alike.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, k)
}

// readBody reads the whole body once (the idempotency check hashes it too)
// and keeps it for a second read.
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	if b, ok := c.Get(ctxBody).([]byte); ok {
		return b, nil
	}
	r := c.Request()
	limit := s.bodyLimit
	if n, ok := c.Get(ctxLimit).(int64); ok {
		limit = n
	}
	if r.ContentLength > limit {
		return nil, triage.Errorf(triage.ETOOLARGE, "the request body is %d bytes; at most %d are allowed", r.ContentLength, limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, triage.Errorf(triage.ETOOLARGE, "the request body is over the limit of %d bytes", limit)
	} else if err != nil {
		return nil, triage.Invalid("body", "the request body could not be read: %v", err)
	}
	c.Set(ctxBody, b)
	return b, nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return triage.Invalid("body", "the request body is not valid JSON (at byte %d): %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return triage.Invalid("body", "the request body must be a JSON object, not %s", typ.Value)
		}
		return triage.Invalid(field, "%s must be %s, not %s", field, jsonType(typ.Type.String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return triage.Invalid("body", "the request body is incomplete JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return triage.Invalid(f, "unknown field %q", f)
	}
	var te *triage.Error
	if errors.As(err, &te) {
		return te
	}
	return triage.Invalid("body", "the request body could not be decoded: %v", err)
}

// jsonType names a Go type the way a JSON client thinks of it.
func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.Contains(goType, "int") || strings.Contains(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string" || strings.HasPrefix(goType, "triage."):
		if goType == "triage.Requester" {
			return "an object"
		}
		return "a string"
	}
	return "a " + goType
}

// etag is a resource's entity tag: its version, so If-Match on a write and
// the store's version check are the same thing.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch returns the version a write is conditional on: 428 when the header
// is missing, 0 for "*". The field is a list of entity tags (RFC 9110
// 13.1.1); one that this service issued ("3") names a version, and any
// other tag, or text that is no tag at all ("stale-0", stale), matches no
// version of anything: 412, as when the version is old. Of several
// versions listed, the newest is the one the write is conditional on.
func ifMatch(c echo.Context) (int, error) {
	h := strings.TrimSpace(strings.Join(c.Request().Header.Values("If-Match"), ","))
	if h == "" {
		return 0, triage.Errorf(triage.EPRECONDITION, "If-Match is required: send the ETag of the version you read, so a concurrent change is not overwritten")
	}
	version := 0
	for _, tag := range entityTags(h) {
		if tag == "*" {
			return 0, nil
		}
		if n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(tag, "W/"), `"`)); err == nil && n > 0 && strings.HasSuffix(tag, `"`) {
			version = max(version, n)
		}
	}
	if version == 0 {
		return 0, &triage.Error{Code: triage.ESTALE, Field: "If-Match",
			Message: fmt.Sprintf(`If-Match %s matches no version: send the ETag of the version you read, like "3"`, clipHeader(h))}
	}
	return version, nil
}

// entityTags splits an If-Match value into its members: "*", "x" and
// W/"x" tags (whose opaque part may hold commas), and, for text that is
// none of those, the text up to the next comma.
func entityTags(h string) []string {
	var out []string
	for h != "" {
		h = strings.TrimLeft(h, " \t,")
		if h == "" {
			break
		}
		start := 0
		if strings.HasPrefix(h, "W/") {
			start = 2
		}
		if strings.HasPrefix(h[start:], `"`) {
			if end := strings.IndexByte(h[start+1:], '"'); end >= 0 {
				n := start + 1 + end + 1
				out = append(out, h[:n])
				h = h[n:]
				continue
			}
		}
		end := strings.IndexByte(h, ',')
		if end < 0 {
			end = len(h)
		}
		out = append(out, strings.TrimSpace(h[:end]))
		h = h[end:]
	}
	return out
}

// clipHeader quotes a header's value for an error message, cut short.
func clipHeader(h string) string {
	if len(h) > 80 {
		h = h[:80] + "…"
	}
	return strconv.Quote(h)
}

// send writes v as JSON with an ETag. A GET whose If-None-Match matches
// gets a 304 and no body. Versioned resources use their version as the tag;
// lists use a hash of the body.
func send(c echo.Context, status int, version int, v any) error {
	body, err := marshal(v)
	if err != nil {
		return err
	}
	tag := ""
	if version > 0 {
		tag = etag(version)
	} else {
		sum := sha256.Sum256(body)
		tag = `W/"` + hex.EncodeToString(sum[:8]) + `"`
	}
	h := c.Response().Header()
	h.Set("ETag", tag)
	if c.Request().Method == http.MethodGet && noneMatch(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}

func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	weak := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, h := range strings.Split(header, ",") {
		if strings.TrimSpace(h) == "*" || weak(h) == weak(tag) {
			return true
		}
	}
	return false
}

// marshal encodes v as JSON without escaping <, > and &: responses are not
// embedded in HTML, and customers' text should read as they wrote it.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// created answers a POST that made a resource.
func created(c echo.Context, location string, version int, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return send(c, http.StatusCreated, version, v)
}

// List is the shape of every list response.
type List[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor"`
}

const (
	ctxBody  = "triage.body"
	ctxIdem  = "triage.idem"
	ctxLimit = "triage.limit"
	// maxKey bounds an Idempotency-Key; a UUID is 36 characters.
	maxKey = 255
)

// idempotency makes a POST with an Idempotency-Key safe to retry: the same
// key and body replay the first response, the same key with another body is
// a 422, and a new key is handed to the handler, whose service call stores
// it in the writing transaction.
func (s *Server) idempotency(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if c.Request().Method != http.MethodPost || key == "" {
			return next(c)
		}
		if len(key) > maxKey || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return &triage.Error{Code: triage.EINVALID, Field: "Idempotency-Key", Message: fmt.Sprintf("Idempotency-Key must be 1-%d visible ASCII characters", maxKey)}
		}
		body, err := s.readBody(c)
		if err != nil {
			return err
		}
		sum := sha256.New()
		fmt.Fprintf(sum, "%s %s\n", c.Request().Method, c.Request().URL.Path)
		sum.Write(body)
		hash := hex.EncodeToString(sum.Sum(nil))
		scope := triage.PrincipalFromContext(c.Request().Context()).Credential()
		if done, err := s.replay(c, scope, key, hash); done || err != nil {
			return err
		}
		c.Set(ctxIdem, &triage.Idempotency{Scope: scope, Key: key, RequestHash: hash})
		err = next(c)
		if errors.Is(err, triage.ErrReplay) {
			// A concurrent request with the same key committed first.
			if done, rerr := s.replay(c, scope, key, hash); done || rerr != nil {
				return rerr
			}
		}
		return err
	}
}

func (s *Server) replay(c echo.Context, scope, key, hash string) (bool, error) {
	rec, err := s.desk.Idempotency(c.Request().Context(), scope, key)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	if rec.RequestHash != hash {
		return true, &triage.Error{Code: triage.EMISMATCH, Field: "Idempotency-Key", Message: "this Idempotency-Key was used with a different request; use a new key for a new request"}
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	return true, c.Blob(rec.Status, echo.MIMEApplicationJSON, rec.Body)
}

// idem returns the request's idempotency record for a service call that
// answers with status, or nil when the request carried no key.
func idem(c echo.Context, status int) *triage.Idempotency {
	i, ok := c.Get(ctxIdem).(*triage.Idempotency)
	if !ok {
		return nil
	}
	cp := *i
	cp.Status = status
	return &cp
}

// update answers a conditional PATCH of the resource at :id: If-Match, the
// decoded update, then apply; the answer carries the new version's ETag.
func update[U any, T any](s *Server, c echo.Context, apply func(ctx context.Context, id string, version int, u U) (T, error), version func(T) int) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u U
	if err := s.decode(c, &u); err != nil {
		return err
	}
	r, err := apply(c.Request().Context(), c.Param("id"), v, u)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, version(r), r)
}

// remove answers a conditional DELETE of the resource at :id.
func remove(c echo.Context, apply func(ctx context.Context, id string, version int) error) error {
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := apply(c.Request().Context(), c.Param("id"), v); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// bodyLimit gives a route its own body limit (files, raw mail).
func bodyLimit(n int64, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxLimit, n)
		return next(c)
	}
}
