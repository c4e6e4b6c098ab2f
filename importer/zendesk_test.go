package importer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestZendeskIncrementalSample(t *testing.T) {
	recs := readOK(t, FormatZendesk, file(t, "zendesk_incremental.json"), "")
	checkRecords(t, recs, 0)
	if len(recs) != 7 {
		t.Fatalf("%d records, want 7", len(recs))
	}

	// Statuses, priorities and channels, mapped as the defaults say.
	for _, c := range []struct {
		id       string
		status   triage.Status
		priority triage.Priority
		channel  triage.Channel
		line     int
	}{
		{"1001", triage.StatusClosed, triage.P2, triage.ChannelEmail, 3},
		{"1002", triage.StatusSolved, triage.P3, triage.ChannelWeb, 31},
		{"1003", triage.StatusPending, triage.P4, triage.ChannelPhone, 53},
		{"1004", triage.StatusOpen, triage.P1, triage.ChannelAPI, 74}, // hold waits on a third party, not the customer
		{"1005", triage.StatusOpen, triage.P3, triage.ChannelWeb, 95}, // no priority: the default
		{"1007", triage.StatusNew, triage.P3, triage.ChannelWeb, 130}, // chat is the web widget
	} {
		t.Run(c.id, func(t *testing.T) {
			var rec Record
			for _, r := range recs {
				if r.Ticket != nil && r.Ticket.ExternalID == c.id {
					rec = r
				}
			}
			tk := rec.Ticket
			if tk == nil {
				t.Fatalf("ticket %s missing", c.id)
			}
			if tk.Status != c.status || tk.Priority != c.priority || tk.Channel != c.channel || rec.Pos.Line != c.line {
				t.Errorf("status %s priority %s channel %s line %d; want %s %s %s %d", tk.Status, tk.Priority, tk.Channel, rec.Pos.Line, c.status, c.priority, c.channel, c.line)
			}
			if tk.Key() != (triage.ImportKey{Source: triage.SourceZendesk, ExternalID: c.id}) {
				t.Errorf("key %v", tk.Key())
			}
		})
	}
	if s := skipAt(t, recs, 116); s.Code != triage.ImportDeleted || s.Args["id"] != "1006" {
		t.Errorf("ticket 1006: %v, want deleted", s)
	}
	if recs[6].Pos.Cursor != "MTc5NDM4Mzk5OS4wfHwxMDA3fA==" || recs[5].Pos.Cursor != "" {
		t.Errorf("cursor on the last record %q, on the one before %q; want after_cursor on the last only", recs[6].Pos.Cursor, recs[5].Pos.Cursor)
	}

	tk := byID(t, recs, "1001")
	if tk.Requester != (triage.Requester{Name: "王芳", Email: "wang.fang@example.com", Phone: "+86 138 0000 0001"}) {
		t.Errorf("requester %+v", tk.Requester)
	}
	if tk.AssigneeEmail != "zhang.wei@shop.example.cn" || tk.Group != "支付结算组" {
		t.Errorf("assignee %q group %q", tk.AssigneeEmail, tk.Group)
	}
	if !tk.SolvedAt.Equal(utc("2026-11-02T07:30:00Z")) || !tk.ClosedAt.Equal(utc("2026-11-06T08:00:00Z")) {
		t.Errorf("solved %v closed %v; want solved from metric_sets, closed from updated_at", tk.SolvedAt, tk.ClosedAt)
	}
	if !hasNote(tk, triage.ImportEstimated, "field", "closed_at", "from", "updated_at") {
		t.Errorf("notes %v: the estimated close time is not noted", tk.Notes)
	}
	if tk.Fields["360000001"] != "refund" || tk.Fields["360000002"] != "SO20261101001" || tk.Fields["type"] != "question" || tk.Fields["satisfaction"] != "good" {
		t.Errorf("fields %v", tk.Fields)
	}
	if len(tk.Comments) != 3 {
		t.Fatalf("%d comments, want 3", len(tk.Comments))
	}
	first, note, reply := tk.Comments[0], tk.Comments[1], tk.Comments[2]
	if first.Author != triage.AuthorRequester || !first.Public || first.AuthorEmail != "wang.fang@example.com" {
		t.Errorf("first comment %+v", first)
	}
	if len(first.Attachments) != 1 || !reflect.DeepEqual(first.Attachments[0], triage.ImportedAttachment{
		Name: "扣款截图.png", ContentType: "image/png", Size: 48213,
		URL: "https://shop-example.zendesk.com/attachments/token/abc123/?name=%E6%89%A3%E6%AC%BE%E6%88%AA%E5%9B%BE.png",
	}) {
		t.Errorf("attachments %+v", first.Attachments)
	}
	if note.Public || note.Author != triage.AuthorAgent || note.AuthorEmail != "zhang.wei@shop.example.cn" {
		t.Errorf("internal note %+v", note)
	}
	wantReply := "王女士您好：\n经核实您的订单确实被重复扣款，多扣的 299 元已原路退回，预计 1–3 个工作日到账。\n- 退款流水号：RF20261102001\n- 如未到账请回复本邮件\n给您带来不便非常抱歉！"
	if reply.Body != wantReply || !strings.HasPrefix(reply.HTML, "<div") || !reply.Public {
		t.Errorf("HTML-only reply: body %q html %q", reply.Body, reply.HTML)
	}

	// A ticket without a subject gets the start of its body as title.
	tk = byID(t, recs, "1005")
	if tk.Title != "手机号换了，收不到登录验证码，账号登不上去了。" || !hasNote(tk, triage.ImportTitleDerived) {
		t.Errorf("title %q notes %v", tk.Title, tk.Notes)
	}
	if !hasNote(tk, triage.ImportPriorityDefault, "priority", "P3") || tk.SourcePriority != "" {
		t.Errorf("notes %v: the default priority is not noted", tk.Notes)
	}
	if tk.AssigneeEmail != "" || tk.Fields["360000002"] != "" {
		t.Errorf("assignee %q, null field %q", tk.AssigneeEmail, tk.Fields["360000002"])
	}
	// A voice ticket's first comment is an agent's internal call note.
	tk = byID(t, recs, "1003")
	if c := tk.Comments[0]; c.Public || c.Author != triage.AuthorAgent {
		t.Errorf("call note %+v", c)
	}
}

