package importer

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestZammadSample(t *testing.T) {
	recs := readOK(t, FormatZammad, file(t, "zammad_tickets.json"), `{"attachment_base_url":"https://zammad.example.cn/","category":{"from":"field","field":"category"}}`)
	checkRecords(t, recs, 0)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	for _, c := range []struct {
		id       string
		line     int
		status   triage.Status
		priority triage.Priority
		channel  triage.Channel
		category string
		assignee string
	}{
		{"31", 2, triage.StatusClosed, triage.P2, triage.ChannelEmail, "售后维修", "wang.lei@shop.example.cn"},
		{"32", 107, triage.StatusOpen, triage.P3, triage.ChannelWeb, "发票", "liu.fang@shop.example.cn"},
		{"33", 143, triage.StatusPending, triage.P4, triage.ChannelPhone, "物流", ""}, // ids only; owner "-" is nobody
		{"34", 173, triage.StatusSolved, triage.P3, triage.ChannelEmail, "退款", "liu.fang@shop.example.cn"},
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
				t.Fatal("missing")
			}
			if rec.Pos.Line != c.line || tk.Status != c.status || tk.Priority != c.priority || tk.Channel != c.channel || tk.Category != c.category || tk.AssigneeEmail != c.assignee {
				t.Errorf("line %d status %s priority %s channel %s category %q assignee %q", rec.Pos.Line, tk.Status, tk.Priority, tk.Channel, tk.Category, tk.AssigneeEmail)
			}
		})
	}
	if s := skipAt(t, recs, 199); s.Code != triage.ImportMerged {
		t.Errorf("ticket 35: %v, want merged", s)
	}

	tk := byID(t, recs, "31")
	if tk.Requester.Name != "何静" || tk.Requester.Email != "he.jing@example.com" {
		t.Errorf("requester %+v, want the customer from the first article", tk.Requester)
	}
	if !tk.SolvedAt.Equal(utc("2026-11-12T09:00:00Z")) || !tk.ClosedAt.Equal(utc("2026-11-12T09:00:00Z")) {
		t.Errorf("solved %v closed %v; want close_at", tk.SolvedAt, tk.ClosedAt)
	}
	if tk.Fields["order_no"] != "SO20261105221" || tk.Fields["number"] != "86031" || tk.Fields["category"] != "售后维修" || len(tk.Fields) != 3 {
		t.Errorf("fields %v: want the admin's attributes and the number, not Zammad's own", tk.Fields)
	}
	if tk.Body != "你好，\n昨天收到的蓝牙耳机左耳完全没有声音，右耳正常。\n已经按说明书重置过，还是不行。" {
		t.Errorf("body %q", tk.Body)
	}
	if len(tk.Comments) != 4 {
		t.Fatalf("%d comments", len(tk.Comments))
	}
	for i, want := range []struct {
		author triage.AuthorRole
		public bool
		email  string
	}{
		{triage.AuthorRequester, true, "he.jing@example.com"},
		{triage.AuthorAgent, true, "support@shop.example.cn"},
		{triage.AuthorAgent, false, "wang.lei@shop.example.cn"}, // "from" is a bare name: created_by
		{triage.AuthorSystem, false, ""},
	} {
		c := tk.Comments[i]
		if c.Author != want.author || c.Public != want.public || c.AuthorEmail != want.email {
			t.Errorf("comment %d: %s public %v email %q; want %s %v %q", i, c.Author, c.Public, c.AuthorEmail, want.author, want.public, want.email)
		}
	}
	if c := tk.Comments[1]; c.Body != "何女士您好：\n很抱歉给您带来不便。耳机在 7 天无理由期内，我们为您安排换新，快递员明天上门取件。" || !strings.Contains(c.HTML, "<b>换新</b>") {
		t.Errorf("HTML article: %q", c.Body)
	}
	att := tk.Comments[0].Attachments
	if len(att) != 1 || att[0].Name != "耳机.jpg" || att[0].ContentType != "image/jpeg" || att[0].Size != 120332 || !att[0].Inline ||
		att[0].URL != "https://zammad.example.cn/api/v1/ticket_attachment/31/101/901" {
		t.Errorf("attachment %+v", att)
	}
	if tk := byID(t, recs, "34"); !hasNote(tk, triage.ImportEstimated, "field", "solved_at") {
		t.Errorf("pending close: notes %v, want an estimated solve time", tk.Notes)
	}
}

