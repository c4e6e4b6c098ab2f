package triage

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Automations (自动化) change tickets without a person: a trigger runs on
// an event of a ticket (created, updated, commented, status changed, an
// SLA warning or breach, a satisfaction answer), a time rule on the age of
// a ticket in its status. Both test the same conditions and take the same
// actions; package automate runs them. Every firing is logged as data
// (AutomationRun), with its reasons as codes the UI translates.

// AutomationKind says when an automation runs.
type AutomationKind string

const (
	// AutomationTrigger runs on the events it names.
	AutomationTrigger AutomationKind = "trigger"
	// AutomationTime runs when a ticket has been in its status for its
	// age, checked by a durable job.
	AutomationTime AutomationKind = "time"
)

// AutomationKinds lists the kinds.
func AutomationKinds() []AutomationKind { return []AutomationKind{AutomationTrigger, AutomationTime} }

// TriggerEvent is an event a trigger runs on.
type TriggerEvent string

// The trigger events. A ticket write is one event, but a trigger may name
// several of its aspects: a requester's message that reopens a ticket is
// ticket.updated, comment.requester and status.changed at once.
const (
	OnTicketCreated    TriggerEvent = "ticket.created"
	OnTicketUpdated    TriggerEvent = "ticket.updated"
	OnRequesterComment TriggerEvent = "comment.requester"
	OnAgentComment     TriggerEvent = "comment.agent"
	OnStatusChanged    TriggerEvent = "status.changed"
	OnSLAWarning       TriggerEvent = "sla.warning"
	OnSLABreached      TriggerEvent = "sla.breached"
	OnCSATReceived     TriggerEvent = "csat.received"
	// OnTime is the event of a time rule's firing, in the log.
	OnTime TriggerEvent = "time"
)

// TriggerEvents lists the events a trigger may name.
func TriggerEvents() []TriggerEvent {
	return []TriggerEvent{OnTicketCreated, OnTicketUpdated, OnRequesterComment, OnAgentComment, OnStatusChanged, OnSLAWarning, OnSLABreached, OnCSATReceived}
}

// ConditionType is the kind of value a condition field holds, which
// decides the operators it takes.
type ConditionType string

const (
	CondEnum   ConditionType = "enum"   // one value of a list (status, priority, …)
	CondText   ConditionType = "text"   // free text: contains, not_contains, is, is_not
	CondTags   ConditionType = "tags"   // a set: has, has_not
	CondNumber ConditionType = "number" // lt, lte, gt, gte
	CondBool   ConditionType = "bool"   // is_true, is_false
)

// Condition operators.
const (
	OpIs          = "is"
	OpIsNot       = "is_not"
	OpIn          = "in"
	OpNotIn       = "not_in"
	OpContains    = "contains"
	OpNotContains = "not_contains"
	OpHas         = "has"
	OpHasNot      = "has_not"
	OpLT          = "lt"
	OpLTE         = "lte"
	OpGT          = "gt"
	OpGTE         = "gte"
	OpTrue        = "is_true"
	OpFalse       = "is_false"
	OpPresent     = "present"
	OpAbsent      = "absent"
)

// ConditionField describes a field a condition may test.
type ConditionField struct {
	Name string        `json:"name"`
	Type ConditionType `json:"type"`
	Ops  []string      `json:"ops"`
	// Values are the allowed values of an enum field; empty for ids and
	// names the store knows (team, assignee, mailbox, category).
	Values []string `json:"values,omitempty"`
}

