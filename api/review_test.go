package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/suggest"
)

// TestPublishedEditReview: with review required (the default), an editor's
// edit of a published article is a revision and the published text stays
// live; the editor cannot approve it, the admin can, and the versions show
// people's names.
func TestPublishedEditReview(t *testing.T) {
	e := newEnv(t)
	a := e.article(triage.RoleEditor, "花呗退款多久到账", "退款会退回花呗额度。")
	e.move(triage.RoleAdmin, a, triage.ArticlePublished) // another person publishes: review is on

	r := e.do("PATCH", "/v1/articles/"+a.ID, triage.RoleEditor, `{"body":"退款会原路退回花呗额度，一般1-3个工作日。","note":"补充时效"}`, ifMatch(a.Version))
	var view api.ArticleView
	r.json(t, &view)
	if r.Code != 200 || view.Revision == nil || view.Body != "退款会退回花呗额度。" || view.Version != a.Version || !view.ReviewRequired {
		t.Fatalf("edit of a published article: %d %s", r.Code, r.Body)
	}
	rev := view.Revision
	if rev.Status != triage.RevisionDraft || rev.AuthorName != "editor" || strings.HasPrefix(rev.AuthorName, "token") {
		t.Fatalf("revision = %+v", rev)
	}
	var got api.ArticleView
	e.do("GET", "/v1/articles/"+a.ID, triage.RoleViewer, "").json(t, &got)
	if got.Body != "退款会退回花呗额度。" || len(got.Revisions) != 1 || got.AuthorName != "editor" {
		t.Fatalf("the published article while its edit waits: body %q, revisions %d, author %q", got.Body, len(got.Revisions), got.AuthorName)
	}

	review := func(role triage.Role, body string) resp {
		t.Helper()
		return e.do("POST", "/v1/kb/revisions/"+rev.ID+"/review", role, body)
	}
	steps := []struct {
		name  string
		role  triage.Role
		body  string
		code  int
		field string
	}{
		{"the author submits", triage.RoleEditor, `{"action":"submit"}`, 200, ""},
		{"the author may not approve", triage.RoleEditor, `{"action":"approve"}`, 403, "override"},
		{"an agent may not approve", triage.RoleAgent, `{"action":"approve"}`, 403, ""},
		{"an unknown step", triage.RoleAdmin, `{"action":"publish"}`, 400, "action"},
		{"the admin approves", triage.RoleAdmin, `{"action":"approve","note":"核对过"}`, 200, ""},
		{"twice is a conflict", triage.RoleAdmin, `{"action":"approve"}`, 409, "action"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := review(st.role, st.body)
			if r.Code != st.code {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if st.field != "" && r.errorBody(t).Field != st.field {
				t.Fatalf("field %q: %s", r.errorBody(t).Field, r.Body)
			}
		})
	}
	e.do("GET", "/v1/articles/"+a.ID, triage.RoleViewer, "").json(t, &got)
	if got.Body != "退款会原路退回花呗额度，一般1-3个工作日。" || got.Version != a.Version+1 || got.Status != triage.ArticlePublished || len(got.Revisions) != 0 {
		t.Fatalf("after approval: %+v", got)
	}
	var versions struct{ Items []api.VersionView }
	e.do("GET", "/v1/articles/"+a.ID+"/versions", triage.RoleViewer, "").json(t, &versions)
	last := versions.Items[len(versions.Items)-1]
	if last.ActorName != "editor" || last.Why[0].Code != triage.ReasonArticleApproved {
		t.Fatalf("approved version: %+v", last)
	}
	for _, v := range versions.Items {
		if v.ActorName == "" || strings.Contains(v.ActorName, "token") {
			t.Errorf("version %d actor %q shows as %q", v.Version, v.Actor, v.ActorName)
		}
	}
	var list struct{ Items []api.RevisionView }
	e.do("GET", "/v1/kb/revisions?status=approved", triage.RoleEditor, "").json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ReviewerName != "first admin" || list.Items[0].ArticleTitle != a.Title {
		t.Fatalf("approved revisions: %+v", list.Items)
	}
	var one api.RevisionView
	if r := e.do("GET", "/v1/kb/revisions/"+rev.ID, triage.RoleEditor, ""); r.Code != 200 {
		t.Fatalf("revision: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &one)
	}
	if one.Diff == nil {
		t.Fatalf("revision without diff: %+v", one)
	}
	if r := e.do("GET", "/v1/kb/revisions?status=merged", triage.RoleEditor, ""); r.Code != 400 || r.errorBody(t).Field != "status" {
		t.Errorf("bad status: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/kb/revisions/nope", triage.RoleEditor, ""); r.Code != 404 {
		t.Errorf("missing revision: %d", r.Code)
	}
}

// TestKBGapGroups: similar tickets no article answers make a group with
// masked terms; a ticket whose suggestion was accepted leaves it, a lone
// ticket is no group, and an article published for them drops the group.
func TestKBGapGroups(t *testing.T) {
	e := newEnv(t)
	e.app.Suggest.MinRelevance = 0
	other := e.article(triage.RoleEditor, "发票怎么开", "在订单详情页点击申请开票，填写抬头和税号。")
	e.move(triage.RoleEditor, other, triage.ArticlePublished)
	bodies := []string{
		`{"title":"洗碗机漏水怎么办","body":"洗碗机底部一直漏水，订单号 2026112233445566，电话13812345678","requester":{"name":"王小明"}}`,
		`{"title":"洗碗机漏水","body":"新买的洗碗机漏水，地上全是水，订单号 2026119988776655"}`,
		`{"title":"洗碗机底部漏水","body":"洗碗机用了两次就漏水了"}`,
		`{"title":"会员积分怎么兑换","body":"积分商城在哪里"}`,
	}
	var ids []string
	for _, b := range bodies {
		ids = append(ids, e.ticket(b).ID)
	}
	e.index()
	sgs := map[string]triage.Suggestions{}
	for _, id := range ids {
		var sg triage.Suggestions
		e.do("GET", "/v1/tickets/"+id+"/suggestions", triage.RoleAgent, "").json(t, &sg)
		sgs[id] = sg
	}
	gaps := func() suggest.Gaps {
		t.Helper()
		var g suggest.Gaps
		r := e.do("GET", "/v1/kb/gaps", triage.RoleEditor, "")
		if r.Code != 200 {
			t.Fatalf("gaps: %d %s", r.Code, r.Body)
		}
		r.json(t, &g)
		return g
	}
	g := gaps()
	var group *suggest.TicketGroup
	for i, tg := range g.Unanswered {
		if tg.Size < suggest.MinGapGroup {
			t.Errorf("a group of %d: %+v", tg.Size, tg)
		}
		if slices.Contains(tg.Tickets, ids[0]) {
			group = &g.Unanswered[i]
		}
		if slices.Contains(tg.Tickets, ids[3]) {
			t.Errorf("a lone ticket makes a group: %+v", tg)
		}
	}
	if group == nil || group.Size != 3 || !slices.Contains(group.Terms, "漏水") {
		t.Fatalf("unanswered = %+v", g.Unanswered)
	}
	all := fmt.Sprint(group.Terms, group.Titles)
	for _, secret := range []string{"2026112233445566", "13812345678", "王小明", "2026119988776655"} {
		if strings.Contains(all, secret) {
			t.Errorf("the group shows %s: %s", secret, all)
		}
	}
	// An accepted suggestion answers its ticket.
	if r := e.do("POST", "/v1/suggestions/"+sgs[ids[2]].ID+"/feedback", triage.RoleAgent, `{"source_kind":"draft","action":"accepted"}`); r.Code != http.StatusCreated {
		t.Fatalf("feedback: %d %s", r.Code, r.Body)
	}
	g = gaps()
	for _, tg := range g.Unanswered {
		if slices.Contains(tg.Tickets, ids[2]) {
			t.Errorf("a ticket with an accepted suggestion is still a gap: %+v", tg)
		}
		if slices.Contains(tg.Tickets, ids[0]) && tg.Size != 2 {
			t.Errorf("group after the accept: %+v", tg)
		}
	}
	// An article that answers them drops the group.
	fix := e.article(triage.RoleEditor, "洗碗机漏水怎么办", "洗碗机漏水：检查底部进水管和排水管是否松动，洗碗机漏水请停止使用并联系售后上门。")
	e.move(triage.RoleAdmin, fix, triage.ArticlePublished) // another person publishes: review is on
	e.index()
	g = gaps()
	for _, tg := range g.Unanswered {
		if slices.Contains(tg.Tickets, ids[0]) {
			t.Errorf("a group the new article answers is still listed: %+v", tg)
		}
	}
}

// TestActorNames: every role reads the names of tokens' actors, never a
// secret or prefix.
func TestActorNames(t *testing.T) {
	e := newEnv(t)
	var list struct{ Items []api.ActorName }
	r := e.do("GET", "/v1/actors", triage.RoleViewer, "")
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	r.json(t, &list)
	names := map[string]bool{}
	for _, a := range list.Items {
		if !strings.HasPrefix(a.Actor, "token:") || a.Name == "" {
			t.Errorf("actor %+v", a)
		}
		names[a.Name] = true
	}
	// The agent's token shows as the agent.
	for _, want := range []string{"editor", "viewer", "李娜"} {
		if !names[want] {
			t.Errorf("no actor named %s in %+v", want, list.Items)
		}
	}
	if strings.Contains(string(r.Body), "prefix") || strings.Contains(string(r.Body), "trg_") {
		t.Errorf("the actor list shows token secrets: %s", r.Body)
	}
}