func TestZendeskLinesSample(t *testing.T) {
	recs := readOK(t, FormatZendesk, file(t, "zendesk_tickets.jsonl"), "")
	checkRecords(t, recs, 0)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	if s := skipAt(t, recs, 3); s.Code != triage.ImportBadLine || !strings.Contains(s.Args["error"], "unexpected end of JSON input") {
		t.Errorf("line 3: %v, want bad_line", s)
	}
	if s := skipAt(t, recs, 5); s.Code != triage.ImportUnknownStatus || s.Args["value"] != "archived" {
		t.Errorf("line 5: %v, want unknown_status archived", s)
	}
	// Offsets let a later import start at a line.
	if recs[1].Pos.Offset <= 0 || recs[0].Pos.Offset != 0 {
		t.Errorf("offsets %d, %d", recs[0].Pos.Offset, recs[1].Pos.Offset)
	}
	tk := byID(t, recs, "2001")
	if tk.Requester.Email != "sun.li@example.com" || len(tk.Comments) != 2 || tk.Comments[1].Body != "孙女士您好，原发票已作废，新的电子发票已发送到您的邮箱，请查收。" {
		t.Errorf("ticket 2001: requester %+v comments %+v", tk.Requester, tk.Comments)
	}
	// Without a users side-load, the agent is unknown and noted once.
	if tk.Comments[1].Author != triage.AuthorUnknown || !hasNote(tk, triage.ImportUnknownAuthor, "id", "10002") {
		t.Errorf("agent comment %+v, notes %v", tk.Comments[1], tk.Notes)
	}
	// A time without a zone is Beijing time.
	if tk := byID(t, recs, "2004"); !tk.CreatedAt.Equal(utc("2026-10-11T01:00:00Z")) {
		t.Errorf("created %v, want 09:00 in Shanghai", tk.CreatedAt)
	}
}