// ConditionFields lists every field a condition may test, in the order the
// editor offers them. "fields.<key>" tests a custom field; "text" is the
// title and body, segmented, with negation read as keyword rules read it
// (不是发票问题 does not contain 发票); "confidence" is triage's category
// confidence, 0 to 1; "business_hours" is whether now is inside the
// default SLA calendar's hours; "csat.rating" is the answer of a
// csat.received event.
func ConditionFields() []ConditionField {
	enumOps := []string{OpIs, OpIsNot, OpIn, OpNotIn}
	idOps := []string{OpIs, OpIsNot, OpIn, OpNotIn, OpPresent, OpAbsent}
	textOps := []string{OpContains, OpNotContains, OpIs, OpIsNot, OpPresent, OpAbsent}
	numOps := []string{OpLT, OpLTE, OpGT, OpGTE}
	return []ConditionField{
		{Name: "title", Type: CondText, Ops: textOps},
		{Name: "body", Type: CondText, Ops: textOps},
		{Name: "text", Type: CondText, Ops: []string{OpContains, OpNotContains}},
		{Name: "status", Type: CondEnum, Ops: enumOps, Values: strs(Statuses())},
		{Name: "priority", Type: CondEnum, Ops: enumOps, Values: strs(Priorities())},
		{Name: "channel", Type: CondEnum, Ops: enumOps, Values: strs(Channels())},
		{Name: "category", Type: CondEnum, Ops: idOps},
		{Name: "team_id", Type: CondEnum, Ops: idOps},
		{Name: "assignee_id", Type: CondEnum, Ops: idOps},
		{Name: "mailbox_id", Type: CondEnum, Ops: idOps},
		{Name: "requester.tier", Type: CondEnum, Ops: idOps},
		{Name: "requester.email", Type: CondText, Ops: textOps},
		{Name: "requester.name", Type: CondText, Ops: textOps},
		{Name: "tags", Type: CondTags, Ops: []string{OpHas, OpHasNot}},
		{Name: "confidence", Type: CondNumber, Ops: numOps},
		{Name: "needs_review", Type: CondBool, Ops: []string{OpTrue, OpFalse}},
		{Name: "business_hours", Type: CondBool, Ops: []string{OpTrue, OpFalse}},
		{Name: "csat.rating", Type: CondNumber, Ops: numOps},
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// ConditionFieldOf returns the description of a field; "fields.<key>" is
// a text field.
func ConditionFieldOf(name string) (ConditionField, bool) {
	if k, ok := strings.CutPrefix(name, "fields."); ok && k != "" && utf8.RuneCountInString(k) <= MaxFieldKey {
		return ConditionField{Name: name, Type: CondText, Ops: []string{OpContains, OpNotContains, OpIs, OpIsNot, OpPresent, OpAbsent}}, true
	}
	i := slices.IndexFunc(ConditionFields(), func(f ConditionField) bool { return f.Name == name })
	if i < 0 {
		return ConditionField{}, false
	}
	return ConditionFields()[i], true
}

// Condition tests one field of a ticket.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	// Value is the one value of is, is_not, contains, lt…; Values the
	// list of in and not_in.
	Value  string   `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
}

// ActionType is what an action does.
type ActionType string

// The actions. Changes to the ticket go through its update path (history,
// routing, events); add_note and send_macro add a comment; email and
// webhook are queued as durable jobs in the firing's transaction and sent
// after it commits, never inside it.
const (
	ActSetStatus   ActionType = "set_status"
	ActSetPriority ActionType = "set_priority"
	ActSetCategory ActionType = "set_category"
	ActSetTeam     ActionType = "set_team"
	ActSetAssignee ActionType = "set_assignee"
	ActAddTags     ActionType = "add_tags"
	ActRemoveTags  ActionType = "remove_tags"
	ActAddNote     ActionType = "add_note"
	ActReply       ActionType = "reply"
	ActSendMacro   ActionType = "send_macro"
	ActEmail       ActionType = "email"
	ActWebhook     ActionType = "webhook"
)

// ActionTypes lists the actions in the order the editor offers them.
func ActionTypes() []ActionType {
	return []ActionType{ActSetStatus, ActSetPriority, ActSetCategory, ActSetTeam, ActSetAssignee, ActAddTags, ActRemoveTags,
		ActAddNote, ActReply, ActSendMacro, ActEmail, ActWebhook}
}

// Recipients of an email action besides an address.
const (
	MailToAssignee  = "assignee"
	MailToTeamLead  = "team_lead"
	MailToRequester = "requester"
)

// Action is one thing an automation does.
type Action struct {
	Type ActionType `json:"type"`
	// Value is the status, priority, category, team id, agent id (""
	// unassigns), macro id or webhook id.
	Value string   `json:"value,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	// Body is the note of add_note, the public reply of reply (mailed to
	// the customer as an agent's is) and the text of email, with the
	// variables of macros ({{ticket.title}}…).
	Body string `json:"body,omitempty"`
	// To is an email's recipient: an address, or assignee, team_lead or
	// requester; Subject its subject.
	To      string `json:"to,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// AutomationAge is how old a ticket must be for a time rule: After (such
// as 30m, 72h, 3d) since Since, in calendar time or, with Business, in
// the default SLA calendar's working time (a day is its working day).
type AutomationAge struct {
	Since    string `json:"since"`
	After    string `json:"after"`
	Business bool   `json:"business"`
}

// What an age is measured from.
const (
	AgeSinceStatus  = "status"  // the last change of status (creation for new)
	AgeSinceCreated = "created" // the ticket's creation
	AgeSinceUpdated = "updated" // the ticket's last change
)

// Duration reads After: a number and a unit, m, h or d. A day is 24 hours
// of calendar time; of business time the caller converts days.
func (a AutomationAge) Duration() (n int, unit byte, err error) {
	s := strings.TrimSpace(a.After)
	if len(s) < 2 {
		return 0, 0, Invalid("age.after", "age.after %q is not a number with m, h or d (30m, 72h, 3d)", a.After)
	}
	unit = s[len(s)-1]
	n, err = strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 || n > 10000 || !strings.ContainsRune("mhd", rune(unit)) {
		return 0, 0, Invalid("age.after", "age.after %q is not a number from 1 to 10000 with m, h or d (30m, 72h, 3d)", a.After)
	}
	return n, unit, nil
}

// Match says whether all conditions must hold or any one.
const (
	MatchAll = "all"
	MatchAny = "any"
)

// Automation is a trigger or a time rule.
type Automation struct {
	ID   string         `json:"id"`
	Name string         `json:"name"`
	Kind AutomationKind `json:"kind"`
	// Events are a trigger's events (at least one); empty for a time
	// rule.
	Events []TriggerEvent `json:"events"`
	// Match is all (the default) or any.
	Match      string      `json:"match"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
	// Age is a time rule's age; nil for a trigger.
	Age *AutomationAge `json:"age,omitempty"`
	// Position orders automations of a kind: lower runs first.
	Position int `json:"position"`
	// Stop ends the pass when this automation fires: no later one runs
	// on the same event.
	Stop      bool      `json:"stop"`
	Enabled   bool      `json:"enabled"`
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// AsStored normalises an automation as a store keeps it.
func (a *Automation) AsStored() {
	a.Events, a.Conditions, a.Actions = NonNil(a.Events), NonNil(a.Conditions), NonNil(a.Actions)
	for i := range a.Conditions {
		a.Conditions[i].Values = NonNil(a.Conditions[i].Values)
	}
	for i := range a.Actions {
		a.Actions[i].Tags = NonNil(a.Actions[i].Tags)
	}
	a.CreatedAt, a.UpdatedAt = StoreTime(a.CreatedAt), StoreTime(a.UpdatedAt)
}

// Automation limits.
const (
	MaxAutomationNameRunes = 100
	MaxConditions          = 30
	MaxActions             = 20
	MaxConditionValues     = 50
	MaxConditionValueRunes = 200
	MaxActionBodyBytes     = 16 << 10
)

// ValidateAutomation checks an automation and normalises it in place; each
// error names the field, as conditions[2].op or actions[0].value. It does
// not check that teams, agents, macros and webhooks exist: the service
// does, against the store.
func ValidateAutomation(a *Automation) error {
	a.Name = strings.TrimSpace(a.Name)
	switch {
	case a.Name == "":
		return Invalid("name", "name is required")
	case !utf8.ValidString(a.Name) || utf8.RuneCountInString(a.Name) > MaxAutomationNameRunes:
		return Invalid("name", "name must be valid text of at most %d characters", MaxAutomationNameRunes)
	}
	if a.Kind == "" {
		a.Kind = AutomationTrigger
	}
	if a.Match == "" {
		a.Match = MatchAll
	}
	if a.Match != MatchAll && a.Match != MatchAny {
		return Invalid("match", "match %q is not all or any", a.Match)
	}
	switch a.Kind {
	case AutomationTrigger:
		if len(a.Events) == 0 {
			return Invalid("events", "a trigger needs at least one event: %s", strings.Join(strs(TriggerEvents()), ", "))
		}
		for i, e := range a.Events {
			if !slices.Contains(TriggerEvents(), e) {
				return Invalid(fmt.Sprintf("events[%d]", i), "event %q is not one of %s", e, strings.Join(strs(TriggerEvents()), ", "))
			}
		}
		a.Events = slices.Compact(a.Events)
		if a.Age != nil {
			return Invalid("age", "a trigger has no age; make it a time rule (kind time)")
		}
	case AutomationTime:
		if len(a.Events) != 0 {
			return Invalid("events", "a time rule has no events: it runs on the age of a ticket")
		}
		if a.Age == nil {
			return Invalid("age", "a time rule needs an age: {\"since\":\"status\",\"after\":\"3d\"}")
		}
		if a.Age.Since == "" {
			a.Age.Since = AgeSinceStatus
		}
		if !slices.Contains([]string{AgeSinceStatus, AgeSinceCreated, AgeSinceUpdated}, a.Age.Since) {
			return Invalid("age.since", "age.since %q is not status, created or updated", a.Age.Since)
		}
		if _, _, err := a.Age.Duration(); err != nil {
			return err
		}
	default:
		return Invalid("kind", "kind %q is not trigger or time", a.Kind)
	}
	if len(a.Conditions) > MaxConditions {
		return Invalid("conditions", "at most %d conditions are allowed", MaxConditions)
	}
	for i := range a.Conditions {
		if err := validateCondition(fmt.Sprintf("conditions[%d]", i), &a.Conditions[i]); err != nil {
			return err
		}
	}
	if len(a.Actions) == 0 {
		return Invalid("actions", "at least one action is required")
	}
	if len(a.Actions) > MaxActions {
		return Invalid("actions", "at most %d actions are allowed", MaxActions)
	}
	for i := range a.Actions {
		if err := validateAction(fmt.Sprintf("actions[%d]", i), &a.Actions[i]); err != nil {
			return err
		}
	}
	return nil
}

func validateCondition(field string, c *Condition) error {
	c.Field, c.Op = strings.TrimSpace(c.Field), strings.TrimSpace(c.Op)
	f, ok := ConditionFieldOf(c.Field)
	if !ok {
		var names []string
		for _, f := range ConditionFields() {
			names = append(names, f.Name)
		}
		return Invalid(field+".field", "field %q is not one of %s, or fields.<key>", c.Field, strings.Join(names, ", "))
	}
	if !slices.Contains(f.Ops, c.Op) {
		return Invalid(field+".op", "op %q does not apply to %s; use one of %s", c.Op, f.Name, strings.Join(f.Ops, ", "))
	}
	if len(c.Values) > MaxConditionValues {
		return Invalid(field+".values", "at most %d values are allowed", MaxConditionValues)
	}
	for i, v := range c.Values {
		c.Values[i] = strings.TrimSpace(v)
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxConditionValueRunes {
			return Invalid(fmt.Sprintf("%s.values[%d]", field, i), "a value must be valid text of at most %d characters", MaxConditionValueRunes)
		}
	}
	if !utf8.ValidString(c.Value) || utf8.RuneCountInString(c.Value) > MaxConditionValueRunes {
		return Invalid(field+".value", "value must be valid text of at most %d characters", MaxConditionValueRunes)
	}
	switch c.Op {
	case OpIn, OpNotIn:
		if len(c.Values) == 0 {
			return Invalid(field+".values", "%s needs values", c.Op)
		}
	case OpTrue, OpFalse, OpPresent, OpAbsent:
		c.Value, c.Values = "", nil
	case OpLT, OpLTE, OpGT, OpGTE:
		if _, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64); err != nil {
			return Invalid(field+".value", "value %q is not a number", c.Value)
		}
	default:
		if c.Op != OpIs && c.Op != OpIsNot && strings.TrimSpace(c.Value) == "" {
			return Invalid(field+".value", "value is required")
		}
		if f.Name == "tags" {
			c.Value = strings.ToLower(strings.TrimSpace(c.Value))
		}
	}
	if f.Type == CondEnum && len(f.Values) > 0 {
		if c.Op == OpIs || c.Op == OpIsNot {
			if !slices.Contains(f.Values, c.Value) {
				return Invalid(field+".value", "%s %q is not one of %s", f.Name, c.Value, strings.Join(f.Values, ", "))
			}
		}
		for i, v := range c.Values {
			if !slices.Contains(f.Values, v) {
				return Invalid(fmt.Sprintf("%s.values[%d]", field, i), "%s %q is not one of %s", f.Name, v, strings.Join(f.Values, ", "))
			}
		}
	}
	return nil
}

func validateAction(field string, a *Action) error {
	a.Value, a.To = strings.TrimSpace(a.Value), strings.TrimSpace(a.To)
	if !utf8.ValidString(a.Body) || len(a.Body) > MaxActionBodyBytes {
		return Invalid(field+".body", "body must be valid text of at most %d bytes", MaxActionBodyBytes)
	}
	if !utf8.ValidString(a.Subject) || utf8.RuneCountInString(a.Subject) > 200 {
		return Invalid(field+".subject", "subject must be valid text of at most 200 characters")
	}
	if !utf8.ValidString(a.Value) || utf8.RuneCountInString(a.Value) > MaxConditionValueRunes {
		return Invalid(field+".value", "value must be valid text of at most %d characters", MaxConditionValueRunes)
	}
	need := func(what string) error {
		if a.Value == "" {
			return Invalid(field+".value", "%s needs value: %s", a.Type, what)
		}
		return nil
	}
	switch a.Type {
	case ActSetStatus:
		if !Status(a.Value).Valid() {
			return Invalid(field+".value", "status %q is not one of %s", a.Value, strings.Join(strs(Statuses()), ", "))
		}
	case ActSetPriority:
		if !Priority(a.Value).Valid() {
			return Invalid(field+".value", "priority %q is not P1, P2, P3 or P4", a.Value)
		}
	case ActSetCategory:
		if utf8.RuneCountInString(a.Value) > 64 {
			return Invalid(field+".value", "a category is at most 64 characters")
		}
		return need("the category")
	case ActSetTeam:
		return need("the team's id")
	case ActSetAssignee:
		// "" unassigns.
	case ActAddTags, ActRemoveTags:
		if len(a.Tags) == 0 {
			return Invalid(field+".tags", "%s needs tags", a.Type)
		}
		tags, err := CleanTags(field+".tags", a.Tags)
		if err != nil {
			return err
		}
		a.Tags = tags
	case ActAddNote, ActReply:
		if strings.TrimSpace(a.Body) == "" {
			return Invalid(field+".body", "%s needs body: the text", a.Type)
		}
		if _, err := MacroBodyVariables(field+".body", a.Body); err != nil {
			return err
		}
	case ActSendMacro:
		return need("the macro's id")
	case ActWebhook:
		return need("the webhook's id")
	case ActEmail:
		switch a.To {
		case MailToAssignee, MailToTeamLead, MailToRequester:
		case "":
			return Invalid(field+".to", "email needs to: an address, assignee, team_lead or requester")
		default:
			if m, err := mail.ParseAddress(a.To); err != nil || m.Address != a.To {
				return Invalid(field+".to", "to %q is not an e-mail address, assignee, team_lead or requester", a.To)
			}
		}
		if strings.TrimSpace(a.Subject) == "" {
			return Invalid(field+".subject", "email needs subject")
		}
		if strings.TrimSpace(a.Body) == "" {
			return Invalid(field+".body", "email needs body")
		}
		for _, f := range []string{"subject", "body"} {
			text := a.Subject
			if f == "body" {
				text = a.Body
			}
			if _, err := MacroBodyVariables(field+"."+f, text); err != nil {
				return err
			}
		}
	default:
		return Invalid(field+".type", "type %q is not one of %s", a.Type, strings.Join(strs(ActionTypes()), ", "))
	}
	return nil
}

// NewAutomation creates an automation; Enabled defaults to true.
type NewAutomation struct {
	Name       string         `json:"name"`
	Kind       AutomationKind `json:"kind"`
	Events     []TriggerEvent `json:"events"`
	Match      string         `json:"match"`
	Conditions []Condition    `json:"conditions"`
	Actions    []Action       `json:"actions"`
	Age        *AutomationAge `json:"age,omitempty"`
	// Position nil puts it after the others of its kind.
	Position *int  `json:"position,omitempty"`
	Stop     bool  `json:"stop"`
	Enabled  *bool `json:"enabled,omitempty"`
}

// AutomationUpdate changes an automation.
type AutomationUpdate struct {
	Name       Opt[string]         `json:"name"`
	Events     Opt[[]TriggerEvent] `json:"events"`
	Match      Opt[string]         `json:"match"`
	Conditions Opt[[]Condition]    `json:"conditions"`
	Actions    Opt[[]Action]       `json:"actions"`
	Age        Opt[*AutomationAge] `json:"age"`
	Position   Opt[int]            `json:"position"`
	Stop       Opt[bool]           `json:"stop"`
	Enabled    Opt[bool]           `json:"enabled"`
}

// AutomationRun is one firing of an automation on a ticket, or, in a dry
// run, one that would have happened.
type AutomationRun struct {
	ID           string `json:"id"`
	AutomationID string `json:"automation_id"`
	TicketID     string `json:"ticket_id"`
	// Event is what it ran on: a TriggerEvent, or time.
	Event TriggerEvent `json:"event"`
	// Key makes a firing happen once: the event's key for a trigger (a
	// retried event job does not fire it twice), the ticket's time in its
	// status for a time rule (once per stay in the status).
	Key string `json:"key"`
	// Why lists the conditions that held; Changes what it did, each a
	// reason with a code.
	Why     Reasons   `json:"why"`
	Changes Reasons   `json:"changes"`
	At      time.Time `json:"at"`
}

// AsStored normalises a run as a store keeps it.
func (r *AutomationRun) AsStored() {
	r.Why, r.Changes = NonNil(r.Why), NonNil(r.Changes)
	r.At = StoreTime(r.At)
}

// AutomationRunFilter selects log entries, newest first.
type AutomationRunFilter struct {
	AutomationID string
	TicketID     string
	// Changed keeps only the firings that changed something (Changes
	// not empty). A trigger whose actions found the ticket as they would
	// leave it is still logged, since the log is what makes it fire once
	// per event, but in a list it is noise that hides the firings that did
	// something.
	Changed bool
	// Limit of 0 or less means 100; at most 1000.
	Limit int
}

// AutomationReader holds the store's reads of automations.
type AutomationReader interface {
	// Automations lists every automation by kind, position, then id.
	Automations(ctx context.Context) ([]*Automation, error)
	// Automation returns one; ENOTFOUND when none.
	Automation(ctx context.Context, id string) (*Automation, error)
	// AutomationRuns lists log entries newest first.
	AutomationRuns(ctx context.Context, f AutomationRunFilter) ([]*AutomationRun, error)
	// AutomationFired reports whether the log holds a firing of the
	// automation on the ticket with the key.
	AutomationFired(ctx context.Context, automationID, ticketID, key string) (bool, error)
}

// AutomationWriter holds the store's writes of automations.
type AutomationWriter interface {
	// CreateAutomation stores a new automation at version 1 (ECONFLICT
	// for a used id); UpdateAutomation is versioned like UpdateTicket;
	// DeleteAutomation removes it (versioned) with its log.
	CreateAutomation(ctx context.Context, a *Automation) error
	UpdateAutomation(ctx context.Context, a *Automation) error
	DeleteAutomation(ctx context.Context, id string, version int) error
	// AddAutomationRun logs a firing: ECONFLICT when the log holds one of
	// the same automation, ticket and key; ENOTFOUND for no automation.
	AddAutomationRun(ctx context.Context, r *AutomationRun) error
}

// MailNotice is the purpose of an outbound mail an automation's email
// action writes to a person.
const MailNotice = "notice"
