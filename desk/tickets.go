package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// MaxCategoryRunes bounds a category name.
const MaxCategoryRunes = 64

// CreateTicket validates, triages and stores a new ticket.
func (s *Service) CreateTicket(ctx context.Context, in triage.NewTicket, idem *triage.Idempotency) (*triage.Ticket, error) {
	t, manual, err := s.newTicket(in)
	if err != nil {
		return nil, err
	}
	if l, ok := s.Intake.(IntakeLookup); ok {
		ctx = l.Lookup(ctx, t)
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Ticket, error) {
		return s.createTicket(ctx, tx, t, manual, in.Attachments, Hints{})
	})
}

// CreateTicketTx validates, triages and stores a new ticket in tx, for a
// channel that commits more with it (the mail it came as, the mailbox's
// position). hints fill in what triage leaves open.
func (s *Service) CreateTicketTx(ctx context.Context, tx triage.Tx, in triage.NewTicket, hints Hints) (*triage.Ticket, error) {
	t, manual, err := s.newTicket(in)
	if err != nil {
		return nil, err
	}
	if hints.Priority != "" && !hints.Priority.Valid() {
		return nil, triage.Invalid("priority", "the hinted priority %q is not one of %s", hints.Priority, join(triage.Priorities()))
	}
	if hints.Category, err = cleanCategory(hints.Category); err != nil {
		return nil, err
	}
	return s.createTicket(ctx, tx, t, manual, in.Attachments, hints)
}

func (s *Service) createTicket(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual, files []triage.NewAttachment, hints Hints) (*triage.Ticket, error) {
	if err := checkRefs(ctx, tx, t.AssigneeID, t.TeamID); err != nil {
		return nil, err
	}
	hist := []*triage.HistoryEntry{s.entry(ctx, t.ID, "status", "", string(t.Status), "", triage.NewReason(triage.ReasonTicketCreated, t.Channel))}
	var rec *triage.TriageRecord
	if s.Intake != nil {
		r, h, err := s.Intake.Triage(ctx, tx, t, manual)
		if err != nil {
			return nil, err
		}
		rec, hist = r, append(hist, h...)
	}
	h, err := s.applyHints(ctx, tx, t, manual, rec, hints)
	if err != nil {
		return nil, err
	}
	hist = append(hist, h...)
	if t.AssigneeID != "" && manual.Assignee {
		hist = append(hist, s.entry(ctx, t.ID, "assignee_id", "", t.AssigneeID, "", triage.NewReason(triage.ReasonTicketAssignedAtNew)))
	}
	if err := tx.CreateTicket(ctx, t); err != nil {
		return nil, err
	}
	if rec != nil {
		rec.TicketID, rec.CreatedAt = t.ID, t.CreatedAt
		if err := tx.SaveTriageRecord(ctx, rec); err != nil {
			return nil, err
		}
		t.Triage = rec
	}
	if err := s.recordShadow(ctx, tx, t, manual); err != nil {
		return nil, err
	}
	if len(files) > 0 {
		if t.Attachments, err = s.saveAttachments(ctx, tx, t.ID, "", files); err != nil {
			return nil, err
		}
	}
	if err := s.addHistory(ctx, tx, t.ID, hist); err != nil {
		return nil, err
	}
	if err := s.emit(ctx, tx, nil, t, hist); err != nil {
		return nil, err
	}
	return t, nil
}

