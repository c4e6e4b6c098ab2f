package triage

import (
	"maps"
	"net/mail"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ImportSource names the helpdesk a ticket was imported from, for example
// "zendesk". Together with the ticket's id there it makes the ticket's
// ImportKey.
type ImportSource string

// The helpdesks whose exports triage reads. A generic CSV or JSON Lines
// import names its own source in its mapping file (for example "udesk").
const (
	SourceZendesk   ImportSource = "zendesk"
	SourceZammad    ImportSource = "zammad"
	SourceFreshdesk ImportSource = "freshdesk"
	SourceGeneric   ImportSource = "generic"
)

// MaxExternalID bounds an imported ticket's id in its source system.
const MaxExternalID = 200

// Valid reports whether s is a usable source name: a short lower-case
// token, because it becomes part of every imported ticket's key.
func (s ImportSource) Valid() bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// ImportKey identifies an imported ticket across imports: the same ticket
// read twice, from the same file or from a later export, has the same key,
// which is what makes an import idempotent.
type ImportKey struct {
	Source     ImportSource `json:"source"`
	ExternalID string       `json:"external_id"`
}

// String is the key as one string, "zendesk:123", for a unique column.
func (k ImportKey) String() string { return string(k.Source) + ":" + k.ExternalID }

// ImportPosition says where in an export a record was read, so a skip can be
// named by its line and an interrupted import resumed.
type ImportPosition struct {
	// Record counts ticket records from 0 in the order the export holds
	// them, skipped ones included; it is stable for the same file, so
	// "resume at record N" means the same thing on every run.
	Record int `json:"record"`
	// Line is the 1-based line where the record starts.
	Line int `json:"line"`
	// Offset is the byte offset where the record starts, when the format
	// allows starting there (CSV rows, JSON Lines); -1 otherwise.
	Offset int64 `json:"offset"`
	// Cursor is the source system's own resume point, set on the last
	// record of a page that carried one (Zendesk's after_cursor).
	Cursor string `json:"cursor,omitempty"`
}

// AuthorRole says who wrote an imported comment.
type AuthorRole string

const (
	// AuthorRequester is the customer side: the requester or another
	// end user on the ticket.
	AuthorRequester AuthorRole = "requester"
	AuthorAgent     AuthorRole = "agent"
	// AuthorSystem is the helpdesk itself: triggers, automations.
	AuthorSystem AuthorRole = "system"
	// AuthorUnknown is an author the export does not describe.
	AuthorUnknown AuthorRole = "unknown"
)

// ImportedAttachment is what an export says about a file on a comment.
// Content is set only when the export holds the file inline.
type ImportedAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url,omitempty"`
	Content     []byte `json:"content,omitempty"`
	// Inline marks an image shown inside the comment's HTML.
	Inline bool `json:"inline,omitempty"`
}

// ImportedComment is one message of an imported ticket's conversation.
type ImportedComment struct {
	ExternalID  string     `json:"external_id,omitempty"`
	AuthorEmail string     `json:"author_email,omitempty"`
	AuthorName  string     `json:"author_name,omitempty"`
	Author      AuthorRole `json:"author"`
	// Public is false for an internal note agents wrote for each other.
	Public bool `json:"public"`
	// Body is the text; HTML is the message as the export had it in HTML,
	// when it did. Body is derived from HTML when the export had only that.
	Body        string               `json:"body"`
	HTML        string               `json:"html,omitempty"`
	CreatedAt   time.Time            `json:"created_at"`
	Attachments []ImportedAttachment `json:"attachments,omitempty"`
}

