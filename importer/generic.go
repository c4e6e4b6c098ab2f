package importer

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// getter reads one ticket field of a generic record by the name the
// mapping gives it; ok is false when the record has no such column or key.
type getter func(name string) (v string, ok bool)

// readGenericCSV reads a CSV file whose columns the mapping names.
func readGenericCSV(r io.Reader, e *emitter) error {
	c := e.cfg
	var h *csvHeader
	header := func(hh *csvHeader) error {
		h = hh
		for _, need := range c.columnNames() {
			if h.col(need.column) < 0 {
				return errorf(1, "columns.%s names the column %q, which the header does not have (it has %s)", need.field, need.column, strings.Join(h.names, ", "))
			}
		}
		return nil
	}
	row := func(row csvRow) error {
		get := func(name string) (string, bool) {
			i := h.col(name)
			return row.at(i), i >= 0
		}
		t, skip := c.genericTicket(get, nil)
		if skip != nil {
			return e.emit(row.pos, nil, skip)
		}
		return e.ticket(row.pos, t)
	}
	return done(readCSV(r, e, header, row))
}

// readGenericJSONL reads JSON Lines, one ticket per line, whose keys the
// mapping names ("a.b" reaches into nested objects).
func readGenericJSONL(r io.Reader, e *emitter) error {
	c := e.cfg
	item := func(it jsonItem) error {
		p := pos(it)
		dec := json.NewDecoder(bytes.NewReader(it.raw))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return e.skip(p, triage.ImportNotTicket)
		}
		t, skip := c.genericTicket(jsonGetter(obj), obj)
		if skip != nil {
			return e.emit(p, nil, skip)
		}
		return e.ticket(p, t)
	}
	bad := func(line int, off int64, msg string) error {
		return e.skip(triage.ImportPosition{Line: line, Offset: off}, triage.ImportBadLine, "error", msg)
	}
	return done(readJSON(r, item, bad))
}

// jsonGetter looks up dotted paths in a decoded JSON object.
func jsonGetter(obj map[string]any) getter {
	return func(name string) (string, bool) {
		v, ok := lookupPath(obj, name)
		if !ok {
			return "", false
		}
		return jsonText(v), true
	}
}