// applyHints fills in what triage left open from a channel's hints: the
// priority when no signal spoke (triage's source "default"), the category
// when triage could not decide, then routing for that category.
func (s *Service) applyHints(ctx context.Context, tx triage.Tx, t *triage.Ticket, manual triage.Manual, rec *triage.TriageRecord, hints Hints) ([]*triage.HistoryEntry, error) {
	var hist []*triage.HistoryEntry
	if hints.Priority != "" && !manual.Priority && (rec == nil || rec.Priority.Source == "default") && t.Priority != hints.Priority {
		hist = append(hist, s.entry(ctx, t.ID, "priority", string(t.Priority), string(hints.Priority), "", triage.NewReason(triage.ReasonMailboxPriority, hints.Priority)))
		t.Priority = hints.Priority
	}
	if hints.Category != "" && !manual.Category && t.Category == "" {
		hist = append(hist, s.entry(ctx, t.ID, "category", "", hints.Category, "", triage.NewReason(triage.ReasonMailboxCategory, hints.Category)))
		t.Category, t.NeedsReview = hints.Category, false
		if s.Router != nil && t.AssigneeID == "" && !manual.Assignee {
			h, err := s.Router.Reroute(ctx, tx, t)
			if err != nil {
				return nil, err
			}
			hist = append(hist, h...)
		}
	}
	return hist, nil
}

