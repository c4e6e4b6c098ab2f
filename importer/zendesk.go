package importer

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/triagehq/triage"
)

// The shapes below follow Zendesk's API reference: Tickets, Ticket
// Comments, Users, Groups, Ticket Metrics and Incremental Exports. Only
// the fields triage uses are declared; the rest is ignored.

type zdTicket struct {
	ID           flexID    `json:"id"`
	ExternalID   flexText  `json:"external_id"`
	Subject      string    `json:"subject"`
	RawSubject   string    `json:"raw_subject"`
	Description  string    `json:"description"`
	Type         flexText  `json:"type"`
	Status       string    `json:"status"`
	Priority     flexText  `json:"priority"`
	RequesterID  flexID    `json:"requester_id"`
	AssigneeID   flexID    `json:"assignee_id"`
	GroupID      flexID    `json:"group_id"`
	Tags         []string  `json:"tags"`
	CustomFields []zdField `json:"custom_fields"`
	Fields       []zdField `json:"fields"`
	Via          struct {
		Channel flexText `json:"channel"`
	} `json:"via"`
	Satisfaction *struct {
		Score string `json:"score"`
	} `json:"satisfaction_rating"`
	CreatedAt string      `json:"created_at"`
	UpdatedAt string      `json:"updated_at"`
	Comments  []zdComment `json:"comments"`
	MetricSet *zdMetrics  `json:"metric_set"`
	// Requester is the create-ticket form's inline requester, which some
	// export tools keep.
	Requester *zdUser `json:"requester"`
}

type zdField struct {
	ID    flexID   `json:"id"`
	Value flexText `json:"value"`
}

type zdComment struct {
	ID          flexID         `json:"id"`
	TicketID    flexID         `json:"ticket_id"` // on side-loaded comments
	AuthorID    flexID         `json:"author_id"`
	Body        string         `json:"body"`
	HTMLBody    string         `json:"html_body"`
	PlainBody   string         `json:"plain_body"`
	Public      *bool          `json:"public"`
	CreatedAt   string         `json:"created_at"`
	Attachments []zdAttachment `json:"attachments"`
}

type zdAttachment struct {
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
}

