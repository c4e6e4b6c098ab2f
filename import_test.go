package triage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

func importedTicket() triage.ImportedTicket {
	created := time.Date(2026, 11, 2, 9, 15, 0, 0, time.FixedZone("CST", 8*3600))
	return triage.ImportedTicket{
		Source: triage.SourceZendesk, ExternalID: " 1001 ", Title: "  申请退款\n重复扣款 ", Body: " 请退款 ",
		Requester: triage.Requester{Name: "王芳", Email: "wang.fang@example.com"},
		Status:    triage.StatusOpen, Priority: triage.P3, CreatedAt: created, UpdatedAt: created.Add(time.Hour),
		Tags: []string{"退款", "Refund", "refund"},
		Comments: []triage.ImportedComment{
			{Author: triage.AuthorAgent, Body: "好的", Public: true, CreatedAt: created.Add(time.Hour)},
			{Author: triage.AuthorRequester, Body: "请退款", Public: true, CreatedAt: created},
		},
	}
}

func TestImportedTicketClean(t *testing.T) {
	long := strings.Repeat("退", triage.MaxBodyBytes/3+10)
	for _, c := range []struct {
		name  string
		edit  func(*triage.ImportedTicket)
		skip  triage.ImportReasonCode // "" when the ticket is kept
		check func(*testing.T, *triage.ImportedTicket)
	}{
		{"kept and tidied", func(*triage.ImportedTicket) {}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if tk.ExternalID != "1001" || tk.Title != "申请退款 重复扣款" || tk.Body != "请退款" {
				t.Errorf("id %q title %q body %q", tk.ExternalID, tk.Title, tk.Body)
			}
			if strings.Join(tk.Tags, ",") != "退款,refund" {
				t.Errorf("tags %v", tk.Tags)
			}
			if tk.CreatedAt.Location() != time.UTC || !tk.CreatedAt.Equal(time.Date(2026, 11, 2, 1, 15, 0, 0, time.UTC)) {
				t.Errorf("created %v, want UTC", tk.CreatedAt)
			}
			if tk.Comments[0].Author != triage.AuthorRequester {
				t.Errorf("comments not in time order: %+v", tk.Comments)
			}
			if tk.Channel != triage.ChannelOther || len(tk.Notes) != 0 {
				t.Errorf("channel %q notes %v", tk.Channel, tk.Notes)
			}
		}},
		{"no id", func(tk *triage.ImportedTicket) { tk.ExternalID = " " }, triage.ImportMissingField, nil},
		{"id too long", func(tk *triage.ImportedTicket) { tk.ExternalID = strings.Repeat("9", 201) }, triage.ImportBadValue, nil},
		{"bad source", func(tk *triage.ImportedTicket) { tk.Source = "Zen Desk" }, triage.ImportBadValue, nil},
		{"unmapped status", func(tk *triage.ImportedTicket) { tk.Status = "hold" }, triage.ImportUnknownStatus, nil},
		{"unmapped priority", func(tk *triage.ImportedTicket) { tk.Priority = "urgent" }, triage.ImportUnknownPriority, nil},
		{"no creation time", func(tk *triage.ImportedTicket) { tk.CreatedAt = time.Time{} }, triage.ImportMissingField, nil},
		{"no title and no body", func(tk *triage.ImportedTicket) { tk.Title, tk.Body = "", " " }, triage.ImportMissingField, nil},
		{"title from body", func(tk *triage.ImportedTicket) {
			tk.Title, tk.Body = "", "第一行说的是退款的事情，而且这一行"+strings.Repeat("非常", 30)+"长\n第二行"
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if !strings.HasPrefix(tk.Title, "第一行说的是退款") || !strings.HasSuffix(tk.Title, "…") || tk.Notes[0].Code != triage.ImportTitleDerived {
				t.Errorf("title %q notes %v", tk.Title, tk.Notes)
			}
		}},
		{"body cut to the limit", func(tk *triage.ImportedTicket) { tk.Body = long }, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if len(tk.Body) > triage.MaxBodyBytes || !strings.HasPrefix(long, tk.Body) || tk.Notes[0].Code != triage.ImportTruncated {
				t.Errorf("body %d bytes, notes %v", len(tk.Body), tk.Notes)
			}
		}},
		{"bad people dropped", func(tk *triage.ImportedTicket) {
			tk.Requester.Email, tk.Requester.Phone, tk.AssigneeEmail = "not-an-address", "call me", "王 <a@b.c>"
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if tk.Requester.Email != "" || tk.Requester.Phone != "" || tk.AssigneeEmail != "" || len(tk.Notes) != 3 {
				t.Errorf("requester %+v assignee %q notes %v", tk.Requester, tk.AssigneeEmail, tk.Notes)
			}
		}},
		{"bad tags dropped, the rest kept", func(tk *triage.ImportedTicket) {
			tk.Tags = []string{"好", "has space", strings.Repeat("x", 51), "ok"}
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if strings.Join(tk.Tags, ",") != "好,ok" || len(tk.Notes) != 2 {
				t.Errorf("tags %v notes %v", tk.Tags, tk.Notes)
			}
		}},
		{"too many tags", func(tk *triage.ImportedTicket) {
			tk.Tags = nil
			for i := range 25 {
				tk.Tags = append(tk.Tags, "t"+strings.Repeat("x", i))
			}
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if len(tk.Tags) != triage.MaxTags || len(tk.Notes) != 5 {
				t.Errorf("%d tags, notes %v", len(tk.Tags), tk.Notes)
			}
		}},
		{"field names made keys", func(tk *triage.ImportedTicket) {
			tk.Fields = map[string]string{"Order number": " SO1 ", "订单 号": "SO2", "!!!": "x", "empty": " "}
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if len(tk.Fields) != 2 || tk.Fields["order_number"] != "SO1" || tk.Fields["订单_号"] != "SO2" || len(tk.Notes) != 1 {
				t.Errorf("fields %v notes %v", tk.Fields, tk.Notes)
			}
			if err := triage.ValidateFields(tk.Fields); err != nil {
				t.Error(err)
			}
		}},
		{"solved without a solve time", func(tk *triage.ImportedTicket) { tk.Status = triage.StatusSolved }, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if tk.SolvedAt == nil || !tk.SolvedAt.Equal(tk.UpdatedAt) || tk.ClosedAt != nil || tk.Notes[0].Args["field"] != "solved_at" {
				t.Errorf("solved %v closed %v notes %v", tk.SolvedAt, tk.ClosedAt, tk.Notes)
			}
		}},
		{"closed without times", func(tk *triage.ImportedTicket) { tk.Status = triage.StatusClosed }, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if tk.SolvedAt == nil || tk.ClosedAt == nil || len(tk.Notes) != 2 {
				t.Errorf("solved %v closed %v notes %v", tk.SolvedAt, tk.ClosedAt, tk.Notes)
			}
		}},
		{"updated before created", func(tk *triage.ImportedTicket) { tk.UpdatedAt = tk.CreatedAt.Add(-time.Hour) }, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if !tk.UpdatedAt.Equal(tk.CreatedAt) || tk.Notes[0].Code != triage.ImportEstimated {
				t.Errorf("updated %v notes %v", tk.UpdatedAt, tk.Notes)
			}
		}},
		{"empty comment dropped, attachment-only kept", func(tk *triage.ImportedTicket) {
			tk.Comments = append(tk.Comments,
				triage.ImportedComment{Body: "  ", CreatedAt: tk.CreatedAt},
				triage.ImportedComment{Attachments: []triage.ImportedAttachment{{Name: "a.png"}}, CreatedAt: tk.CreatedAt.Add(2 * time.Hour)})
		}, "", func(t *testing.T, tk *triage.ImportedTicket) {
			if len(tk.Comments) != 3 || tk.Comments[2].Author != triage.AuthorUnknown || len(tk.Notes) != 1 {
				t.Errorf("comments %+v notes %v", tk.Comments, tk.Notes)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := importedTicket()
			c.edit(&tk)
			skip := tk.Clean()
			switch {
			case c.skip == "" && skip != nil:
				t.Fatalf("skipped: %v", skip)
			case c.skip != "" && (skip == nil || skip.Code != c.skip):
				t.Fatalf("skip %v, want %s", skip, c.skip)
			case c.check != nil:
				c.check(t, &tk)
			}
		})
	}
}

