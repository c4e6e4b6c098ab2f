package api_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/suggest"
)

// TestHelpCentreThroughAPI: an editor makes an article public through the
// articles API; the help centre shows it without a token once it is
// published, a reader's vote reaches the KB gap report, and the branding
// an admin sets shows on the pages.
func TestHelpCentreThroughAPI(t *testing.T) {
	e := newEnv(t)
	var a triage.Article
	e.mustCreate("POST", "/v1/articles", triage.RoleEditor, `{"title":"发票怎么开","body":"在订单详情页点击「申请发票」。","category":"发票","visibility":"public"}`, &a)
	if a.Visibility != triage.ArticlePublic {
		t.Fatalf("created with visibility %q", a.Visibility)
	}
	var internal triage.Article
	e.mustCreate("POST", "/v1/articles", triage.RoleEditor, `{"title":"内部口令","body":"只给客服看","category":"内部"}`, &internal)
	if internal.Visibility != triage.ArticleInternal {
		t.Fatalf("an article created without a visibility is %q, want internal", internal.Visibility)
	}
	page := func(path string) (int, string) {
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(w.Body)
		return w.Code, string(b)
	}
	if code, _ := page("/help/articles/" + a.ID); code != 404 {
		t.Fatalf("a public draft answers %d, want 404", code)
	}
	for _, id := range []string{a.ID, internal.ID} {
		if r := e.do("PATCH", "/v1/articles/"+id, triage.RoleAdmin, `{"status":"published"}`, "If-Match: *"); r.Code != 200 {
			t.Fatalf("publish: %d %s", r.Code, r.Body)
		}
	}
	code, body := page("/help/articles/" + a.ID)
	if code != 200 || !strings.Contains(body, "申请发票") {
		t.Fatalf("the published public article: %d", code)
	}
	if code, _ := page("/help/articles/" + internal.ID); code != 404 {
		t.Fatalf("the published internal article answers %d, want 404", code)
	}
	for _, tc := range []struct {
		body  string
		field string
	}{{`{"visibility":"world"}`, "visibility"}, {`{"visibility":null}`, "visibility"}} {
		r := e.do("PATCH", "/v1/articles/"+a.ID, triage.RoleEditor, tc.body, "If-Match: *")
		if r.Code != 400 || r.errorBody(t).Field != tc.field {
			t.Errorf("%s: %d %s", tc.body, r.Code, r.Body)
		}
	}

	// A vote, as the article page's form posts it, reaches the gap report.
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/help/articles/"+a.ID+"/feedback", strings.NewReader("helpful=no"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.h.ServeHTTP(w, req)
	if w.Code != 303 {
		t.Fatalf("vote: %d %s", w.Code, w.Body)
	}
	var gaps suggest.Gaps
	r := e.do("GET", "/v1/kb/gaps", triage.RoleEditor, "")
	r.json(t, &gaps)
	if len(gaps.Readers) != 1 || gaps.Readers[0] != (suggest.ReaderVotes{ID: a.ID, Title: "发票怎么开", Unhelpful: 1}) {
		t.Errorf("gap report readers %+v", gaps.Readers)
	}

	// Branding.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	r = e.do("PATCH", "/v1/help/settings", triage.RoleAdmin, fmt.Sprintf(`{"company_name":"好物商城","logo":%q}`, base64.StdEncoding.EncodeToString(png)))
	var st triage.HelpSettings
	r.json(t, &st)
	if r.Code != 200 || st.CompanyName != "好物商城" || st.LogoType != "image/png" {
		t.Fatalf("settings: %d %s", r.Code, r.Body)
	}
	if _, body := page("/help"); !strings.Contains(body, "<title>好物商城 帮助中心</title>") || !strings.Contains(body, `src="/help/logo"`) {
		t.Errorf("the home page is not branded")
	}
	for _, tc := range []struct {
		role  triage.Role
		body  string
		code  int
		field string
	}{
		{triage.RoleAdmin, `{"logo":"PHN2Zz48L3N2Zz4="}`, 400, "logo"}, // <svg></svg>
		{triage.RoleAdmin, `{"logo":"not base64!"}`, 400, "logo"},
		{triage.RoleAdmin, `{"company_name":7}`, 400, "company_name"},
		{triage.RoleEditor, `{"company_name":"x"}`, 403, ""},
		{"", `{"company_name":"x"}`, 401, ""},
	} {
		t.Run(string(tc.role)+tc.body, func(t *testing.T) {
			r := e.do("PATCH", "/v1/help/settings", tc.role, tc.body)
			if r.Code != tc.code {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" && r.errorBody(t).Field != tc.field {
				t.Errorf("field %q: %s", r.errorBody(t).Field, r.Body)
			}
		})
	}
}

// TestHelpRoutesNeedNoToken: the pages are public; the settings are not.
func TestHelpRoutesNeedNoToken(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/help", "/help/sitemap.xml", "/help/search?q=%E9%80%80%E6%AC%BE"} {
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	if r := e.do("GET", "/v1/help/settings", "", ""); r.Code != 401 {
		t.Errorf("settings without a token: %d", r.Code)
	}
	if len(api.HelpRoutes()) == 0 {
		t.Fatal("no help routes")
	}
}
