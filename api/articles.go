package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// ArticleView is an article with its Markdown rendered to safe HTML and
// where it can go in the review workflow.
type ArticleView struct {
	*triage.Article
	HTML string `json:"html"`
	// NextStatuses are the statuses the workflow allows from the
	// article's (ArticleStatus.Next); Moves are those the caller may make
	// (agents submit their own drafts, editors and admins the rest).
	NextStatuses []triage.ArticleStatus `json:"next_statuses"`
	Moves        []triage.ArticleStatus `json:"moves"`
	// AuthorName is the author's name (never a token id).
	AuthorName string `json:"author_name"`
	// ReviewRequired says an edit of the published article becomes a
	// revision for review; Revisions are its open ones (draft, in review).
	ReviewRequired bool           `json:"review_required"`
	Revisions      []RevisionView `json:"revisions"`
	// Revision is the revision a save wrote instead of changing the
	// published article.
	Revision *RevisionView `json:"revision,omitempty"`
}

func (s *Server) articleView(c echo.Context, a *triage.Article) ArticleView {
	next := a.Status.Next()
	if next == nil {
		next = []triage.ArticleStatus{}
	}
	ctx := c.Request().Context()
	n := s.names(ctx)
	// A failure to read the setting shows review as required, the safe
	// side; the save itself decides.
	review, err := s.kb.ReviewRequired(ctx, s.kb.Store)
	v := ArticleView{Article: a, HTML: s.kb.Render(a.Body), NextStatuses: next, Moves: s.kb.Moves(ctx, a),
		AuthorName: n.of(a.AuthorID), ReviewRequired: review || err != nil, Revisions: []RevisionView{}}
	// The open revisions are shown beside the article; a failure to read
	// them leaves the list empty rather than failing the article.
	if rs, err := s.kb.Revisions(ctx, triage.RevisionFilter{ArticleID: a.ID, Status: []triage.RevisionStatus{triage.RevisionDraft, triage.RevisionInReview}}); err == nil {
		for _, r := range rs {
			v.Revisions = append(v.Revisions, s.revisionView(n, r, a))
		}
	}
	return v
}

// PreviewRequest is Markdown to render as an article body would be.
type PreviewRequest struct {
	Body string `json:"body"`
}

// Preview is Markdown rendered to the safe HTML an article shows.
type Preview struct {
	HTML string `json:"html"`
}

// previewArticle renders Markdown with the one renderer articles use
// (goldmark, then bluemonday), for the editor's live preview: what an
// editor sees is what readers will.
func (s *Server) previewArticle(c echo.Context) error {
	var in PreviewRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if len(in.Body) > triage.MaxArticleBodyBytes {
		return triage.Invalid("body", "body is longer than %d bytes", triage.MaxArticleBodyBytes)
	}
	return send(c, http.StatusOK, 0, Preview{HTML: s.kb.Render(in.Body)})
}

func articleParams() []Param {
	return []Param{
		{"status", "string", "one or more statuses, comma-separated: draft,in_review,published,archived"},
		{"category", "string", "category"},
		{"author", "string", "author actor, e.g. agent:<id>; \"me\" for the caller"},
		{"q", "string", "text the title or body contains"},
		{"cursor", "string", "next_cursor of the previous page"},
		{"limit", "integer", "page size, 1-200, default 50"},
	}
}

func (s *Server) listArticles(c echo.Context) error {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return triage.Invalid("query", "the query string is malformed: %v", err)
	}
	f := triage.ArticleFilter{Category: q.Get("category"), AuthorID: q.Get("author"), Text: q.Get("q"), Cursor: q.Get("cursor")}
	if f.AuthorID == "me" {
		f.AuthorID = triage.ActorFromContext(c.Request().Context())
	}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Status = append(f.Status, triage.ArticleStatus(st))
			}
		}
	}
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return err
	}
	items, next, err := s.kb.Articles(c.Request().Context(), f)
	if err != nil {
		return err
	}
	n := s.names(c.Request().Context())
	out := make([]ArticleItem, len(items))
	for i, a := range items {
		out[i] = ArticleItem{Article: a, AuthorName: n.of(a.AuthorID)}
	}
	return send(c, http.StatusOK, 0, List[ArticleItem]{Items: out, NextCursor: next})
}

func (s *Server) getArticle(c echo.Context) error {
	a, err := s.kb.Article(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, s.articleView(c, a))
}

func (s *Server) createArticle(c echo.Context) error {
	var in triage.NewArticle
	if err := s.decode(c, &in); err != nil {
		return err
	}
	a, err := s.kb.CreateArticle(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/articles/"+a.ID, a.Version, a)
}

func (s *Server) updateArticle(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var u triage.ArticleUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	a, r, err := s.kb.Save(c.Request().Context(), c.Param("id"), version, u)
	if err != nil {
		return err
	}
	v := s.articleView(c, a)
	if r != nil {
		rv := s.revisionView(s.names(c.Request().Context()), r, a)
		v.Revision = &rv
	}
	return send(c, http.StatusOK, a.Version, v)
}

func (s *Server) listArticleVersions(c echo.Context) error {
	items, err := s.kb.Versions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	n := s.names(c.Request().Context())
	out := make([]VersionView, len(items))
	for i, v := range items {
		out[i] = VersionView{ArticleVersion: v, ActorName: n.of(v.Actor)}
	}
	return send(c, http.StatusOK, 0, List[VersionView]{Items: out})
}

func (s *Server) getArticleVersion(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		return triage.Invalid("version", "version must be a number from 1")
	}
	av, err := s.kb.Version(c.Request().Context(), c.Param("id"), v)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, av)
}

