package importer

import (
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestGenericCSVSample(t *testing.T) {
	recs := readOK(t, FormatCSV, file(t, "generic.csv"), file(t, "generic_mapping.json"))
	checkRecords(t, recs, 0)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	for _, c := range []struct {
		id       string
		status   triage.Status
		priority triage.Priority
		channel  triage.Channel
		category string
	}{
		{"UD-1001", triage.StatusClosed, triage.P3, triage.ChannelWechat, "退款"},
		{"UD-1002", triage.StatusSolved, triage.P4, triage.ChannelEmail, "发票"},
		{"UD-1003", triage.StatusOpen, triage.P1, triage.ChannelPhone, "物流"},
		{"UD-1004", triage.StatusOpen, triage.P2, triage.ChannelWeb, ""},
	} {
		tk := byID(t, recs, c.id)
		if tk.Source != "udesk" || tk.Status != c.status || tk.Priority != c.priority || tk.Channel != c.channel || tk.Category != c.category {
			t.Errorf("%s: source %s status %s priority %s channel %s category %q", c.id, tk.Source, tk.Status, tk.Priority, tk.Channel, tk.Category)
		}
	}
	tk := byID(t, recs, "UD-1001")
	if strings.Join(tk.Tags, ",") != "退货,退款" || tk.Fields["order_no"] != "SO20261201101" || tk.AssigneeEmail != "zhang.wei@shop.example.cn" {
		t.Errorf("tags %v fields %v assignee %q", tk.Tags, tk.Fields, tk.AssigneeEmail)
	}
	if !tk.CreatedAt.Equal(utc("2026-12-07T06:03:00Z")) || !tk.SolvedAt.Equal(utc("2026-12-07T08:20:00Z")) {
		t.Errorf("created %v solved %v: 2026-12-07 14:03:00 in Asia/Shanghai", tk.CreatedAt, tk.SolvedAt)
	}
	if len(tk.Comments) != 2 || tk.Comments[1].Author != triage.AuthorAgent || !tk.Comments[1].Public || !strings.HasPrefix(tk.Comments[1].Body, "您好，已为您开通退货申请") {
		t.Errorf("comments %+v: want the request and the agent's answer", tk.Comments)
	}
	if tk := byID(t, recs, "UD-1002"); !tk.CreatedAt.Equal(utc("2026-12-08T01:30:00Z")) {
		t.Errorf("2026/12/08 09:30 read as %v", tk.CreatedAt)
	}
	if tk := byID(t, recs, "UD-1003"); tk.Requester.Email != "" || !hasNote(tk, triage.ImportDropped, "field", "requester.email") {
		t.Errorf("a bad e-mail: requester %+v notes %v", tk.Requester, tk.Notes)
	}
	if tk := byID(t, recs, "UD-1004"); !hasNote(tk, triage.ImportCategoryUnmapped, "value", "其他") {
		t.Errorf("unmapped category not noted: %v", tk.Notes)
	}
	if s := skipAt(t, recs, 6); s.Code != triage.ImportBadValue || s.Args["field"] != "创建时间" || s.Args["value"] != "2026-13-01 10:00:00" {
		t.Errorf("line 6: %v", s)
	}
}

func TestGenericJSONLSample(t *testing.T) {
	recs := readOK(t, FormatJSONL, file(t, "generic.jsonl"), file(t, "generic_jsonl_mapping.json"))
	checkRecords(t, recs, 0)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	tk := byID(t, recs, "QY-9001")
	if tk.Source != "qiyu" || tk.Category != "优惠活动" || tk.Requester.Tier != "vip" || tk.Channel != triage.ChannelWechat || tk.Fields["order_no"] != "SO20261204009" {
		t.Errorf("ticket %+v", tk)
	}
	if tk.Body != "店铺券和平台券为什么不能一起用？" {
		t.Errorf("body %q: want the customer's first message", tk.Body)
	}
	if len(tk.Comments) != 3 {
		t.Fatalf("comments %+v", tk.Comments)
	}
	if c := tk.Comments[1]; c.Author != triage.AuthorAgent || !c.Public || c.Body != "您好，平台券与店铺券可以叠加，但同一类型的券每单限用一张。" {
		t.Errorf("HTML comment %+v", c)
	}
	if c := tk.Comments[2]; c.Public || c.Author != triage.AuthorAgent {
		t.Errorf("internal comment %+v", c)
	}
	if !tk.ClosedAt.Equal(utc("2026-12-06T01:00:00Z")) || !tk.Comments[0].CreatedAt.Equal(utc("2026-12-05T02:00:00Z")) {
		t.Errorf("closed %v, first comment %v", tk.ClosedAt, tk.Comments[0].CreatedAt)
	}
	if s := skipAt(t, recs, 3); s.Code != triage.ImportBadValue || s.Args["field"] != "messages[0]" {
		t.Errorf("line 3: %v", s)
	}
}

func TestGenericJSONLValues(t *testing.T) {
	mapping := `{"columns":{"external_id":"id","title":"t","created_at":"at","status":"s","priority":"p","tags":"tags","fields":{"n":"n","b":"b","o":"o"}},
		"comments":{"list":"c","body":"x","author_email":"from","public":"pub","created_at":"at"}}`
	recs := readOK(t, FormatJSONL, `{"id":12345678901234567890,"t":"标题","at":"2026-12-07 14:03","s":"open","p":"P2","tags":"a，b；c","n":3.50,"b":true,"o":{"k":[1,2]},"c":[{"x":"一","from":"a@example.com","pub":"否","at":"2026-12-07 14:04"},{"x":"二","from":"b@example.com","at":"2026-12-07 14:05"}]}`, mapping)
	checkRecords(t, recs, 0)
	tk := recs[0].Ticket
	if tk == nil {
		t.Fatalf("skip %v", recs[0].Skip)
	}
	if tk.ExternalID != "12345678901234567890" || strings.Join(tk.Tags, ",") != "a,b,c" || tk.Fields["n"] != "3.50" || tk.Fields["b"] != "true" || tk.Fields["o"] != `{"k":[1,2]}` {
		t.Errorf("id %q tags %v fields %v: numbers as written, lists split", tk.ExternalID, tk.Tags, tk.Fields)
	}
	if tk.Comments[0].Public || !tk.Comments[1].Public || tk.Comments[0].Author != triage.AuthorUnknown {
		t.Errorf("comments %+v", tk.Comments)
	}
}

func TestMappingErrors(t *testing.T) {
	const cols = `"columns":{"external_id":"id","title":"t","created_at":"at","status":"s"}`
	for _, c := range []struct {
		name, format, mapping string
		field                 string // the *triage.Error's field
	}{
		{"misspelt key", "csv", `{"colums":{}}`, "colums"},
		{"syntax", "csv", "{\n\"source\": \"x\",\n}", "mapping"},
		{"wrong type", "csv", `{"statuses":["open"]}`, "statuses"},
		{"two values", "csv", `{} {}`, "mapping"},
		{"bad source", "csv", `{"source":"Udesk CN",` + cols + `}`, "source"},
		{"status value", "zendesk", `{"statuses":{"hold":"waiting"}}`, "statuses"},
		{"priority value", "zendesk", `{"priorities":{"urgent":"P0"}}`, "priorities"},
		{"default status", "csv", `{"default_status":"done",` + cols + `}`, "default_status"},
		{"default priority", "zendesk", `{"default_priority":"high"}`, "default_priority"},
		{"time zone", "freshdesk", `{"time_zone":"Beijing"}`, "time_zone"},
		{"time format", "csv", `{"time_formats":["YYYY-MM-DD"],` + cols + `}`, "time_formats"},
		{"encoding", "freshdesk", `{"encoding":"big5"}`, "encoding"},
		{"delimiter", "csv", `{"delimiter":"\"",` + cols + `}`, "delimiter"},
		{"channel", "zendesk", `{"channels":{"wx":"weixin"}}`, "channels"},
		{"agent", "freshdesk", `{"agents":{"张伟":"zhang wei"}}`, "agents"},
		{"category", "zendesk", `{"category":{"from":"tag"}}`, "category.values"},
		{"no external id", "csv", `{"columns":{"title":"t","created_at":"at","status":"s"}}`, "columns.external_id"},
		{"no title or body", "csv", `{"columns":{"external_id":"id","created_at":"at","status":"s"}}`, "columns.title"},
		{"no created_at", "jsonl", `{"columns":{"external_id":"id","title":"t","status":"s"}}`, "columns.created_at"},
		{"no status", "csv", `{"columns":{"external_id":"id","title":"t","created_at":"at"}}`, "columns.status"},
		{"columns on a vendor format", "zendesk", `{` + cols + `}`, "columns"},
		{"comments on CSV", "csv", `{` + cols + `,"comments":{"list":"c","body":"b"}}`, "comments"},
		{"comments without body", "jsonl", `{` + cols + `,"comments":{"list":"c"}}`, "comments.list"},
		{"comment role", "jsonl", `{` + cols + `,"comments":{"list":"c","body":"b","roles":{"x":"boss"}}}`, "comments.roles"},
		{"format", "xml", `{}`, "format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := LoadMapping(strings.NewReader(c.mapping))
			if err == nil {
				for _, e := range Read(t.Context(), strings.NewReader(""), Format(c.format), Options{Mapping: m}) {
					err = e
				}
			}
			var te *triage.Error
			if err == nil || triage.ErrorCode(err) != triage.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if te = err.(*triage.Error); te.Field != c.field {
				t.Fatalf("field %q (%v), want %q", te.Field, err, c.field)
			}
		})
	}
	if _, err := LoadMapping(strings.NewReader("{\n\"source\": \"x\",\n}")); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("syntax error not named by line: %v", err)
	}
	_, err := read(t, FormatCSV, "编号,标题\n1,x\n", `{"columns":{"external_id":"编号","title":"主题","created_at":"创建时间","status":"状态"}}`, 0)
	if err == nil || !strings.Contains(err.Error(), `columns.title names the column "主题"`) {
		t.Errorf("a column the header lacks: %v", err)
	}
	_, err = read(t, FormatCSV, "编号,标题,创建\n1,x,2026-12-07\n", `{"default_status":"closed","columns":{"external_id":"编号","title":"标题","created_at":"创建"},"category":{"from":"field","field":"分类"}}`, 0)
	if err == nil || !strings.Contains(err.Error(), "category.field") {
		t.Errorf("a category column the header lacks: %v", err)
	}
}