func (s *Service) newTicket(in triage.NewTicket) (*triage.Ticket, triage.Manual, error) {
	var m triage.Manual
	if err := triage.ValidateText(in.Title, in.Body); err != nil {
		return nil, m, err
	}
	if err := in.Requester.Validate(); err != nil {
		return nil, m, err
	}
	if in.Channel == "" {
		in.Channel = triage.ChannelAPI
	} else if err := in.Channel.Check("channel"); err != nil {
		return nil, m, err
	}
	tags, err := triage.CleanTags("tags", in.Tags)
	if err != nil {
		return nil, m, err
	}
	if err := triage.ValidateFields(in.Fields); err != nil {
		return nil, m, err
	}
	if err := triage.CheckAttachments("attachments", in.Attachments); err != nil {
		return nil, m, err
	}
	if in.Priority != "" && !in.Priority.Valid() {
		return nil, m, triage.Invalid("priority", "priority %q is not one of %s", in.Priority, join(triage.Priorities()))
	}
	cat, err := cleanCategory(in.Category)
	if err != nil {
		return nil, m, err
	}
	if in.Fields == nil {
		in.Fields = map[string]string{}
	}
	now := s.now()
	t := &triage.Ticket{
		ID:         triage.NewID(),
		Title:      strings.TrimSpace(in.Title),
		Body:       in.Body,
		Requester:  in.Requester,
		Channel:    in.Channel,
		Tags:       tags,
		Fields:     in.Fields,
		Status:     triage.StatusNew,
		Priority:   in.Priority,
		Category:   cat,
		AssigneeID: strings.TrimSpace(in.AssigneeID),
		TeamID:     strings.TrimSpace(in.TeamID),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	m = triage.Manual{Priority: t.Priority != "", Category: t.Category != "", Assignee: t.AssigneeID != "", Team: t.TeamID != ""}
	if t.Priority == "" {
		t.Priority = triage.P3
	}
	return t, m, nil
}

func cleanCategory(c string) (string, error) {
	c = strings.TrimSpace(c)
	if utf8.RuneCountInString(c) > MaxCategoryRunes || !utf8.ValidString(c) {
		return "", triage.Invalid("category", "category must be valid text of at most %d characters", MaxCategoryRunes)
	}
	return c, nil
}

// checkRefs makes sure an assignee and a team exist before a ticket points
// at them.
func checkRefs(ctx context.Context, tx triage.Reader, agentID, teamID string) error {
	if agentID != "" {
		if _, err := tx.Agent(ctx, agentID); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid("assignee_id", "assignee_id %q names no agent", agentID)
		} else if err != nil {
			return err
		}
	}
	if teamID != "" {
		if _, err := tx.Team(ctx, teamID); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid("team_id", "team_id %q names no team", teamID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Ticket returns a ticket with what triage predicted for it and the files
// of its first message.
func (s *Service) Ticket(ctx context.Context, id string) (*triage.Ticket, error) {
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec, err := s.Store.TriageRecord(ctx, id); err == nil {
		t.Triage = rec
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return nil, err
	}
	atts, err := s.Store.Attachments(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if a.CommentID == "" {
			t.Attachments = append(t.Attachments, a)
		}
	}
	return t, nil
}

// Tickets lists tickets; see triage.TicketFilter.
func (s *Service) Tickets(ctx context.Context, f triage.TicketFilter) ([]*triage.Ticket, string, error) {
	for _, st := range f.Status {
		if !st.Valid() {
			return nil, "", triage.Invalid("status", "status %q is not one of %s", st, join(triage.Statuses()))
		}
	}
	if f.Priority != "" && !f.Priority.Valid() {
		return nil, "", triage.Invalid("priority", "priority %q is not one of %s", f.Priority, join(triage.Priorities()))
	}
	if f.Limit < 0 || f.Limit > triage.MaxPageSize {
		return nil, "", triage.Invalid("limit", "limit must be between 1 and %d", triage.MaxPageSize)
	}
	if !f.CreatedFrom.IsZero() && !f.CreatedTo.IsZero() && !f.CreatedFrom.Before(f.CreatedTo) {
		return nil, "", triage.Invalid("created_to", "created_to must be after created_from")
	}
	if utf8.RuneCountInString(f.Query) > MaxQueryRunes {
		return nil, "", triage.Invalid("q", "q is longer than %d characters", MaxQueryRunes)
	}
	if !f.Sort.Valid() {
		return nil, "", &triage.Error{Code: triage.EINVALID, Field: "sort", Allowed: strings.Split(join(triage.TicketSorts()), ", "),
			Message: fmt.Sprintf("sort %q is not one of %s", f.Sort, join(triage.TicketSorts()))}
	}
	if strings.TrimSpace(f.Query) != "" {
		if f.Sort.Positional() {
			return nil, "", triage.Invalid("sort", "sort does not go with q: a search lists by relevance")
		}
		f.Terms = s.queryTerms(f.Query)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		if err := triage.CheckListCursor(c, len(f.Terms) > 0); err != nil {
			return nil, "", err
		}
		if err := triage.CheckSortCursor(c, f.Sort); err != nil {
			return nil, "", err
		}
	}
	return s.Store.Tickets(ctx, f)
}

// MaxQueryRunes bounds a ticket search's q.
const MaxQueryRunes = 500

// queryTerms cuts a search into the terms stores match: the segmenter's,
// or the normalised query as one term without a segmenter.
func (s *Service) queryTerms(q string) []string {
	if s.Segmenter != nil {
		return triage.QueryTerms(s.Segmenter, q)
	}
	if s.Normalize != nil {
		q = s.Normalize(q)
	}
	return []string{strings.ToLower(strings.TrimSpace(q))}
}

// UpdateTicket applies a partial update to a ticket at the given version
// (0: any version) and records every changed field in its history.
func (s *Service) UpdateTicket(ctx context.Context, id string, version int, u triage.TicketUpdate) (*triage.Ticket, error) {
	if utf8.RuneCountInString(u.Note) > 1000 {
		return nil, triage.Invalid("note", "note is longer than 1000 characters")
	}
	return write(ctx, s, nil, nil, func(tx triage.Tx) (*triage.Ticket, error) {
		t, err := tx.Ticket(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("ticket "+id, t.Version, version); err != nil {
			return nil, err
		}
		before := *t
		hist, err := s.applyUpdate(ctx, tx, t, u)
		if err != nil {
			return nil, err
		}
		if len(hist) == 0 {
			return s.withTriage(ctx, tx, t)
		}
		if err := s.save(ctx, tx, &before, t, hist); err != nil {
			return nil, err
		}
		return s.withTriage(ctx, tx, t)
	})
}

func (s *Service) withTriage(ctx context.Context, tx triage.Reader, t *triage.Ticket) (*triage.Ticket, error) {
	if rec, err := tx.TriageRecord(ctx, t.ID); err == nil {
		t.Triage = rec
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return nil, err
	}
	return t, nil
}

// save stores a changed ticket with its history and lets the router react:
// a reopened ticket whose agent is away, or a waiting ticket that just got
// its category, is routed again; a ticket leaving the active states frees
// its agent's slot for the queue.
func (s *Service) save(ctx context.Context, tx triage.Tx, before, t *triage.Ticket, hist []*triage.HistoryEntry) error {
	t.UpdatedAt = s.now()
	reopened := t.Status == triage.StatusOpen && before.Status == triage.StatusSolved
	categorised := t.AssigneeID == "" && t.Category != "" && t.Category != before.Category && t.Status.Active()
	if s.Router != nil && t.AssigneeID == before.AssigneeID && (reopened || categorised) {
		h, err := s.Router.Reroute(ctx, tx, t)
		if err != nil {
			return err
		}
		hist = append(hist, h...)
	}
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return err
	}
	if err := s.addHistory(ctx, tx, t.ID, hist); err != nil {
		return err
	}
	if err := s.emit(ctx, tx, before, t, hist); err != nil {
		return err
	}
	freed := before.AssigneeID != "" && before.Status.Active() && (t.AssigneeID != before.AssigneeID || !t.Status.Active())
	if s.Router != nil && freed {
		h, err := s.Router.Drain(ctx, tx)
		if err != nil {
			return err
		}
		return s.addHistory(ctx, tx, t.ID, h)
	}
	return nil
}

func (s *Service) addHistory(ctx context.Context, tx triage.Tx, ticketID string, hist []*triage.HistoryEntry) error {
	for _, h := range hist {
		if h.ID == "" {
			h.ID = triage.NewID()
		}
		if h.TicketID == "" {
			h.TicketID = ticketID
		}
		if h.At.IsZero() {
			h.At = s.now()
		}
		if h.Actor == "" {
			h.Actor = actor(ctx)
		}
	}
	if len(hist) == 0 {
		return nil
	}
	return tx.AddHistory(ctx, hist...)
}

// entry is one history entry by the caller: the note a person wrote and
// the service's reasons.
func (s *Service) entry(ctx context.Context, ticketID, field, old, new, note string, why ...triage.Reason) *triage.HistoryEntry {
	return &triage.HistoryEntry{ID: triage.NewID(), TicketID: ticketID, Actor: actor(ctx), At: s.now(), Field: field, Old: old, New: new, Note: note, Why: why}
}

// defaultWhy is the reason a change gets when the person who made it
// wrote no note.
func defaultWhy(note string, code triage.ReasonCode) triage.Reasons {
	if note != "" {
		return nil
	}
	return triage.Reasons{triage.NewReason(code)}
}

// applyUpdate changes t in place and returns one history entry per field
// that really changed.
func (s *Service) applyUpdate(ctx context.Context, tx triage.Tx, t *triage.Ticket, u triage.TicketUpdate) ([]*triage.HistoryEntry, error) {
	var hist []*triage.HistoryEntry
	set := func(field, old, new string) {
		if old != new {
			hist = append(hist, s.entry(ctx, t.ID, field, old, new, u.Note, u.Why...))
		}
	}
	if u.Title.Set || u.Body.Set {
		title, body := t.Title, t.Body
		if u.Title.Set {
			title = strings.TrimSpace(u.Title.V)
		}
		if u.Body.Set {
			body = u.Body.V
		}
		if err := triage.ValidateText(title, body); err != nil {
			return nil, err
		}
		set("title", t.Title, title)
		if body != t.Body {
			set("body", fmt.Sprintf("%d bytes", len(t.Body)), fmt.Sprintf("%d bytes", len(body)))
		}
		t.Title, t.Body = title, body
	}
	if u.Requester.Set {
		r := u.Requester.V
		if err := r.Validate(); err != nil {
			return nil, err
		}
		set("requester", jsonString(t.Requester), jsonString(r))
		t.Requester = r
	}
	if u.Channel.Set {
		if err := u.Channel.V.Check("channel"); err != nil {
			return nil, err
		}
		set("channel", string(t.Channel), string(u.Channel.V))
		t.Channel = u.Channel.V
	}
	if u.Tags.Set {
		tags, err := triage.CleanTags("tags", u.Tags.V)
		if err != nil {
			return nil, err
		}
		set("tags", strings.Join(t.Tags, ","), strings.Join(tags, ","))
		t.Tags = tags
	}
	if u.Fields.Set {
		f := u.Fields.V
		if f == nil {
			f = map[string]string{}
		}
		if err := triage.ValidateFields(f); err != nil {
			return nil, err
		}
		set("fields", jsonString(t.Fields), jsonString(f))
		t.Fields = f
	}
	if u.Priority.Set {
		if !u.Priority.V.Valid() {
			return nil, triage.Invalid("priority", "priority %q is not one of %s", u.Priority.V, join(triage.Priorities()))
		}
		set("priority", string(t.Priority), string(u.Priority.V))
		t.Priority = u.Priority.V
	}
	if u.Category.Set {
		c, err := cleanCategory(u.Category.V)
		if err != nil {
			return nil, err
		}
		set("category", t.Category, c)
		if c != "" && c != t.Category {
			t.NeedsReview = false
		}
		t.Category = c
	}
	if u.NeedsReview.Set {
		set("needs_review", fmt.Sprint(t.NeedsReview), fmt.Sprint(u.NeedsReview.V))
		t.NeedsReview = u.NeedsReview.V
	}
	if u.AssigneeID.Set || u.TeamID.Set {
		agent, team := t.AssigneeID, t.TeamID
		if u.AssigneeID.Set {
			agent = strings.TrimSpace(u.AssigneeID.V)
		}
		if u.TeamID.Set {
			team = strings.TrimSpace(u.TeamID.V)
		}
		if err := checkRefs(ctx, tx, agent, team); err != nil {
			return nil, err
		}
		if agent != t.AssigneeID {
			why := u.Why
			if len(why) == 0 {
				why = defaultWhy(u.Note, triage.ReasonTicketAssignedHand)
			}
			hist = append(hist, s.entry(ctx, t.ID, "assignee_id", t.AssigneeID, agent, u.Note, why...))
		}
		set("team_id", t.TeamID, team)
		t.AssigneeID, t.TeamID = agent, team
	}
	if u.Status.Set {
		h, err := s.move(ctx, t, u.Status.V, u.Note, u.Why...)
		if err != nil {
			return nil, err
		}
		hist = append(hist, h...)
	}
	return hist, nil
}

// move changes a ticket's status if the lifecycle allows it and keeps the
// timestamps that depend on the status in step.
func (s *Service) move(ctx context.Context, t *triage.Ticket, to triage.Status, note string, why ...triage.Reason) ([]*triage.HistoryEntry, error) {
	if !to.Valid() {
		return nil, triage.Invalid("status", "status %q is not one of %s", to, join(triage.Statuses()))
	}
	if to == t.Status {
		return nil, nil
	}
	if !t.Status.CanMoveTo(to) {
		next := t.Status.Next()
		allowed := make([]string, len(next))
		for i, n := range next {
			allowed[i] = string(n)
		}
		msg := fmt.Sprintf("a %s ticket cannot become %s", t.Status, to)
		if len(allowed) == 0 {
			msg += "; closed tickets are final, open a new ticket instead"
		} else {
			msg += "; it can become " + strings.Join(allowed, ", ")
		}
		return nil, &triage.Error{Code: triage.ECONFLICT, Message: msg, Field: "status", Allowed: allowed}
	}
	now := s.now()
	h := []*triage.HistoryEntry{s.entry(ctx, t.ID, "status", string(t.Status), string(to), note, why...)}
	switch to {
	case triage.StatusSolved:
		t.SolvedAt = &now
	case triage.StatusClosed:
		t.ClosedAt = &now
	case triage.StatusOpen:
		if t.Status == triage.StatusSolved {
			t.SolvedAt = nil // reopened: the next solve is the one that counts
		}
	}
	t.Status = to
	return h, nil
}

// AddComment adds a public reply or an internal note. The first public reply
// by an agent sets the ticket's first response time and opens a new ticket;
// a message from the requester brings a pending or solved ticket back to
// open.
func (s *Service) AddComment(ctx context.Context, ticketID string, in triage.NewComment, idem *triage.Idempotency) (*triage.Comment, error) {
	if err := checkComment(&in); err != nil {
		return nil, err
	}
	return write(ctx, s, idem, nil, func(tx triage.Tx) (*triage.Comment, error) {
		return s.addComment(ctx, tx, ticketID, in)
	})
}

// AddCommentTx adds a comment in tx, for a channel that commits more with
// it (the mail it came as, the mailbox's position).
func (s *Service) AddCommentTx(ctx context.Context, tx triage.Tx, ticketID string, in triage.NewComment) (*triage.Comment, error) {
	if err := checkComment(&in); err != nil {
		return nil, err
	}
	return s.addComment(ctx, tx, ticketID, in)
}

// checkComment validates a new comment: a text, files, or both.
func checkComment(in *triage.NewComment) error {
	if strings.TrimSpace(in.Body) == "" && len(in.Attachments) == 0 {
		return triage.Invalid("body", "body is required (or at least one file in attachments)")
	} else if len(in.Body) > triage.MaxCommentSize || !utf8.ValidString(in.Body) {
		return triage.Invalid("body", "body must be valid UTF-8 of at most %d bytes", triage.MaxCommentSize)
	}
	if in.FromRequester {
		in.Public = true
	}
	return triage.CheckAttachments("attachments", in.Attachments)
}

func (s *Service) addComment(ctx context.Context, tx triage.Tx, ticketID string, in triage.NewComment) (*triage.Comment, error) {
	p := triage.PrincipalFromContext(ctx)
	t, err := tx.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	if t.Status == triage.StatusClosed {
		return nil, &triage.Error{Code: triage.ECONFLICT, Message: "ticket is closed; open a new ticket instead"}
	}
	if in.WrittenAfter.Set && in.Public && !in.FromRequester && !in.Force {
		me := ""
		if p != nil {
			me = p.AgentID
		}
		if err := newerReply(ctx, tx, t.ID, in.WrittenAfter.V, me); err != nil {
			return nil, err
		}
	}
	now := s.now()
	c := &triage.Comment{ID: triage.NewID(), TicketID: t.ID, Body: in.Body, Public: in.Public, FromRequester: in.FromRequester, CreatedAt: now}
	if !in.FromRequester && p != nil {
		c.AuthorID = p.AgentID
	}
	if err := tx.AddComment(ctx, c); err != nil {
		return nil, err
	}
	if len(in.Attachments) > 0 {
		if c.Attachments, err = s.saveAttachments(ctx, tx, t.ID, c.ID, in.Attachments); err != nil {
			return nil, err
		}
	}
	before := *t
	var hist []*triage.HistoryEntry
	switch {
	case in.FromRequester && (t.Status == triage.StatusPending || t.Status == triage.StatusSolved):
		h, err := s.move(ctx, t, triage.StatusOpen, "", triage.NewReason(triage.ReasonTicketRequesterRe))
		if err != nil {
			return nil, err
		}
		hist = append(hist, h...)
	case !in.FromRequester && in.Public:
		if t.FirstResponseAt == nil {
			t.FirstResponseAt = &now
			hist = append(hist, s.entry(ctx, t.ID, "first_response_at", "", now.Format("2006-01-02T15:04:05.000000Z07:00"), "", triage.NewReason(triage.ReasonTicketFirstReply)))
		}
		if t.Status == triage.StatusNew {
			h, err := s.move(ctx, t, triage.StatusOpen, "", triage.NewReason(triage.ReasonTicketAgentReplied))
			if err != nil {
				return nil, err
			}
			hist = append(hist, h...)
		}
	}
	kind := triage.ReasonTicketNote
	if in.Public {
		kind = triage.ReasonTicketReply
	}
	if in.FromRequester {
		kind = triage.ReasonTicketRequesterMsg
	}
	hist = append(hist, s.entry(ctx, t.ID, "comment", "", c.ID, "", triage.NewReason(kind)))
	if err := s.save(ctx, tx, &before, t, hist); err != nil {
		return nil, err
	}
	if !in.FromRequester && in.Public && s.Outbox != nil {
		if err := s.Outbox.Reply(ctx, tx, t, c, c.Attachments); err != nil {
			return nil, err
		}
		// What the outbox queued shows at once: the reply's delivery
		// state starts as "queued".
		if ms, err := tx.TicketMail(ctx, t.ID); err == nil {
			c.Mail = mailOf(ms, c.ID)
		}
		if ws, err := tx.TicketWeChat(ctx, t.ID); err == nil {
			c.WeChat = wechatOf(ws, c.ID)
		}
	}
	return c, nil
}

// Comments lists a ticket's conversation, oldest first, each comment with
// its files and the mail it came in as or went out as.
func (s *Service) Comments(ctx context.Context, ticketID string) ([]*triage.Comment, error) {
	if _, err := s.Store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	cs, err := s.Store.Comments(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	atts, err := s.Store.Attachments(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	mails, err := s.Store.TicketMail(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	wechats, err := s.Store.TicketWeChat(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	byComment := map[string][]*triage.Attachment{}
	for _, a := range atts {
		byComment[a.CommentID] = append(byComment[a.CommentID], a)
	}
	for _, c := range cs {
		c.Attachments = byComment[c.ID]
		c.Mail = mailOf(mails, c.ID)
		c.WeChat = wechatOf(wechats, c.ID)
	}
	return cs, nil
}

// mailOf is the newest mail record of a comment, or nil.
func mailOf(ms []*triage.MailMessage, commentID string) *triage.MailMessage {
	var out *triage.MailMessage
	for _, m := range ms {
		if m.CommentID == commentID {
			out = m
		}
	}
	return out
}

// wechatOf is the WeChat message a comment came in or went out as: the
// first of a group the comment holds.
func wechatOf(ws []*triage.WeChatMessage, commentID string) *triage.WeChatMessage {
	for _, w := range ws {
		if w.CommentID == commentID && commentID != "" {
			return w
		}
	}
	return nil
}

// History lists a ticket's audit trail, oldest first.
func (s *Service) History(ctx context.Context, ticketID string) ([]*triage.HistoryEntry, error) {
	if _, err := s.Store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	return s.Store.History(ctx, ticketID)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func join[T ~string](vs []T) string {
	ss := make([]string, len(vs))
	for i, v := range vs {
		ss[i] = string(v)
	}
	return strings.Join(ss, ", ")
}

// newerReply refuses a reply written after comment after (the newest the
// writer had seen; "" for none) when another agent has added a public
// reply since: two agents answering the same customer at once send two
// answers, often different ones. The writer is told who, and may send
// anyway (Force).
func newerReply(ctx context.Context, tx triage.Tx, ticketID, after, me string) error {
	cs, err := tx.Comments(ctx, ticketID) // oldest first
	if err != nil {
		return err
	}
	from := 0
	if after != "" {
		i := slices.IndexFunc(cs, func(c *triage.Comment) bool { return c.ID == after })
		if i < 0 {
			return triage.Invalid("written_after", "written_after names no comment of this ticket")
		}
		from = i + 1
	}
	for i := len(cs) - 1; i >= from; i-- {
		c := cs[i]
		if c.Public && !c.FromRequester && c.AuthorID != "" && c.AuthorID != me {
			r := triage.NewReason(triage.ReasonTicketNewerReply, c.AuthorID, c.ID)
			return &triage.Error{Code: triage.ESTALE, Field: "written_after", Reason: &r,
				Message: "another agent replied to this ticket after you began writing; send with \"force\": true to send yours anyway"}
		}
	}
	return nil
}
