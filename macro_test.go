package triage_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestMacroBodyVariables(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
		bad  string // in the message when refused
	}{
		{"您好，{{requester.name}}，工单{{ ticket.ref }}。{{requester.name}}", []string{"requester.name", "ticket.ref"}, ""},
		{"没有变量", nil, ""},
		{"{{requester.nmae}}", nil, "requester.nmae"},
		{"{{}}", nil, "unknown variable {{}}"},
		{"{{ticket.id", nil, "not closed"},
		{"{{ticket.id}} }} {", []string{"ticket.id"}, ""},
	} {
		t.Run(tc.body, func(t *testing.T) {
			got, err := triage.MacroBodyVariables("body", tc.body)
			if tc.bad != "" {
				var e *triage.Error
				if !errorsAsTriage(err, &e) || e.Field != "body" || !strings.Contains(e.Message, tc.bad) {
					t.Fatalf("err = %v; want invalid body naming %q", err, tc.bad)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("= %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestRenderMacro(t *testing.T) {
	got := triage.RenderMacro("{{requester.name}}您好，{{ ticket.ref }}{{agent.name}}", map[string]string{"requester.name": "陈女士", "ticket.ref": "A1"})
	if got != "陈女士您好，A1" {
		t.Errorf("RenderMacro = %q", got)
	}
}

func TestValidateMacroScope(t *testing.T) {
	for _, tc := range []struct {
		name  string
		m     triage.Macro
		field string
	}{
		{"default everyone", triage.Macro{Title: "a", Body: "b"}, ""},
		{"everyone with a team", triage.Macro{Title: "a", Body: "b", TeamID: "t"}, "scope"},
		{"agent without agent", triage.Macro{Title: "a", Body: "b", Scope: triage.MacroAgent}, "agent_id"},
		{"unknown scope", triage.Macro{Title: "a", Body: "b", Scope: "all"}, "scope"},
		{"bad priority", triage.Macro{Title: "a", Body: "b", Actions: triage.MacroActions{Priority: "P9"}}, "actions.priority"},
		{"bad tag", triage.Macro{Title: "a", Body: "b", Actions: triage.MacroActions{AddTags: []string{" "}}}, "actions.add_tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := triage.ValidateMacro(&tc.m)
			var e *triage.Error
			switch {
			case tc.field == "" && err != nil:
				t.Fatal(err)
			case tc.field == "" && tc.m.Scope != triage.MacroEveryone:
				t.Errorf("scope = %q, want everyone", tc.m.Scope)
			case tc.field != "" && (!errorsAsTriage(err, &e) || e.Field != tc.field):
				t.Errorf("err = %v; want invalid %s", err, tc.field)
			}
		})
	}
}

func errorsAsTriage(err error, target **triage.Error) bool { return errors.As(err, target) }

// FuzzMacroBody: any body either is refused naming the body, or renders
// without a variable left in it.
func FuzzMacroBody(f *testing.F) {
	for _, s := range []string{"{{requester.name}}您好", "{{", "}}{{ticket.id}}", "{{{ticket.id}}}", "{{ a }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		vars, err := triage.MacroBodyVariables("body", body)
		if err != nil {
			if triage.ErrorCode(err) != triage.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			return
		}
		values := map[string]string{}
		for _, v := range vars {
			values[v] = "x"
		}
		if out := triage.RenderMacro(body, values); strings.Contains(out, "{{") {
			t.Fatalf("RenderMacro(%q) = %q left a variable", body, out)
		}
	})
}
