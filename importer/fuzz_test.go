package importer

import (
	"context"
	"strings"
	"testing"
)

// fuzzRead reads anything and checks that the reader neither panics nor
// loops, and that whatever comes out keeps the record invariants.
func fuzzRead(t *testing.T, f Format, input, mapping string) {
	var opt Options
	if mapping != "" {
		m, err := LoadMapping(strings.NewReader(mapping))
		if err != nil {
			t.Fatal(err)
		}
		opt.Mapping = m
	}
	var recs []Record
	for rec, err := range Read(context.Background(), strings.NewReader(input), f, opt) {
		if err != nil {
			break
		}
		recs = append(recs, rec)
		if len(recs) > len(input)+10 {
			t.Fatalf("%d records from %d bytes", len(recs), len(input))
		}
	}
	checkRecords(t, recs, 0)
}

func FuzzZendesk(f *testing.F) {
	f.Add(file(f, "zendesk_incremental.json"))
	f.Add(file(f, "zendesk_tickets.jsonl"))
	f.Add(`{"ticket":{"id":1,"subject":"s","status":"open","created_at":"2026-11-01T00:00:00Z"},"comments":[{"body":"x"}]}`)
	f.Add("[\n{\"id\":1,\"subject\":\"\",\"description\":\"<p>x</p>\",\"status\":\"solved\",\"created_at\":\"2026-11-01\"}\n]")
	f.Add(`{"tickets":[1,"x",null,{}],"users":{},"comments":"x","metric_sets":[{"ticket_id":{}}]}`)
	f.Fuzz(func(t *testing.T, input string) { fuzzRead(t, FormatZendesk, input, "") })
}

func FuzzZammad(f *testing.F) {
	f.Add(file(f, "zammad_tickets.json"))
	f.Add(`{"tickets":[7],"assets":{"Ticket":{"7":{"id":7,"title":"x","state_id":2,"created_at":"2026-11-10T01:00:00Z"}},"TicketArticle":{"1":{"ticket_id":7,"body":"<b>x","content_type":"text/html"}}}}`)
	f.Add(`{"id":1,"title":"x","state":"closed","close_at":"2026-11-10T01:00:00Z","created_at":"2026-11-10T01:00:00Z","tags":"a,b","articles":[{"attachments":[{"id":1,"size":"x","data":"!!"}]}]}`)
	f.Fuzz(func(t *testing.T, input string) { fuzzRead(t, FormatZammad, input, "") })
}

func FuzzFreshdesk(f *testing.F) {
	f.Add(file(f, "freshdesk_tickets.csv"))
	f.Add(file(f, "freshdesk_tickets_zh.csv"))
	f.Add("Ticket ID,Subject,Status,Created time\n1,\"a\nb\",Open,2026-12-07\n2,\"x,Closed,\n")
	f.Fuzz(func(t *testing.T, input string) { fuzzRead(t, FormatFreshdesk, input, "") })
}

func FuzzGenericCSV(f *testing.F) {
	mapping := file(f, "generic_mapping.json")
	f.Add(file(f, "generic.csv"))
	f.Add("工单编号,标题,问题描述,客户姓名,客户邮箱,客户电话,受理客服,状态,优先级,渠道,标签,问题类型,订单号,创建时间,解决时间,客服回复\n1,,<p>x,,,,,已关闭,,,,,,2026年1月2日,,\n")
	f.Fuzz(func(t *testing.T, input string) { fuzzRead(t, FormatCSV, input, mapping) })
}

func FuzzGenericJSONL(f *testing.F) {
	mapping := file(f, "generic_jsonl_mapping.json")
	f.Add(file(f, "generic.jsonl"))
	f.Add(`{"ticket_no":1,"subject":null,"state":"closed","created":1796623380,"messages":[{"text":"x","role":1,"internal":"是"}],"customer":[]}`)
	f.Fuzz(func(t *testing.T, input string) { fuzzRead(t, FormatJSONL, input, mapping) })
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>一</p><br>二", "<script>x</script", "<a href='>'>", "<!-- x", "&amp;&#x4e00;&bogus;", "<pre>\n x</pre><li>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := htmlToText(s)
		if len(out) > 4*len(s)+16 {
			t.Fatalf("%d bytes of text from %d bytes of HTML", len(out), len(s))
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("more than one blank line: %q", out)
		}
	})
}

func FuzzLoadMapping(f *testing.F) {
	f.Add(file(f, "generic_mapping.json"))
	f.Add(file(f, "generic_jsonl_mapping.json"))
	f.Add(`{"statuses":{"x":"open"},"category":{"from":"tag","values":{"a":"b"}},"delimiter":"\t"}`)
	f.Fuzz(func(t *testing.T, input string) {
		m, err := LoadMapping(strings.NewReader(input))
		if err != nil {
			return
		}
		for _, format := range Formats() {
			for _, err := range Read(context.Background(), strings.NewReader("a,b\n1,2\n"), format, Options{Mapping: m}) {
				_ = err
			}
		}
	})
}
