package importer

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// read reads an export given as text with the mapping given as JSON ("" for
// none) and returns its records and the error the sequence ended with.
func read(t testing.TB, f Format, input, mapping string, startAt int) ([]Record, error) {
	t.Helper()
	var opt Options
	if mapping != "" {
		m, err := LoadMapping(strings.NewReader(mapping))
		if err != nil {
			t.Fatalf("LoadMapping: %v", err)
		}
		opt.Mapping = m
	}
	opt.StartAt = startAt
	var recs []Record
	for rec, err := range Read(context.Background(), strings.NewReader(input), f, opt) {
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// readOK reads and fails the test on an error.
func readOK(t testing.TB, f Format, input, mapping string) []Record {
	t.Helper()
	recs, err := read(t, f, input, mapping, 0)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return recs
}

func file(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// byID returns the ticket with the given external id, failing when absent.
func byID(t testing.TB, recs []Record, id string) *triage.ImportedTicket {
	t.Helper()
	for _, r := range recs {
		if r.Ticket != nil && r.Ticket.ExternalID == id {
			return r.Ticket
		}
	}
	t.Fatalf("no ticket %s among %d records", id, len(recs))
	return nil
}

// skipAt returns the skip reason of the record at line, failing when that
// record is not a skip.
func skipAt(t testing.TB, recs []Record, line int) triage.ImportReason {
	t.Helper()
	for _, r := range recs {
		if r.Pos.Line == line {
			if r.Skip == nil {
				t.Fatalf("the record at line %d was imported, want a skip", line)
			}
			return *r.Skip
		}
	}
	t.Fatalf("no record at line %d", line)
	return triage.ImportReason{}
}

func hasNote(tk *triage.ImportedTicket, code triage.ImportReasonCode, kv ...string) bool {
	return slices.ContainsFunc(tk.Notes, func(n triage.ImportReason) bool {
		if n.Code != code {
			return false
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if n.Args[kv[i]] != kv[i+1] {
				return false
			}
		}
		return true
	})
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// checkRecords holds for every read: records numbered 0, 1, 2 … without a
// gap, exactly one of Ticket and Skip, and every ticket within triage's
// rules.
func checkRecords(t testing.TB, recs []Record, first int) {
	t.Helper()
	for i, r := range recs {
		if r.Pos.Record != first+i {
			t.Fatalf("record %d has index %d, want %d", i, r.Pos.Record, first+i)
		}
		if (r.Ticket == nil) == (r.Skip == nil) {
			t.Fatalf("record %d: ticket %v, skip %v; want exactly one", i, r.Ticket != nil, r.Skip != nil)
		}
		if r.Skip != nil {
			if r.Skip.Code == "" {
				t.Fatalf("record %d: a skip without a code", i)
			}
			continue
		}
		tk := r.Ticket
		if !tk.Status.Valid() || !tk.Priority.Valid() || !tk.Channel.Valid() || !tk.Source.Valid() {
			t.Fatalf("record %d: status %q priority %q channel %q source %q", i, tk.Status, tk.Priority, tk.Channel, tk.Source)
		}
		if tk.ExternalID == "" || strings.TrimSpace(tk.Title) == "" || tk.CreatedAt.IsZero() || tk.UpdatedAt.Before(tk.CreatedAt) {
			t.Fatalf("record %d: id %q title %q created %v updated %v", i, tk.ExternalID, tk.Title, tk.CreatedAt, tk.UpdatedAt)
		}
		if err := triage.ValidateText(tk.Title, tk.Body); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if _, err := triage.CleanTags("tags", tk.Tags); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if err := triage.ValidateFields(tk.Fields); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		req := tk.Requester
		if err := req.Validate(); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if (tk.Status == triage.StatusSolved || tk.Status == triage.StatusClosed) && tk.SolvedAt == nil {
			t.Fatalf("record %d: %s without solved_at", i, tk.Status)
		}
		for j, c := range tk.Comments {
			if c.Body == "" && len(c.Attachments) == 0 || len(c.Body) > triage.MaxCommentSize || c.Author == "" || c.CreatedAt.IsZero() {
				t.Fatalf("record %d comment %d: %+v", i, j, c)
			}
			if j > 0 && c.CreatedAt.Before(tk.Comments[j-1].CreatedAt) {
				t.Fatalf("record %d: comments out of order", i)
			}
		}
	}
}

func TestResumeAt(t *testing.T) {
	for _, c := range []struct {
		name   string
		f      Format
		file   string
		starts []int
	}{
		{"zendesk page", FormatZendesk, "zendesk_incremental.json", []int{0, 1, 5, 6, 7, 100}},
		{"zendesk lines", FormatZendesk, "zendesk_tickets.jsonl", []int{2, 3}},
		{"freshdesk", FormatFreshdesk, "freshdesk_tickets.csv", []int{4, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			all := readOK(t, c.f, file(t, c.file), "")
			for _, start := range c.starts {
				recs, err := read(t, c.f, file(t, c.file), "", start)
				if err != nil {
					t.Fatal(err)
				}
				want := all[min(start, len(all)):]
				if len(recs) != len(want) {
					t.Fatalf("start %d: %d records, want %d", start, len(recs), len(want))
				}
				for i := range recs {
					if recs[i].Pos != want[i].Pos || (recs[i].Ticket == nil) != (want[i].Ticket == nil) {
						t.Fatalf("start %d record %d: %+v, want %+v", start, i, recs[i].Pos, want[i].Pos)
					}
				}
				checkRecords(t, recs, min(start, len(all)))
			}
		})
	}
}

func TestCallerStopsAndContext(t *testing.T) {
	input := file(t, "zendesk_incremental.json")
	n := 0
	for _, err := range Read(context.Background(), strings.NewReader(input), FormatZendesk, Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break // the reader must stop without panicking
		}
	}
	if n != 2 {
		t.Fatalf("read %d records before stopping", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got error
	for rec, err := range Read(ctx, strings.NewReader(input), FormatZendesk, Options{}) {
		if err != nil {
			got = err
			continue
		}
		t.Fatalf("a record after cancel: %+v", rec.Pos)
	}
	if got != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", got)
	}
}

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"paragraphs", "<p>您好：</p><p>退款已到账。</p>", "您好：\n退款已到账。"},
		{"br and entities", "第一行<br>第二行&nbsp;&amp;&lt;三&gt;<br/>", "第一行\n第二行 &<三>"},
		{"list", "<ul><li>流水号：RF1</li><li>请查收</li></ul>", "- 流水号：RF1\n- 请查收"},
		{"script and style dropped", "<style>p{color:red}</style><script>alert('x<y')</script><p>正文</p>", "正文"},
		{"comments dropped", "前<!-- 隐藏 -->后", "前后"},
		{"whitespace folded", "<div>  多个   空格\n\n 换行 </div>", "多个 空格 换行"},
		{"attributes with >", `<a href="x?a>b" title='c>d'>链接</a>`, "链接"},
		{"bare less-than", "价格 < 100 元", "价格 < 100 元"},
		{"unclosed tag", "正文<p class=", "正文"},
		{"pre keeps line breaks", "<pre>a\n  b</pre>", "a\nb"},
		{"line breaks fold outside pre", "<p>a\n  b</p>", "a b"},
		{"table cells", "<table><tr><td>订单</td><td>SO1</td></tr></table>", "订单 SO1"},
		{"blank lines collapsed", "<p>一</p><p></p><p></p><p>二</p>", "一\n二"},
		{"upper-case tags", "<P>一</P><BR><DIV>二</DIV>", "一\n\n二"},
		{"doctype", "<!DOCTYPE html><html><head><title>T</title></head><body>内容</body></html>", "内容"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := htmlToText(c.in); got != c.want {
				t.Errorf("htmlToText(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no tzdata for Asia/Tokyo on this machine")
	}
	for _, c := range []struct {
		name, in string
		loc      *time.Location
		formats  []string
		want     string // RFC 3339 in UTC; "" for the zero time; "error"
	}{
		{"ISO with Z", "2026-12-07T06:03:00Z", nil, nil, "2026-12-07T06:03:00Z"},
		{"ISO with fraction", "2021-11-03T11:51:13.759Z", nil, nil, "2021-11-03T11:51:13.759Z"},
		{"ISO with offset", "2026-12-07T14:03:00+08:00", nil, nil, "2026-12-07T06:03:00Z"},
		{"Chinese local time is Shanghai", "2026-12-07 14:03:00", nil, nil, "2026-12-07T06:03:00Z"},
		{"minutes only", "2026-12-07 14:03", nil, nil, "2026-12-07T06:03:00Z"},
		{"slashes", "2026/12/7 14:03", nil, nil, "2026-12-07T06:03:00Z"},
		{"年月日", "2026年12月7日 14:03", nil, nil, "2026-12-07T06:03:00Z"},
		{"date only is midnight local", "2026-12-07", nil, nil, "2026-12-06T16:00:00Z"},
		{"other zone", "2026-12-07 14:03:00", tokyo, nil, "2026-12-07T05:03:00Z"},
		{"own format first", "07.12.2026 14:03", nil, []string{"02.01.2006 15:04"}, "2026-12-07T06:03:00Z"},
		{"unix seconds", "1796623380", nil, nil, "2026-12-07T06:03:00Z"},
		{"empty is zero", "  ", nil, nil, ""},
		{"month 13", "2026-13-01 10:00:00", nil, nil, "error"},
		{"an order number is no time", "20261207001", nil, nil, "error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := &config{loc: shanghai(), timeFormats: append(c.formats, defaultTimeFormats()...)}
			if c.loc != nil {
				cfg.loc = c.loc
			}
			got, err := cfg.parseTime(c.in)
			switch {
			case c.want == "error":
				if err == nil {
					t.Fatalf("parseTime(%q) = %v, want an error", c.in, got)
				}
			case err != nil:
				t.Fatalf("parseTime(%q): %v", c.in, err)
			case c.want == "" && !got.IsZero():
				t.Fatalf("parseTime(%q) = %v, want the zero time", c.in, got)
			case c.want != "" && !got.Equal(utc(c.want)):
				t.Fatalf("parseTime(%q) = %v, want %s", c.in, got, c.want)
			}
		})
	}
}