// ImportedTicket is a ticket read from another helpdesk's export, in
// triage's terms: status and priority already mapped, people identified by
// e-mail, times in UTC. It is what the importer readers yield and what the
// store's import takes.
type ImportedTicket struct {
	Source     ImportSource `json:"source"`
	ExternalID string       `json:"external_id"`
	Title      string       `json:"title"`
	// Body is the customer's request: the ticket's description, or its
	// first comment when the export has no description.
	Body      string    `json:"body"`
	Requester Requester `json:"requester"`
	// AssigneeEmail is the agent the ticket was assigned to; agents are
	// matched by e-mail. AssigneeName is kept for exports that name
	// agents without an address.
	AssigneeEmail string            `json:"assignee_email,omitempty"`
	AssigneeName  string            `json:"assignee_name,omitempty"`
	Group         string            `json:"group,omitempty"` // the team in the source
	Channel       Channel           `json:"channel"`
	Status        Status            `json:"status"`
	Priority      Priority          `json:"priority"`
	Category      string            `json:"category,omitempty"`
	Tags          []string          `json:"tags,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	SolvedAt      *time.Time        `json:"solved_at,omitempty"`
	ClosedAt      *time.Time        `json:"closed_at,omitempty"`
	Comments      []ImportedComment `json:"comments,omitempty"`
	// SourceStatus and SourcePriority are the values as the export spelt
	// them, kept so a summary can show what was mapped to what.
	SourceStatus   string `json:"source_status,omitempty"`
	SourcePriority string `json:"source_priority,omitempty"`
	// Notes says what was changed or guessed on the way in (a tag
	// dropped, a time estimated); the ticket is imported all the same.
	Notes []ImportReason `json:"notes,omitempty"`
}

// Key is the ticket's identity across imports.
func (t *ImportedTicket) Key() ImportKey {
	return ImportKey{Source: t.Source, ExternalID: t.ExternalID}
}

// ImportReasonCode names why a record was skipped or what was changed in a
// ticket that was kept. Codes are data: the UI and the command line
// translate them; nothing parses the args back out of a sentence.
type ImportReasonCode string

// Reasons a record is skipped.
const (
	// ImportBadLine: the line is not valid JSON or CSV; args: error.
	ImportBadLine ImportReasonCode = "bad_line"
	// ImportBadEncoding: the text is not UTF-8; args: hint.
	ImportBadEncoding ImportReasonCode = "bad_encoding"
	// ImportWrongColumns: a CSV row with another number of columns than
	// the header; args: got, want.
	ImportWrongColumns ImportReasonCode = "wrong_columns"
	// ImportNotTicket: a JSON value of a shape no reader knows.
	ImportNotTicket ImportReasonCode = "not_a_ticket"
	// ImportMissingField: a required field is absent or empty; args: field.
	ImportMissingField ImportReasonCode = "missing_field"
	// ImportBadValue: a field holds a value of the wrong type or form;
	// args: field, value, error.
	ImportBadValue ImportReasonCode = "bad_value"
	// ImportUnknownStatus / ImportUnknownPriority: the value is not in
	// the mapping; args: value. Add it to the mapping to import these.
	ImportUnknownStatus   ImportReasonCode = "unknown_status"
	ImportUnknownPriority ImportReasonCode = "unknown_priority"
	// ImportDeleted: the source deleted the ticket.
	ImportDeleted ImportReasonCode = "deleted"
	// ImportMerged: the ticket was merged into another; args: into.
	ImportMerged ImportReasonCode = "merged"
)

// Notes on a ticket that was kept.
const (
	// ImportTruncated: a text was cut to triage's limit; args: field, bytes.
	ImportTruncated ImportReasonCode = "truncated"
	// ImportDropped: a value triage cannot hold was left out; args: field,
	// value, error.
	ImportDropped ImportReasonCode = "dropped"
	// ImportEstimated: a time the export lacks was taken from another;
	// args: field, from.
	ImportEstimated ImportReasonCode = "estimated"
	// ImportTitleDerived: the ticket had no subject; the title is the
	// start of its body.
	ImportTitleDerived ImportReasonCode = "title_derived"
	// ImportCategoryUnmapped: the category value is not in the mapping;
	// args: value.
	ImportCategoryUnmapped ImportReasonCode = "category_unmapped"
	// ImportUnknownAuthor: a comment's or requester's user is not in the
	// export; args: id.
	ImportUnknownAuthor ImportReasonCode = "unknown_author"
	// ImportPriorityDefault: the export had no priority; args: priority.
	ImportPriorityDefault ImportReasonCode = "priority_default"
)

// ImportReason is a reason as data: a code and named arguments, for
// example {unknown_status, {value: "hold"}}.
type ImportReason struct {
	Code ImportReasonCode  `json:"code"`
	Args map[string]string `json:"args,omitempty"`
}

// NewImportReason returns a reason with args given as key, value pairs.
func NewImportReason(code ImportReasonCode, kv ...string) ImportReason {
	r := ImportReason{Code: code}
	if len(kv) > 1 {
		r.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i]] = kv[i+1]
		}
	}
	return r
}

// String renders the reason for logs: "unknown_status value=hold".
func (r ImportReason) String() string {
	var b strings.Builder
	b.WriteString(string(r.Code))
	for _, k := range slices.Sorted(maps.Keys(r.Args)) {
		b.WriteString(" " + k + "=" + strconv.Quote(r.Args[k]))
	}
	return b.String()
}

// StatusMap maps a source's status names onto triage's. Lookups ignore case
// and surrounding space, so "Open" and "open " are the same entry.
type StatusMap map[string]Status

// Lookup returns the status for v.
func (m StatusMap) Lookup(v string) (Status, bool) {
	s, ok := m[foldKey(v)]
	return s, ok
}

// Merge returns m with over's entries on top; over is how a mapping file
// overrides a format's defaults.
func (m StatusMap) Merge(over StatusMap) StatusMap {
	out := make(StatusMap, len(m)+len(over))
	for k, v := range m {
		out[foldKey(k)] = v
	}
	for k, v := range over {
		out[foldKey(k)] = v
	}
	return out
}

// Validate reports the first entry that names no triage status.
func (m StatusMap) Validate(field string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !m[k].Valid() {
			return Invalid(field, "%s[%q] is %q; a status must be one of new, open, pending, solved, closed", field, k, m[k])
		}
	}
	return nil
}

// PriorityMap maps a source's priority names onto P1–P4, like StatusMap.
type PriorityMap map[string]Priority

// Lookup returns the priority for v.
func (m PriorityMap) Lookup(v string) (Priority, bool) {
	p, ok := m[foldKey(v)]
	return p, ok
}

// Merge returns m with over's entries on top.
func (m PriorityMap) Merge(over PriorityMap) PriorityMap {
	out := make(PriorityMap, len(m)+len(over))
	for k, v := range m {
		out[foldKey(k)] = v
	}
	for k, v := range over {
		out[foldKey(k)] = v
	}
	return out
}

// Validate reports the first entry that names no triage priority.
func (m PriorityMap) Validate(field string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !m[k].Valid() {
			return Invalid(field, "%s[%q] is %q; a priority must be one of P1, P2, P3, P4", field, k, m[k])
		}
	}
	return nil
}

func foldKey(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// CategoryFrom says where an import finds a ticket's category.
type CategoryFrom string

const (
	CategoryNone  CategoryFrom = ""
	CategoryField CategoryFrom = "field" // a column or custom field
	CategoryTag   CategoryFrom = "tag"   // the first tag that Values maps
)

// CategoryRule derives an imported ticket's category, the label the
// classifier learns from.
type CategoryRule struct {
	From CategoryFrom `json:"from"`
	// Field names the column, JSON key or custom field id when From is
	// "field".
	Field string `json:"field,omitempty"`
	// Values maps source values to triage categories. For a field, an
	// empty map takes the value as it is; for tags it is required.
	Values map[string]string `json:"values,omitempty"`
	// Default is the category when nothing matches; empty leaves the
	// ticket without one.
	Default string `json:"default,omitempty"`
}

// Validate checks the rule; field is its name in the mapping file.
func (c CategoryRule) Validate(field string) error {
	switch c.From {
	case CategoryNone:
		if c.Field != "" || len(c.Values) > 0 {
			return Invalid(field+".from", "%s.from is required when %s.field or %s.values is set; use \"field\" or \"tag\"", field, field, field)
		}
	case CategoryField:
		if strings.TrimSpace(c.Field) == "" {
			return Invalid(field+".field", "%s.field names the column or field that holds the category", field)
		}
	case CategoryTag:
		if len(c.Values) == 0 {
			return Invalid(field+".values", "%s.values maps tags to categories; it is required when %s.from is \"tag\"", field, field)
		}
	default:
		return Invalid(field+".from", "%s.from is %q; use \"field\" or \"tag\"", field, c.From)
	}
	for k, v := range c.Values {
		if strings.TrimSpace(v) == "" {
			return Invalid(field+".values", "%s.values[%q] is empty", field, k)
		}
	}
	return nil
}

// Apply returns the category of a ticket with the given fields and tags,
// and a note when a value was found that the rule does not map.
func (c CategoryRule) Apply(fields map[string]string, tags []string) (string, *ImportReason) {
	switch c.From {
	case CategoryField:
		v, ok := fields[c.Field]
		if !ok {
			// Readers key custom fields as the source names them;
			// Clean later turns names into FieldKeys. Either works.
			v = fields[FieldKey(c.Field)]
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return c.Default, nil
		}
		if len(c.Values) == 0 {
			return v, nil
		}
		if cat, ok := c.lookup(v); ok {
			return cat, nil
		}
		r := NewImportReason(ImportCategoryUnmapped, "value", v)
		return c.Default, &r
	case CategoryTag:
		for _, t := range tags {
			if cat, ok := c.lookup(t); ok {
				return cat, nil
			}
		}
		return c.Default, nil
	}
	return "", nil
}

func (c CategoryRule) lookup(v string) (string, bool) {
	if cat, ok := c.Values[v]; ok {
		return cat, true
	}
	for k, cat := range c.Values {
		if strings.EqualFold(strings.TrimSpace(k), strings.TrimSpace(v)) {
			return cat, true
		}
	}
	return "", false
}

// Clean checks an imported ticket against triage's rules and limits. What
// can be kept is kept and noted in t.Notes (a text cut to its limit, a bad
// tag left out, a missing solve time taken from the last update); what
// cannot makes the whole record a skip, returned as the reason.
func (t *ImportedTicket) Clean() *ImportReason {
	skip := func(code ImportReasonCode, kv ...string) *ImportReason {
		r := NewImportReason(code, kv...)
		return &r
	}
	note := func(code ImportReasonCode, kv ...string) { t.Notes = append(t.Notes, NewImportReason(code, kv...)) }

	t.ExternalID = strings.TrimSpace(t.ExternalID)
	switch {
	case !t.Source.Valid():
		return skip(ImportBadValue, "field", "source", "value", string(t.Source), "error", "a source is a short lower-case name such as zendesk")
	case t.ExternalID == "":
		return skip(ImportMissingField, "field", "id")
	case len(t.ExternalID) > MaxExternalID || !utf8.ValidString(t.ExternalID):
		return skip(ImportBadValue, "field", "id", "value", clip(t.ExternalID, 40), "error", "an id is valid UTF-8 of at most 200 bytes")
	case !t.Status.Valid():
		return skip(ImportUnknownStatus, "value", string(t.Status))
	case !t.Priority.Valid():
		return skip(ImportUnknownPriority, "value", string(t.Priority))
	case t.CreatedAt.IsZero():
		return skip(ImportMissingField, "field", "created_at")
	}

	t.Title = cleanText(t.Title)
	t.Body = strings.TrimSpace(strings.ToValidUTF8(t.Body, "\uFFFD"))
	if t.Title == "" {
		t.Title = deriveTitle(t.Body)
		if t.Title == "" {
			return skip(ImportMissingField, "field", "title")
		}
		note(ImportTitleDerived)
	}
	if utf8.RuneCountInString(t.Title) > MaxTitleRunes {
		t.Title = string([]rune(t.Title)[:MaxTitleRunes])
		note(ImportTruncated, "field", "title", "bytes", strconv.Itoa(len(t.Title)))
	}
	if len(t.Body) > MaxBodyBytes {
		t.Body = cutBytes(t.Body, MaxBodyBytes)
		note(ImportTruncated, "field", "body", "bytes", strconv.Itoa(MaxBodyBytes))
	}
	if !t.Channel.Valid() {
		t.Channel = ChannelOther
	}

	t.cleanPeople(note)
	t.cleanTimes(note)
	t.cleanTags(note)
	t.cleanFields(note)
	t.Category = strings.TrimSpace(t.Category)

	comments := t.Comments[:0]
	for i, c := range t.Comments {
		c.Body = strings.TrimSpace(strings.ToValidUTF8(c.Body, "\uFFFD"))
		if c.Body == "" && len(c.Attachments) == 0 {
			note(ImportDropped, "field", "comments["+strconv.Itoa(i)+"]", "error", "empty")
			continue
		}
		if len(c.Body) > MaxCommentSize {
			c.Body = cutBytes(c.Body, MaxCommentSize)
			note(ImportTruncated, "field", "comments["+strconv.Itoa(i)+"].body", "bytes", strconv.Itoa(MaxCommentSize))
		}
		if c.Author == "" {
			c.Author = AuthorUnknown
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = t.CreatedAt
			note(ImportEstimated, "field", "comments["+strconv.Itoa(i)+"].created_at", "from", "created_at")
		}
		c.CreatedAt = c.CreatedAt.UTC()
		if c.AuthorEmail != "" && !isAddress(c.AuthorEmail) {
			note(ImportDropped, "field", "comments["+strconv.Itoa(i)+"].author_email", "value", clip(c.AuthorEmail, 80), "error", "not an e-mail address")
			c.AuthorEmail = ""
		}
		comments = append(comments, c)
	}
	// Exports list comments oldest first, but not all promise it; the
	// conversation is replayed in time order.
	sort.SliceStable(comments, func(i, j int) bool { return comments[i].CreatedAt.Before(comments[j].CreatedAt) })
	t.Comments = comments
	return nil
}

func (t *ImportedTicket) cleanPeople(note func(ImportReasonCode, ...string)) {
	r := &t.Requester
	r.Name = cleanText(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.Phone = strings.TrimSpace(r.Phone)
	if utf8.RuneCountInString(r.Name) > MaxNameRunes {
		r.Name = string([]rune(r.Name)[:MaxNameRunes])
		note(ImportTruncated, "field", "requester.name", "bytes", strconv.Itoa(len(r.Name)))
	}
	if r.Email != "" && !isAddress(r.Email) {
		note(ImportDropped, "field", "requester.email", "value", clip(r.Email, 80), "error", "not an e-mail address")
		r.Email = ""
	}
	if r.Phone != "" && !ValidPhone(r.Phone) {
		note(ImportDropped, "field", "requester.phone", "value", clip(r.Phone, 40), "error", "not a phone number")
		r.Phone = ""
	}
	r.Tier = strings.ToLower(strings.TrimSpace(r.Tier))
	if r.Tier != "" && (utf8.RuneCountInString(r.Tier) > MaxTierRunes || !tokenRe.MatchString(r.Tier)) {
		note(ImportDropped, "field", "requester.tier", "value", clip(r.Tier, 40), "error", "not a short word")
		r.Tier = ""
	}
	t.AssigneeEmail = strings.TrimSpace(t.AssigneeEmail)
	if t.AssigneeEmail != "" && !isAddress(t.AssigneeEmail) {
		note(ImportDropped, "field", "assignee_email", "value", clip(t.AssigneeEmail, 80), "error", "not an e-mail address")
		t.AssigneeEmail = ""
	}
	t.AssigneeName = cleanText(t.AssigneeName)
	t.Group = cleanText(t.Group)
}

// cleanTimes puts every time in UTC and fills the solve and close times a
// solved or closed ticket must have: live accuracy and retraining read them.
func (t *ImportedTicket) cleanTimes(note func(ImportReasonCode, ...string)) {
	t.CreatedAt = t.CreatedAt.UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
		note(ImportEstimated, "field", "updated_at", "from", "created_at")
	}
	t.UpdatedAt = t.UpdatedAt.UTC()
	if t.UpdatedAt.Before(t.CreatedAt) {
		t.UpdatedAt = t.CreatedAt
		note(ImportEstimated, "field", "updated_at", "from", "created_at")
	}
	done := t.Status == StatusSolved || t.Status == StatusClosed
	if t.SolvedAt == nil && done {
		from, at := "updated_at", t.UpdatedAt
		if t.ClosedAt != nil {
			from, at = "closed_at", *t.ClosedAt
		}
		t.SolvedAt = &at
		note(ImportEstimated, "field", "solved_at", "from", from)
	}
	if t.ClosedAt == nil && t.Status == StatusClosed {
		at := t.UpdatedAt
		t.ClosedAt = &at
		note(ImportEstimated, "field", "closed_at", "from", "updated_at")
	}
	for _, p := range []*time.Time{t.SolvedAt, t.ClosedAt} {
		if p != nil {
			*p = p.UTC()
			if p.Before(t.CreatedAt) {
				*p = t.CreatedAt
			}
		}
	}
}

func (t *ImportedTicket) cleanTags(note func(ImportReasonCode, ...string)) {
	tags := make([]string, 0, len(t.Tags))
	for _, tag := range t.Tags {
		clean, err := CleanTags("tags", []string{tag})
		if err != nil {
			note(ImportDropped, "field", "tags", "value", clip(tag, 60), "error", ErrorMessage(err))
			continue
		}
		if len(clean) == 1 && !slices.Contains(tags, clean[0]) {
			tags = append(tags, clean[0])
		}
	}
	if len(tags) > MaxTags {
		for _, tag := range tags[MaxTags:] {
			note(ImportDropped, "field", "tags", "value", tag, "error", "more than "+strconv.Itoa(MaxTags)+" tags")
		}
		tags = tags[:MaxTags]
	}
	t.Tags = tags
}

func (t *ImportedTicket) cleanFields(note func(ImportReasonCode, ...string)) {
	if len(t.Fields) == 0 {
		t.Fields = nil
		return
	}
	out := make(map[string]string, len(t.Fields))
	for _, k := range slices.Sorted(maps.Keys(t.Fields)) {
		v := strings.TrimSpace(strings.ToValidUTF8(t.Fields[k], "\uFFFD"))
		key := FieldKey(k)
		switch {
		case v == "":
			continue
		case key == "":
			note(ImportDropped, "field", "fields", "value", clip(k, 60), "error", "no usable field name")
			continue
		case len(out) == MaxFields:
			note(ImportDropped, "field", "fields."+key, "error", "more than "+strconv.Itoa(MaxFields)+" fields")
			continue
		}
		if len(v) > MaxFieldValue {
			v = cutBytes(v, MaxFieldValue)
			note(ImportTruncated, "field", "fields."+key, "bytes", strconv.Itoa(MaxFieldValue))
		}
		out[key] = v
	}
	t.Fields = out
}

// FieldKey turns a source's field or column name ("Order number", "订单号")
// into a custom field key triage accepts: letters and digits kept, other
// characters as "_", at most MaxFieldKey bytes. It returns "" when nothing
// usable is left.
func FieldKey(name string) string {
	name = strings.TrimSpace(strings.ToValidUTF8(name, ""))
	var b strings.Builder
	lastSep := true
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if b.Len()+utf8.RuneLen(r) > MaxFieldKey {
				return strings.TrimRight(b.String(), "_")
			}
			b.WriteRune(unicode.ToLower(r))
			lastSep = false
		case r == '-' || r == '.' || r == ':' || r == '/':
			if b.Len()+1 > MaxFieldKey {
				return strings.TrimRight(b.String(), "_")
			}
			b.WriteRune(r)
			lastSep = false
		case !lastSep:
			if b.Len()+1 > MaxFieldKey {
				return strings.TrimRight(b.String(), "_")
			}
			b.WriteByte('_')
			lastSep = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// cleanText trims and flattens a one-line text.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.Fields(s), " ")
}

// deriveTitle takes the first line of a body, cut to 60 characters.
func deriveTitle(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	line = cleanText(line)
	if r := []rune(line); len(r) > 60 {
		line = string(r[:60]) + "…"
	}
	return line
}

// cutBytes cuts s to at most n bytes without splitting a character.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
