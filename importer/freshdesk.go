package importer

import (
	"io"
	"strings"

	"github.com/triagehq/triage"
)

// Freshdesk exports the ticket list as CSV (Tickets → Export), one row per
// ticket with the columns the admin ticked: ticket properties, then contact
// and company fields. The export has no conversation; the description
// becomes the requester's first message.
//
// fdColumns lists each property with the headers it goes by: the English
// ones of Freshdesk's export, then Chinese ones of an account set to
// Chinese. The Chinese names are our translation, not copied from a
// Freshdesk file; a header nobody lists here still imports as a custom
// field, and a mapping file can name columns for the generic CSV format.
func fdColumns() map[string][]string {
	return map[string][]string{
		"id":          {"Ticket ID", "Ticket Id", "工单 ID", "工单ID", "工单编号"},
		"subject":     {"Subject", "主题"},
		"description": {"Description", "描述"},
		"status":      {"Status", "状态"},
		"priority":    {"Priority", "优先级"},
		"source":      {"Source", "来源"},
		"type":        {"Type", "类型"},
		"agent":       {"Agent", "客服", "坐席"},
		"group":       {"Group", "组", "小组"},
		"created":     {"Created time", "Created Time", "创建时间"},
		"updated":     {"Last update time", "Last Updated Time", "最后更新时间"},
		"resolved":    {"Resolved time", "Resolved Time", "解决时间"},
		"closed":      {"Closed time", "Closed Time", "关闭时间"},
		"tags":        {"Tags", "标签"},
		"name":        {"Full name", "Requester Name", "Contact Name", "姓名", "全名", "联系人姓名"},
		"email":       {"Email", "Requester Email", "Contact Email", "邮箱", "电子邮件"},
		"phone":       {"Work phone", "Phone", "工作电话", "电话"},
		"mobile":      {"Mobile phone", "Mobile", "手机"},
	}
}

func readFreshdesk(r io.Reader, e *emitter) error {
	c := e.cfg
	col := map[string]int{}
	known := map[int]bool{}
	header := func(h *csvHeader) error {
		for prop, names := range fdColumns() {
			col[prop] = -1
			for _, n := range names {
				if i := h.col(n); i >= 0 {
					col[prop] = i
					known[i] = true
					break
				}
			}
		}
		if col["id"] < 0 {
			return errorf(1, "this is not a Freshdesk ticket export: it has no \"Ticket ID\" column (the header has %s)", strings.Join(h.names, ", "))
		}
		if col["created"] < 0 {
			return errorf(1, "the export has no \"Created time\" column; tick it when exporting")
		}
		return nil
	}
	row := func(row csvRow) error {
		get := func(prop string) string { return row.at(col[prop]) }
		p := row.pos
		t := &triage.ImportedTicket{
			Source:         c.source,
			ExternalID:     get("id"),
			Title:          get("subject"),
			Group:          get("group"),
			Channel:        c.channel(get("source")),
			Tags:           splitList(get("tags"), c.tagSeps),
			SourceStatus:   get("status"),
			SourcePriority: get("priority"),
			Requester: triage.Requester{
				Name:  get("name"),
				Email: get("email"),
				Phone: firstNonEmpty(get("mobile"), get("phone")),
			},
		}
		status, reason := c.status(get("status"))
		if reason != nil {
			return e.emit(p, nil, reason)
		}
		t.Status = status
		if reason := c.priority(get("priority"), t); reason != nil {
			return e.emit(p, nil, reason)
		}
		var err error
		if t.CreatedAt, err = c.parseTime(get("created")); err != nil {
			return e.skip(p, triage.ImportBadValue, "field", "Created time", "value", get("created"), "error", err.Error())
		}
		if t.UpdatedAt, err = c.parseTime(get("updated")); err != nil {
			return e.skip(p, triage.ImportBadValue, "field", "Last update time", "value", get("updated"), "error", err.Error())
		}
		if at, err := c.parseTime(get("resolved")); err != nil {
			return e.skip(p, triage.ImportBadValue, "field", "Resolved time", "value", get("resolved"), "error", err.Error())
		} else if !at.IsZero() {
			t.SolvedAt = &at
		}
		if at, err := c.parseTime(get("closed")); err != nil {
			return e.skip(p, triage.ImportBadValue, "field", "Closed time", "value", get("closed"), "error", err.Error())
		} else if !at.IsZero() && t.Status == triage.StatusClosed {
			t.ClosedAt = &at
		}
		agent := get("agent")
		if addr := emailOr(agent); addr != "" {
			t.AssigneeEmail = addr
		} else if agent != "" {
			t.AssigneeName = agent
			t.AssigneeEmail = c.agents[fold(agent)]
		}
		desc := get("description")
		if looksHTML(desc) {
			t.Body = htmlToText(desc)
		} else {
			t.Body = desc
		}
		if t.Body != "" {
			t.Comments = []triage.ImportedComment{{
				Author: triage.AuthorRequester, AuthorEmail: t.Requester.Email, AuthorName: t.Requester.Name,
				Public: true, Body: t.Body, HTML: htmlOnly(desc), CreatedAt: t.CreatedAt,
			}}
		}
		// Every other column (custom fields, company and contact fields)
		// is kept as a custom field under its header's name.
		t.Fields = map[string]string{}
		if v := get("type"); v != "" {
			t.Fields[row.header.names[col["type"]]] = v
		}
		for i, name := range row.header.names {
			if !known[i] {
				if v := row.at(i); v != "" {
					t.Fields[name] = v
				}
			}
		}
		c.applyCategory(t)
		return e.ticket(p, t)
	}
	return done(readCSV(r, e, header, row))
}

// htmlOnly returns s when it is HTML, for ImportedComment.HTML.
func htmlOnly(s string) string {
	if looksHTML(s) {
		return s
	}
	return ""
}
