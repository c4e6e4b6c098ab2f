package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/desk"
)

func TestMacrosAPI(t *testing.T) {
	e := newEnv(t)

	t.Run("unknown variable is a 400 naming body", func(t *testing.T) {
		r := e.do("POST", "/v1/macros", triage.RoleAdmin, `{"title":"错","body":"您好 {{customer.name}}"}`)
		if r.Code != http.StatusBadRequest {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		if d := r.errorBody(t); d.Field != "body" || !strings.Contains(d.Message, "customer.name") {
			t.Errorf("error = %+v; want field body naming the variable", d)
		}
	})
	t.Run("agents who lead no team may not write macros", func(t *testing.T) {
		if r := e.do("POST", "/v1/macros", triage.RoleAgent, `{"title":"x","body":"x"}`); r.Code != http.StatusForbidden {
			t.Errorf("%d %s", r.Code, r.Body)
		}
	})

	refund := e.mustCreate("POST", "/v1/macros", triage.RoleAdmin, `{"title":"退款到账说明","body":"{{requester.name}}您好，退款一般1-3个工作日原路到账，工单号 {{ticket.ref}}。",
		"actions":{"status":"pending","priority":"P2","add_tags":["退款说明"]}}`, &triage.Macro{}).(*triage.Macro)
	e.mustCreate("POST", "/v1/macros", triage.RoleAdmin, `{"title":"物流查询","body":"您的快递正在派送中，请耐心等待。"}`, &triage.Macro{})
	tk := e.ticket(`{"title":"退款一直没到账","body":"申请退款三天了还没到账","requester":{"name":"陈女士"}}`)

	var sugg api.List[triage.MacroSuggestion]
	if r := e.do("GET", "/v1/tickets/"+tk.ID+"/macros", triage.RoleAgent, ""); r.Code != 200 {
		t.Fatalf("suggestions: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &sugg)
	}
	wantText := "陈女士您好，退款一般1-3个工作日原路到账，工单号 " + triage.TicketRef(tk.ID) + "。"
	if len(sugg.Items) == 0 || sugg.Items[0].Macro.ID != refund.ID || sugg.Items[0].Text != wantText {
		t.Fatalf("suggestions = %+v; want the refund macro first, rendered", sugg.Items)
	}
	for _, s := range sugg.Items {
		if s.Macro.Title == "物流查询" {
			t.Errorf("an unrelated macro was suggested: %+v", s)
		}
	}

	// The agent edits the text, then sends it.
	r := e.do("POST", "/v1/tickets/"+tk.ID+"/macros/"+refund.ID+"/apply", triage.RoleAgent,
		`{"body":"`+wantText+`给您带来不便，非常抱歉。","version":1}`)
	if r.Code != 200 {
		t.Fatalf("apply: %d %s", r.Code, r.Body)
	}
	var applied triage.MacroApplied
	r.json(t, &applied)
	if !applied.Use.Edited || applied.Comment.AuthorID != e.agent.ID || !applied.Comment.Public {
		t.Errorf("applied = %+v %+v; want an edited public reply by the agent", applied.Use, applied.Comment)
	}
	got := e.getTicket(tk.ID)
	if got.Status != triage.StatusPending || got.Priority != triage.P2 || !strings.Contains(strings.Join(got.Tags, ","), "退款说明") {
		t.Errorf("ticket after apply: %s %s %v; want the macro's actions", got.Status, got.Priority, got.Tags)
	}
	var m triage.Macro
	e.do("GET", "/v1/macros/"+refund.ID, triage.RoleViewer, "").json(t, &m)
	if m.Uses != 1 || m.EditedUses != 1 {
		t.Errorf("counts = %d uses, %d edited; want 1, 1", m.Uses, m.EditedUses)
	}
	if r := e.do("POST", "/v1/tickets/"+tk.ID+"/macros/"+refund.ID+"/apply", triage.RoleViewer, `{}`); r.Code != http.StatusForbidden {
		t.Errorf("viewer apply: %d", r.Code)
	}

	t.Run("versions", func(t *testing.T) {
		r := e.do("PATCH", "/v1/macros/"+refund.ID, triage.RoleAdmin, `{"body":"{{requester.name}}您好，退款已原路退回。","note":"缩短"}`, ifMatch(1))
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		var vs api.List[triage.MacroVersion]
		e.do("GET", "/v1/macros/"+refund.ID+"/versions", triage.RoleAgent, "").json(t, &vs)
		if len(vs.Items) != 2 || vs.Items[1].Note != "缩短" {
			t.Errorf("versions = %+v", vs.Items)
		}
		if r := e.do("GET", "/v1/macros/"+refund.ID+"/versions/1", triage.RoleAgent, ""); r.Code != 200 || !strings.Contains(string(r.Body), "1-3个工作日") {
			t.Errorf("version 1: %d %s", r.Code, r.Body)
		}
		if r := e.do("PATCH", "/v1/macros/"+refund.ID, triage.RoleAdmin, `{"title":"x"}`, ifMatch(1)); r.Code != http.StatusPreconditionFailed {
			t.Errorf("stale PATCH: %d", r.Code)
		}
	})

	t.Run("export and import JSON Lines", func(t *testing.T) {
		r := e.do("GET", "/v1/macros/export", triage.RoleAdmin, "")
		lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
		if r.Code != 200 || len(lines) != 2 {
			t.Fatalf("export: %d, %d lines", r.Code, len(lines))
		}
		// Re-importing the export changes nothing; a new line is created.
		body := strings.Join(lines, "\n") + "\n" + `{"title":"催单安抚","body":"{{requester.name}}您好，已为您加急。"}` + "\n"
		r = e.do("POST", "/v1/macros/import", triage.RoleAdmin, body, "Content-Type: application/x-ndjson")
		var res desk.MacroImport
		if r.Code != 200 {
			t.Fatalf("import: %d %s", r.Code, r.Body)
		}
		r.json(t, &res)
		if res != (desk.MacroImport{Lines: 3, Created: 1, Unchanged: 2}) {
			t.Errorf("import = %+v; want 3 lines, 1 created, 2 unchanged", res)
		}
		r = e.do("POST", "/v1/macros/import", triage.RoleAdmin, `{"title":"a","body":"b"}`+"\n"+`{"title":"a","body":"{{x}}"}`, "Content-Type: application/x-ndjson")
		if r.Code != http.StatusBadRequest || r.errorBody(t).Field != "line 2: body" {
			t.Errorf("bad line: %d %s", r.Code, r.Body)
		}
		var all api.List[triage.Macro]
		e.do("GET", "/v1/macros", triage.RoleAdmin, "").json(t, &all)
		if len(all.Items) != 3 {
			t.Errorf("%d macros after a refused import, want 3 (nothing of it committed)", len(all.Items))
		}
	})
}
