package importer

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/triagehq/triage"
)

// The shapes below follow Zammad's REST API documentation (Tickets,
// Articles, Users): GET /api/v1/tickets?expand=true adds the names of the
// state, priority, group, owner and customer beside their ids, and GET
// /api/v1/ticket_articles/by_ticket/{id} lists a ticket's articles. An
// export joins them as "articles" in each ticket or as a "ticket_articles"
// list beside the tickets.

type zmTicket struct {
	ID                flexID      `json:"id"`
	Number            flexText    `json:"number"`
	Title             string      `json:"title"`
	Group             string      `json:"group"`
	State             string      `json:"state"`
	StateID           flexID      `json:"state_id"`
	Priority          string      `json:"priority"`
	PriorityID        flexID      `json:"priority_id"`
	Owner             string      `json:"owner"`
	OwnerID           flexID      `json:"owner_id"`
	Customer          string      `json:"customer"`
	CustomerID        flexID      `json:"customer_id"`
	Organization      string      `json:"organization"`
	CreateArticleType string      `json:"create_article_type"`
	CreatedAt         string      `json:"created_at"`
	UpdatedAt         string      `json:"updated_at"`
	CloseAt           string      `json:"close_at"`
	Tags              flexTags    `json:"tags"`
	Articles          []zmArticle `json:"articles"`
}

// zammadStandard lists the ticket attributes Zammad itself has; any other
// attribute with a value is one the admin added (Zammad's object manager)
// and is imported as a custom field.
func zammadStandard() []string {
	return []string{
		"id", "number", "title", "group", "group_id", "state", "state_id", "priority", "priority_id",
		"owner", "owner_id", "customer", "customer_id", "organization", "organization_id", "note",
		"first_response_at", "first_response_escalation_at", "first_response_in_min", "first_response_diff_in_min",
		"close_at", "close_escalation_at", "close_in_min", "close_diff_in_min",
		"update_escalation_at", "update_in_min", "update_diff_in_min",
		"last_contact_at", "last_contact_agent_at", "last_contact_customer_at", "last_owner_update_at",
		"create_article_type", "create_article_type_id", "create_article_sender", "create_article_sender_id",
		"article_count", "article_ids", "escalation_at", "pending_time", "time_unit", "preferences",
		"updated_by", "updated_by_id", "created_by", "created_by_id", "created_at", "updated_at",
		"tags", "articles", "ticket_time_accounting_ids", "ticket_time_accounting", "checklist_id",
		"referencing_checklist_ids", "mention_user_ids", "shared_draft_ids", "last_close_at", "type",
	}
}

type zmArticle struct {
	ID          flexID         `json:"id"`
	TicketID    flexID         `json:"ticket_id"`
	From        string         `json:"from"`
	Body        string         `json:"body"`
	ContentType string         `json:"content_type"`
	Type        string         `json:"type"`
	Sender      string         `json:"sender"`
	Internal    bool           `json:"internal"`
	CreatedBy   string         `json:"created_by"`
	CreatedAt   string         `json:"created_at"`
	Attachments []zmAttachment `json:"attachments"`
}

type zmAttachment struct {
	ID          flexID         `json:"id"`
	Filename    string         `json:"filename"`
	Size        flexText       `json:"size"` // Zammad writes it as a string
	Preferences map[string]any `json:"preferences"`
	Data        string         `json:"data"` // base64, in exports that inline files
	MimeType    string         `json:"mime-type"`
}

type zmUser struct {
	ID        flexID   `json:"id"`
	Login     string   `json:"login"`
	Firstname string   `json:"firstname"`
	Lastname  string   `json:"lastname"`
	Email     string   `json:"email"`
	Phone     flexText `json:"phone"`
	Mobile    flexText `json:"mobile"`
}

// flexTags is Zammad's tag list, an array or one comma-separated string.
type flexTags []string

func (f *flexTags) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*f = list
		return nil
	}
	var s flexText
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*f = splitList(string(s), ",")
	return nil
}

