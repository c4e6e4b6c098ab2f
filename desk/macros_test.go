package desk_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

func asAdmin(ctx context.Context) context.Context {
	return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "adm", Role: triage.RoleAdmin})
}

// macroEnv has agents a1 (lead of team 售后) and a2 (a member), and a3 in
// no team.
func macroEnv(t *testing.T) (*env, *triage.Team) {
	e := newEnv(t)
	ctx := asAdmin(t.Context())
	for _, a := range []struct{ id, name string }{{"a1", "王芳"}, {"a2", "李雷"}, {"a3", "赵六"}} {
		if err := e.store.Update(ctx, func(tx triage.Tx) error {
			return tx.CreateAgent(ctx, &triage.Agent{ID: a.id, Name: a.name, Capacity: 10, CreatedAt: time.Now(), UpdatedAt: time.Now()})
		}); err != nil {
			t.Fatal(err)
		}
	}
	team, err := e.desk.CreateTeam(ctx, triage.NewTeam{Name: "售后", Members: []string{"a1", "a2"}, LeadID: "a1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e, team
}

func TestMacroCreateRules(t *testing.T) {
	e, team := macroEnv(t)
	admin := asAdmin(t.Context())
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		in    triage.NewMacro
		code  string
		field string
	}{
		{"admin, everyone", admin, triage.NewMacro{Title: "问候", Body: "您好，{{requester.name}}"}, "", ""},
		{"unknown variable", admin, triage.NewMacro{Title: "x", Body: "您好 {{customer.name}}"}, triage.EINVALID, "body"},
		{"unclosed variable", admin, triage.NewMacro{Title: "x", Body: "您好 {{requester.name"}, triage.EINVALID, "body"},
		{"no title", admin, triage.NewMacro{Body: "x"}, triage.EINVALID, "title"},
		{"bad status action", admin, triage.NewMacro{Title: "x", Body: "x", Actions: triage.MacroActions{Status: "done"}}, triage.EINVALID, "actions.status"},
		{"unknown assignee", admin, triage.NewMacro{Title: "x", Body: "x", Actions: triage.MacroActions{AssigneeID: "nobody"}}, triage.EINVALID, "actions.assignee_id"},
		{"team scope without team", admin, triage.NewMacro{Title: "x", Body: "x", Scope: triage.MacroTeam}, triage.EINVALID, "team_id"},
		{"unknown team", admin, triage.NewMacro{Title: "x", Body: "x", Scope: triage.MacroTeam, TeamID: "t-0"}, triage.EINVALID, "team_id"},
		{"lead, own team", as(t.Context(), "a1"), triage.NewMacro{Title: "售后", Body: "x", Scope: triage.MacroTeam, TeamID: team.ID}, "", ""},
		{"lead, everyone", as(t.Context(), "a1"), triage.NewMacro{Title: "x", Body: "x", Scope: triage.MacroEveryone}, triage.EFORBIDDEN, "team_id"},
		{"lead, no scope: their team", as(t.Context(), "a1"), triage.NewMacro{Title: "默认", Body: "x"}, "", ""},
		{"member", as(t.Context(), "a2"), triage.NewMacro{Title: "x", Body: "x", Scope: triage.MacroTeam, TeamID: team.ID}, triage.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := e.desk.CreateMacro(tc.ctx, tc.in, nil)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				vs, err := e.desk.MacroVersions(tc.ctx, m.ID)
				if err != nil || len(vs) != 1 || vs[0].Body != tc.in.Body {
					t.Fatalf("versions = %v, %v; want the one created", vs, err)
				}
				return
			}
			var te *triage.Error
			if !errorsAs(err, &te) || te.Code != tc.code || (tc.field != "" && te.Field != tc.field) {
				t.Fatalf("err = %v; want %s on %q", err, tc.code, tc.field)
			}
		})
	}
}

