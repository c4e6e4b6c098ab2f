package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Mapping is the mapping file: how an export's values and columns become
// triage's. For Zendesk, Zammad and Freshdesk every part is optional and
// overrides the format's defaults; the generic CSV and JSON Lines formats
// need Columns. It is read from JSON by LoadMapping; the field names below
// are the file's.
type Mapping struct {
	// Source names the system the tickets come from; it defaults to the
	// format's name and becomes part of every ticket's key.
	Source triage.ImportSource `json:"source,omitempty"`
	// TimeZone is the zone of times written without one, such as
	// "2026-12-07 14:03:00"; it defaults to Asia/Shanghai.
	TimeZone string `json:"time_zone,omitempty"`
	// TimeFormats are Go layouts tried before the built-in ones.
	TimeFormats []string `json:"time_formats,omitempty"`
	// Encoding of a CSV file: "utf-8" (the default; a BOM is ignored) or
	// "gb18030" (also "gbk", "gb2312"), which Excel writes on Chinese
	// Windows.
	Encoding string `json:"encoding,omitempty"`
	// Delimiter of a CSV file, one character; "," by default.
	Delimiter string `json:"delimiter,omitempty"`
	// Statuses and Priorities map the export's values (case and space
	// ignored) and are laid over the format's defaults.
	Statuses   triage.StatusMap   `json:"statuses,omitempty"`
	Priorities triage.PriorityMap `json:"priorities,omitempty"`
	// DefaultStatus is the status of tickets whose export names none
	// (generic formats without a status column).
	DefaultStatus triage.Status `json:"default_status,omitempty"`
	// DefaultPriority is the priority of tickets without one; P3.
	DefaultPriority triage.Priority `json:"default_priority,omitempty"`
	// Channels maps the export's channel names onto triage's.
	Channels map[string]triage.Channel `json:"channels,omitempty"`
	// Category says where the category (the classifier's label) comes from.
	Category triage.CategoryRule `json:"category,omitzero"`
	// Agents maps agent names to e-mail addresses, for exports that name
	// the assignee without an address (Freshdesk's "Agent" column).
	Agents map[string]string `json:"agents,omitempty"`
	// TagSeparators splits a tags cell; by default any of ",，;；、".
	TagSeparators string `json:"tag_separators,omitempty"`
	// AttachmentBaseURL makes attachment paths absolute (Zammad gives
	// /api/v1/ticket_attachment/… paths).
	AttachmentBaseURL string `json:"attachment_base_url,omitempty"`
	// Columns names the column (CSV) or key (JSON Lines; "a.b" for
	// nested objects) of each ticket field. Generic formats only.
	Columns Columns `json:"columns,omitzero"`
	// Comments describes the comment list of a JSON Lines ticket.
	Comments *CommentKeys `json:"comments,omitempty"`
}

// Columns names where each ticket field is found in a generic export.
type Columns struct {
	ExternalID     string `json:"external_id"`
	Title          string `json:"title,omitempty"`
	Body           string `json:"body,omitempty"`
	BodyHTML       string `json:"body_html,omitempty"`
	RequesterName  string `json:"requester_name,omitempty"`
	RequesterEmail string `json:"requester_email,omitempty"`
	RequesterPhone string `json:"requester_phone,omitempty"`
	RequesterTier  string `json:"requester_tier,omitempty"`
	AssigneeEmail  string `json:"assignee_email,omitempty"`
	AssigneeName   string `json:"assignee_name,omitempty"`
	Group          string `json:"group,omitempty"`
	Status         string `json:"status,omitempty"`
	Priority       string `json:"priority,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Tags           string `json:"tags,omitempty"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at,omitempty"`
	SolvedAt       string `json:"solved_at,omitempty"`
	ClosedAt       string `json:"closed_at,omitempty"`
	// Resolution is the agent's answer, imported as a public agent
	// comment: what the similar-ticket index shows beside the ticket.
	Resolution string `json:"resolution,omitempty"`
	// Fields maps columns to custom field keys: {"订单号": "order_no"}.
	Fields map[string]string `json:"fields,omitempty"`
}

