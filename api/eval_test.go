package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
)

// saveReport keeps a small retrieval report and its page in the server's
// reports directory, as `triage eval retrieve --save` would, and returns
// its id.
func (e *env) saveReport(name string, at time.Time) string {
	e.t.Helper()
	b := []byte(`{"kind":"retrieve","name":"` + name + `","k":10,"modes":[{"mode":"hybrid","articles":3,"queries":4,"recall@1":0.5,"recall@5":0.75,"recall@10":1,"mrr@10":0.6,"ndcg@10":0.7}]}` + "\n")
	d, err := eval.DecodeReport(name+".json", b)
	if err != nil {
		e.t.Fatal(err)
	}
	page, err := eval.WriteHTML(d)
	if err != nil {
		e.t.Fatal(err)
	}
	id := eval.NewReportID(at, eval.KindRetrieve, name)
	if err := e.reports.Save(id, b, page); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestEvalReports(t *testing.T) {
	e := newEnv(t)
	admin := triage.RoleAdmin

	var list struct{ Items []eval.ReportInfo }
	if r := e.do("GET", "/v1/eval/reports", admin, ""); r.Code != 200 {
		t.Fatalf("empty list: %d %s", r.Code, r.Body)
	} else if r.json(t, &list); list.Items == nil || len(list.Items) != 0 {
		t.Fatalf("a server with no saved report lists [] , got %s", r.Body)
	}

	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	older := e.saveReport("客服知识库", at)
	newer := e.saveReport("bq", at.Add(time.Hour))

	r := e.do("GET", "/v1/eval/reports", admin, "")
	r.json(t, &list)
	if len(list.Items) != 2 || list.Items[0].ID != newer || list.Items[1].ID != older {
		t.Fatalf("list = %s, want newest first", r.Body)
	}
	if got := list.Items[1]; got.Kind != "retrieve" || !got.HTML || got.Headline["hybrid.recall@5"] != 0.75 || got.Headline["hybrid.ndcg@10"] != 0.7 {
		t.Errorf("info = %+v", got)
	}

	t.Run("one report as JSON", func(t *testing.T) {
		r := e.do("GET", "/v1/eval/reports/"+older, admin, "")
		if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%d %s: %s", r.Code, r.Header.Get("Content-Type"), r.Body)
		}
		var got struct {
			Info   eval.ReportInfo
			Report json.RawMessage
		}
		r.json(t, &got)
		saved, err := os.ReadFile(filepath.Join(e.reports.Dir, older+".json"))
		if err != nil {
			t.Fatal(err)
		}
		// The report passes through as written, numbers and key order.
		if got.Info.ID != older || strings.TrimSpace(string(got.Report)) != strings.TrimSpace(string(saved)) {
			t.Errorf("got %s", r.Body)
		}
		if etag := r.Header.Get("ETag"); etag == "" {
			t.Error("no ETag")
		} else if r := e.do("GET", "/v1/eval/reports/"+older, admin, "", "If-None-Match: "+etag); r.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", r.Code)
		}
	})

	t.Run("page", func(t *testing.T) {
		r := e.do("GET", "/v1/eval/reports/"+older+"/html", admin, "")
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		h := r.Header
		if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", h)
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "sandbox", "form-action 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP %q allows script", csp)
		}
		if !strings.Contains(string(r.Body), "客服知识库") || strings.Contains(string(r.Body), "<script") {
			t.Errorf("the page is not the report's: %.200s", r.Body)
		}
	})

	t.Run("report without a page", func(t *testing.T) {
		if err := os.Remove(filepath.Join(e.reports.Dir, newer+".html")); err != nil {
			t.Fatal(err)
		}
		if r := e.do("GET", "/v1/eval/reports/"+newer+"/html", admin, ""); r.Code != 404 {
			t.Errorf("%d %s", r.Code, r.Body)
		}
	})

	// Outside the directory there is a file a traversal would reach.
	if err := os.WriteFile(filepath.Join(filepath.Dir(e.reports.Dir), "secret.json"), []byte(`{"kind":"retrieve","name":"secret","modes":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
	}{
		{"unknown id", "/v1/eval/reports/20200101T000000Z-retrieve-none"},
		{"unknown page", "/v1/eval/reports/20200101T000000Z-retrieve-none/html"},
		{"encoded traversal", "/v1/eval/reports/..%2fsecret"},
		{"encoded traversal to a page", "/v1/eval/reports/..%2f..%2fetc%2fpasswd/html"},
		{"double-encoded traversal", "/v1/eval/reports/..%252fsecret"},
		{"dot segments", "/v1/eval/reports/../secret"},
		{"dot id", "/v1/eval/reports/.."},
		{"file name with extension", "/v1/eval/reports/" + older + ".json"},
		{"backslash", "/v1/eval/reports/..%5csecret"},
		{"NUL", "/v1/eval/reports/a%00b"},
		{"too long", "/v1/eval/reports/" + strings.Repeat("a", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", tc.path, admin, "")
			if r.Code != 404 && r.Code != 400 {
				t.Fatalf("%s: %d %s, want 404 or 400", tc.path, r.Code, r.Body)
			}
			if strings.Contains(string(r.Body), "secret") && !strings.Contains(tc.path, "secret") {
				t.Errorf("leaked: %s", r.Body)
			}
			if strings.Contains(string(r.Body), `"name":"secret"`) {
				t.Errorf("served a file outside the reports directory: %s", r.Body)
			}
		})
	}

	t.Run("admins only", func(t *testing.T) {
		for _, role := range []triage.Role{triage.RoleAgent, triage.RoleEditor, triage.RoleViewer} {
			for _, p := range []string{"/v1/eval/reports", "/v1/eval/reports/" + older, "/v1/eval/reports/" + older + "/html"} {
				if r := e.do("GET", p, role, ""); r.Code != 403 {
					t.Errorf("%s as %s: %d", p, role, r.Code)
				}
			}
		}
	})
}

// The UI shows a report as the server draws it, in its own language.
func TestEvalReportView(t *testing.T) {
	e := newEnv(t)
	id := e.saveReport("客服知识库", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		query, lang, has, hasNot string
	}{
		{"", "zh-CN", "检索评估：客服知识库", "Retrieval"},
		{"?lang=zh-CN", "zh-CN", "各模式指标", "Per mode"},
		{"?lang=en", "en", "Per mode", "各模式指标"},
	} {
		r := e.do("GET", "/v1/eval/reports/"+id+"/view"+tt.query, triage.RoleAdmin, "")
		var v struct {
			Info  eval.ReportInfo
			Lang  string
			Title string
			HTML  string
		}
		r.json(t, &v)
		if r.Code != 200 || v.Lang != tt.lang || v.Info.ID != id || !strings.HasPrefix(v.HTML, `<div class="eval-report"`) {
			t.Fatalf("%s: %d %.200s", tt.query, r.Code, r.Body)
		}
		if !strings.Contains(v.HTML+v.Title, tt.has) || strings.Contains(v.HTML, tt.hasNot) || strings.Contains(v.HTML, "<script") {
			t.Errorf("%s: the view lacks %q or has %q: %s", tt.query, tt.has, tt.hasNot, v.HTML)
		}
		if v.Info.Titles[eval.LangZH] != "检索评估：客服知识库" || v.Info.Titles[eval.LangEN] != "Retrieval: 客服知识库" {
			t.Errorf("titles %v", v.Info.Titles)
		}
	}
	if r := e.do("GET", "/v1/eval/reports/"+id+"/view?lang=fr", triage.RoleAdmin, ""); r.Code != http.StatusBadRequest || r.errorBody(t).Field != "lang" {
		t.Errorf("lang=fr: %d %s", r.Code, r.Body)
	}
	if r := e.do("GET", "/v1/eval/reports/nope/view", triage.RoleAdmin, ""); r.Code != http.StatusNotFound {
		t.Errorf("unknown report: %d", r.Code)
	}
	if r := e.do("GET", "/v1/eval/reports/"+id+"/view", triage.RoleAgent, ""); r.Code != http.StatusForbidden {
		t.Errorf("an agent: %d", r.Code)
	}
}