func TestFieldKey(t *testing.T) {
	for in, want := range map[string]string{
		"Order number":          "order_number",
		"订单号":                   "订单号",
		"  Ticket--ID.2 ":       "ticket--id.2",
		"360000001":             "360000001",
		"a  b\tc":               "a_b_c",
		"!!!":                   "",
		strings.Repeat("长", 30): strings.Repeat("长", 21),
	} {
		if got := triage.FieldKey(in); got != want {
			t.Errorf("FieldKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValueMaps(t *testing.T) {
	m := triage.StatusMap{"Open": triage.StatusOpen, "hold": triage.StatusOpen}.Merge(triage.StatusMap{" HOLD ": triage.StatusPending})
	if s, ok := m.Lookup("open "); !ok || s != triage.StatusOpen {
		t.Errorf("Lookup(open) = %q %v", s, ok)
	}
	if s, _ := m.Lookup("Hold"); s != triage.StatusPending {
		t.Errorf("an override did not win: hold = %q", s)
	}
	if _, ok := m.Lookup("archived"); ok {
		t.Error("an absent value was found")
	}
	if err := (triage.StatusMap{"x": "done"}).Validate("statuses"); triage.ErrorCode(err) != triage.EINVALID || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("Validate = %v", err)
	}
	p := triage.PriorityMap{"紧急": triage.P1}.Merge(nil)
	if v, ok := p.Lookup("紧急"); !ok || v != triage.P1 {
		t.Errorf("Lookup(紧急) = %q %v", v, ok)
	}
	if err := (triage.PriorityMap{"x": "P5"}).Validate("priorities"); err == nil {
		t.Error("P5 accepted")
	}
}

func TestCategoryRule(t *testing.T) {
	fields := map[string]string{"问题类型": "退款问题", "order_number": "SO1"}
	for _, c := range []struct {
		name     string
		rule     triage.CategoryRule
		tags     []string
		want     string
		unmapped bool
		invalid  string // the field named when Validate fails
	}{
		{"none", triage.CategoryRule{}, nil, "", false, ""},
		{"field with values", triage.CategoryRule{From: "field", Field: "问题类型", Values: map[string]string{"退款问题": "退款"}}, nil, "退款", false, ""},
		{"field as is", triage.CategoryRule{From: "field", Field: "问题类型"}, nil, "退款问题", false, ""},
		{"field by its key", triage.CategoryRule{From: "field", Field: "Order Number"}, nil, "SO1", false, ""},
		{"unmapped value noted, default used", triage.CategoryRule{From: "field", Field: "问题类型", Values: map[string]string{"x": "y"}, Default: "其他"}, nil, "其他", true, ""},
		{"empty field takes the default", triage.CategoryRule{From: "field", Field: "渠道", Default: "其他"}, nil, "其他", false, ""},
		{"first mapped tag", triage.CategoryRule{From: "tag", Values: map[string]string{"Refund": "退款", "vip": "会员"}}, []string{"urgent", "refund", "vip"}, "退款", false, ""},
		{"no mapped tag", triage.CategoryRule{From: "tag", Values: map[string]string{"refund": "退款"}}, []string{"x"}, "", false, ""},
		{"field without a name", triage.CategoryRule{From: "field"}, nil, "", false, "category.field"},
		{"tag without values", triage.CategoryRule{From: "tag"}, nil, "", false, "category.values"},
		{"unknown from", triage.CategoryRule{From: "type"}, nil, "", false, "category.from"},
		{"values without from", triage.CategoryRule{Values: map[string]string{"a": "b"}}, nil, "", false, "category.from"},
		{"empty category", triage.CategoryRule{From: "tag", Values: map[string]string{"a": " "}}, nil, "", false, "category.values"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.rule.Validate("category")
			if c.invalid != "" {
				var e *triage.Error
				if err == nil || !asError(err, &e) || e.Field != c.invalid {
					t.Fatalf("Validate = %v, want an error on %s", err, c.invalid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, note := c.rule.Apply(fields, c.tags)
			if got != c.want || (note != nil) != c.unmapped {
				t.Fatalf("Apply = %q, %v; want %q, unmapped %v", got, note, c.want, c.unmapped)
			}
			if note != nil && (note.Code != triage.ImportCategoryUnmapped || note.Args["value"] != "退款问题") {
				t.Errorf("note %v", note)
			}
		})
	}
}

func TestImportReasonAndKey(t *testing.T) {
	r := triage.NewImportReason(triage.ImportUnknownStatus, "value", "hold", "line", "12")
	if r.String() != `unknown_status line="12" value="hold"` {
		t.Errorf("String = %s", r.String())
	}
	if triage.NewImportReason(triage.ImportDeleted).Args != nil {
		t.Error("a reason without args has a map")
	}
	k := triage.ImportKey{Source: triage.SourceZammad, ExternalID: "31"}
	if k.String() != "zammad:31" {
		t.Errorf("key %s", k)
	}
	for s, ok := range map[triage.ImportSource]bool{"zendesk": true, "udesk-2": true, "": false, "Zendesk": false, "a b": false, "客服": false} {
		if s.Valid() != ok {
			t.Errorf("%q.Valid() = %v", s, !ok)
		}
	}
}