func TestZammadForms(t *testing.T) {
	article := func(ticket, id, sender string, internal bool) string {
		in := "false"
		if internal {
			in = "true"
		}
		return `{"id":` + id + `,"ticket_id":` + ticket + `,"from":"何静 <he.jing@example.com>","content_type":"text/plain","body":"内容` + id + `","internal":` + in + `,"sender":"` + sender + `","type":"email","created_at":"2026-11-10T01:0` + id[len(id)-1:] + `:00Z"}`
	}
	ticket := `{"id":7,"title":"耳机没声音","state":"open","priority":"2 normal","customer_id":12,"owner_id":5,"created_at":"2026-11-10T01:00:00Z","updated_at":"2026-11-10T02:00:00Z"}`
	users := `[{"id":12,"login":"he.jing@example.com","firstname":"静","lastname":"何","email":"he.jing@example.com","mobile":"+86 138 0000 0012"},{"id":5,"login":"wang.lei","firstname":"Lei","lastname":"Wang","email":"wang.lei@shop.example.cn"}]`
	for _, c := range []struct {
		name, input string
		articles    int
		requester   triage.Requester
		assignee    string
	}{
		{"side-loaded ticket_articles and users", `{"tickets":[` + ticket + `],"ticket_articles":[` + article("7", "1", "Customer", false) + `,` + article("7", "2", "Agent", true) + `,` + article("8", "3", "Customer", false) + `],"users":` + users + `}`,
			2, triage.Requester{Name: "何静", Email: "he.jing@example.com", Phone: "+86 138 0000 0012"}, "wang.lei@shop.example.cn"},
		{"the assets form of /tickets/search", `{"tickets":[7],"tickets_count":1,"assets":{"Ticket":{"7":` + ticket + `},"TicketArticle":{"1":` + article("7", "1", "Customer", false) + `},"User":{"12":` + users[1:strings.Index(users, "},{")+1] + `}}}`,
			1, triage.Requester{Name: "何静", Email: "he.jing@example.com", Phone: "+86 138 0000 0012"}, ""},
		{"JSON Lines with articles inline", strings.Replace(ticket, `"id":7,`, `"id":7,"customer":"he.jing@example.com","articles":[`+article("7", "1", "Customer", false)+`],`, 1) + "\n",
			1, triage.Requester{Name: "何静", Email: "he.jing@example.com"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := readOK(t, FormatZammad, c.input, "")
			checkRecords(t, recs, 0)
			if len(recs) != 1 || recs[0].Ticket == nil {
				t.Fatalf("records %+v", recs)
			}
			tk := recs[0].Ticket
			if len(tk.Comments) != c.articles || tk.Requester != c.requester || tk.AssigneeEmail != c.assignee {
				t.Errorf("articles %d requester %+v assignee %q; want %d %+v %q", len(tk.Comments), tk.Requester, tk.AssigneeEmail, c.articles, c.requester, c.assignee)
			}
		})
	}
	for _, c := range []struct {
		name, input string
		code        triage.ImportReasonCode
	}{
		{"removed", `{"id":1,"title":"x","state":"removed","created_at":"2026-11-10T01:00:00Z"}`, triage.ImportDeleted},
		{"unknown state", `{"id":1,"title":"x","state":"waiting for parts","created_at":"2026-11-10T01:00:00Z"}`, triage.ImportUnknownStatus},
		{"unknown priority", `{"id":1,"title":"x","state":"open","priority":"4 very high","created_at":"2026-11-10T01:00:00Z"}`, triage.ImportUnknownPriority},
		{"bad article time", `{"id":1,"title":"x","state":"open","created_at":"2026-11-10T01:00:00Z","articles":[{"body":"x","created_at":"later"}]}`, triage.ImportBadValue},
		{"bad close_at", `{"id":1,"title":"x","state":"closed","created_at":"2026-11-10T01:00:00Z","close_at":"never"}`, triage.ImportBadValue},
		{"side-loaded articles of the wrong type", `{"tickets":[],"ticket_articles":{"a":1}}`, triage.ImportBadValue},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := readOK(t, FormatZammad, c.input, "")
			checkRecords(t, recs, 0)
			if len(recs) != 1 || recs[0].Skip == nil || recs[0].Skip.Code != c.code {
				t.Fatalf("records %+v, want one %s skip", recs, c.code)
			}
		})
	}
	// A mapping adds states the admin created.
	recs := readOK(t, FormatZammad, `{"id":1,"title":"x","state":"waiting for parts","created_at":"2026-11-10T01:00:00Z"}`, `{"statuses":{"waiting for parts":"open"}}`)
	if recs[0].Ticket == nil || recs[0].Ticket.Status != triage.StatusOpen {
		t.Fatalf("custom state: %+v", recs[0])
	}
}
