package helpcentre_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/helpcentre"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/sqlite"
	"golang.org/x/net/html"
)

// everything is a search that finds every article, internal ones first:
// the help centre must drop what is not public and published itself.
type everything struct{ store triage.Store }

func (e everything) Search(ctx context.Context, q kb.Query) ([]kb.Hit, error) {
	as, _, err := e.store.Articles(ctx, triage.ArticleFilter{Limit: triage.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var hits []kb.Hit
	for i := len(as) - 1; i >= 0; i-- {
		hits = append(hits, kb.Hit{Kind: triage.DocArticle, OwnerID: as[i].ID})
	}
	return hits, nil
}

type env struct {
	store triage.Store
	srv   *httptest.Server
	svc   *helpcentre.Service
	// public, internal, draft are ids: public published, internal
	// published, public draft.
	public, internal, draft string
}

func newEnv(t testing.TB, votes *limit.Limiter) *env {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{
		Enqueue: func(context.Context, *sql.Tx, triage.Job) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	e := &env{store: store, public: "art-public", internal: "art-internal", draft: "art-draft"}
	for i, a := range []*triage.Article{
		{ID: e.public, Title: "退款多久到账", Body: "原路退回，一般 **1-3 个工作日**到账。", Category: "退款", Status: triage.ArticlePublished, Visibility: triage.ArticlePublic},
		{ID: e.internal, Title: "内部：退款审批口令", Body: "SECRET-INTERNAL 退款审批口令是 8848。", Category: "内部流程", Status: triage.ArticlePublished, Visibility: triage.ArticleInternal},
		{ID: e.draft, Title: "草稿：退款新规", Body: "SECRET-DRAFT 尚未发布。", Category: "草稿类", Status: triage.ArticleDraft, Visibility: triage.ArticlePublic},
	} {
		a.CreatedAt, a.UpdatedAt = now.Add(time.Duration(i)*time.Minute), now.Add(time.Duration(i)*time.Minute)
		if err := store.Update(ctx, func(tx triage.Tx) error { return tx.CreateArticle(ctx, a) }); err != nil {
			t.Fatal(err)
		}
	}
	kbs := &kb.Service{Store: store}
	e.svc, err = helpcentre.New(helpcentre.Service{Store: store, Search: everything{store}, Render: kbs.Render, BaseURL: "https://help.example.com/", Votes: votes})
	if err != nil {
		t.Fatal(err)
	}
	h, err := helpcentre.NewHandler(e.svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// client follows no redirects: the tests look at them.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type resp struct {
	code int
	h    http.Header
	body string
}

func (e *env) get(t *testing.T, path string, hdr ...string) resp {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func (e *env) post(t *testing.T, path string, form url.Values) resp {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) resp {
	t.Helper()
	r, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp{r.StatusCode, r.Header, b.String()}
}

// doc parses a page and returns what the tests look at.
type doc struct {
	title, canonical, description, robots string
	links                                 []string
	text                                  string
}

func parse(t *testing.T, body string) doc {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch n.Data {
			case "title":
				if n.FirstChild != nil {
					d.title = n.FirstChild.Data
				}
			case "link":
				if attr["rel"] == "canonical" {
					d.canonical = attr["href"]
				}
			case "meta":
				switch attr["name"] {
				case "description":
					d.description = attr["content"]
				case "robots":
					d.robots = attr["content"]
				}
			case "a":
				d.links = append(d.links, attr["href"])
			case "script":
				t.Errorf("the page has a script: the help centre works without JavaScript")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	d.text = text.String()
	return d
}

func TestPages(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		path, title, canonical, robots string
		want                           []string
	}{
		{"/help", "帮助中心", "https://help.example.com/help", "", []string{"退款", "退款多久到账", "1 篇"}},
		{"/help/", "帮助中心", "https://help.example.com/help", "", []string{"退款多久到账"}},
		{"/help/categories/" + url.PathEscape("退款"), "退款 - 帮助中心", "https://help.example.com/help/categories/%E9%80%80%E6%AC%BE", "", []string{"退款多久到账"}},
		{"/help/articles/art-public", "退款多久到账 - 帮助中心", "https://help.example.com/help/articles/art-public", "", []string{"1-3 个工作日", "这篇文章有帮助吗？", "有帮助", "没帮助"}},
		{"/help/search?q=" + url.QueryEscape("退款"), "退款 的搜索结果 - 帮助中心", "https://help.example.com/help/search", "noindex", []string{"找到 1 篇相关文章", "退款多久到账"}},
		{"/help/search", "搜索 - 帮助中心", "https://help.example.com/help/search", "noindex", []string{"在上方输入您的问题"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := e.get(t, tc.path)
			if r.code != 200 {
				t.Fatalf("%s: %d %s", tc.path, r.code, r.body)
			}
			if ct := r.h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := r.h.Get("Cache-Control"); cc != "public, max-age=60" {
				t.Errorf("Cache-Control %q", cc)
			}
			if r.h.Get("ETag") == "" || !strings.Contains(r.h.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("headers %v", r.h)
			}
			d := parse(t, r.body)
			if d.title != tc.title || d.canonical != tc.canonical || d.robots != tc.robots {
				t.Errorf("title %q canonical %q robots %q, want %q %q %q", d.title, d.canonical, d.robots, tc.title, tc.canonical, tc.robots)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.text, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
		})
	}
	d := parse(t, e.get(t, "/help/articles/art-public").body)
	if d.description != "原路退回，一般 1-3 个工作日到账。" {
		t.Errorf("description %q", d.description)
	}
}

// TestInternalNeverShown: no page, search result or sitemap shows an
// internal or unpublished article, including when its id is guessed.
func TestInternalNeverShown(t *testing.T) {
	e := newEnv(t, nil)
	secret := []string{"SECRET-INTERNAL", "SECRET-DRAFT", "内部：退款审批口令", "草稿：退款新规", "内部流程", "草稿类", e.internal, e.draft}
	pages := []string{"/help", "/help/search?q=" + url.QueryEscape("退款"), "/help/search?q=SECRET", "/help/search?q=" + url.QueryEscape("审批口令"),
		"/help/sitemap.xml", "/help/categories/" + url.PathEscape("退款")}
	for _, p := range pages {
		r := e.get(t, p)
		if r.code != 200 {
			t.Fatalf("%s: %d", p, r.code)
		}
		for _, s := range secret {
			if strings.Contains(r.body, s) {
				t.Errorf("%s shows %q", p, s)
			}
		}
	}
	notFound := e.get(t, "/help/articles/no-such-article")
	for _, p := range []string{
		"/help/articles/" + e.internal, "/help/articles/" + e.draft,
		"/help/categories/" + url.PathEscape("内部流程"), "/help/categories/" + url.PathEscape("草稿类"),
	} {
		r := e.get(t, p)
		if r.code != 404 {
			t.Errorf("%s: %d, want 404", p, r.code)
		}
		for _, s := range secret {
			if strings.Contains(r.body, s) {
				t.Errorf("%s shows %q", p, s)
			}
		}
		// Answered exactly as an id that does not exist: a guess learns
		// nothing.
		if strings.HasPrefix(p, "/help/articles/") && r.body != notFound.body {
			t.Errorf("%s answers unlike a missing article", p)
		}
	}
	for _, id := range []string{e.internal, e.draft} {
		r := e.post(t, "/help/articles/"+id+"/feedback", url.Values{"helpful": {"yes"}})
		if r.code != 404 {
			t.Errorf("a vote on %s: %d, want 404", id, r.code)
		}
	}
	counts, err := e.store.ArticleVoteCounts(context.Background(), time.Time{})
	if err != nil || len(counts) != 0 {
		t.Errorf("votes stored on hidden articles: %v %v", counts, err)
	}
	// Made internal, a public article disappears at once.
	a, err := e.store.Article(context.Background(), e.public)
	if err != nil {
		t.Fatal(err)
	}
	a.Visibility = triage.ArticleInternal
	if err := e.store.Update(context.Background(), func(tx triage.Tx) error { return tx.UpdateArticle(context.Background(), a) }); err != nil {
		t.Fatal(err)
	}
	if r := e.get(t, "/help/articles/"+e.public); r.code != 404 {
		t.Errorf("an article made internal answers %d", r.code)
	}
	if r := e.get(t, "/help/sitemap.xml"); strings.Contains(r.body, e.public) {
		t.Errorf("the sitemap still lists an article made internal")
	}
}

func TestSitemap(t *testing.T) {
	e := newEnv(t, nil)
	r := e.get(t, "/help/sitemap.xml")
	if r.code != 200 || r.h.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("%d %v", r.code, r.h)
	}
	var set struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
	}
	want := []string{"https://help.example.com/help", "https://help.example.com/help/categories/%E9%80%80%E6%AC%BE", "https://help.example.com/help/articles/art-public"}
	if strings.Join(locs, " ") != strings.Join(want, " ") {
		t.Errorf("sitemap %v, want %v", locs, want)
	}
	if set.URLs[2].LastMod != "2026-12-01T09:00:00Z" {
		t.Errorf("lastmod %q", set.URLs[2].LastMod)
	}
}

func TestConditionalGet(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/help", "/help/articles/art-public", "/help/sitemap.xml"} {
		t.Run(p, func(t *testing.T) {
			r := e.get(t, p)
			tag, mod := r.h.Get("ETag"), r.h.Get("Last-Modified")
			if tag == "" || mod != "Tue, 01 Dec 2026 09:00:00 GMT" {
				t.Fatalf("ETag %q Last-Modified %q", tag, mod)
			}
			if r := e.get(t, p, "If-None-Match", tag); r.code != http.StatusNotModified || r.body != "" {
				t.Errorf("If-None-Match: %d", r.code)
			}
			if r := e.get(t, p, "If-Modified-Since", mod); r.code != http.StatusNotModified {
				t.Errorf("If-Modified-Since: %d", r.code)
			}
			if r := e.get(t, p, "If-None-Match", `"other"`); r.code != 200 {
				t.Errorf("another ETag: %d", r.code)
			}
		})
	}
	css := e.get(t, "/help/assets/help.css")
	if css.code != 200 || css.h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(css.h.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %v", css.code, css.h)
	}
}

func TestFeedback(t *testing.T) {
	votes, err := limit.NewLimiter(limit.Rate{Limit: 3, Period: time.Hour}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, votes)
	for _, tc := range []struct {
		helpful string
		code    int
	}{{"yes", 303}, {"no", 303}, {"maybe", 400}, {"", 400}} {
		t.Run(tc.helpful, func(t *testing.T) {
			r := e.post(t, "/help/articles/art-public/feedback", url.Values{"helpful": {tc.helpful}})
			if r.code != tc.code {
				t.Fatalf("%d %s", r.code, r.body)
			}
			if tc.code == 303 {
				if loc := r.h.Get("Location"); loc != "/help/articles/art-public?voted="+tc.helpful+"#feedback" {
					t.Errorf("Location %q", loc)
				}
				page := e.get(t, "/help/articles/art-public?voted="+tc.helpful)
				if !strings.Contains(page.body, "谢谢您的反馈") || page.h.Get("Cache-Control") != "no-store" {
					t.Errorf("the thanks page: %v", page.h)
				}
			} else if !strings.Contains(r.body, "helpful") {
				t.Errorf("a 400 that does not name the field: %s", r.body)
			}
		})
	}
	counts, err := e.store.ArticleVoteCounts(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0] != (triage.ArticleVoteCount{ArticleID: "art-public", Helpful: 1, Unhelpful: 1}) {
		t.Errorf("counts %+v", counts)
	}
	// The limit is per address: the third vote is allowed, the fourth is not.
	if r := e.post(t, "/help/articles/art-public/feedback", url.Values{"helpful": {"yes"}}); r.code != 303 {
		t.Fatalf("third vote: %d", r.code)
	}
	r := e.post(t, "/help/articles/art-public/feedback", url.Values{"helpful": {"yes"}})
	if r.code != http.StatusTooManyRequests || r.h.Get("Retry-After") == "" || !strings.Contains(r.body, "操作太频繁") {
		t.Errorf("fourth vote: %d %v", r.code, r.h)
	}
}

func TestBranding(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.get(t, "/help/logo"); r.code != 404 {
		t.Errorf("no logo: %d", r.code)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	ctx := context.Background()
	if _, err := e.svc.PutSettings(ctx, triage.HelpSettingsUpdate{CompanyName: triage.Some(" 好物商城 "), Logo: triage.Some(base64.StdEncoding.EncodeToString(png))}); err != nil {
		t.Fatal(err)
	}
	r := e.get(t, "/help")
	d := parse(t, r.body)
	if d.title != "好物商城 帮助中心" || !strings.Contains(r.body, `<img src="/help/logo" alt="好物商城"`) {
		t.Errorf("branded page: title %q", d.title)
	}
	if r := e.get(t, "/help/logo"); r.code != 200 || r.h.Get("Content-Type") != "image/png" || r.body != string(png) {
		t.Errorf("logo: %d %v", r.code, r.h)
	}
	for _, tc := range []struct {
		name  string
		u     triage.HelpSettingsUpdate
		field string
	}{
		{"svg logo", triage.HelpSettingsUpdate{Logo: triage.Some(base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)))}, "logo"},
		{"huge logo", triage.HelpSettingsUpdate{Logo: triage.Some(base64.StdEncoding.EncodeToString(append(png, make([]byte, triage.MaxLogoBytes)...)))}, "logo"},
		{"long name", triage.HelpSettingsUpdate{CompanyName: triage.Some(strings.Repeat("名", 101))}, "company_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.PutSettings(ctx, tc.u)
			var te *triage.Error
			if !errors.As(err, &te) || te.Code != triage.EINVALID || te.Field != tc.field {
				t.Errorf("err %v, want invalid %s", err, tc.field)
			}
		})
	}
	// Removing the logo.
	if _, err := e.svc.PutSettings(ctx, triage.HelpSettingsUpdate{Logo: triage.Opt[string]{Set: true, Null: true}}); err != nil {
		t.Fatal(err)
	}
	if r := e.get(t, "/help/logo"); r.code != 404 {
		t.Errorf("removed logo: %d", r.code)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/help/search?q=" + strings.Repeat("长", helpcentre.MaxQueryRunes+1), 400},
		{"/help/search?q=%ff", 400},
		{"/help/search?q=a%00b", 400},
		{"/help/nowhere", 404},
		{"/help/articles/", 404},
		{"/help/categories/" + url.PathEscape("没有这个"), 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := e.get(t, tc.path)
			if r.code != tc.code {
				t.Errorf("%d, want %d", r.code, tc.code)
			}
			if d := parse(t, r.body); d.robots != "noindex" {
				t.Errorf("an error page without noindex")
			}
		})
	}
}