func TestZendeskForms(t *testing.T) {
	const users = `"users":[{"id":1,"name":"王芳","email":"wang.fang@example.com","role":"end-user"},{"id":9,"name":"张伟","email":"zhang.wei@shop.example.cn","role":"agent"}]`
	ticket := func(id, status string) string {
		return `{"id":` + id + `,"subject":"退款","description":"请退款","status":"` + status + `","priority":"normal","requester_id":1,"assignee_id":9,"created_at":"2026-11-01T00:00:00Z","updated_at":"2026-11-02T00:00:00Z"}`
	}
	for _, c := range []struct {
		name     string
		input    string
		mapping  string
		ids      []string // imported tickets in order
		comments int      // comments of the first ticket
		email    string   // requester of the first ticket
	}{
		{"single ticket wrapper with side-loads",
			`{"ticket":` + ticket("1", "open") + `,"comments":[{"author_id":1,"body":"请退款","created_at":"2026-11-01T00:00:00Z"},{"author_id":9,"body":"好的","public":true,"created_at":"2026-11-01T01:00:00Z"}],` + users + `}`,
			"", []string{"1"}, 2, "wang.fang@example.com"},
		{"comments side-loaded by ticket_id",
			`{"tickets":[` + ticket("1", "open") + `,` + ticket("2", "open") + `],"comments":[{"ticket_id":2,"author_id":1,"body":"二","created_at":"2026-11-01T00:00:00Z"},{"ticket_id":1,"author_id":9,"body":"一","created_at":"2026-11-01T00:00:00Z"}],` + users + `,"end_of_stream":true}`,
			"", []string{"1", "2"}, 1, "wang.fang@example.com"},
		{"users after the tickets", `{"tickets":[` + ticket("1", "solved") + `],` + users + `}`,
			"", []string{"1"}, 0, "wang.fang@example.com"},
		{"pages one after another, users from an earlier page",
			"{\"tickets\":[" + ticket("1", "open") + "]," + users + ",\"end_of_stream\":false}\n{\"tickets\":[" + ticket("2", "open") + "],\"end_of_stream\":true}",
			"", []string{"1", "2"}, 0, "wang.fang@example.com"},
		{"an array of tickets", "[\n" + ticket("1", "new") + ",\n" + ticket("2", "new") + "\n]", "", []string{"1", "2"}, 0, ""},
		{"a pretty-printed page", "{\n  \"tickets\": [\n    " + ticket("7", "closed") + "\n  ],\n  " + users + "\n}\n", "", []string{"7"}, 0, "wang.fang@example.com"},
		{"time-based export", `{"tickets":[` + ticket("1", "open") + `],"next_page":"https://x.zendesk.com/api/v2/incremental/tickets.json?start_time=1794000000","count":1,"end_time":1794000000,"end_of_stream":true}`,
			"", []string{"1"}, 0, ""},
		{"ids written as strings", `{"id":"55","subject":"s","description":"d","status":"open","created_at":"2026-11-01T00:00:00Z"}`, "", []string{"55"}, 0, ""},
		{"a mapping maps a custom status", ticket("3", "archived"), `{"statuses":{"archived":"closed"}}`, []string{"3"}, 0, ""},
		{"a mapping overrides a default", ticket("4", "hold"), `{"statuses":{"hold":"pending"}}`, []string{"4"}, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := readOK(t, FormatZendesk, c.input, c.mapping)
			checkRecords(t, recs, 0)
			var ids []string
			for _, r := range recs {
				if r.Skip != nil {
					t.Fatalf("skip at line %d: %v", r.Pos.Line, r.Skip)
				}
				ids = append(ids, r.Ticket.ExternalID)
			}
			if strings.Join(ids, ",") != strings.Join(c.ids, ",") {
				t.Fatalf("tickets %v, want %v", ids, c.ids)
			}
			if tk := recs[0].Ticket; len(tk.Comments) != c.comments || tk.Requester.Email != c.email {
				t.Errorf("comments %d requester %q; want %d %q", len(tk.Comments), tk.Requester.Email, c.comments, c.email)
			}
		})
	}
	if recs := readOK(t, FormatZendesk, ticket("4", "hold"), `{"statuses":{"hold":"pending"}}`); recs[0].Ticket.Status != triage.StatusPending {
		t.Errorf("hold with a mapping: %s", recs[0].Ticket.Status)
	}
	if recs := readOK(t, FormatZendesk, `{"tickets":[`+ticket("1", "open")+`],"end_time":1794000000}`, ""); recs[0].Pos.Cursor != "1794000000" {
		t.Errorf("time-based cursor %q, want end_time", recs[0].Pos.Cursor)
	}
}

