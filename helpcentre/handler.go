package helpcentre

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"html"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

//go:embed templates/*.html assets/*
var files embed.FS

// Cache lifetimes: pages change when an editor publishes, so a reader's
// browser and a CDN may keep one a minute and then revalidate (the ETag
// makes that a 304); the stylesheet's URL carries its hash and never
// changes.
const (
	pageCache  = "public, max-age=60"
	assetCache = "public, max-age=31536000, immutable"
)

// policy is the pages' Content-Security-Policy: no script at all, styles
// from the stylesheet only, forms posting back to the help centre, and
// pictures from https (articles link pictures hosted elsewhere).
const policy = "default-src 'none'; style-src 'self'; img-src 'self' data: https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the help centre at /help. Routes is the list it answers.
type Handler struct {
	s    *Service
	log  *slog.Logger
	tmpl *template.Template
	css  []byte
	js   []byte
	// widget is the embeddable widget's script (widget.go).
	widget []byte
	// jsPath is the form script's /help/assets/new.js?v=<hash>.
	jsPath string
	// cssPath is /help/assets/help.css?v=<hash of the file>.
	cssPath string
	mux     *http.ServeMux
}

// Routes lists the help centre's routes, for the server's route listing.
func Routes() []string {
	return []string{"GET /help", "GET /help/*", "POST /help/*"}
}

// NewHandler parses the templates and builds the routes.
func NewHandler(s *Service, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = slog.Default()
	}
	css, err := fs.ReadFile(files, "assets/help.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	h := &Handler{s: s, log: log, css: css, cssPath: "/help/assets/help.css?v=" + hex.EncodeToString(sum[:6])}
	if h.js, err = fs.ReadFile(files, "assets/new.js"); err != nil {
		return nil, err
	}
	if h.widget, err = fs.ReadFile(files, "assets/widget.js"); err != nil {
		return nil, err
	}
	jsSum := sha256.Sum256(h.js)
	h.jsPath = "/help/assets/new.js?v=" + hex.EncodeToString(jsSum[:6])
	h.tmpl, err = template.New("").Funcs(template.FuncMap{
		"date":  func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02") },
		"path":  url.PathEscape,
		"ref":   triage.TicketRef,
		"stars": func() []int { return []int{5, 4, 3, 2, 1} },
	}).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /help", h.home)
	m.HandleFunc("GET /help/{$}", h.home)
	m.HandleFunc("GET /help/search", h.search)
	m.HandleFunc("GET /help/categories/{name}", h.category)
	m.HandleFunc("GET /help/articles/{id}", h.article)
	m.HandleFunc("POST /help/articles/{id}/feedback", h.feedback)
	m.HandleFunc("GET /help/sitemap.xml", h.sitemap)
	m.HandleFunc("GET /help/logo", h.logo)
	m.HandleFunc("GET /help/assets/help.css", h.stylesheet)
	h.portalRoutes(m)
	m.HandleFunc("/help/", h.notFound)
	h.mux = m
	return h, nil
}

// chinaTime shows dates as the company's readers read them.
var chinaTime = time.FixedZone("CST", 8*3600)

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", policy)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.mux.ServeHTTP(w, r)
}

// page is what every template gets.
type page struct {
	// Company is the name an admin set, "" when none; Site is what
	// titles end with: "<company> 帮助中心", or "帮助中心" alone.
	Company   string
	Site      string
	HasLogo   bool
	CSS       string
	JS        string
	Title     string // the <title>, company name included
	Desc      string
	Canonical string
	NoIndex   bool
	Query     string

	Categories []Category
	Category   string
	Articles   []item
	Article    *triage.Article
	Body       template.HTML
	Voted      string
	Status     int
	Message    string

	// Form is the request form (form.go); My is "my tickets"
	// (requester.go).
	Form *formView
	My   *myView
}

// item is an article in a list, with a plain-text excerpt.
type item struct {
	*triage.Article
	Excerpt string
}

func (h *Handler) base(r *http.Request) (page, *triage.HelpSettings, error) {
	st, err := h.s.Settings(r.Context())
	if err != nil {
		return page{}, nil, err
	}
	p := site(st.CompanyName, st.LogoType != "", h.cssPath)
	p.JS = h.jsPath
	return p, st, nil
}

func site(company string, logo bool, css string) page {
	p := page{Company: company, Site: triage.DefaultHelpName, HasLogo: logo, CSS: css}
	if company != "" {
		p.Site = company + " " + triage.DefaultHelpName
	}
	return p
}

