// Package automate runs automations (triage.Automation): triggers on the
// events of tickets, time rules by a durable sweep, and dry runs of either
// over recent tickets.
//
// When triggers run. A ticket write enqueues its event as a durable job
// in the write's own transaction (triage.EventKind.Emit); triggers run in
// that event's job, right after the write commits, in one transaction of
// their own that re-reads the ticket, makes every change, queues every
// mail and webhook delivery as jobs, and logs each firing under the
// event's key. We chose the job over the writing transaction because
// actions reach other services (the mail outbox, routing, macros) whose
// writes would otherwise run inside every agent's request and make it
// fail with them; the job keeps the write fast and still loses nothing:
// the event commits with the change, and a job that fails is retried,
// finding in the log (unique per automation, ticket and key) what it
// already did.
//
// Loops. Triggers run in passes over the ticket as the earlier ones left
// it, in Position order; each fires at most once per event, Stop ends the
// passes, and there are at most MaxPasses. The writes of triggers carry
// their own actor, and events by that actor do not run triggers again: a
// trigger never re-fires on its own change, and two triggers cannot
// ping-pong through events.
package automate

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// MaxPasses bounds the passes of triggers over one event.
const MaxPasses = 5

// Desk is the helpdesk's write paths inside a transaction (desk.Service).
type Desk interface {
	UpdateTicketTx(ctx context.Context, tx triage.Tx, id string, u triage.TicketUpdate) (*triage.Ticket, error)
	AddCommentTx(ctx context.Context, tx triage.Tx, ticketID string, in triage.NewComment) (*triage.Comment, error)
	ApplyMacroTx(ctx context.Context, tx triage.Tx, ticketID, macroID string) (*triage.MacroApplied, error)
	TicketVars(ctx context.Context, tx triage.Reader, t *triage.Ticket) (map[string]string, error)
}

// Calendar is the default SLA calendar (sla.Service).
type Calendar interface {
	Open(ctx context.Context, at time.Time) (bool, error)
	Elapsed(ctx context.Context, from, to time.Time) (elapsed, day time.Duration, err error)
}

// Mailer queues a mail to one person in tx (email.Service).
type Mailer interface {
	Notice(ctx context.Context, tx triage.Tx, t *triage.Ticket, to, subject, text, key string) error
}

// Hooks queues one webhook delivery in tx (notify.Service).
type Hooks interface {
	Call(ctx context.Context, tx triage.Tx, webhookID, key string, a *triage.Automation, event triage.TriggerEvent, t *triage.Ticket) error
}