// CommentKeys describes the comments of a JSON Lines ticket: the key of
// the list and, inside each comment, the key of each part.
type CommentKeys struct {
	List        string `json:"list"`
	ExternalID  string `json:"external_id,omitempty"`
	Body        string `json:"body,omitempty"`
	HTML        string `json:"html,omitempty"`
	AuthorEmail string `json:"author_email,omitempty"`
	AuthorName  string `json:"author_name,omitempty"`
	// Author holds the author's role; Roles maps its values.
	Author string                       `json:"author,omitempty"`
	Roles  map[string]triage.AuthorRole `json:"roles,omitempty"`
	// Public or Internal: a boolean-ish value ("true", "1", "是"). With
	// neither, comments are public.
	Public    string `json:"public,omitempty"`
	Internal  string `json:"internal,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
}

// LoadMapping reads a mapping file (JSON). Unknown keys are errors, so a
// misspelt "colums" is reported rather than ignored; errors are
// *triage.Error naming the key.
func LoadMapping(r io.Reader) (Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Mapping{}, err
	}
	if len(data) > 1<<20 {
		return Mapping{}, triage.Invalid("mapping", "the mapping file is larger than 1 MiB")
	}
	var m Mapping
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := lineCol(data, syn.Offset)
			return Mapping{}, triage.Invalid("mapping", "mapping line %d, column %d: %v", line, col, syn)
		case errors.As(err, &typ):
			return Mapping{}, triage.Invalid(typ.Field, "mapping: %s must be %s, not %s", typ.Field, typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return Mapping{}, triage.Invalid(name, "mapping: unknown key %q", name)
		}
		return Mapping{}, triage.Invalid("mapping", "mapping: %v", err)
	}
	if dec.More() {
		return Mapping{}, triage.Invalid("mapping", "mapping: more than one JSON value")
	}
	return m, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// config is a Mapping checked and merged over a format's defaults.
type config struct {
	format          Format
	source          triage.ImportSource
	loc             *time.Location
	timeFormats     []string
	statuses        triage.StatusMap
	priorities      triage.PriorityMap
	defaultStatus   triage.Status
	defaultPriority triage.Priority
	channels        map[string]triage.Channel
	category        triage.CategoryRule
	agents          map[string]string
	tagSeps         string
	gb18030         bool
	delimiter       rune
	attachmentBase  string
	columns         Columns
	comments        *CommentKeys
}

// shanghai is China Standard Time. China has kept UTC+8 without daylight
// saving since 1991, so a fixed zone is exact for any ticket, and it needs
// no tzdata on the machine.
func shanghai() *time.Location { return time.FixedZone("Asia/Shanghai", 8*3600) }

func (opt Options) compile(f Format) (*config, error) {
	m := opt.Mapping
	if !slices.Contains(Formats(), f) {
		return nil, triage.Invalid("format", "format %q is not one of zendesk, zammad, freshdesk, csv, jsonl", f)
	}
	if opt.StartAt < 0 {
		return nil, triage.Invalid("start_at", "start_at must not be negative")
	}
	c := &config{
		format:          f,
		source:          defaultSource(f),
		loc:             shanghai(),
		timeFormats:     append(slices.Clone(m.TimeFormats), defaultTimeFormats()...),
		defaultStatus:   m.DefaultStatus,
		defaultPriority: triage.P3,
		tagSeps:         ",，;；、",
		delimiter:       ',',
		attachmentBase:  strings.TrimRight(m.AttachmentBaseURL, "/"),
		columns:         m.Columns,
		comments:        m.Comments,
		category:        m.Category,
	}
	if m.Source != "" {
		if !m.Source.Valid() {
			return nil, triage.Invalid("source", "source %q must be a short lower-case name such as udesk", m.Source)
		}
		c.source = m.Source
	}
	if m.TimeZone != "" && m.TimeZone != "Asia/Shanghai" {
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			return nil, triage.Invalid("time_zone", "time_zone %q is not a known zone such as Asia/Shanghai", m.TimeZone)
		}
		c.loc = loc
	}
	ref := time.Date(2026, 12, 7, 14, 3, 9, 0, time.UTC)
	for i, layout := range m.TimeFormats {
		if _, err := time.Parse(layout, ref.Format(layout)); err != nil || !strings.Contains(layout, "2006") {
			return nil, triage.Invalid("time_formats", "time_formats[%d] %q is not a Go time layout with a year (write 2006-01-02 15:04:05)", i, layout)
		}
	}
	switch strings.ToLower(strings.ReplaceAll(m.Encoding, "-", "")) {
	case "", "utf8":
	case "gb18030", "gbk", "gb2312":
		c.gb18030 = true
	default:
		return nil, triage.Invalid("encoding", "encoding %q is not utf-8 or gb18030", m.Encoding)
	}
	if m.Delimiter != "" {
		r, n := utf8.DecodeRuneInString(m.Delimiter)
		if n != len(m.Delimiter) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			return nil, triage.Invalid("delimiter", "delimiter must be one character other than a quote or a line break")
		}
		c.delimiter = r
	}
	if m.TagSeparators != "" {
		c.tagSeps = m.TagSeparators
	}
	if err := m.Statuses.Validate("statuses"); err != nil {
		return nil, err
	}
	if err := m.Priorities.Validate("priorities"); err != nil {
		return nil, err
	}
	c.statuses = defaultStatuses(f).Merge(m.Statuses)
	c.priorities = defaultPriorities(f).Merge(m.Priorities)
	if m.DefaultStatus != "" && !m.DefaultStatus.Valid() {
		return nil, triage.Invalid("default_status", "default_status %q is not one of new, open, pending, solved, closed", m.DefaultStatus)
	}
	if m.DefaultPriority != "" {
		if !m.DefaultPriority.Valid() {
			return nil, triage.Invalid("default_priority", "default_priority %q is not one of P1, P2, P3, P4", m.DefaultPriority)
		}
		c.defaultPriority = m.DefaultPriority
	}
	c.channels = defaultChannels()
	for _, k := range slices.Sorted(maps.Keys(m.Channels)) {
		if !m.Channels[k].Valid() {
			return nil, triage.Invalid("channels", "channels[%q] is %q; a channel is one of web, email, phone, wechat, api, other", k, m.Channels[k])
		}
		c.channels[fold(k)] = m.Channels[k]
	}
	if err := m.Category.Validate("category"); err != nil {
		return nil, err
	}
	c.agents = make(map[string]string, len(m.Agents))
	for _, name := range slices.Sorted(maps.Keys(m.Agents)) {
		addr := strings.TrimSpace(m.Agents[name])
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return nil, triage.Invalid("agents", "agents[%q] is %q, not an e-mail address", name, m.Agents[name])
		}
		c.agents[fold(name)] = addr
	}
	if err := c.checkColumns(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkColumns requires what a generic export must name and refuses
// columns on the vendor formats, whose columns are fixed.
func (c *config) checkColumns() error {
	generic := c.format == FormatCSV || c.format == FormatJSONL
	if !generic {
		if c.columns.ExternalID != "" || c.columns.CreatedAt != "" || c.comments != nil {
			return triage.Invalid("columns", "columns and comments are for the csv and jsonl formats; %s exports have fixed fields", c.format)
		}
		return nil
	}
	col := c.columns
	switch {
	case col.ExternalID == "":
		return triage.Invalid("columns.external_id", "columns.external_id names the column with the ticket's id in the old system; it makes a second import recognise the ticket")
	case col.Title == "" && col.Body == "" && col.BodyHTML == "":
		return triage.Invalid("columns.title", "columns.title or columns.body is required")
	case col.CreatedAt == "":
		return triage.Invalid("columns.created_at", "columns.created_at is required")
	case col.Status == "" && c.defaultStatus == "":
		return triage.Invalid("columns.status", "columns.status or default_status is required")
	}
	if c.comments != nil {
		if c.format != FormatJSONL {
			return triage.Invalid("comments", "comments is for the jsonl format; a CSV row holds one ticket, use columns.resolution for the answer")
		}
		if c.comments.List == "" || c.comments.Body == "" && c.comments.HTML == "" {
			return triage.Invalid("comments.list", "comments needs list (the key of the comment list) and body or html")
		}
		for k, v := range c.comments.Roles {
			switch v {
			case triage.AuthorRequester, triage.AuthorAgent, triage.AuthorSystem, triage.AuthorUnknown:
			default:
				return triage.Invalid("comments.roles", "comments.roles[%q] is %q; a role is requester, agent, system or unknown", k, v)
			}
		}
	}
	return nil
}

// status maps a source status. An empty one takes the default status when
// the mapping has one.
func (c *config) status(v string) (triage.Status, *triage.ImportReason) {
	if strings.TrimSpace(v) == "" && c.defaultStatus != "" {
		return c.defaultStatus, nil
	}
	if s, ok := c.statuses.Lookup(v); ok {
		return s, nil
	}
	r := triage.NewImportReason(triage.ImportUnknownStatus, "value", v)
	return "", &r
}

// priority maps a source priority; an empty one takes the default and is
// noted.
func (c *config) priority(v string, t *triage.ImportedTicket) *triage.ImportReason {
	if strings.TrimSpace(v) == "" {
		t.Priority = c.defaultPriority
		t.Notes = append(t.Notes, triage.NewImportReason(triage.ImportPriorityDefault, "priority", string(c.defaultPriority)))
		return nil
	}
	if p, ok := c.priorities.Lookup(v); ok {
		t.Priority = p
		return nil
	}
	r := triage.NewImportReason(triage.ImportUnknownPriority, "value", v)
	return &r
}

func (c *config) channel(v string) triage.Channel {
	if ch, ok := c.channels[fold(v)]; ok {
		return ch
	}
	return triage.ChannelOther
}

// applyCategory sets t.Category from the rule, noting an unmapped value.
func (c *config) applyCategory(t *triage.ImportedTicket) {
	cat, note := c.category.Apply(t.Fields, t.Tags)
	t.Category = cat
	if note != nil {
		t.Notes = append(t.Notes, *note)
	}
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func defaultSource(f Format) triage.ImportSource {
	switch f {
	case FormatZendesk:
		return triage.SourceZendesk
	case FormatZammad:
		return triage.SourceZammad
	case FormatFreshdesk:
		return triage.SourceFreshdesk
	}
	return triage.SourceGeneric
}

// errorf is a read error that names where the input stopped making sense.
func errorf(line int, format string, args ...any) error {
	return triage.Invalid("file", "line %d: %s", line, fmt.Sprintf(format, args...))
}