func TestZendeskSkips(t *testing.T) {
	for _, c := range []struct {
		name  string
		input string
		line  int
		code  triage.ImportReasonCode
		args  map[string]string
	}{
		{"no id", `{"subject":"s","status":"open","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportNotTicket, nil},
		{"null id", `{"id":null,"subject":"s","status":"open","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportMissingField, map[string]string{"field": "id"}},
		{"unknown status", `{"id":1,"subject":"s","status":"archived","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportUnknownStatus, map[string]string{"value": "archived"}},
		{"unknown priority", `{"id":1,"subject":"s","status":"open","priority":"critical","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportUnknownPriority, map[string]string{"value": "critical"}},
		{"bad created_at", `{"id":1,"subject":"s","status":"open","created_at":"yesterday"}`, 1, triage.ImportBadValue, map[string]string{"field": "created_at", "value": "yesterday"}},
		{"no created_at", `{"id":1,"subject":"s","status":"open"}`, 1, triage.ImportMissingField, map[string]string{"field": "created_at"}},
		{"wrong type", `{"id":1,"subject":["s"],"status":"open","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportBadValue, map[string]string{"field": "subject"}},
		{"a bad comment time", `{"id":1,"subject":"s","status":"open","created_at":"2026-11-01T00:00:00Z","comments":[{"body":"x","created_at":"soon"}]}`, 1, triage.ImportBadValue, map[string]string{"field": "comments.created_at"}},
		{"no subject, no body", `{"id":1,"status":"open","created_at":"2026-11-01T00:00:00Z"}`, 1, triage.ImportMissingField, map[string]string{"field": "title"}},
		{"a number", `42`, 1, triage.ImportNotTicket, nil},
		{"a broken line among good ones", "{\"id\":1,\"subject\":\"s\",\"status\":\"open\",\"created_at\":\"2026-11-01T00:00:00Z\"}\n\n{\"id\":2,\"subject\":\"s\n", 3, triage.ImportBadLine, nil},
		{"a ticket in a page", "{\"tickets\":[\n{\"id\":1,\"subject\":\"s\",\"status\":\"open\",\"created_at\":\"2026-11-01T00:00:00Z\"},\n{\"id\":2,\"subject\":\"s\",\"status\":\"gone\",\"created_at\":\"2026-11-01T00:00:00Z\"}\n]}", 3, triage.ImportUnknownStatus, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := readOK(t, FormatZendesk, c.input, "")
			checkRecords(t, recs, 0)
			s := skipAt(t, recs, c.line)
			if s.Code != c.code {
				t.Fatalf("skip %v, want %s", s, c.code)
			}
			for k, v := range c.args {
				if s.Args[k] != v {
					t.Errorf("arg %s = %q, want %q (%v)", k, s.Args[k], v, s)
				}
			}
		})
	}
}

// A pretty-printed document broken in the middle cannot be read on: the
// error names the line.
func TestZendeskBrokenDocument(t *testing.T) {
	for _, c := range []struct {
		name, input, want string
		before            int // records read before the error
	}{
		{"syntax error", "{\n\"tickets\": [\n{\"id\": 1, \"subject\": \"s\", \"status\": \"open\"\n\"created_at\": \"2026-11-01T00:00:00Z\"}\n]\n}\n", "line 4", 0},
		{"cut short", "[\n{\"id\":1,\"subject\":\"s\",\"status\":\"open\",\"created_at\":\"2026-11-01T00:00:00Z\"},\n{\"id\":2,\"subj", "line 3", 1},
		{"garbage after an array", "[\n{\"id\":1,\"subject\":\"s\",\"status\":\"open\",\"created_at\":\"2026-11-01T00:00:00Z\"}\n]\n\nnot json\n", "line 5", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs, err := read(t, FormatZendesk, c.input, "", 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %s", err, c.want)
			}
			if triage.ErrorCode(err) != triage.EINVALID {
				t.Errorf("code %s, want invalid", triage.ErrorCode(err))
			}
			if len(recs) != c.before {
				t.Errorf("%d records before the error, want %d", len(recs), c.before)
			}
		})
	}
}