// Service runs automations. Set Store and Desk; the rest may be nil.
type Service struct {
	Store triage.Store
	Desk  Desk
	// Normalize folds text as the segmenter does (全角→半角, 繁→简, case)
	// before "contains" compares; nil lower-cases.
	Normalize func(string) string
	// Calendar answers business_hours and business ages; nil makes
	// business_hours false and business ages calendar time.
	Calendar Calendar
	// Mailer and Hooks carry email and webhook actions; nil skips them
	// with a reason in the log.
	Mailer Mailer
	Hooks  Hooks
	// Queue takes the sweep's next run.
	Queue triage.Queue
	// SweepEvery is how often time rules are checked; 0 means a minute.
	SweepEvery time.Duration
	Log        *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// The principals automations write as: the trigger one is how the loop
// guard knows a trigger's own change.
var (
	triggerPrincipal = triage.Principal{TokenID: "automation:trigger", Name: "触发器", Role: triage.RoleAdmin}
	timePrincipal    = triage.Principal{TokenID: "automation:time", Name: "定时自动化", Role: triage.RoleAdmin}
)

// TriggerActor is the actor of the changes triggers make.
func TriggerActor() string { p := triggerPrincipal; return p.Actor() }

// TimeActor is the actor of the changes time rules make.
func TimeActor() string { p := timePrincipal; return p.Actor() }

func asTrigger(ctx context.Context) context.Context {
	p := triggerPrincipal
	return triage.NewContextWithPrincipal(ctx, &p)
}

func asTime(ctx context.Context) context.Context {
	p := timePrincipal
	return triage.NewContextWithPrincipal(ctx, &p)
}

// facts are what conditions read besides the ticket.
type facts struct {
	rec     *triage.TriageRecord
	mailbox string
	rating  *int
	open    *bool
	now     time.Time
}

func (s *Service) facts(ctx context.Context, r triage.Reader, t *triage.Ticket, rating *int) (*facts, error) {
	f := &facts{rating: rating, now: s.now()}
	rec, err := r.TriageRecord(ctx, t.ID)
	if err == nil {
		f.rec = rec
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return nil, err
	}
	mails, err := r.TicketMail(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range mails {
		if m.Direction == triage.MailIn && m.MailboxID != "" {
			f.mailbox = m.MailboxID
			break
		}
	}
	return f, nil
}

// match tests an automation's conditions on t, with the reasons of those
// that held.
func (s *Service) match(ctx context.Context, a *triage.Automation, t *triage.Ticket, f *facts) (bool, triage.Reasons, error) {
	var why triage.Reasons
	held := 0
	for _, c := range a.Conditions {
		ok, err := s.holds(ctx, c, t, f)
		if err != nil {
			return false, nil, err
		}
		if ok {
			held++
			v := c.Value
			if len(c.Values) > 0 {
				v = strings.Join(c.Values, ",")
			}
			why = append(why, triage.NewReason(triage.ReasonAutomationCondition, c.Field, c.Op, v))
		} else if a.Match != triage.MatchAny {
			return false, nil, nil
		}
	}
	if a.Match == triage.MatchAny && len(a.Conditions) > 0 && held == 0 {
		return false, nil, nil
	}
	return true, why, nil
}

// holds tests one condition.
func (s *Service) holds(ctx context.Context, c triage.Condition, t *triage.Ticket, f *facts) (bool, error) {
	switch c.Field {
	case "tags":
		has := slices.Contains(t.Tags, strings.ToLower(c.Value))
		return has == (c.Op == triage.OpHas), nil
	case "needs_review":
		return t.NeedsReview == (c.Op == triage.OpTrue), nil
	case "business_hours":
		open, err := s.isOpen(ctx, f)
		return open == (c.Op == triage.OpTrue), err
	case "confidence":
		if f.rec == nil {
			return false, nil
		}
		return compare(f.rec.Category.Confidence, c), nil
	case "csat.rating":
		if f.rating == nil {
			return false, nil
		}
		return compare(float64(*f.rating), c), nil
	case "text":
		return s.contains(t.Title+"\n"+t.Body, c.Value) == (c.Op == triage.OpContains), nil
	}
	v := fieldValue(c.Field, t, f)
	switch c.Op {
	case triage.OpIs:
		return s.norm(v) == s.norm(c.Value), nil
	case triage.OpIsNot:
		return s.norm(v) != s.norm(c.Value), nil
	case triage.OpIn, triage.OpNotIn:
		in := slices.ContainsFunc(c.Values, func(x string) bool { return s.norm(x) == s.norm(v) })
		return in == (c.Op == triage.OpIn), nil
	case triage.OpPresent:
		return strings.TrimSpace(v) != "", nil
	case triage.OpAbsent:
		return strings.TrimSpace(v) == "", nil
	case triage.OpContains:
		return s.contains(v, c.Value), nil
	case triage.OpNotContains:
		return !s.contains(v, c.Value), nil
	}
	return false, triage.Invalid("op", "op %q does not apply to %s", c.Op, c.Field)
}

func fieldValue(field string, t *triage.Ticket, f *facts) string {
	if k, ok := strings.CutPrefix(field, "fields."); ok {
		return t.Fields[k]
	}
	switch field {
	case "title":
		return t.Title
	case "body":
		return t.Body
	case "status":
		return string(t.Status)
	case "priority":
		return string(t.Priority)
	case "channel":
		return string(t.Channel)
	case "category":
		return t.Category
	case "team_id":
		return t.TeamID
	case "assignee_id":
		return t.AssigneeID
	case "mailbox_id":
		return f.mailbox
	case "requester.tier":
		return t.Requester.Tier
	case "requester.email":
		return t.Requester.Email
	case "requester.name":
		return t.Requester.Name
	}
	return ""
}

func compare(x float64, c triage.Condition) bool {
	y, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64)
	if err != nil {
		return false
	}
	switch c.Op {
	case triage.OpLT:
		return x < y
	case triage.OpLTE:
		return x <= y
	case triage.OpGT:
		return x > y
	case triage.OpGTE:
		return x >= y
	}
	return false
}

func (s *Service) isOpen(ctx context.Context, f *facts) (bool, error) {
	if f.open != nil {
		return *f.open, nil
	}
	open := false
	if s.Calendar != nil {
		var err error
		if open, err = s.Calendar.Open(ctx, f.now); err != nil {
			return false, err
		}
	}
	f.open = &open
	return open, nil
}

func (s *Service) norm(v string) string {
	v = strings.TrimSpace(v)
	if s.Normalize != nil {
		return s.Normalize(v)
	}
	return strings.ToLower(v)
}

// contains reports whether text holds one of value's words (several are
// separated by commas or |), after both are normalised as the segmenter
// normalises (so 發票 and 发票, ＶＩＰ and vip match), as keyword rules
// match: an occurrence that a negation reaches (不是发票的问题) does not
// count, and the word is found inside longer segmented words (开发票).
func (s *Service) contains(text, value string) bool {
	nt := s.norm(text)
	for _, alt := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '，' || r == '|' || r == '、' }) {
		w := s.norm(alt)
		if w == "" {
			continue
		}
		for off := 0; off < len(nt); {
			i := strings.Index(nt[off:], w)
			if i < 0 {
				break
			}
			if !classify.Negated(nt, off+i) {
				return true
			}
			off += i + len(w)
		}
	}
	return false
}

