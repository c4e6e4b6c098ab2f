package triage

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MacroScope says who sees a macro (快捷回复).
type MacroScope string

const (
	MacroEveryone MacroScope = "everyone"
	MacroTeam     MacroScope = "team"  // the members of TeamID
	MacroAgent    MacroScope = "agent" // AgentID alone
)

// MacroScopes lists every scope, widest first.
func MacroScopes() []MacroScope { return []MacroScope{MacroEveryone, MacroTeam, MacroAgent} }

// Valid reports whether s is a known scope.
func (s MacroScope) Valid() bool { return slices.Contains(MacroScopes(), s) }

// MacroActions are the ticket changes a macro makes when applied, through
// the same update path as a PATCH of the ticket; zero fields change
// nothing.
type MacroActions struct {
	Status     Status   `json:"status,omitempty"`
	Priority   Priority `json:"priority,omitempty"`
	AddTags    []string `json:"add_tags,omitempty"`
	AssigneeID string   `json:"assignee_id,omitempty"`
	TeamID     string   `json:"team_id,omitempty"`
}

// Empty reports whether the actions change nothing.
func (a MacroActions) Empty() bool {
	return a.Status == "" && a.Priority == "" && len(a.AddTags) == 0 && a.AssigneeID == "" && a.TeamID == ""
}

// Macro is a canned reply (快捷回复): Markdown with variables that are
// filled from the ticket when it is applied, and optional actions.
type Macro struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Body is Markdown with variables such as {{requester.name}}; see
	// MacroVariables.
	Body     string       `json:"body"`
	Scope    MacroScope   `json:"scope"`
	TeamID   string       `json:"team_id"`
	AgentID  string       `json:"agent_id"`
	Actions  MacroActions `json:"actions"`
	Archived bool         `json:"archived"`
	// AuthorID is the actor who created it (see Principal.Actor).
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	// Uses and EditedUses count the replies sent with it and those the
	// agent changed before sending; the store counts them from its uses,
	// so they are never written and do not change Version.
	Uses       int `json:"uses"`
	EditedUses int `json:"edited_uses"`
}

// MacroVersion is a macro as one save left it; like an article's, the
// history only grows.
type MacroVersion struct {
	MacroID   string       `json:"macro_id"`
	Version   int          `json:"version"`
	Title     string       `json:"title"`
	Body      string       `json:"body"`
	Scope     MacroScope   `json:"scope"`
	TeamID    string       `json:"team_id"`
	AgentID   string       `json:"agent_id"`
	Actions   MacroActions `json:"actions"`
	Archived  bool         `json:"archived"`
	Actor     string       `json:"actor"`
	Note      string       `json:"note"`
	CreatedAt time.Time    `json:"created_at"`
}

// MacroUse is one reply sent with a macro. Terms are the ticket's
// lexical terms at that moment, so ranking can find what agents used on
// similar tickets without reading those tickets again.
type MacroUse struct {
	ID        string `json:"id"`
	MacroID   string `json:"macro_id"`
	TicketID  string `json:"ticket_id"`
	CommentID string `json:"comment_id"`
	Actor     string `json:"actor"`
	// Edited is true when the reply sent differs from the macro's
	// rendered text.
	Edited    bool      `json:"edited"`
	Terms     []string  `json:"terms"`
	CreatedAt time.Time `json:"created_at"`
}

// AsStored normalises a use as a store keeps it.
func (u *MacroUse) AsStored() {
	u.Terms = NonNil(u.Terms)
	u.CreatedAt = StoreTime(u.CreatedAt)
}

// AsStored normalises a macro as a store keeps it.
func (m *Macro) AsStored() {
	m.Actions.AddTags = NonNil(m.Actions.AddTags)
	m.CreatedAt, m.UpdatedAt = StoreTime(m.CreatedAt), StoreTime(m.UpdatedAt)
}

// AsStored normalises a version as a store keeps it.
func (v *MacroVersion) AsStored() {
	v.Actions.AddTags = NonNil(v.Actions.AddTags)
	v.CreatedAt = StoreTime(v.CreatedAt)
}

// Macro limits.
const (
	MaxMacroTitleRunes = 100
	MaxMacroBodyBytes  = 16 << 10
)

// MacroVariables lists the variables a macro body may use, in the order
// the editor offers them.
func MacroVariables() []string {
	return []string{
		"requester.name", "requester.email", "requester.phone",
		"ticket.id", "ticket.ref", "ticket.title", "ticket.category", "ticket.priority", "ticket.status",
		"agent.name", "team.name",
	}
}