func lookupPath(obj map[string]any, path string) (any, bool) {
	if v, ok := obj[path]; ok { // a key that itself has dots
		return v, true
	}
	var cur any = obj
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// jsonText shows a decoded JSON value as text; lists are joined with
// commas.
func jsonText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			if s := jsonText(x); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type namedColumn struct{ field, column string }

// columnNames lists the columns the mapping names, for the header check.
func (c *config) columnNames() []namedColumn {
	col := c.columns
	out := []namedColumn{}
	for _, nc := range []namedColumn{
		{"external_id", col.ExternalID}, {"title", col.Title}, {"body", col.Body}, {"body_html", col.BodyHTML},
		{"requester_name", col.RequesterName}, {"requester_email", col.RequesterEmail},
		{"requester_phone", col.RequesterPhone}, {"requester_tier", col.RequesterTier},
		{"assignee_email", col.AssigneeEmail}, {"assignee_name", col.AssigneeName}, {"group", col.Group},
		{"status", col.Status}, {"priority", col.Priority}, {"channel", col.Channel}, {"tags", col.Tags},
		{"created_at", col.CreatedAt}, {"updated_at", col.UpdatedAt}, {"solved_at", col.SolvedAt},
		{"closed_at", col.ClosedAt}, {"resolution", col.Resolution},
	} {
		if nc.column != "" {
			out = append(out, nc)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(col.Fields)) {
		out = append(out, namedColumn{"fields", k})
	}
	if c.category.From == triage.CategoryField && !slices.ContainsFunc(out, func(n namedColumn) bool { return n.column == c.category.Field }) {
		out = append(out, namedColumn{"category.field", c.category.Field})
	}
	return out
}

// genericTicket builds a ticket from a generic record. obj is the decoded
// JSON line, for the comment list; nil for CSV.
func (c *config) genericTicket(get getter, obj map[string]any) (*triage.ImportedTicket, *triage.ImportReason) {
	col := c.columns
	val := func(name string) string {
		if name == "" {
			return ""
		}
		v, _ := get(name)
		return v
	}
	bad := func(field, value string, err error) *triage.ImportReason {
		r := triage.NewImportReason(triage.ImportBadValue, "field", field, "value", clip(value), "error", err.Error())
		return &r
	}
	t := &triage.ImportedTicket{
		Source:     c.source,
		ExternalID: val(col.ExternalID),
		Title:      val(col.Title),
		Requester: triage.Requester{
			Name: val(col.RequesterName), Email: val(col.RequesterEmail),
			Phone: val(col.RequesterPhone), Tier: val(col.RequesterTier),
		},
		AssigneeEmail:  val(col.AssigneeEmail),
		AssigneeName:   val(col.AssigneeName),
		Group:          val(col.Group),
		Channel:        c.channel(val(col.Channel)),
		SourceStatus:   val(col.Status),
		SourcePriority: val(col.Priority),
	}
	if t.AssigneeEmail == "" && t.AssigneeName != "" {
		t.AssigneeEmail = c.agents[fold(t.AssigneeName)]
	}
	if tags, ok := lookupList(obj, col.Tags); ok {
		t.Tags = tags
	} else {
		t.Tags = splitList(val(col.Tags), c.tagSeps)
	}
	status, skip := c.status(val(col.Status))
	if skip != nil {
		return nil, skip
	}
	t.Status = status
	if skip := c.priority(val(col.Priority), t); skip != nil {
		return nil, skip
	}
	var err error
	if t.CreatedAt, err = c.parseTime(val(col.CreatedAt)); err != nil {
		return nil, bad(col.CreatedAt, val(col.CreatedAt), err)
	}
	if t.UpdatedAt, err = c.parseTime(val(col.UpdatedAt)); err != nil {
		return nil, bad(col.UpdatedAt, val(col.UpdatedAt), err)
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{col.SolvedAt, &t.SolvedAt}, {col.ClosedAt, &t.ClosedAt}} {
		at, err := c.parseTime(val(f.name))
		if err != nil {
			return nil, bad(f.name, val(f.name), err)
		}
		if !at.IsZero() {
			*f.dst = &at
		}
	}
	body, html := val(col.Body), val(col.BodyHTML)
	switch {
	case body != "" && looksHTML(body) && html == "":
		html, body = body, htmlToText(body)
	case body == "" && html != "":
		body = htmlToText(html)
	}
	t.Body = body
	t.Fields = map[string]string{}
	for column, key := range col.Fields {
		if v := val(column); v != "" {
			t.Fields[key] = v
		}
	}
	// The category column need not be one of the custom fields.
	fields := t.Fields
	if c.category.From == triage.CategoryField {
		if _, ok := fields[c.category.Field]; !ok {
			fields = maps.Clone(t.Fields)
			fields[c.category.Field] = val(c.category.Field)
		}
	}
	var note *triage.ImportReason
	if t.Category, note = c.category.Apply(fields, t.Tags); note != nil {
		t.Notes = append(t.Notes, *note)
	}
	if body != "" {
		t.Comments = append(t.Comments, triage.ImportedComment{
			Author: triage.AuthorRequester, AuthorEmail: t.Requester.Email, AuthorName: t.Requester.Name,
			Public: true, Body: body, HTML: html, CreatedAt: t.CreatedAt,
		})
	}
	if obj != nil && c.comments != nil {
		comments, skip := c.genericComments(obj, t)
		if skip != nil {
			return nil, skip
		}
		if len(comments) > 0 {
			t.Comments = comments // the list holds the whole conversation
			if t.Body == "" {
				t.Body = firstRequesterBody(comments)
			}
		}
	}
	if res := val(col.Resolution); res != "" {
		at := t.UpdatedAt
		if t.SolvedAt != nil {
			at = *t.SolvedAt
		}
		t.Comments = append(t.Comments, triage.ImportedComment{
			Author: triage.AuthorAgent, AuthorEmail: t.AssigneeEmail, AuthorName: t.AssigneeName,
			Public: true, Body: res, CreatedAt: at,
		})
	}
	return t, nil
}

// lookupList reads a list value of a JSON line as a list.
func lookupList(obj map[string]any, name string) ([]string, bool) {
	if obj == nil || name == "" {
		return nil, false
	}
	v, ok := lookupPath(obj, name)
	list, isList := v.([]any)
	if !ok || !isList {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s := jsonText(x); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

func (c *config) genericComments(obj map[string]any, t *triage.ImportedTicket) ([]triage.ImportedComment, *triage.ImportReason) {
	ck := c.comments
	v, ok := lookupPath(obj, ck.List)
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		r := triage.NewImportReason(triage.ImportBadValue, "field", ck.List, "error", "must be a list of comments")
		return nil, &r
	}
	out := make([]triage.ImportedComment, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			r := triage.NewImportReason(triage.ImportBadValue, "field", ck.List+"["+strconv.Itoa(i)+"]", "error", "must be an object")
			return nil, &r
		}
		get := jsonGetter(m)
		val := func(name string) string {
			if name == "" {
				return ""
			}
			v, _ := get(name)
			return v
		}
		at, err := c.parseTime(val(ck.CreatedAt))
		if err != nil {
			r := triage.NewImportReason(triage.ImportBadValue, "field", ck.List+"["+strconv.Itoa(i)+"]."+ck.CreatedAt, "value", clip(val(ck.CreatedAt)), "error", err.Error())
			return nil, &r
		}
		ic := triage.ImportedComment{
			ExternalID: val(ck.ExternalID), AuthorEmail: val(ck.AuthorEmail), AuthorName: val(ck.AuthorName),
			Body: val(ck.Body), HTML: val(ck.HTML), CreatedAt: at, Public: true,
		}
		if ic.Body == "" && ic.HTML != "" {
			ic.Body = htmlToText(ic.HTML)
		}
		if ck.Public != "" {
			if b, ok := truthy(val(ck.Public)); ok {
				ic.Public = b
			}
		} else if ck.Internal != "" {
			if b, ok := truthy(val(ck.Internal)); ok {
				ic.Public = !b
			}
		}
		ic.Author = triage.AuthorUnknown
		if role := val(ck.Author); role != "" {
			if r, ok := ck.Roles[role]; ok {
				ic.Author = r
			} else {
				for k, r := range ck.Roles {
					if strings.EqualFold(k, role) {
						ic.Author = r
					}
				}
			}
		}
		if ic.Author == triage.AuthorUnknown && ic.AuthorEmail != "" {
			switch {
			case strings.EqualFold(ic.AuthorEmail, t.Requester.Email):
				ic.Author = triage.AuthorRequester
			case strings.EqualFold(ic.AuthorEmail, t.AssigneeEmail):
				ic.Author = triage.AuthorAgent
			}
		}
		out = append(out, ic)
	}
	return out, nil
}

// firstRequesterBody is the customer's first message, or the first message
// when no author is known to be the customer.
func firstRequesterBody(cs []triage.ImportedComment) string {
	for _, c := range cs {
		if c.Author == triage.AuthorRequester && c.Body != "" {
			return c.Body
		}
	}
	for _, c := range cs {
		if c.Body != "" {
			return c.Body
		}
	}
	return ""
}

// truthy reads a boolean as exports write it.
func truthy(v string) (b, ok bool) {
	switch fold(v) {
	case "true", "1", "yes", "y", "t", "是", "对", "真":
		return true, true
	case "false", "0", "no", "n", "f", "否", "错", "假":
		return false, true
	}
	return false, false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