func (s *Server) diffArticle(c echo.Context) error {
	q := c.QueryParams()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	switch {
	case err1 != nil || from < 1:
		return triage.Invalid("from", "from must be a version number")
	case err2 != nil || to < 1:
		return triage.Invalid("to", "to must be a version number")
	}
	d, err := s.kb.Diff(c.Request().Context(), c.Param("id"), from, to)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, d)
}

// RevertRequest names the version whose text becomes the article's again.
type RevertRequest struct {
	Version int `json:"version"`
}

func (s *Server) revertArticle(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in RevertRequest
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.Version < 1 {
		return triage.Invalid("version", "version must be a number from 1")
	}
	a, err := s.kb.Revert(c.Request().Context(), c.Param("id"), in.Version, version)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, a.Version, s.articleView(c, a))
}

func (s *Server) exportArticles(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="articles.jsonl"`)
	c.Response().WriteHeader(http.StatusOK)
	_, err := s.kb.Export(c.Request().Context(), c.Response(), triage.ArticleFilter{})
	return err
}

// SearchResult is one search hit, readable: the source with its scores.
type SearchResult struct {
	Query string          `json:"query"`
	Mode  string          `json:"mode"`
	Kind  string          `json:"kind"`
	Items []triage.Source `json:"items"`
	// Degraded says the items come from the words alone: the embedder
	// failed or outran its time budget; Reason says which.
	Degraded bool           `json:"degraded"`
	Reason   *triage.Reason `json:"reason,omitempty"`
}

func searchParams() []Param {
	return []Param{
		{"q", "string", "what to look for; \"quoted phrases\" match exactly"},
		{"mode", "string", "lexical, vector or hybrid (default)"},
		{"kind", "string", "article (default) or ticket (resolved tickets)"},
		{"k", "integer", "how many, 1-100, default 10"},
	}
}

func (s *Server) search(c echo.Context) error {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return triage.Invalid("query", "the query string is malformed: %v", err)
	}
	kind := q.Get("kind")
	if kind == "" {
		kind = triage.DocArticle
	}
	k := 10
	if v := q.Get("k"); v != "" {
		if k, err = strconv.Atoi(v); err != nil || k < 1 || k > kb.MaxK {
			return triage.Invalid("k", "k must be a number from 1 to %d", kb.MaxK)
		}
	}
	mode := q.Get("mode")
	if mode == "" {
		mode = kb.ModeHybrid
	}
	if s.suggest == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "search is not configured on this server")
	}
	res, err := s.suggest.Search.Find(c.Request().Context(), kb.Query{Text: q.Get("q"), Kind: kind, Mode: mode, K: k})
	if err != nil {
		return err
	}
	items, err := s.suggest.Hydrate(c.Request().Context(), kind, res.Hits)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, SearchResult{Query: q.Get("q"), Mode: mode, Kind: kind, Items: items, Degraded: res.Degraded != nil, Reason: res.Degraded})
}

func (s *Server) suggestions(c echo.Context) error {
	q := c.QueryParams()
	refresh := false
	if v := q.Get("refresh"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return triage.Invalid("refresh", "refresh must be true or false")
		}
		refresh = b
	}
	// A refresh writes a new suggestion row and may cost an LLM call: only
	// the roles that work tickets may ask for one; others read what is
	// stored.
	if p := triage.PrincipalFromContext(c.Request().Context()); refresh && (p == nil || !slices.Contains(workers(), p.Role)) {
		role := triage.Role("")
		if p != nil {
			role = p.Role
		}
		return &triage.Error{Code: triage.EFORBIDDEN, Field: "refresh", Message: fmt.Sprintf("role %s may read suggestions but not recompute them (refresh=true); only roles that work tickets may", role)}
	}
	if s.suggest == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "suggestions are not configured on this server")
	}
	sg, err := s.suggest.For(c.Request().Context(), c.Param("id"), refresh)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, sg)
}

func (s *Server) addFeedback(c echo.Context) error {
	var in triage.NewFeedback
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if s.suggest == nil {
		return triage.Errorf(triage.EUNAVAILABLE, "suggestions are not configured on this server")
	}
	f, err := s.suggest.AddFeedback(c.Request().Context(), c.Param("id"), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/suggestions/"+f.SuggestionID, 0, f)
}

// since reads the "since" parameter: a time or date, by default 30 days
// ago.
func since(c echo.Context) (time.Time, error) {
	q := c.QueryParams()
	if v := q.Get("since"); v != "" {
		return parseTime("since", v)
	}
	return time.Now().UTC().AddDate(0, 0, -30), nil
}

func (s *Server) suggestionStats(c echo.Context) error {
	t, err := since(c)
	if err != nil {
		return err
	}
	st, err := s.suggest.Stats(c.Request().Context(), t)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, st)
}

func (s *Server) kbGaps(c echo.Context) error {
	t, err := since(c)
	if err != nil {
		return err
	}
	g, err := s.suggest.Gaps(c.Request().Context(), t, s.segmenter)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, g)
}