func TestMacroVisibilityAndVersions(t *testing.T) {
	e, team := macroEnv(t)
	admin := asAdmin(t.Context())
	mk := func(in triage.NewMacro) *triage.Macro {
		m, err := e.desk.CreateMacro(admin, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	all := mk(triage.NewMacro{Title: "全员", Body: "x"})
	tm := mk(triage.NewMacro{Title: "团队", Body: "x", Scope: triage.MacroTeam, TeamID: team.ID})
	own := mk(triage.NewMacro{Title: "个人", Body: "x", Scope: triage.MacroAgent, AgentID: "a3"})
	titles := func(ctx context.Context) []string {
		ms, err := e.desk.Macros(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Title)
		}
		slices.Sort(out)
		return out
	}
	for agent, want := range map[string][]string{"a2": {"全员", "团队"}, "a3": {"个人", "全员"}} {
		if got := titles(as(t.Context(), agent)); !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v", agent, got, want)
		}
	}
	if _, err := e.desk.Macro(as(t.Context(), "a3"), tm.ID); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("a3 reads a team macro: %v, want not_found", err)
	}
	_ = own

	// Every save is a version; archiving hides the macro from agents.
	up, err := e.desk.UpdateMacro(admin, all.ID, all.Version, triage.MacroUpdate{Body: triage.Some("新的 {{ticket.ref}}"), Note: "加单号"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.UpdateMacro(admin, all.ID, all.Version, triage.MacroUpdate{Title: triage.Some("y")}); !triage.IsCode(err, triage.ESTALE) {
		t.Errorf("update at an old version: %v, want precondition_failed", err)
	}
	if _, err := e.desk.UpdateMacro(admin, all.ID, 0, triage.MacroUpdate{Body: triage.Some("{{agent.nam}}")}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("update with an unknown variable: %v, want invalid", err)
	}
	if _, err := e.desk.UpdateMacro(admin, all.ID, up.Version, triage.MacroUpdate{Archived: triage.Some(true)}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.desk.MacroVersions(admin, all.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[1].Note != "加单号" || vs[1].Body != "新的 {{ticket.ref}}" || !vs[2].Archived {
		t.Errorf("versions = %+v; want create, edit with its note, archive", vs)
	}
	if got := titles(as(t.Context(), "a2")); !slices.Equal(got, []string{"团队"}) {
		t.Errorf("a2 sees %v after archiving, want [团队]", got)
	}
	// A lead edits their team's macro, but cannot move it to everyone.
	if _, err := e.desk.UpdateMacro(as(t.Context(), "a1"), tm.ID, 0, triage.MacroUpdate{Body: triage.Some("改")}); err != nil {
		t.Errorf("lead edits the team's macro: %v", err)
	}
	if _, err := e.desk.UpdateMacro(as(t.Context(), "a1"), tm.ID, 0, triage.MacroUpdate{Scope: triage.Some(triage.MacroEveryone), TeamID: triage.Some("")}); !triage.IsCode(err, triage.EFORBIDDEN) {
		t.Errorf("lead widens a macro to everyone: %v, want forbidden", err)
	}
	if err := e.desk.DeleteMacro(as(t.Context(), "a2"), tm.ID, 0); !triage.IsCode(err, triage.EFORBIDDEN) {
		t.Errorf("member deletes: %v, want forbidden", err)
	}
}

func TestApplyMacro(t *testing.T) {
	e, team := macroEnv(t)
	admin := asAdmin(t.Context())
	m, err := e.desk.CreateMacro(admin, triage.NewMacro{
		Title: "退款处理中", Body: "{{requester.name}}您好，工单 {{ticket.ref}} 的退款正在处理，{{agent.name}}会跟进。",
		Actions: triage.MacroActions{Status: triage.StatusPending, Priority: triage.P2, AddTags: []string{"refund"}, TeamID: team.ID},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tk := e.ticket("退款什么时候到账", "申请退款三天了还没到账", "13800000000")
	ctx := as(t.Context(), "a2")

	sugg, err := e.desk.RenderMacroFor(ctx, tk.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "陈女士您好，工单 " + triage.TicketRef(tk.ID) + " 的退款正在处理，李雷会跟进。"
	if sugg.Text != want {
		t.Fatalf("rendered %q, want %q", sugg.Text, want)
	}
	got, err := e.desk.ApplyMacro(ctx, tk.ID, m.ID, triage.MacroApply{Version: m.Version}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Comment.Body != want || !got.Comment.Public || got.Comment.AuthorID != "a2" {
		t.Errorf("comment = %+v; want the rendered public reply by a2", got.Comment)
	}
	tt := got.Ticket
	if tt.Status != triage.StatusPending || tt.Priority != triage.P2 || !slices.Contains(tt.Tags, "refund") || tt.TeamID != team.ID || tt.FirstResponseAt == nil {
		t.Errorf("ticket = %s %s %v %q first response %v; want the macro's actions and a first response", tt.Status, tt.Priority, tt.Tags, tt.TeamID, tt.FirstResponseAt)
	}
	if got.Use.Edited {
		t.Error("an unchanged reply counted as edited")
	}
	hist, err := e.desk.History(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(hist, func(h *triage.HistoryEntry) bool {
		return h.Field == "priority" && strings.Contains(h.Note, "退款处理中")
	}) {
		t.Error("the history does not name the macro beside its change")
	}

	// Edited before sending: counted.
	tk2 := e.ticket("退款没到", "退款", "")
	if _, err := e.desk.ApplyMacro(ctx, tk2.ID, m.ID, triage.MacroApply{Body: want + "\n抱歉久等。"}, nil); err != nil {
		t.Fatal(err)
	}
	after, err := e.desk.Macro(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Uses != 2 || after.EditedUses != 1 {
		t.Errorf("uses, edited = %d, %d; want 2, 1", after.Uses, after.EditedUses)
	}
	// A macro changed since the agent inserted it is refused.
	if _, err := e.desk.UpdateMacro(admin, m.ID, 0, triage.MacroUpdate{Body: triage.Some("新")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.ApplyMacro(ctx, tk2.ID, m.ID, triage.MacroApply{Version: m.Version}, nil); !triage.IsCode(err, triage.ESTALE) {
		t.Errorf("apply of an old version: %v, want precondition_failed", err)
	}
	// Nothing is half done: a failing action leaves no reply.
	bad, err := e.desk.CreateMacro(admin, triage.NewMacro{Title: "关闭", Body: "好的", Actions: triage.MacroActions{Status: triage.StatusNew}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := e.desk.Comments(ctx, tk2.ID)
	if _, err := e.desk.ApplyMacro(ctx, tk2.ID, bad.ID, triage.MacroApply{}, nil); err == nil {
		t.Fatal("a move back to new was allowed")
	}
	if cs, _ := e.desk.Comments(ctx, tk2.ID); len(cs) != len(before) {
		t.Errorf("a failed apply left a reply: %d comments, had %d", len(cs), len(before))
	}
}

func TestMacroTerms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"退款到账", "到账 款到 退款"},
		{"退", "退"},
		{"checkout一直报error 404", "404 checkout error 一直 直报"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := strings.Join(desk.MacroTerms(tc.in), " "); got != tc.want {
				t.Errorf("MacroTerms(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if s := desk.TermSimilarity([]string{"a", "b"}, []string{"b", "c"}); s != 0.5 {
		t.Errorf("similarity = %v, want 0.5", s)
	}
}

func TestRankMacros(t *testing.T) {
	refund := &triage.Macro{ID: "m1", Title: "退款进度", Body: "您的退款已提交，预计三个工作日到账"}
	ship := &triage.Macro{ID: "m2", Title: "物流查询", Body: "您的快递正在派送"}
	greet := &triage.Macro{ID: "m3", Title: "问候", Body: "您好"}
	terms := func(m *triage.Macro) []string { return desk.MacroTerms(m.Title + m.Body) }
	ticket := desk.MacroTerms("退款什么时候到账")
	macros := []*triage.Macro{greet, ship, refund}

	t.Run("lexical", func(t *testing.T) {
		got := desk.RankMacros("t0", ticket, macros, terms, nil)
		if len(got) != 1 || got[0].Macro.ID != "m1" || got[0].Usage != 0 {
			t.Fatalf("ranked %v; want only the refund macro, without usage", ids(got))
		}
	})
	t.Run("usage on similar tickets lifts a macro", func(t *testing.T) {
		uses := []*triage.MacroUse{
			{MacroID: "m2", TicketID: "t1", Terms: desk.MacroTerms("退款到账了吗")},
			{MacroID: "m2", TicketID: "t2", Terms: desk.MacroTerms("退款什么时候到账啊")},
			{MacroID: "m3", TicketID: "t3", Terms: desk.MacroTerms("发票怎么开")}, // not similar
			{MacroID: "m3", TicketID: "t0", Terms: ticket},                   // this ticket: ignored
		}
		got := desk.RankMacros("t0", ticket, macros, terms, uses)
		// m2 shares no words with the ticket but was sent twice on
		// tickets like it: that lifts it above m1's weak lexical match.
		if len(got) != 2 || got[0].Macro.ID != "m2" || got[0].SimilarUses != 2 || got[0].Lexical != 0 || got[1].Macro.ID != "m1" {
			t.Fatalf("ranked %v; want m2 on its two similar uses, then m1", ids(got))
		}
		if got[0].Score > desk.UsageWeight || got[1].Usage != 0 {
			t.Errorf("scores %+v, %+v: usage may add at most %v", got[0], got[1], desk.UsageWeight)
		}
		// Relevance is the score on 0…1, the 相关度 an agent reads.
		for _, g := range got {
			if want := g.Score / (1 + desk.UsageWeight); g.Relevance <= 0 || g.Relevance > 1 || math.Abs(g.Relevance-want) > 1e-4 {
				t.Errorf("%s: relevance %v for score %v, want %v", g.Macro.ID, g.Relevance, g.Score, want)
			}
		}
	})
}

func ids(ss []*triage.MacroSuggestion) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Macro.ID)
	}
	return out
}