// outcome is one firing: why it fired, what it changed, and the actions
// that reach beyond the ticket's fields (comments, mail, webhooks).
type outcome struct {
	a       *triage.Automation
	event   triage.TriggerEvent
	why     triage.Reasons
	changes triage.Reasons
	effects []triage.Action
}

// plan runs automations in passes over a copy of t and returns what
// fired, in order, and the ticket as their field changes leave it. With
// dry set it does not consult the log.
func (s *Service) plan(ctx context.Context, r triage.Reader, t *triage.Ticket, f *facts, autos []*triage.Automation, events []triage.TriggerEvent, key string, dry bool) ([]*outcome, *triage.Ticket, error) {
	work := *t
	work.Tags = slices.Clone(t.Tags)
	var outs []*outcome
	fired := map[string]bool{}
	for pass := 0; pass < MaxPasses; pass++ {
		progressed := false
		for _, a := range autos {
			if fired[a.ID] {
				continue
			}
			if !dry {
				done, err := r.AutomationFired(ctx, a.ID, t.ID, key)
				if err != nil {
					return nil, nil, err
				}
				if done {
					fired[a.ID] = true
					continue
				}
			}
			ok, why, err := s.match(ctx, a, &work, f)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
			fired[a.ID], progressed = true, true
			o := &outcome{a: a, event: eventOf(a, events), why: why}
			if err := s.simulate(ctx, r, a, &work, o); err != nil {
				return nil, nil, err
			}
			outs = append(outs, o)
			if a.Stop {
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationStopped, a.Name))
				return outs, &work, nil
			}
		}
		if !progressed {
			break
		}
	}
	return outs, &work, nil
}

// eventOf is the event an automation fired on: the first of events it
// names, or time.
func eventOf(a *triage.Automation, events []triage.TriggerEvent) triage.TriggerEvent {
	for _, e := range events {
		if slices.Contains(a.Events, e) {
			return e
		}
	}
	return triage.OnTime
}