type zammad struct {
	e     *emitter
	users map[flexID]zmUser
}

func readZammad(r io.Reader, e *emitter) error {
	z := &zammad{e: e, users: map[flexID]zmUser{}}
	return done(readJSON(r, z.value, func(line int, off int64, msg string) error {
		return e.skip(triage.ImportPosition{Line: line, Offset: off}, triage.ImportBadLine, "error", msg)
	}))
}

// value handles one top-level value: a ticket (an element of the ticket
// list, or a line), an object with "tickets" and side-loaded
// "ticket_articles" and "users", or the "assets" form of /tickets/search.
func (z *zammad) value(it jsonItem) error {
	if len(it.raw) == 0 || it.raw[0] != '{' {
		return z.e.skip(pos(it), triage.ImportNotTicket)
	}
	members := map[string]jsonItem{}
	err := eachMember(it, func(key string, v jsonItem) error {
		switch key {
		case "id", "tickets", "ticket_articles", "articles", "users", "assets", "tickets_count":
			members[key] = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, hasTickets := members["tickets"]
	_, hasAssets := members["assets"]
	if _, ok := members["id"]; ok && !hasTickets && !hasAssets {
		return z.ticket(it, pos(it), nil)
	}
	var tickets []jsonItem
	articles := map[flexID][]zmArticle{}
	sideArticles := func(v jsonItem) error {
		var list []zmArticle
		if err := json.Unmarshal(v.raw, &list); err != nil {
			return z.e.skip(pos(v), triage.ImportBadValue, unmarshalError(err)...)
		}
		for _, a := range list {
			articles[a.TicketID] = append(articles[a.TicketID], a)
		}
		return nil
	}
	sideUsers := func(v jsonItem) {
		var list []zmUser
		if json.Unmarshal(v.raw, &list) == nil {
			for _, u := range list {
				z.users[u.ID] = u
			}
		}
	}
	var order []flexID // the "tickets" id list of the assets form
	if v, ok := members["tickets"]; ok && len(v.raw) > 0 && v.raw[0] == '[' {
		err := eachElement(v, func(t jsonItem) error {
			if len(t.raw) > 0 && t.raw[0] == '{' {
				tickets = append(tickets, t)
			} else {
				var id flexID
				if json.Unmarshal(t.raw, &id) == nil {
					order = append(order, id)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range []string{"ticket_articles", "articles"} {
		if v, ok := members[k]; ok {
			if err := sideArticles(v); err != nil {
				return err
			}
		}
	}
	if v, ok := members["users"]; ok {
		sideUsers(v)
	}
	if v, ok := members["assets"]; ok {
		byID := map[flexID]jsonItem{}
		err := eachMember(v, func(kind string, m jsonItem) error {
			switch kind {
			case "Ticket":
				return eachMember(m, func(id string, t jsonItem) error {
					byID[flexID(id)] = t
					order = appendIfMissing(order, flexID(id))
					return nil
				})
			case "TicketArticle":
				return eachMember(m, func(_ string, a jsonItem) error {
					var art zmArticle
					if json.Unmarshal(a.raw, &art) == nil {
						articles[art.TicketID] = append(articles[art.TicketID], art)
					}
					return nil
				})
			case "User":
				return eachMember(m, func(_ string, u jsonItem) error {
					var user zmUser
					if json.Unmarshal(u.raw, &user) == nil {
						z.users[user.ID] = user
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range order {
			if t, ok := byID[id]; ok {
				tickets = append(tickets, t)
			}
		}
	}
	if len(members) == 0 || len(tickets) == 0 && !hasTickets && !hasAssets && len(articles) == 0 && len(z.users) == 0 {
		return z.e.skip(pos(it), triage.ImportNotTicket)
	}
	for _, t := range tickets {
		if err := z.ticket(t, pos(t), articles); err != nil {
			return err
		}
	}
	return nil
}

func appendIfMissing(ids []flexID, id flexID) []flexID {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

func (z *zammad) ticket(it jsonItem, p triage.ImportPosition, side map[flexID][]zmArticle) error {
	if len(it.raw) == 0 || it.raw[0] != '{' {
		return z.e.skip(p, triage.ImportNotTicket)
	}
	var zt zmTicket
	if err := json.Unmarshal(it.raw, &zt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, unmarshalError(err)...)
	}
	if zt.ID == "" {
		return z.e.skip(p, triage.ImportMissingField, "field", "id")
	}
	c := z.e.cfg
	state := zt.State
	if state == "" {
		if id, err := strconv.ParseInt(string(zt.StateID), 10, 64); err == nil {
			state = zammadStates()[id]
		}
	}
	switch strings.ToLower(state) {
	case "merged":
		return z.e.skip(p, triage.ImportMerged, "id", string(zt.ID))
	case "removed":
		return z.e.skip(p, triage.ImportDeleted, "id", string(zt.ID))
	}
	prio := zt.Priority
	if prio == "" {
		if id, err := strconv.ParseInt(string(zt.PriorityID), 10, 64); err == nil {
			prio = zammadPriorities()[id]
		}
	}
	t := &triage.ImportedTicket{
		Source:         c.source,
		ExternalID:     string(zt.ID),
		Title:          zt.Title,
		Group:          zt.Group,
		Tags:           zt.Tags,
		SourceStatus:   state,
		SourcePriority: prio,
	}
	status, reason := c.status(state)
	if reason != nil {
		return z.e.emit(p, nil, reason)
	}
	t.Status = status
	if reason := c.priority(prio, t); reason != nil {
		return z.e.emit(p, nil, reason)
	}
	var err error
	if t.CreatedAt, err = c.parseTime(zt.CreatedAt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, "field", "created_at", "value", zt.CreatedAt, "error", err.Error())
	}
	if t.UpdatedAt, err = c.parseTime(zt.UpdatedAt); err != nil {
		return z.e.skip(p, triage.ImportBadValue, "field", "updated_at", "value", zt.UpdatedAt, "error", err.Error())
	}
	closeAt, err := c.parseTime(zt.CloseAt)
	if err != nil {
		return z.e.skip(p, triage.ImportBadValue, "field", "close_at", "value", zt.CloseAt, "error", err.Error())
	}
	// close_at is when the ticket was closed; a ticket "pending close"
	// has none yet and gets its solve time estimated.
	if !closeAt.IsZero() && t.Status == triage.StatusClosed {
		solved, closed := closeAt, closeAt
		t.SolvedAt, t.ClosedAt = &solved, &closed
	}

	// Custom attributes: every non-standard attribute with a value.
	var all map[string]flexText
	_ = json.Unmarshal(it.raw, &all) // it decoded above, so this does too
	t.Fields = map[string]string{}
	std := zammadStandard()
	for k, v := range all {
		if v != "" && !slices.Contains(std, k) && !strings.HasSuffix(k, "_id") && !strings.HasSuffix(k, "_ids") {
			t.Fields[k] = string(v)
		}
	}
	if zt.Number != "" {
		t.Fields["number"] = string(zt.Number)
	}
	if zt.Organization != "" {
		t.Fields["organization"] = zt.Organization
	}
	c.applyCategory(t)

	// People: the customer and the owner, by login/e-mail and the users
	// side-load. Owner id 1 is Zammad's "-" system user: unassigned.
	if u, ok := z.users[zt.CustomerID]; ok {
		t.Requester = triage.Requester{Name: zammadName(u), Email: firstNonEmpty(u.Email, emailOr(u.Login)), Phone: firstNonEmpty(string(u.Phone), string(u.Mobile))}
	} else {
		t.Requester.Email = emailOr(zt.Customer)
	}
	if u, ok := z.users[zt.OwnerID]; ok && zt.OwnerID != "1" {
		t.AssigneeEmail, t.AssigneeName = firstNonEmpty(u.Email, emailOr(u.Login)), zammadName(u)
	} else if zt.Owner != "-" {
		t.AssigneeEmail = emailOr(zt.Owner)
	}

	arts := append(zt.Articles, side[zt.ID]...)
	for _, a := range arts {
		ic, err := z.article(a, zt.ID)
		if err != nil {
			return z.e.skip(p, triage.ImportBadValue, "field", "articles.created_at", "value", a.CreatedAt, "error", err.Error())
		}
		if ic.Author == triage.AuthorRequester {
			if t.Requester.Name == "" && ic.AuthorName != "" {
				t.Requester.Name = ic.AuthorName
			}
			if t.Requester.Email == "" && ic.AuthorEmail != "" {
				t.Requester.Email = ic.AuthorEmail
			}
		}
		t.Comments = append(t.Comments, ic)
	}
	channel := zt.CreateArticleType
	if channel == "" && len(arts) > 0 {
		channel = arts[0].Type
	}
	t.Channel = c.channel(channel)
	t.Body = firstRequesterBody(t.Comments)
	return z.e.ticket(p, t)
}

func (z *zammad) article(a zmArticle, ticket flexID) (triage.ImportedComment, error) {
	c := z.e.cfg
	at, err := c.parseTime(a.CreatedAt)
	if err != nil {
		return triage.ImportedComment{}, err
	}
	ic := triage.ImportedComment{ExternalID: string(a.ID), Public: !a.Internal, CreatedAt: at}
	if strings.EqualFold(strings.TrimSpace(a.ContentType), "text/html") {
		ic.HTML = a.Body
		ic.Body = htmlToText(a.Body)
	} else {
		ic.Body = a.Body
	}
	switch strings.ToLower(a.Sender) {
	case "customer":
		ic.Author = triage.AuthorRequester
	case "agent":
		ic.Author = triage.AuthorAgent
	case "system":
		ic.Author = triage.AuthorSystem
	default:
		ic.Author = triage.AuthorUnknown
	}
	if addr, err := mail.ParseAddress(a.From); err == nil {
		ic.AuthorEmail, ic.AuthorName = addr.Address, addr.Name
	} else {
		ic.AuthorName = strings.TrimSpace(a.From)
		ic.AuthorEmail = emailOr(a.CreatedBy)
	}
	for _, att := range a.Attachments {
		ia := triage.ImportedAttachment{Name: att.Filename, ContentType: att.MimeType}
		if ia.ContentType == "" {
			for _, k := range []string{"Content-Type", "Mime-Type"} {
				if v, ok := att.Preferences[k].(string); ok && v != "" {
					ia.ContentType = v
					break
				}
			}
		}
		if v, ok := att.Preferences["Content-Disposition"].(string); ok && strings.EqualFold(v, "inline") {
			ia.Inline = true
		}
		if n, err := strconv.ParseInt(string(att.Size), 10, 64); err == nil {
			ia.Size = n
		}
		if att.Data != "" {
			if data, err := base64.StdEncoding.DecodeString(att.Data); err == nil {
				ia.Content = data
				if ia.Size == 0 {
					ia.Size = int64(len(data))
				}
			}
		}
		if att.ID != "" && a.ID != "" {
			ia.URL = c.attachmentBase + "/api/v1/ticket_attachment/" + string(ticket) + "/" + string(a.ID) + "/" + string(att.ID)
		}
		ic.Attachments = append(ic.Attachments, ia)
	}
	return ic, nil
}

// zammadName joins a user's names: "Nicole Braun", but 张伟 for a Chinese
// name, which Zammad stores as firstname 伟, lastname 张.
func zammadName(u zmUser) string {
	first, last := strings.TrimSpace(u.Firstname), strings.TrimSpace(u.Lastname)
	if first == "-" {
		first = ""
	}
	if isHan(first) && isHan(last) {
		return last + first
	}
	return strings.TrimSpace(first + " " + last)
}

func isHan(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// emailOr returns s when it is an e-mail address (Zammad logins usually
// are) and "" otherwise.
func emailOr(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil && a.Address == s {
		return s
	}
	return ""
}
