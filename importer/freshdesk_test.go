package importer

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestFreshdeskSample(t *testing.T) {
	mapping := `{"category":{"from":"field","field":"Type","values":{"退款":"退款","物流":"物流","发票":"发票","账号":"账号","售后维修":"售后维修","订单修改":"订单修改","优惠活动":"优惠活动"}},
		"agents":{"张伟":"zhang.wei@shop.example.cn","李娜":"li.na@shop.example.cn"}}`
	recs := readOK(t, FormatFreshdesk, file(t, "freshdesk_tickets.csv"), mapping)
	checkRecords(t, recs, 0)
	if len(recs) != 7 {
		t.Fatalf("%d records, want 7", len(recs))
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
		{"501", 2, triage.StatusClosed, triage.P3, triage.ChannelEmail, "退款", "zhang.wei@shop.example.cn"},
		{"502", 4, triage.StatusSolved, triage.P2, triage.ChannelWeb, "物流", "li.na@shop.example.cn"}, // line 4: 501 spans two lines
		{"503", 5, triage.StatusPending, triage.P4, triage.ChannelPhone, "发票", "zhang.wei@shop.example.cn"},
		{"504", 6, triage.StatusOpen, triage.P1, triage.ChannelWeb, "账号", ""}, // 王主管 is not in agents
		{"505", 7, triage.StatusPending, triage.P3, triage.ChannelWeb, "售后维修", "li.na@shop.example.cn"},
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
	if s := skipAt(t, recs, 8); s.Code != triage.ImportWrongColumns || s.Args["got"] != "3" || s.Args["want"] != "21" {
		t.Errorf("line 8: %v", s)
	}
	if s := skipAt(t, recs, 9); s.Code != triage.ImportUnknownStatus || s.Args["value"] != "Escalated" {
		t.Errorf("line 9: %v", s)
	}

	tk := byID(t, recs, "501")
	if tk.Body != "买的外套尺码偏小，已经寄回，快递单号 YT9988776655。\n请尽快退款，谢谢！" || strings.Join(tk.Tags, ",") != "退款,退货" {
		t.Errorf("body %q tags %v", tk.Body, tk.Tags)
	}
	// Times without a zone are the helpdesk's (Beijing) time.
	if !tk.CreatedAt.Equal(utc("2026-12-01T01:15:00Z")) || !tk.SolvedAt.Equal(utc("2026-12-01T08:40:00Z")) || !tk.ClosedAt.Equal(utc("2026-12-04T02:00:00Z")) {
		t.Errorf("created %v solved %v closed %v", tk.CreatedAt, tk.SolvedAt, tk.ClosedAt)
	}
	if tk.Requester != (triage.Requester{Name: "钱多多", Email: "qian.duoduo@example.com", Phone: "13800000011"}) {
		t.Errorf("requester %+v", tk.Requester)
	}
	if tk.Fields["order_number"] != "SO20261128031" || tk.Fields["type"] != "退款" || tk.Fields["due_by_time"] == "" {
		t.Errorf("fields %v: other columns are custom fields", tk.Fields)
	}
	if len(tk.Comments) != 1 || tk.Comments[0].Author != triage.AuthorRequester || tk.Comments[0].AuthorEmail != "qian.duoduo@example.com" {
		t.Errorf("comments %+v: the description is the requester's message", tk.Comments)
	}
	if tk := byID(t, recs, "502"); tk.Body != "快递显示昨天 18:32 已签收，但我家里和快递柜都没有。\n订单号 SO20261130007。" || tk.Comments[0].HTML == "" {
		t.Errorf("an HTML description: %q", tk.Body)
	}
	if tk := byID(t, recs, "503"); tk.Title != `发票税号填错了，"能不能"重开` {
		t.Errorf("quoted title %q", tk.Title)
	}
	if tk := byID(t, recs, "504"); tk.AssigneeName != "王主管" || tk.AssigneeEmail != "" {
		t.Errorf("assignee name %q", tk.AssigneeName)
	}
}

func TestFreshdeskChineseHeaders(t *testing.T) {
	recs := readOK(t, FormatFreshdesk, file(t, "freshdesk_tickets_zh.csv"), `{"category":{"from":"field","field":"类型"}}`)
	checkRecords(t, recs, 0)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	a, b := byID(t, recs, "601"), byID(t, recs, "602")
	if a.Status != triage.StatusClosed || a.Priority != triage.P3 || a.Channel != triage.ChannelEmail || a.Category != "订单修改" {
		t.Errorf("601: %s %s %s %q", a.Status, a.Priority, a.Channel, a.Category)
	}
	if b.Status != triage.StatusOpen || b.Priority != triage.P4 || b.Channel != triage.ChannelWeb || !b.CreatedAt.Equal(utc("2026-12-07T06:03:00Z")) {
		t.Errorf("602: %s %s %s %v", b.Status, b.Priority, b.Channel, b.CreatedAt)
	}
}

func TestFreshdeskFiles(t *testing.T) {
	const header = "Ticket ID,Subject,Description,Status,Priority,Created time\n"
	row := "9,退款,想退款,Open,Low,2026-12-07 14:03:00\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(header + row)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, input, mapping string
		code                 triage.ImportReasonCode // of the record at line 2; "" for a ticket
		title                string
	}{
		{"UTF-8 with a BOM", "\xef\xbb\xbf" + header + row, "", "", "退款"},
		{"GB18030 declared", gbk, `{"encoding":"gbk"}`, "", "退款"},
		{"GB18030 undeclared", gbk, "", triage.ImportBadEncoding, ""},
		{"semicolons", strings.ReplaceAll(header+row, ",", ";"), `{"delimiter":";"}`, "", "退款"},
		{"CRLF", strings.ReplaceAll(header+row, "\n", "\r\n"), "", "", "退款"},
		{"a bare quote", header + "9,退\"款,想退款,Open,Low,2026-12-07 14:03:00\n" + row, "", triage.ImportBadLine, ""},
		{"a bad time", header + "9,退款,想退款,Open,Low,明天\n", "", triage.ImportBadValue, ""},
		{"no subject: title from the description", header + "9,,想退款。第二句,Open,Low,2026-12-07 14:03:00\n", "", "", "想退款。第二句"},
		{"numeric status and priority", header + "9,退款,想退款,5,4,2026-12-07 14:03:00\n", "", "", "退款"},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := readOK(t, FormatFreshdesk, c.input, c.mapping)
			checkRecords(t, recs, 0)
			r := recs[0]
			if r.Pos.Line != 2 {
				t.Fatalf("first record at line %d", r.Pos.Line)
			}
			switch {
			case c.code != "" && (r.Skip == nil || r.Skip.Code != c.code):
				t.Fatalf("record %+v, want skip %s", r, c.code)
			case c.code == "" && (r.Ticket == nil || r.Ticket.Title != c.title):
				t.Fatalf("record %+v %v, want title %q", r.Ticket, r.Skip, c.title)
			}
		})
	}
	// An unterminated quote swallows the rest of the file: the skip says
	// which lines.
	recs := readOK(t, FormatFreshdesk, header+row+"10,\"退款,想退款,Open,Low,2026-12-07 14:03:00\n"+row+row, "")
	if s := skipAt(t, recs, 3); s.Code != triage.ImportBadLine || s.Args["to_line"] != "5" {
		t.Errorf("unterminated quote: %v", s)
	}
	for _, c := range []struct{ name, input, want string }{
		{"not a Freshdesk export", "编号,标题\n1,x\n", "Ticket ID"},
		{"no created time", "Ticket ID,Subject\n1,x\n", "Created time"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(t, FormatFreshdesk, c.input, "", 0)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "line 1") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