// simulate applies a's field changes to work, notes what each action will
// do, and skips (with a reason) the ones that cannot be done: a move the
// lifecycle forbids, a team, agent, macro or webhook that is gone.
func (s *Service) simulate(ctx context.Context, r triage.Reader, a *triage.Automation, work *triage.Ticket, o *outcome) error {
	skip := func(act triage.Action, format string, args ...any) {
		o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationSkipped, string(act.Type), fmt.Sprintf(format, args...)))
	}
	set := func(field, from, to string) {
		if from != to {
			o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationSet, field, from, to))
		}
	}
	for _, act := range a.Actions {
		switch act.Type {
		case triage.ActSetStatus:
			to := triage.Status(act.Value)
			if to != work.Status && !work.Status.CanMoveTo(to) {
				skip(act, "%s → %s", work.Status, to)
				continue
			}
			set("status", string(work.Status), act.Value)
			work.Status = to
		case triage.ActSetPriority:
			set("priority", string(work.Priority), act.Value)
			work.Priority = triage.Priority(act.Value)
		case triage.ActSetCategory:
			set("category", work.Category, act.Value)
			work.Category = act.Value
		case triage.ActSetTeam:
			if _, err := r.Team(ctx, act.Value); triage.IsCode(err, triage.ENOTFOUND) {
				skip(act, "team %s not found", act.Value)
				continue
			} else if err != nil {
				return err
			}
			set("team_id", work.TeamID, act.Value)
			work.TeamID = act.Value
		case triage.ActSetAssignee:
			if act.Value != "" {
				if _, err := r.Agent(ctx, act.Value); triage.IsCode(err, triage.ENOTFOUND) {
					skip(act, "agent %s not found", act.Value)
					continue
				} else if err != nil {
					return err
				}
			}
			set("assignee_id", work.AssigneeID, act.Value)
			work.AssigneeID = act.Value
		case triage.ActAddTags:
			var added []string
			for _, tag := range act.Tags {
				if !slices.Contains(work.Tags, tag) {
					work.Tags, added = append(work.Tags, tag), append(added, tag)
				}
			}
			if len(added) > 0 {
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationTagsAdded, added))
			}
		case triage.ActRemoveTags:
			var gone []string
			work.Tags = slices.DeleteFunc(work.Tags, func(tag string) bool {
				if slices.Contains(act.Tags, tag) {
					gone = append(gone, tag)
					return true
				}
				return false
			})
			if len(gone) > 0 {
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationTagsGone, gone))
			}
		case triage.ActAddNote, triage.ActReply, triage.ActSendMacro:
			if work.Status == triage.StatusClosed {
				skip(act, "the ticket is closed")
				continue
			}
			switch act.Type {
			case triage.ActAddNote:
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationNote))
			case triage.ActReply:
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationReply))
			default:
				m, err := r.Macro(ctx, act.Value)
				if triage.IsCode(err, triage.ENOTFOUND) || (err == nil && m.Archived) {
					skip(act, "macro %s not found or archived", act.Value)
					continue
				} else if err != nil {
					return err
				}
				o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationMacro, m.Title))
			}
			o.effects = append(o.effects, act)
		case triage.ActEmail:
			to, err := recipient(ctx, r, act.To, work)
			if err != nil {
				return err
			}
			if to == "" {
				skip(act, "%s has no e-mail address", act.To)
				continue
			}
			if s.Mailer == nil {
				skip(act, "mail is not configured")
				continue
			}
			o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationEmail, to))
			act.To = to
			o.effects = append(o.effects, act)
		case triage.ActWebhook:
			w, err := r.Webhook(ctx, act.Value)
			if triage.IsCode(err, triage.ENOTFOUND) {
				skip(act, "webhook %s not found", act.Value)
				continue
			} else if err != nil {
				return err
			}
			if s.Hooks == nil {
				skip(act, "webhooks are not configured")
				continue
			}
			o.changes = append(o.changes, triage.NewReason(triage.ReasonAutomationWebhook, w.URL))
			o.effects = append(o.effects, act)
		}
	}
	return nil
}

// recipient resolves an email action's to: an address as given, or the
// assignee's, the team lead's or the requester's address ("" when there
// is none).
func recipient(ctx context.Context, r triage.Reader, to string, t *triage.Ticket) (string, error) {
	agentMail := func(id string) (string, error) {
		if id == "" {
			return "", nil
		}
		a, err := r.Agent(ctx, id)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return a.Email, nil
	}
	switch to {
	case triage.MailToAssignee:
		return agentMail(t.AssigneeID)
	case triage.MailToRequester:
		return t.Requester.Email, nil
	case triage.MailToTeamLead:
		if t.TeamID == "" {
			return "", nil
		}
		team, err := r.Team(ctx, t.TeamID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return "", nil
		} else if err != nil {
			return "", err
		}
		return agentMail(team.LeadID)
	}
	return to, nil
}
