package triage_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// TestValidateAutomation: each bad automation is EINVALID naming the
// field at fault, down to the condition or action and its part.
func TestValidateAutomation(t *testing.T) {
	good := func() *triage.Automation {
		return &triage.Automation{Name: "发票 → 支付结算组", Events: []triage.TriggerEvent{triage.OnTicketCreated},
			Conditions: []triage.Condition{{Field: "title", Op: triage.OpContains, Value: "发票"}},
			Actions:    []triage.Action{{Type: triage.ActSetTeam, Value: "tm-1"}}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(a *triage.Automation)
		field string // "" = valid
	}{
		{"good", func(*triage.Automation) {}, ""},
		{"no name", func(a *triage.Automation) { a.Name = " " }, "name"},
		{"no events", func(a *triage.Automation) { a.Events = nil }, "events"},
		{"unknown event", func(a *triage.Automation) { a.Events = append(a.Events, "ticket.deleted") }, "events[1]"},
		{"bad match", func(a *triage.Automation) { a.Match = "most" }, "match"},
		{"unknown kind", func(a *triage.Automation) { a.Kind = "cron" }, "kind"},
		{"trigger with age", func(a *triage.Automation) { a.Age = &triage.AutomationAge{After: "1d"} }, "age"},
		{"time rule without age", func(a *triage.Automation) { a.Kind, a.Events = triage.AutomationTime, nil }, "age"},
		{"time rule with events", func(a *triage.Automation) {
			a.Kind, a.Age = triage.AutomationTime, &triage.AutomationAge{After: "1d"}
		}, "events"},
		{"bad age", func(a *triage.Automation) {
			a.Kind, a.Events, a.Age = triage.AutomationTime, nil, &triage.AutomationAge{After: "3 weeks"}
		}, "age.after"},
		{"bad since", func(a *triage.Automation) {
			a.Kind, a.Events, a.Age = triage.AutomationTime, nil, &triage.AutomationAge{Since: "birth", After: "3d"}
		}, "age.since"},
		{"unknown field", func(a *triage.Automation) { a.Conditions[0].Field = "mood" }, "conditions[0].field"},
		{"op of another type", func(a *triage.Automation) { a.Conditions[0].Op = triage.OpGT }, "conditions[0].op"},
		{"contains nothing", func(a *triage.Automation) { a.Conditions[0].Value = "" }, "conditions[0].value"},
		{"unknown status", func(a *triage.Automation) {
			a.Conditions = append(a.Conditions, triage.Condition{Field: "status", Op: triage.OpIs, Value: "done"})
		}, "conditions[1].value"},
		{"in without values", func(a *triage.Automation) {
			a.Conditions = append(a.Conditions, triage.Condition{Field: "priority", Op: triage.OpIn})
		}, "conditions[1].values"},
		{"unknown priority in a list", func(a *triage.Automation) {
			a.Conditions = append(a.Conditions, triage.Condition{Field: "priority", Op: triage.OpIn, Values: []string{"P1", "P9"}})
		}, "conditions[1].values[1]"},
		{"confidence not a number", func(a *triage.Automation) {
			a.Conditions = append(a.Conditions, triage.Condition{Field: "confidence", Op: triage.OpLT, Value: "low"})
		}, "conditions[1].value"},
		{"custom field", func(a *triage.Automation) {
			a.Conditions = append(a.Conditions, triage.Condition{Field: "fields.order_no", Op: triage.OpPresent})
		}, ""},
		{"no actions", func(a *triage.Automation) { a.Actions = nil }, "actions"},
		{"unknown action", func(a *triage.Automation) { a.Actions[0].Type = "delete" }, "actions[0].type"},
		{"bad status", func(a *triage.Automation) { a.Actions[0] = triage.Action{Type: triage.ActSetStatus, Value: "gone"} }, "actions[0].value"},
		{"team without id", func(a *triage.Automation) { a.Actions[0].Value = "" }, "actions[0].value"},
		{"tags without tags", func(a *triage.Automation) { a.Actions[0] = triage.Action{Type: triage.ActAddTags} }, "actions[0].tags"},
		{"bad tag", func(a *triage.Automation) {
			a.Actions[0] = triage.Action{Type: triage.ActAddTags, Tags: []string{"a b"}}
		}, "actions[0].tags"},
		{"note with an unknown variable", func(a *triage.Automation) {
			a.Actions[0] = triage.Action{Type: triage.ActAddNote, Body: "{{ticket.nope}}"}
		}, "actions[0].body"},
		{"email to nobody", func(a *triage.Automation) {
			a.Actions[0] = triage.Action{Type: triage.ActEmail, Subject: "s", Body: "b"}
		}, "actions[0].to"},
		{"email to a bad address", func(a *triage.Automation) {
			a.Actions[0] = triage.Action{Type: triage.ActEmail, To: "wang at example", Subject: "s", Body: "b"}
		}, "actions[0].to"},
		{"email to the team lead", func(a *triage.Automation) {
			a.Actions[0] = triage.Action{Type: triage.ActEmail, To: triage.MailToTeamLead, Subject: "{{ticket.ref}}", Body: "b"}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := good()
			tc.edit(a)
			err := triage.ValidateAutomation(a)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid automation refused: %v", err)
				}
				return
			}
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tc.field {
				t.Fatalf("err = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}

// FuzzAutomationDecode: any JSON decoded as an automation is either
// valid or refused as EINVALID naming a field; it never panics, and a
// valid one stays valid when validated again.
func FuzzAutomationDecode(f *testing.F) {
	f.Add(`{"name":"发票","events":["ticket.created"],"conditions":[{"field":"title","op":"contains","value":"发票"}],"actions":[{"type":"set_team","value":"t"}]}`)
	f.Add(`{"name":"x","kind":"time","age":{"after":"3d"},"conditions":[{"field":"priority","op":"in","values":["P1"]}],"actions":[{"type":"email","to":"team_lead","subject":"s","body":"{{ticket.title}}"}]}`)
	f.Add(`{"name":"x","events":["sla.breached"],"match":"any","conditions":[{"field":"fields.","op":"is"}],"actions":[{"type":"add_tags","tags":["a",""]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var a triage.Automation
		if json.Unmarshal([]byte(s), &a) != nil {
			return
		}
		err := triage.ValidateAutomation(&a)
		if err == nil {
			if err := triage.ValidateAutomation(&a); err != nil {
				t.Fatalf("valid, then invalid: %v", err)
			}
			return
		}
		var e *triage.Error
		if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field == "" || strings.TrimSpace(e.Message) == "" {
			t.Fatalf("err = %v, want EINVALID naming a field", err)
		}
	})
}