func (h *Handler) items(as []*triage.Article) []item {
	out := make([]item, len(as))
	for i, a := range as {
		out[i] = item{a, excerpt(h.s.Render(a.Body), 120)}
	}
	return out
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	p, st, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	as, err := h.s.articles(r.Context(), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title = p.Site
	p.Desc = p.Site + "：常见问题与使用指南。"
	p.Canonical = h.s.BaseURL + "/help"
	p.Categories = categories(as)
	p.Articles = h.items(as[:min(len(as), 10)])
	h.render(w, r, "home.html", p, newest(st.UpdatedAt, as...))
}

func (h *Handler) category(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	p, st, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	as, err := h.s.articles(r.Context(), name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(as) == 0 {
		h.notFound(w, r)
		return
	}
	p.Title = name + " - " + p.Site
	p.Desc = p.Site + "「" + name + "」类的文章。"
	p.Canonical = h.s.BaseURL + "/help/categories/" + url.PathEscape(name)
	p.Category = name
	p.Articles = h.items(as)
	h.render(w, r, "category.html", p, newest(st.UpdatedAt, as...))
}

func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	p, st, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.s.article(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := h.s.Render(a.Body)
	p.Title = a.Title + " - " + p.Site
	p.Desc = excerpt(body, 150)
	p.Canonical = h.s.BaseURL + "/help/articles/" + url.PathEscape(a.ID)
	p.Article = a
	p.Category = a.Category
	// The renderer's output is sanitised (goldmark, then bluemonday): it
	// is the HTML agents see in the KB.
	p.Body = template.HTML(body) //nolint:gosec // sanitised by kb's renderer
	switch v := r.URL.Query().Get("voted"); v {
	case "yes", "no":
		p.Voted, p.NoIndex = v, true
	}
	if session := cleanSession(r.URL.Query().Get("form")); session != "" {
		// Opened from the request form: ask "解决了吗？".
		p.Form, p.NoIndex = &formView{Session: session}, true
	}
	if r.Method == http.MethodGet {
		h.count(r, &triage.HelpEvent{Kind: triage.HelpView, ArticleID: a.ID, Category: a.Category})
	}
	h.render(w, r, "article.html", p, newest(st.UpdatedAt, a))
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	p, _, err := h.base(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := CheckQuery(r.URL.Query().Get("q"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Query, p.NoIndex = q, true
	p.Title = "搜索 - " + p.Site
	p.Canonical = h.s.BaseURL + "/help/search"
	p.Articles = []item{}
	if q != "" {
		p.Title = q + " 的搜索结果 - " + p.Site
		as, err := h.s.search(r.Context(), q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Articles = h.items(as)
		e := &triage.HelpEvent{Kind: triage.HelpSearch, Query: clipRunes(q, 200)}
		if len(as) > 0 {
			e.ArticleID, e.Category = as[0].ID, as[0].Category
		}
		h.count(r, e)
	}
	h.render(w, r, "search.html", p, time.Time{})
}

// feedback takes a vote from the article page's form and sends the reader
// back to the article, thanked: a form post and a redirect, so it works
// without JavaScript and a reload does not vote again.
func (h *Handler) feedback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, triage.Invalid("helpful", "the form is malformed or too large"))
		return
	}
	var helpful bool
	switch v := r.PostForm.Get("helpful"); v {
	case "yes":
		helpful = true
	case "no":
	default:
		h.fail(w, r, triage.Invalid("helpful", "helpful must be yes or no, not %q", v))
		return
	}
	d, err := h.s.Vote(r.Context(), h.s.Proxies.ClientIP(r), id, helpful)
	d.SetHeaders(w.Header())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := "no"
	if helpful {
		v = "yes"
	}
	http.Redirect(w, r, "/help/articles/"+url.PathEscape(id)+"?voted="+v+"#feedback", http.StatusSeeOther)
}

// sitemap lists the help centre's home, its categories and its articles:
// the public published ones only.
func (h *Handler) sitemap(w http.ResponseWriter, r *http.Request) {
	as, err := h.s.articles(r.Context(), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type loc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
	set := struct {
		XMLName xml.Name `xml:"urlset"`
		NS      string   `xml:"xmlns,attr"`
		URLs    []loc    `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	set.URLs = append(set.URLs, loc{Loc: h.s.BaseURL + "/help"})
	for _, c := range categories(as) {
		set.URLs = append(set.URLs, loc{Loc: h.s.BaseURL + "/help/categories/" + url.PathEscape(c.Name)})
	}
	for _, a := range as {
		set.URLs = append(set.URLs, loc{Loc: h.s.BaseURL + "/help/articles/" + url.PathEscape(a.ID), LastMod: a.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(set); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	serve(w, r, b.Bytes(), newest(time.Time{}, as...), pageCache)
}

func (h *Handler) logo(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.Settings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if st.LogoType == "" {
		h.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", st.LogoType)
	serve(w, r, st.Logo, st.UpdatedAt, pageCache)
}

func (h *Handler) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	serve(w, r, h.css, time.Time{}, assetCache)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, triage.Errorf(triage.ENOTFOUND, "not found"))
}

// fail answers an error with a page in Chinese: 404 for anything not
// shown (an internal article included), 400 naming the field, 429 with
// Retry-After, and 500 logged without detail for the reader.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "服务暂时出错了，请稍后再试。"
	var e *triage.Error
	if errors.As(err, &e) {
		switch e.Code {
		case triage.ENOTFOUND:
			status, msg = http.StatusNotFound, "找不到这个页面。文章可能已下线或地址有误。"
		case triage.EINVALID:
			status, msg = http.StatusBadRequest, "请求有误（"+e.Field+"）："+e.Message
		case triage.ERATELIMIT:
			status, msg = http.StatusTooManyRequests, "操作太频繁了，请稍后再试。"
		case triage.EUNAVAILABLE:
			status, msg = http.StatusServiceUnavailable, "服务暂时不可用，请稍后再试。"
		case triage.EFORBIDDEN:
			status, msg = http.StatusForbidden, "页面已过期，请刷新后再试。"
		case triage.ECONFLICT:
			status, msg = http.StatusConflict, e.Message
		case triage.ETOOLARGE:
			status, msg = http.StatusRequestEntityTooLarge, e.Message
		case triage.EUNAUTHORIZED:
			status, msg = http.StatusUnauthorized, "请重新登录。"
		}
	}
	if status == http.StatusInternalServerError {
		h.log.Error("help centre", "path", r.URL.Path, "err", err)
	}
	p, _, berr := h.base(r)
	if berr != nil {
		p = site("", false, h.cssPath)
	}
	p.Title, p.NoIndex, p.Status, p.Message = "出错了 - "+p.Site, true, status, msg
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, "error.html", p); err != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, p page, modified time.Time) {
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, name, p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	cache := pageCache
	if p.Voted != "" || p.Form != nil {
		cache = "no-store" // the thanks is for this reader only
	}
	serve(w, r, b.Bytes(), modified, cache)
}

// serve writes body with a strong ETag of its hash and Last-Modified when
// known; http.ServeContent answers If-None-Match and If-Modified-Since
// with 304 and HEAD without a body.
func serve(w http.ResponseWriter, r *http.Request, body []byte, modified time.Time, cache string) {
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	w.Header().Set("Cache-Control", cache)
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

// newest is the latest of t and the articles' update times.
func newest(t time.Time, as ...*triage.Article) time.Time {
	for _, a := range as {
		if a.UpdatedAt.After(t) {
			t = a.UpdatedAt
		}
	}
	return t
}

var blockTags = map[string]bool{"p": true, "li": true, "ul": true, "ol": true, "br": true, "br/": true, "div": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "tr": true, "td": true, "th": true, "blockquote": true, "pre": true, "hr": true, "hr/": true}

// excerpt is the first n characters of rendered HTML's text.
func excerpt(rendered string, n int) string {
	var b, tag strings.Builder
	in := false
	for _, r := range rendered {
		switch {
		case r == '<':
			in = true
			tag.Reset()
		case r == '>':
			in = false
			// Blocks are apart; inline tags (strong, a, code) are inside
			// a sentence, and Chinese has no spaces to keep.
			name := strings.ToLower(strings.TrimLeft(strings.Fields(tag.String() + " ")[0], "/"))
			if blockTags[name] {
				b.WriteByte(' ')
			}
		case in:
			tag.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	text := strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n]) + "…"
}

// count records a reader's search or view for the deflection report. A
// lost count is logged, never shown: the reader came for the page.
func (h *Handler) count(r *http.Request, e *triage.HelpEvent) {
	if err := h.s.record(r.Context(), e); err != nil {
		h.log.Warn("help centre: count", "kind", e.Kind, "err", err)
	}
}