// macroVar matches one {{ variable }}; a name may hold anything but braces
// so that a misspelt one is reported rather than left in the text.
var macroVar = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// MacroBodyVariables returns the variables a body uses, each once, in
// order of first use: EINVALID on field when one is unknown or a {{ is
// not closed.
func MacroBodyVariables(field, body string) ([]string, error) {
	var out []string
	for _, m := range macroVar.FindAllStringSubmatch(body, -1) {
		name := m[1]
		if !slices.Contains(MacroVariables(), name) {
			return nil, Invalid(field, "unknown variable {{%s}}; known: %s", name, strings.Join(MacroVariables(), ", "))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if strings.Contains(macroVar.ReplaceAllString(body, ""), "{{") {
		return nil, Invalid(field, "a {{ is not closed by }}")
	}
	return out, nil
}

// RenderMacro replaces every variable of body by its value in vars (""
// when absent). The body is assumed checked by MacroBodyVariables.
func RenderMacro(body string, vars map[string]string) string {
	return macroVar.ReplaceAllStringFunc(body, func(s string) string {
		return vars[macroVar.FindStringSubmatch(s)[1]]
	})
}

// ValidateMacro checks a macro and normalises it in place. It does not
// check that TeamID, AgentID and the actions' assignee and team exist: the
// service does, against the store.
func ValidateMacro(m *Macro) error {
	m.Title = strings.TrimSpace(m.Title)
	m.TeamID, m.AgentID = strings.TrimSpace(m.TeamID), strings.TrimSpace(m.AgentID)
	switch {
	case m.Title == "":
		return Invalid("title", "title is required")
	case !utf8.ValidString(m.Title) || utf8.RuneCountInString(m.Title) > MaxMacroTitleRunes:
		return Invalid("title", "title must be valid text of at most %d characters", MaxMacroTitleRunes)
	case strings.TrimSpace(m.Body) == "":
		return Invalid("body", "body is required")
	case !utf8.ValidString(m.Body):
		return Invalid("body", "body is not valid UTF-8")
	case len(m.Body) > MaxMacroBodyBytes:
		return Invalid("body", "body is %d bytes; at most %d are allowed", len(m.Body), MaxMacroBodyBytes)
	}
	if _, err := MacroBodyVariables("body", m.Body); err != nil {
		return err
	}
	if m.Scope == "" {
		m.Scope = MacroEveryone
	}
	switch m.Scope {
	case MacroEveryone:
		if m.TeamID != "" || m.AgentID != "" {
			return Invalid("scope", "a macro for everyone has no team_id or agent_id")
		}
	case MacroTeam:
		if m.TeamID == "" || m.AgentID != "" {
			return Invalid("team_id", "a team macro needs team_id and no agent_id")
		}
	case MacroAgent:
		if m.AgentID == "" || m.TeamID != "" {
			return Invalid("agent_id", "an agent's macro needs agent_id and no team_id")
		}
	default:
		return Invalid("scope", "scope %q is not everyone, team or agent", m.Scope)
	}
	a := &m.Actions
	a.AssigneeID, a.TeamID = strings.TrimSpace(a.AssigneeID), strings.TrimSpace(a.TeamID)
	if a.Status != "" && !a.Status.Valid() {
		return Invalid("actions.status", "status %q is not a ticket status", a.Status)
	}
	if a.Priority != "" && !a.Priority.Valid() {
		return Invalid("actions.priority", "priority %q is not P1, P2, P3 or P4", a.Priority)
	}
	tags, err := CleanTags("actions.add_tags", a.AddTags)
	if err != nil {
		return err
	}
	a.AddTags = tags
	return nil
}

// VisibleTo reports whether an agent who belongs to teams sees the macro.
// Archived macros are offered to nobody.
func (m *Macro) VisibleTo(agentID string, teams []string) bool {
	switch {
	case m.Archived:
		return false
	case m.Scope == MacroTeam:
		return slices.Contains(teams, m.TeamID)
	case m.Scope == MacroAgent:
		return agentID != "" && m.AgentID == agentID
	}
	return true
}

// NewMacro creates a macro.
type NewMacro struct {
	Title   string       `json:"title"`
	Body    string       `json:"body"`
	Scope   MacroScope   `json:"scope"`
	TeamID  string       `json:"team_id"`
	AgentID string       `json:"agent_id"`
	Actions MacroActions `json:"actions"`
}

// MacroUpdate edits a macro; every save is a new version.
type MacroUpdate struct {
	Title    Opt[string]       `json:"title"`
	Body     Opt[string]       `json:"body"`
	Scope    Opt[MacroScope]   `json:"scope"`
	TeamID   Opt[string]       `json:"team_id"`
	AgentID  Opt[string]       `json:"agent_id"`
	Actions  Opt[MacroActions] `json:"actions"`
	Archived Opt[bool]         `json:"archived"`
	// Note is kept with the version.
	Note string `json:"note"`
}

// MacroReader holds the store's reads of macros.
type MacroReader interface {
	// Macro returns one macro with its use counts; ENOTFOUND when none.
	Macro(ctx context.Context, id string) (*Macro, error)
	// Macros lists every macro, archived ones included, by title then id,
	// with their use counts.
	Macros(ctx context.Context) ([]*Macro, error)
	// MacroVersions lists a macro's versions, oldest first; ENOTFOUND
	// for no macro.
	MacroVersions(ctx context.Context, macroID string) ([]*MacroVersion, error)
	MacroVersion(ctx context.Context, macroID string, version int) (*MacroVersion, error)
	// MacroUses lists the newest uses of any macro, newest first; a limit
	// of 0 or less means 1000.
	MacroUses(ctx context.Context, limit int) ([]*MacroUse, error)
}

// MacroWriter holds the store's writes of macros.
type MacroWriter interface {
	// CreateMacro stores a new macro at version 1 (ECONFLICT for a used
	// id); UpdateMacro is versioned like UpdateTicket. Neither writes the
	// history: AddMacroVersion does, in the same transaction.
	CreateMacro(ctx context.Context, m *Macro) error
	UpdateMacro(ctx context.Context, m *Macro) error
	// DeleteMacro removes a macro (versioned) with its versions and uses.
	DeleteMacro(ctx context.Context, id string, version int) error
	// AddMacroVersion stores a version: ENOTFOUND for no macro,
	// ECONFLICT when it already has that version.
	AddMacroVersion(ctx context.Context, v *MacroVersion) error
	// AddMacroUse records a reply sent with a macro: ENOTFOUND for no
	// macro.
	AddMacroUse(ctx context.Context, u *MacroUse) error
}

// MacroSuggestion is a macro offered beside a ticket, rendered for it.
type MacroSuggestion struct {
	Macro *Macro `json:"macro"`
	// Text is the macro's body with the ticket's values filled in: what
	// the reply box receives when the agent inserts it.
	Text string `json:"text"`
	// Score orders the suggestions: Lexical plus a bounded share of
	// Usage.
	Score float64 `json:"score"`
	// Relevance is Score on the 0 to 1 scale an agent reads as 相关度 NN%,
	// the same figure the suggested sources show.
	Relevance float64 `json:"relevance"`
	// Lexical is the similarity of the ticket's text to the macro's title
	// and body, 0 to 1.
	Lexical float64 `json:"lexical"`
	// Usage sums the similarity to this ticket of the tickets the macro
	// was sent on.
	Usage float64 `json:"usage"`
	// SimilarUses counts those tickets.
	SimilarUses int `json:"similar_uses"`
}

// MacroApply sends a reply with a macro and makes its changes.
type MacroApply struct {
	// Body is the reply as the agent sends it; empty sends the macro's
	// text unchanged. A body that differs from the rendered text counts
	// as edited before sending.
	Body string `json:"body"`
	// Public sends the reply to the customer (the default); false keeps
	// it as an internal note.
	Public *bool `json:"public"`
	// Version, when set, is the macro version the agent inserted; a macro
	// changed since is ESTALE, so an agent never sends text they did not
	// see together with actions they did not expect.
	Version int `json:"version"`
	// WrittenAfter and Force guard the reply as they guard a comment's
	// (NewComment): a reply sent with a macro over another agent's newer
	// reply is refused (412, reason ticket.newer_reply) unless Force.
	WrittenAfter Opt[string] `json:"written_after"`
	Force        bool        `json:"force"`
}

// MacroApplied is what applying a macro did.
type MacroApplied struct {
	Ticket  *Ticket   `json:"ticket"`
	Comment *Comment  `json:"comment"`
	Use     *MacroUse `json:"use"`
}