type zdUser struct {
	ID    flexID   `json:"id"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Phone flexText `json:"phone"`
	Role  string   `json:"role"` // end-user, agent, admin
}

type zdGroup struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
}

type zdMetrics struct {
	TicketID flexID `json:"ticket_id"`
	SolvedAt string `json:"solved_at"`
}

// zendesk holds what side-loads said so far. Users stay known across pages:
// a file of several saved pages refers back to earlier ones.
type zendesk struct {
	e      *emitter
	users  map[flexID]zdUser
	groups map[flexID]string
}

func readZendesk(r io.Reader, e *emitter) error {
	z := &zendesk{e: e, users: map[flexID]zdUser{}, groups: map[flexID]string{}}
	return done(readJSON(r, z.value, func(line int, off int64, msg string) error {
		return e.skip(triage.ImportPosition{Line: line, Offset: off}, triage.ImportBadLine, "error", msg)
	}))
}

// value handles one top-level value: a page of the incremental export, a
// {"ticket": …} wrapper with its side-loads, or a ticket.
func (z *zendesk) value(it jsonItem) error {
	if len(it.raw) == 0 || it.raw[0] != '{' {
		return z.e.skip(pos(it), triage.ImportNotTicket)
	}
	members := map[string]jsonItem{}
	err := eachMember(it, func(key string, v jsonItem) error {
		switch key {
		case "tickets", "ticket", "users", "groups", "comments", "metric_sets", "after_cursor", "end_time",
			"end_of_stream", "after_url", "before_url", "before_cursor", "next_page", "count", "id":
			members[key] = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, hasTickets := members["tickets"]
	_, hasTicket := members["ticket"]
	if _, isTicket := members["id"]; isTicket && !hasTickets && !hasTicket {
		// A ticket on its own, as a line of the full export: its
		// comments are its own.
		return z.ticket(it, pos(it), nil, nil)
	}
	delete(members, "id")
	if len(members) == 0 {
		return z.e.skip(pos(it), triage.ImportNotTicket)
	}
	var tickets []jsonItem
	if v, ok := members["tickets"]; ok && len(v.raw) > 0 && v.raw[0] == '[' {
		if err := eachElement(v, func(t jsonItem) error { tickets = append(tickets, t); return nil }); err != nil {
			return err
		}
	}
	if v, ok := members["ticket"]; ok {
		tickets = append(tickets, v)
	}
	if v, ok := members["users"]; ok {
		var users []zdUser
		if json.Unmarshal(v.raw, &users) == nil {
			for _, u := range users {
				z.users[u.ID] = u
			}
		}
	}
	if v, ok := members["groups"]; ok {
		var groups []zdGroup
		if json.Unmarshal(v.raw, &groups) == nil {
			for _, g := range groups {
				z.groups[g.ID] = g.Name
			}
		}
	}
	comments := map[flexID][]zdComment{}
	if v, ok := members["comments"]; ok {
		var list []zdComment
		if err := json.Unmarshal(v.raw, &list); err != nil {
			return z.e.skip(pos(v), triage.ImportBadValue, unmarshalError(err)...)
		}
		for _, c := range list {
			// Comments listed beside one ticket ({"ticket": …,
			// "comments": […]}) belong to it without saying so.
			if c.TicketID == "" && len(tickets) == 1 {
				c.TicketID = "\x00only"
			}
			comments[c.TicketID] = append(comments[c.TicketID], c)
		}
	}
	metrics := map[flexID]zdMetrics{}
	if v, ok := members["metric_sets"]; ok {
		var list []zdMetrics
		if json.Unmarshal(v.raw, &list) == nil {
			for _, m := range list {
				metrics[m.TicketID] = m
			}
		}
	}
	// The resume point of the page: after_cursor (cursor export) or
	// end_time (time-based export, the next start_time).
	var cursor flexText
	for _, k := range []string{"after_cursor", "end_time"} {
		if v, ok := members[k]; ok && cursor == "" {
			_ = json.Unmarshal(v.raw, &cursor)
		}
	}
	for i, t := range tickets {
		p := pos(t)
		if i == len(tickets)-1 {
			p.Cursor = string(cursor)
		}
		if err := z.ticket(t, p, comments, metrics); err != nil {
			return err
		}
	}
	return nil
}

func pos(it jsonItem) triage.ImportPosition {
	return triage.ImportPosition{Line: it.line, Offset: it.offset}
}

func (z *zendesk) ticket(it jsonItem, p triage.ImportPosition, sideComments map[flexID][]zdComment, metrics map[flexID]zdMetrics) error {
	var zt zdTicket
	if len(it.raw) == 0 || it.raw[0] != '{' {
		return z.e.skip(p, triage.ImportNotTicket)
	}
	if err := json.Unmarshal(it.raw, &zt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, unmarshalError(err)...)
	}
	if zt.ID == "" {
		return z.e.skip(p, triage.ImportMissingField, "field", "id")
	}
	c := z.e.cfg
	if strings.EqualFold(zt.Status, "deleted") {
		return z.e.skip(p, triage.ImportDeleted, "id", string(zt.ID))
	}
	t := &triage.ImportedTicket{
		Source:         c.source,
		ExternalID:     string(zt.ID),
		Title:          firstNonEmpty(zt.Subject, zt.RawSubject),
		Body:           zt.Description,
		Channel:        c.channel(string(zt.Via.Channel)),
		Tags:           zt.Tags,
		Group:          z.groups[zt.GroupID],
		SourceStatus:   zt.Status,
		SourcePriority: string(zt.Priority),
	}
	status, reason := c.status(zt.Status)
	if reason != nil {
		return z.e.emit(p, nil, reason)
	}
	t.Status = status
	if reason := c.priority(string(zt.Priority), t); reason != nil {
		return z.e.emit(p, nil, reason)
	}
	var err error
	if t.CreatedAt, err = c.parseTime(zt.CreatedAt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, "field", "created_at", "value", zt.CreatedAt, "error", err.Error())
	}
	if t.UpdatedAt, err = c.parseTime(zt.UpdatedAt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, "field", "updated_at", "value", zt.UpdatedAt, "error", err.Error())
	}
	m := metrics[zt.ID]
	if zt.MetricSet != nil {
		m = *zt.MetricSet
	}
	if m.SolvedAt != "" {
		if at, err := c.parseTime(m.SolvedAt); err == nil && !at.IsZero() {
			t.SolvedAt = &at
		}
	}

	// People: the requester and the assignee from the users side-load.
	if u, ok := z.users[zt.RequesterID]; ok {
		t.Requester = triage.Requester{Name: u.Name, Email: u.Email, Phone: string(u.Phone)}
	} else if zt.Requester != nil {
		t.Requester = triage.Requester{Name: zt.Requester.Name, Email: zt.Requester.Email, Phone: string(zt.Requester.Phone)}
	} else if zt.RequesterID != "" {
		t.Notes = append(t.Notes, triage.NewImportReason(triage.ImportUnknownAuthor, "field", "requester_id", "id", string(zt.RequesterID)))
	}
	if u, ok := z.users[zt.AssigneeID]; ok {
		t.AssigneeEmail, t.AssigneeName = u.Email, u.Name
	} else if zt.AssigneeID != "" {
		t.Notes = append(t.Notes, triage.NewImportReason(triage.ImportUnknownAuthor, "field", "assignee_id", "id", string(zt.AssigneeID)))
	}

	// Custom fields by id, the ticket type and the satisfaction score.
	t.Fields = map[string]string{}
	for _, f := range append(zt.CustomFields, zt.Fields...) {
		if f.ID != "" && f.Value != "" {
			t.Fields[string(f.ID)] = string(f.Value)
		}
	}
	if zt.Type != "" {
		t.Fields["type"] = string(zt.Type)
	}
	if zt.ExternalID != "" {
		t.Fields["external_id"] = string(zt.ExternalID)
	}
	if s := zt.Satisfaction; s != nil && (s.Score == "good" || s.Score == "bad") {
		t.Fields["satisfaction"] = s.Score
	}
	c.applyCategory(t)

	comments := append(zt.Comments, sideComments[zt.ID]...)
	comments = append(comments, sideComments["\x00only"]...)
	unknown := map[flexID]bool{}
	for _, zc := range comments {
		ic, err := z.comment(zc, zt, unknown, t)
		if err != nil {
			return z.e.skip(p, triage.ImportBadValue, "field", "comments.created_at", "value", zc.CreatedAt, "error", err.Error())
		}
		t.Comments = append(t.Comments, ic)
	}
	if strings.TrimSpace(t.Body) == "" && len(t.Comments) > 0 {
		t.Body = t.Comments[0].Body
	}
	return z.e.ticket(p, t)
}

func (z *zendesk) comment(zc zdComment, zt zdTicket, unknown map[flexID]bool, t *triage.ImportedTicket) (triage.ImportedComment, error) {
	at, err := z.e.cfg.parseTime(zc.CreatedAt)
	if err != nil {
		return triage.ImportedComment{}, err
	}
	ic := triage.ImportedComment{
		ExternalID: string(zc.ID),
		Public:     zc.Public == nil || *zc.Public,
		HTML:       zc.HTMLBody,
		CreatedAt:  at,
	}
	switch {
	case zc.PlainBody != "":
		ic.Body = zc.PlainBody
	case zc.Body != "":
		ic.Body = zc.Body
	default:
		ic.Body = htmlToText(zc.HTMLBody)
	}
	u, known := z.users[zc.AuthorID]
	ic.AuthorEmail, ic.AuthorName = u.Email, u.Name
	switch {
	case zc.AuthorID == "-1":
		ic.Author = triage.AuthorSystem
	case zc.AuthorID != "" && zc.AuthorID == zt.RequesterID:
		ic.Author = triage.AuthorRequester
		if !known {
			ic.AuthorEmail, ic.AuthorName = t.Requester.Email, t.Requester.Name
		}
	case known && (u.Role == "agent" || u.Role == "admin"):
		ic.Author = triage.AuthorAgent
	case known && u.Role == "end-user":
		ic.Author = triage.AuthorRequester
	case known && zc.AuthorID == zt.AssigneeID:
		ic.Author = triage.AuthorAgent
	default:
		ic.Author = triage.AuthorUnknown
		if !known && !unknown[zc.AuthorID] {
			unknown[zc.AuthorID] = true
			t.Notes = append(t.Notes, triage.NewImportReason(triage.ImportUnknownAuthor, "field", "comments.author_id", "id", string(zc.AuthorID)))
		}
	}
	for _, a := range zc.Attachments {
		ic.Attachments = append(ic.Attachments, triage.ImportedAttachment{
			Name: a.FileName, ContentType: a.ContentType, Size: a.Size, URL: a.ContentURL, Inline: a.Inline,
		})
	}
	return ic, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
