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

func (e *env) article(role triage.Role, title, body string) *triage.Article {
	e.t.Helper()
	return e.mustCreate("POST", "/v1/articles", role, fmt.Sprintf(`{"title":%q,"body":%q,"category":"支付与退款"}`, title, body), &triage.Article{}).(*triage.Article)
}

func (e *env) move(role triage.Role, a *triage.Article, status triage.ArticleStatus) resp {
	e.t.Helper()
	r := e.do("PATCH", "/v1/articles/"+a.ID, role, `{"status":"`+string(status)+`"}`, ifMatch(a.Version))
	if r.Code == 200 {
		var v api.ArticleView
		r.json(e.t, &v)
		*a = *v.Article
	}
	return r
}

func TestArticleReviewWorkflow(t *testing.T) {
	e := newEnv(t)
	// Edits in place (--kb-review=false); TestPublishedEditReview walks
	// an edit of a published article through review.
	e.app.KB.RequireReview = false
	draft := e.article(triage.RoleAgent, "花呗退款多久到账", "退款会退回花呗额度。")
	if draft.Status != triage.ArticleDraft {
		t.Fatalf("new article is %s", draft.Status)
	}
	if r := e.move(triage.RoleAgent, draft, triage.ArticlePublished); r.Code != http.StatusForbidden {
		t.Fatalf("an agent published: %d %s", r.Code, r.Body)
	}
	if r := e.move(triage.RoleAgent, draft, triage.ArticleInReview); r.Code != 200 {
		t.Fatalf("an agent could not submit its draft: %d %s", r.Code, r.Body)
	}
	if r := e.do("PATCH", "/v1/articles/"+draft.ID, triage.RoleAgent, `{"body":"改了"}`, ifMatch(draft.Version)); r.Code != http.StatusForbidden {
		t.Fatalf("an agent edited an article in review: %d", r.Code)
	}
	if r := e.move(triage.RoleViewer, draft, triage.ArticlePublished); r.Code != http.StatusForbidden {
		t.Fatalf("a viewer published: %d", r.Code)
	}
	if r := e.move(triage.RoleEditor, draft, triage.ArticlePublished); r.Code != 200 || draft.PublishedAt == nil {
		t.Fatalf("an editor could not publish: %d %s", r.Code, r.Body)
	}
	if r := e.move(triage.RoleEditor, draft, triage.ArticleInReview); r.Code != http.StatusConflict || len(r.errorBody(t).Allowed) == 0 {
		t.Fatalf("published → in_review: %d %s", r.Code, r.Body)
	}
	// Versions, diff and revert.
	r := e.do("PATCH", "/v1/articles/"+draft.ID, triage.RoleEditor, `{"body":"退款会原路退回花呗额度，一般1-3个工作日。","note":"补充时效"}`, ifMatch(draft.Version))
	if r.Code != 200 {
		t.Fatalf("edit: %d %s", r.Code, r.Body)
	}
	var view api.ArticleView
	r.json(t, &view)
	if !strings.Contains(view.HTML, "<p>退款会原路退回") {
		t.Errorf("html = %q", view.HTML)
	}
	var versions struct{ Items []triage.ArticleVersion }
	e.do("GET", "/v1/articles/"+draft.ID+"/versions", triage.RoleViewer, "").json(t, &versions)
	if len(versions.Items) != view.Version {
		t.Fatalf("%d versions for version %d", len(versions.Items), view.Version)
	}
	diff := e.do("GET", fmt.Sprintf("/v1/articles/%s/diff?from=1&to=%d", draft.ID, view.Version), triage.RoleViewer, "")
	if diff.Code != 200 || !strings.Contains(string(diff.Body), "1-3个工作日") {
		t.Errorf("diff: %d %s", diff.Code, diff.Body)
	}
	r = e.do("POST", "/v1/articles/"+draft.ID+"/revert", triage.RoleEditor, `{"version":1}`, ifMatch(view.Version))
	r.json(t, &view)
	if r.Code != 200 || view.Body != "退款会退回花呗额度。" || view.Version != len(versions.Items)+1 {
		t.Errorf("revert: %d version %d body %q", r.Code, view.Version, view.Body)
	}
	for _, bad := range []string{"?from=0&to=1", "?from=1", "?from=a&to=1", "?from=1&to=1&x=2"} {
		if r := e.do("GET", "/v1/articles/"+draft.ID+"/diff"+bad, triage.RoleViewer, ""); r.Code != 400 || r.errorBody(t).Field == "" {
			t.Errorf("diff%s: %d %s", bad, r.Code, r.Body)
		}
	}
}

