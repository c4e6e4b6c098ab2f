package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// A ticket carries the statuses its lifecycle allows next, so a client
// offers exactly the moves the service accepts.
func TestTicketNextStatuses(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/v1/tickets", triage.RoleAgent, `{"title":"退款没到","body":"一周了"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	var tk struct {
		ID           string
		Version      int
		Status       triage.Status
		NextStatuses []triage.Status `json:"next_statuses"`
	}
	r.json(t, &tk)
	for _, step := range []triage.Status{triage.StatusOpen, triage.StatusSolved, triage.StatusClosed} {
		if want := tk.Status.Next(); !slices.Equal(tk.NextStatuses, want) || tk.NextStatuses == nil {
			t.Errorf("a %s ticket has next_statuses %v, want %v", tk.Status, tk.NextStatuses, want)
		}
		r = e.do("PATCH", "/v1/tickets/"+tk.ID, triage.RoleAgent, `{"status":"`+string(step)+`"}`, ifMatch(tk.Version))
		if r.Code != 200 {
			t.Fatalf("→ %s: %d %s", step, r.Code, r.Body)
		}
		r.json(t, &tk)
	}
	if tk.Status != triage.StatusClosed || tk.NextStatuses == nil || len(tk.NextStatuses) != 0 {
		t.Errorf("a closed ticket: %+v; want next_statuses []", tk)
	}
	// Lists carry them too.
	r = e.do("GET", "/v1/tickets?status=closed", triage.RoleViewer, "")
	if !strings.Contains(string(r.Body), `"next_statuses":[]`) {
		t.Errorf("the list lacks next_statuses: %s", r.Body)
	}
}

// An article says where the workflow goes from its status, and which of
// those moves the caller may make: agents submit their own drafts,
// editors do the rest.
func TestArticleMoves(t *testing.T) {
	e := newEnv(t)
	a := e.article(triage.RoleAgent, "退款到账时间", "一般 1-3 个工作日。")
	view := func(role triage.Role) api.ArticleView {
		t.Helper()
		var v api.ArticleView
		r := e.do("GET", "/v1/articles/"+a.ID, role, "")
		if r.Code != 200 {
			t.Fatalf("%s reads: %d %s", role, r.Code, r.Body)
		}
		r.json(t, &v)
		return v
	}
	all := []triage.ArticleStatus{triage.ArticleInReview, triage.ArticlePublished, triage.ArticleArchived}
	for _, tt := range []struct {
		role  triage.Role
		moves []triage.ArticleStatus
	}{
		{triage.RoleAgent, []triage.ArticleStatus{triage.ArticleInReview}},
		{triage.RoleEditor, all},
		{triage.RoleAdmin, all},
		{triage.RoleViewer, []triage.ArticleStatus{}},
	} {
		v := view(tt.role)
		if !slices.Equal(v.NextStatuses, all) || !slices.Equal(v.Moves, tt.moves) || v.Moves == nil {
			t.Errorf("%s sees next %v moves %v, want %v and %v", tt.role, v.NextStatuses, v.Moves, all, tt.moves)
		}
	}
	// Every move offered is one the service accepts.
	if r := e.move(triage.RoleAgent, a, view(triage.RoleAgent).Moves[0]); r.Code != 200 {
		t.Fatalf("the agent's offered move: %d %s", r.Code, r.Body)
	}
	if v := view(triage.RoleAgent); len(v.Moves) != 0 || !slices.Equal(v.NextStatuses, triage.ArticleInReview.Next()) {
		t.Errorf("in review, the agent sees %+v", v)
	}
	var after api.ArticleView
	r := e.do("PATCH", "/v1/articles/"+a.ID, triage.RoleEditor, `{"status":"published"}`, ifMatch(a.Version))
	r.json(t, &after)
	if r.Code != 200 || !slices.Equal(after.Moves, []triage.ArticleStatus{triage.ArticleDraft, triage.ArticleArchived}) || after.HTML == "" {
		t.Errorf("the answer to a move: %d %+v", r.Code, after)
	}
}

// The preview renders Markdown with the server's one renderer: what an
// editor sees is what readers get, unsafe markup removed.
func TestArticlePreview(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, body string
		want, not  []string
	}{
		{"markdown", "## 折算规则\n旧机按**成色**评估。\n\n- 一\n- 二", []string{"<h2", "折算规则</h2>", "<strong>成色</strong>", "<li>一</li>"}, nil},
		{"script removed", "看这里<script>alert(1)</script>[链接](javascript:alert(1))", []string{"看这里"}, []string{"<script", "javascript:"}},
		{"empty", "", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]string{"body": tt.body})
			r := e.do("POST", "/v1/articles/preview", triage.RoleAgent, string(b))
			var p api.Preview
			r.json(t, &p)
			if r.Code != 200 {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.HTML, w) {
					t.Errorf("html %q lacks %q", p.HTML, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(p.HTML, n) {
					t.Errorf("html %q has %q", p.HTML, n)
				}
			}
		})
	}
	if r := e.do("POST", "/v1/articles/preview", triage.RoleViewer, `{"body":"x"}`); r.Code != http.StatusForbidden {
		t.Errorf("a viewer previewed: %d", r.Code)
	}
	if r := e.do("POST", "/v1/articles/preview", triage.RoleAgent, `{"body":1}`); r.Code != http.StatusBadRequest {
		t.Errorf("a number as body: %d %s", r.Code, r.Body)
	}
}

// The OpenAPI document declares each enum once, as a component, with the
// lifecycle of the status types, which the web UI reads instead of
// keeping a copy.
func TestOpenAPIEnums(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Type  string              `json:"type"`
				Enum  []string            `json:"enum"`
				XNext map[string][]string `json:"x-next"`
			}
		}
	}
	e.do("GET", "/openapi.json", "", "").json(t, &doc)
	s := doc.Components.Schemas
	if got := s["Priority"].Enum; !slices.Equal(got, []string{"P1", "P2", "P3", "P4"}) {
		t.Errorf("Priority enum %v", got)
	}
	for _, name := range []string{"Status", "Channel", "Role", "ArticleStatus"} {
		if len(s[name].Enum) == 0 || s[name].Type != "string" {
			t.Errorf("%s: %+v", name, s[name])
		}
	}
	for _, st := range triage.Statuses() {
		got := s["Status"].XNext[string(st)]
		if want := st.Next(); len(got) != len(want) {
			t.Errorf("x-next of %s = %v, want %v", st, got, want)
		}
	}
	if got := s["ArticleStatus"].XNext["archived"]; !slices.Equal(got, []string{"draft"}) {
		t.Errorf("x-next of an archived article = %v", got)
	}
}
