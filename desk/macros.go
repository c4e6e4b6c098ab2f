package desk

import (
	"context"
	"slices"
	"strings"

	"github.com/triagehq/triage"
)

// Macros (快捷回复): canned replies that admins write for everyone, team
// leads for their teams, and agents insert beside a ticket. Every save is
// a version, like an article's; sending one adds the reply and makes the
// macro's changes through the ticket's own update path, in one
// transaction with the record of its use.

// Macros lists the macros the caller may see: every macro for an admin
// (archived ones included), else the live macros of everyone, of the
// caller's teams and of the caller, and any macro of a team the caller
// leads.
func (s *Service) Macros(ctx context.Context) ([]*triage.Macro, error) {
	all, err := s.Store.Macros(ctx)
	if err != nil {
		return nil, err
	}
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.Role == triage.RoleAdmin {
		return all, nil
	}
	member, led, err := teamsOf(ctx, s.Store, p.AgentID)
	if err != nil {
		return nil, err
	}
	out := []*triage.Macro{}
	for _, m := range all {
		if m.VisibleTo(p.AgentID, member) || (m.Scope == triage.MacroTeam && slices.Contains(led, m.TeamID)) {
			out = append(out, m)
		}
	}
	return out, nil
}

// Macro returns one macro the caller may see.
func (s *Service) Macro(ctx context.Context, id string) (*triage.Macro, error) {
	m, err := s.Store.Macro(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canSee(ctx, s.Store, m); err != nil {
		return nil, err
	}
	return m, nil
}

// MacroVersions lists a macro's versions, oldest first.
func (s *Service) MacroVersions(ctx context.Context, id string) ([]*triage.MacroVersion, error) {
	if _, err := s.Macro(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.MacroVersions(ctx, id)
}

// MacroVersion returns one version of a macro.
func (s *Service) MacroVersion(ctx context.Context, id string, version int) (*triage.MacroVersion, error) {
	if _, err := s.Macro(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.MacroVersion(ctx, id, version)
}

// teamsOf returns the teams an agent belongs to and those it leads.
func teamsOf(ctx context.Context, r triage.Reader, agentID string) (member, led []string, err error) {
	if agentID == "" {
		return nil, nil, nil
	}
	teams, err := r.Teams(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range teams {
		if slices.Contains(t.Members, agentID) || t.LeadID == agentID {
			member = append(member, t.ID)
		}
		if t.LeadID == agentID {
			led = append(led, t.ID)
		}
	}
	return member, led, nil
}

// canSee refuses a macro the caller may not see as ENOTFOUND, so that a
// macro's existence does not leak to those outside its scope.
func canSee(ctx context.Context, r triage.Reader, m *triage.Macro) error {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.Role == triage.RoleAdmin {
		return nil
	}
	member, led, err := teamsOf(ctx, r, p.AgentID)
	if err != nil {
		return err
	}
	if m.VisibleTo(p.AgentID, member) || (m.Scope == triage.MacroTeam && slices.Contains(led, m.TeamID)) {
		return nil
	}
	return triage.NotFound("macro", m.ID)
}

// defaultScope gives a macro whose author names no scope the only scope
// open to a team lead: the team they lead, when there is one such team.
// Anyone else's stays for everyone.
func defaultScope(ctx context.Context, r triage.Reader, m *triage.Macro) error {
	p := triage.PrincipalFromContext(ctx)
	if m.Scope != "" || m.TeamID != "" || m.AgentID != "" || p == nil || p.Role == triage.RoleAdmin {
		return nil
	}
	_, led, err := teamsOf(ctx, r, p.AgentID)
	if err == nil && len(led) == 1 {
		m.Scope, m.TeamID = triage.MacroTeam, led[0]
	}
	return err
}

// canManage allows admins every macro, and a team lead the macros of the
// teams they lead.
func canManage(ctx context.Context, r triage.Reader, m *triage.Macro) error {
	p := triage.PrincipalFromContext(ctx)
	if p == nil || p.Role == triage.RoleAdmin {
		return nil
	}
	_, led, err := teamsOf(ctx, r, p.AgentID)
	if err != nil {
		return err
	}
	if len(led) == 0 {
		return triage.Errorf(triage.EFORBIDDEN, "only admins and team leads manage macros")
	}
	if m.Scope != triage.MacroTeam || !slices.Contains(led, m.TeamID) {
		return &triage.Error{Code: triage.EFORBIDDEN, Field: "team_id", Allowed: led,
			Message: "a team lead manages the macros of the teams they lead only: set scope team and one of their teams"}
	}
	return nil
}

// checkMacroRefs makes sure the macro's team, agent and actions name
// existing records, naming the field that does not.
func checkMacroRefs(ctx context.Context, r triage.Reader, m *triage.Macro) error {
	for _, ref := range []struct {
		field, id string
		team      bool
	}{
		{"team_id", m.TeamID, true}, {"agent_id", m.AgentID, false},
		{"actions.team_id", m.Actions.TeamID, true}, {"actions.assignee_id", m.Actions.AssigneeID, false},
	} {
		if ref.id == "" {
			continue
		}
		var err error
		if ref.team {
			_, err = r.Team(ctx, ref.id)
		} else {
			_, err = r.Agent(ctx, ref.id)
		}
		if triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid(ref.field, "%s %q names no %s", ref.field, ref.id, map[bool]string{true: "team", false: "agent"}[ref.team])
		} else if err != nil {
			return err
		}
	}
	return nil
}

func macroVersion(m *triage.Macro, actor, note string) *triage.MacroVersion {
	return &triage.MacroVersion{MacroID: m.ID, Version: m.Version, Title: m.Title, Body: m.Body, Scope: m.Scope,
		TeamID: m.TeamID, AgentID: m.AgentID, Actions: m.Actions, Archived: m.Archived, Actor: actor, Note: note, CreatedAt: m.UpdatedAt}
}

// CreateMacro stores a new macro as version 1.
func (s *Service) CreateMacro(ctx context.Context, in triage.NewMacro, idem *triage.Idempotency) (*triage.Macro, error) {
	now := s.now()
	m := &triage.Macro{ID: triage.NewID(), Title: in.Title, Body: in.Body, Scope: in.Scope, TeamID: in.TeamID, AgentID: in.AgentID,
		Actions: in.Actions, AuthorID: actor(ctx), CreatedAt: now, UpdatedAt: now}
	if err := defaultScope(ctx, s.Store, m); err != nil {
		return nil, err
	}
	if err := triage.ValidateMacro(m); err != nil {
		return nil, err
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Macro, error) {
		return m, s.createMacro(ctx, tx, m, "")
	})
}

func (s *Service) createMacro(ctx context.Context, tx triage.Tx, m *triage.Macro, note string) error {
	if err := canManage(ctx, tx, m); err != nil {
		return err
	}
	if err := checkMacroRefs(ctx, tx, m); err != nil {
		return err
	}
	if err := tx.CreateMacro(ctx, m); err != nil {
		return err
	}
	return tx.AddMacroVersion(ctx, macroVersion(m, actor(ctx), note))
}

// UpdateMacro edits a macro at the given version (0: any) and records the
// save as a new version. A team lead can neither take a macro out of a
// team they lead nor move one into it from elsewhere.
func (s *Service) UpdateMacro(ctx context.Context, id string, version int, u triage.MacroUpdate) (*triage.Macro, error) {
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Macro, error) {
		m, err := tx.Macro(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := canSee(ctx, tx, m); err != nil {
			return nil, err
		}
		if err := canManage(ctx, tx, m); err != nil {
			return nil, err
		}
		if err := checkVersion("macro "+id, m.Version, version); err != nil {
			return nil, err
		}
		setOpt(&m.Title, u.Title)
		setOpt(&m.Body, u.Body)
		setOpt(&m.Scope, u.Scope)
		setOpt(&m.TeamID, u.TeamID)
		setOpt(&m.AgentID, u.AgentID)
		setOpt(&m.Actions, u.Actions)
		setOpt(&m.Archived, u.Archived)
		if err := triage.ValidateMacro(m); err != nil {
			return nil, err
		}
		return m, s.updateMacro(ctx, tx, m, u.Note)
	})
}

func (s *Service) updateMacro(ctx context.Context, tx triage.Tx, m *triage.Macro, note string) error {
	if len([]rune(note)) > 1000 {
		return triage.Invalid("note", "note is longer than 1000 characters")
	}
	if err := canManage(ctx, tx, m); err != nil {
		return err
	}
	if err := checkMacroRefs(ctx, tx, m); err != nil {
		return err
	}
	m.UpdatedAt = s.now()
	if err := tx.UpdateMacro(ctx, m); err != nil {
		return err
	}
	return tx.AddMacroVersion(ctx, macroVersion(m, actor(ctx), note))
}

// DeleteMacro removes a macro with its history and counts; archiving
// (archived: true) keeps them.
func (s *Service) DeleteMacro(ctx context.Context, id string, version int) error {
	_, err := write(ctx, s, nil, nil, func(tx triage.Tx) (struct{}, error) {
		m, err := tx.Macro(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if err := canSee(ctx, tx, m); err != nil {
			return struct{}{}, err
		}
		if err := canManage(ctx, tx, m); err != nil {
			return struct{}{}, err
		}
		if err := checkVersion("macro "+id, m.Version, version); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, tx.DeleteMacro(ctx, id, m.Version)
	})
	return err
}

// macroVars are the values of the variables for a ticket and the agent
// sending. A requester without a name is addressed as 客户, so a greeting
// never reads 「您好，」.
func macroVars(ctx context.Context, r triage.Reader, t *triage.Ticket) (map[string]string, error) {
	name := t.Requester.Name
	if strings.TrimSpace(name) == "" {
		name = "客户"
	}
	v := map[string]string{
		"requester.name": name, "requester.email": t.Requester.Email, "requester.phone": t.Requester.Phone,
		"ticket.id": t.ID, "ticket.ref": triage.TicketRef(t.ID), "ticket.title": t.Title, "ticket.category": t.Category,
		"ticket.priority": string(t.Priority), "ticket.status": string(t.Status),
	}
	if p := triage.PrincipalFromContext(ctx); p != nil && p.AgentID != "" {
		if a, err := r.Agent(ctx, p.AgentID); err == nil {
			v["agent.name"] = a.Name
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
	}
	if t.TeamID != "" {
		if tm, err := r.Team(ctx, t.TeamID); err == nil {
			v["team.name"] = tm.Name
		} else if !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
	}
	return v, nil
}

// sameReply compares a sent reply with the rendered macro, ignoring line
// endings and the blanks around the text, which editors change on their
// own.
func sameReply(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

// ApplyMacro sends a reply with a macro and makes the macro's changes to
// the ticket, all in one transaction with the record of the use: the
// reply goes through the comment path (first response, the mail outbox)
// and the actions through the ticket's update path (history, routing,
// events), exactly as if the agent had made them by hand.
func (s *Service) ApplyMacro(ctx context.Context, ticketID, macroID string, in triage.MacroApply, idem *triage.Idempotency) (*triage.MacroApplied, error) {
	if len(in.Body) > triage.MaxCommentSize {
		return nil, triage.Invalid("body", "body must be at most %d bytes", triage.MaxCommentSize)
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.MacroApplied, error) {
		return s.applyMacro(ctx, tx, ticketID, macroID, in)
	})
}

// applyMacro is ApplyMacro in tx.
func (s *Service) applyMacro(ctx context.Context, tx triage.Tx, ticketID, macroID string, in triage.MacroApply) (*triage.MacroApplied, error) {
	{
		m, err := tx.Macro(ctx, macroID)
		if err != nil {
			return nil, err
		}
		if err := canSee(ctx, tx, m); err != nil {
			return nil, err
		}
		if m.Archived {
			return nil, triage.Errorf(triage.ECONFLICT, "macro %s is archived", m.ID)
		}
		if in.Version != 0 {
			if err := checkVersion("macro "+m.ID, m.Version, in.Version); err != nil {
				return nil, err
			}
		}
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return nil, err
		}
		vars, err := macroVars(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		text := triage.RenderMacro(m.Body, vars)
		body := in.Body
		if strings.TrimSpace(body) == "" {
			body = text
		}
		public := in.Public == nil || *in.Public
		nc := triage.NewComment{Body: body, Public: public, WrittenAfter: in.WrittenAfter, Force: in.Force}
		if err := checkComment(&nc); err != nil {
			return nil, err
		}
		c, err := s.addComment(ctx, tx, t.ID, nc)
		if err != nil {
			return nil, err
		}
		if t, err = s.applyActions(ctx, tx, t.ID, m); err != nil {
			return nil, err
		}
		use := &triage.MacroUse{ID: triage.NewID(), MacroID: m.ID, TicketID: t.ID, CommentID: c.ID, Actor: actor(ctx),
			Edited: !sameReply(body, text), Terms: s.macroTerms(t.Title + "\n" + t.Body), CreatedAt: s.now()}
		if err := tx.AddMacroUse(ctx, use); err != nil {
			return nil, err
		}
		if t, err = s.withTriage(ctx, tx, t); err != nil {
			return nil, err
		}
		return &triage.MacroApplied{Ticket: t, Comment: c, Use: use}, nil
	}
}

// applyActions makes a macro's changes through applyUpdate and save, the
// path of PATCH /v1/tickets/{id}, with the macro named in the history's
// note.
func (s *Service) applyActions(ctx context.Context, tx triage.Tx, ticketID string, m *triage.Macro) (*triage.Ticket, error) {
	t, err := tx.Ticket(ctx, ticketID) // the reply has saved it
	if err != nil || m.Actions.Empty() {
		return t, err
	}
	a := m.Actions
	u := triage.TicketUpdate{Note: "快捷回复「" + m.Title + "」"}
	if a.Status != "" {
		u.Status = triage.Some(a.Status)
	}
	if a.Priority != "" {
		u.Priority = triage.Some(a.Priority)
	}
	if len(a.AddTags) > 0 {
		tags := slices.Clone(t.Tags)
		for _, tag := range a.AddTags {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		u.Tags = triage.Some(tags)
	}
	if a.AssigneeID != "" {
		u.AssigneeID = triage.Some(a.AssigneeID)
	}
	if a.TeamID != "" {
		u.TeamID = triage.Some(a.TeamID)
	}
	before := *t
	hist, err := s.applyUpdate(ctx, tx, t, u)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return t, nil
	}
	return t, s.save(ctx, tx, &before, t, hist)
}