func TestSearchAndSuggestions(t *testing.T) {
	e := newEnv(t)
	refund := e.article(triage.RoleEditor, "退款多久到账", "## 到账时间\n微信、支付宝退款1-3个工作日到账，银行卡退款3-7个工作日到账。")
	e.move(triage.RoleAdmin, refund, triage.ArticlePublished) // another person publishes: review is on
	invoice := e.article(triage.RoleEditor, "发票怎么开", "在订单详情页点击申请开票，填写抬头和税号。")
	e.move(triage.RoleAdmin, invoice, triage.ArticlePublished) // another person publishes: review is on
	hidden := e.article(triage.RoleEditor, "退款内部流程（草稿）", "退款审核的内部说明。")

	// A resolved ticket joins the similar-ticket index with its reply.
	old := e.ticket(`{"title":"退款还没到账","body":"申请退款三天了还没收到"}`)
	e.do("POST", "/v1/tickets/"+old.ID+"/comments", triage.RoleAgent, `{"body":"您好，银行卡退款需要3-7个工作日，请耐心等待。","public":true}`)
	old = e.getTicket(old.ID)
	e.do("PATCH", "/v1/tickets/"+old.ID, triage.RoleAgent, `{"status":"solved"}`, ifMatch(old.Version))
	e.index()

	cases := []struct {
		query, mode, kind string
		want              string
		absent            string
	}{
		{"退款什么时候到账", "hybrid", "article", refund.ID, hidden.ID},
		{"退款什么时候到账", "lexical", "article", refund.ID, hidden.ID},
		{"退款什么时候到账", "vector", "article", refund.ID, hidden.ID},
		{`"申请开票"`, "lexical", "article", invoice.ID, refund.ID},
		{`+退款 -到账 "未闭合 AND (x OR y) title:foo ^2 ~ * ?`, "hybrid", "article", refund.ID, ""},
		{"钱还没退回来", "hybrid", "ticket", old.ID, ""},
	}
	for _, c := range cases {
		t.Run(c.mode+" "+c.query, func(t *testing.T) {
			r := e.do("GET", "/v1/search?q="+urlQuery(c.query)+"&mode="+c.mode+"&kind="+c.kind, triage.RoleViewer, "")
			if r.Code != 200 {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			var res api.SearchResult
			r.json(t, &res)
			if len(res.Items) == 0 || res.Items[0].ID != c.want {
				t.Fatalf("top hit is not %s: %+v", c.want, res.Items)
			}
			for _, it := range res.Items {
				if c.absent != "" && it.ID == c.absent {
					t.Errorf("%s should not be found", c.absent)
				}
				if it.Why.Code == "" || it.URL == "" || it.Title == "" {
					t.Errorf("hit lacks why, url or title: %+v", it)
				}
			}
			top := res.Items[0]
			if c.mode == "hybrid" && (top.Fused == 0 || top.LexicalRank == 0 && top.VectorRank == 0) {
				t.Errorf("hybrid hit without ranks: %+v", top)
			}
		})
	}
	for _, bad := range []string{"q=", "q=x&mode=fuzzy", "q=x&kind=agent", "q=x&k=0", "q=x&k=101", "q=x&sort=asc"} {
		if r := e.do("GET", "/v1/search?"+bad, triage.RoleViewer, ""); r.Code != 400 || r.errorBody(t).Field == "" {
			t.Errorf("search?%s: %d %s", bad, r.Code, r.Body)
		}
	}

	tk := e.ticket(`{"title":"退款到账时间","body":"我昨天申请的退款，微信支付的，多久能到账？"}`)
	var sg triage.Suggestions
	r := e.do("GET", "/v1/tickets/"+tk.ID+"/suggestions", triage.RoleAgent, "")
	r.json(t, &sg)
	if r.Code != 200 || len(sg.Articles) == 0 || sg.Articles[0].ID != refund.ID {
		t.Fatalf("suggestions: %d %+v", r.Code, sg)
	}
	if len(sg.Tickets) == 0 || sg.Tickets[0].ID != old.ID || !strings.Contains(sg.Tickets[0].Resolution, "3-7个工作日") {
		t.Errorf("similar tickets = %+v", sg.Tickets)
	}
	if sg.Draft.Mode != triage.DraftExtractive || !strings.Contains(sg.Draft.Text, "[1]") || len(sg.Draft.Citations) == 0 {
		t.Errorf("draft = %+v", sg.Draft)
	}
	var again triage.Suggestions
	e.do("GET", "/v1/tickets/"+tk.ID+"/suggestions", triage.RoleViewer, "").json(t, &again)
	if again.ID != sg.ID {
		t.Errorf("fresh suggestions were recomputed")
	}
	e.do("GET", "/v1/tickets/"+tk.ID+"/suggestions?refresh=true", triage.RoleAgent, "").json(t, &again)
	if again.ID == sg.ID {
		t.Errorf("refresh=true served the stored suggestions")
	}
	// Publishing an article recomputes them on the next look, without
	// refresh=true, and the new answer is among them.
	wechat := e.article(triage.RoleEditor, "微信支付退款多久到账", "微信支付的退款原路退回微信零钱，一般1-3个工作日到账。")
	e.move(triage.RoleAdmin, wechat, triage.ArticlePublished) // another person publishes: review is on
	e.index()
	var after triage.Suggestions
	e.do("GET", "/v1/tickets/"+tk.ID+"/suggestions", triage.RoleViewer, "").json(t, &after)
	if after.ID == again.ID || !slices.ContainsFunc(after.Articles, func(s triage.Source) bool { return s.ID == wechat.ID }) {
		t.Errorf("after publishing %s the suggestions are %s (before %s) with articles %+v", wechat.ID, after.ID, again.ID, after.Articles)
	}
	sg = after

	fb := []struct {
		body  string
		code  int
		field string
	}{
		{`{"source_kind":"article","source_id":"` + refund.ID + `","action":"accepted"}`, 201, ""},
		{`{"source_kind":"draft","action":"edited","final_text":"您好，微信退款1-3个工作日到账。"}`, 201, ""},
		{`{"source_kind":"ticket","source_id":"` + old.ID + `","action":"rejected","reason":"情况不同"}`, 201, ""},
		{`{"source_kind":"draft","action":"edited"}`, 400, "final_text"},
		{`{"source_kind":"article","source_id":"` + refund.ID + `","action":"rejected"}`, 400, "reason"},
		{`{"source_kind":"article","source_id":"` + hidden.ID + `","action":"accepted"}`, 400, "source_id"},
		{`{"source_kind":"agent","action":"accepted"}`, 400, "source_kind"},
		{`{"source_kind":"draft","action":"liked"}`, 400, "action"},
	}
	for _, f := range fb {
		r := e.do("POST", "/v1/suggestions/"+sg.ID+"/feedback", triage.RoleAgent, f.body)
		if r.Code != f.code {
			t.Errorf("%s: %d %s", f.body, r.Code, r.Body)
		} else if f.code == 400 && r.errorBody(t).Field != f.field {
			t.Errorf("%s: field %q, want %q", f.body, r.errorBody(t).Field, f.field)
		}
	}
	if r := e.do("POST", "/v1/suggestions/nope/feedback", triage.RoleAgent, `{"source_kind":"draft","action":"accepted"}`); r.Code != 404 {
		t.Errorf("feedback on a missing suggestion: %d", r.Code)
	}
	var st suggest.Stats
	e.do("GET", "/v1/suggestions/stats", triage.RoleViewer, "").json(t, &st)
	if st.Overall.Accepted != 1 || st.Overall.Edited != 1 || st.Overall.Rejected != 1 || st.Drafts.Edited != 1 || st.Overall.Acceptance < 0.66 {
		t.Errorf("stats = %+v", st)
	}
	var gaps suggest.Gaps
	if r := e.do("GET", "/v1/kb/gaps", triage.RoleEditor, ""); r.Code != 200 {
		t.Fatalf("gaps: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &gaps)
	}
	if gaps.Threshold == 0 {
		t.Errorf("gaps = %+v", gaps)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "+", "%2B", " ", "%20", "\"", "%22", "&", "%26", "#", "%23", "?", "%3F", "^", "%5E")
	return r.Replace(s)
}
