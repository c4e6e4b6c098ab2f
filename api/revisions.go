package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// RevisionView is a proposed change to a published article with the names
// of the people behind it and, read one at a time, its diff from the live
// text.
type RevisionView struct {
	*triage.ArticleRevision
	ArticleTitle string   `json:"article_title"`
	AuthorName   string   `json:"author_name"`
	ReviewerName string   `json:"reviewer_name"`
	Diff         *kb.Diff `json:"diff,omitempty"`
}

// VersionView is a version with its actor's name.
type VersionView struct {
	*triage.ArticleVersion
	ActorName string `json:"actor_name"`
}

// ArticleItem is an article in a list, with its author's name.
type ArticleItem struct {
	*triage.Article
	AuthorName string `json:"author_name"`
}

// actorName is the name a person knows an actor by: an agent's or a
// token's name, never its id. The service's own actors (the demo loader,
// the CLI, automation) have fixed names.
func (s *Server) actorName(ctx context.Context, actor string) string {
	kind, id, _ := strings.Cut(actor, ":")
	switch kind {
	case "", "system":
		return "系统"
	case "agent":
		if a, err := s.kb.Store.Agent(ctx, id); err == nil {
			return a.Name
		}
		return "已删除的客服"
	case "token":
		if t, err := s.kb.Store.Token(ctx, id); err == nil {
			if t.AgentID != "" {
				if a, err := s.kb.Store.Agent(ctx, t.AgentID); err == nil {
					return a.Name
				}
			}
			return t.Name
		}
		switch id {
		case "demo":
			return "演示数据"
		case "cli":
			return "命令行"
		case "automation":
			return "自动化"
		case "sla":
			return "SLA"
		}
		return "已撤销的令牌"
	}
	return actor
}

// names caches actorName over one response.
type names struct {
	s    *Server
	ctx  context.Context
	seen map[string]string
}

func (s *Server) names(ctx context.Context) *names {
	return &names{s: s, ctx: ctx, seen: map[string]string{}}
}

func (n *names) of(actor string) string {
	if actor == "" {
		return ""
	}
	if v, ok := n.seen[actor]; ok {
		return v
	}
	v := n.s.actorName(n.ctx, actor)
	n.seen[actor] = v
	return v
}

func (s *Server) revisionView(n *names, r *triage.ArticleRevision, a *triage.Article) RevisionView {
	v := RevisionView{ArticleRevision: r, AuthorName: n.of(r.AuthorID), ReviewerName: n.of(r.ReviewerID)}
	if a != nil {
		v.ArticleTitle = a.Title
	}
	return v
}

func (s *Server) listArticleRevisions(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.kb.Article(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	rs, err := s.kb.Revisions(ctx, triage.RevisionFilter{ArticleID: a.ID})
	if err != nil {
		return err
	}
	n := s.names(ctx)
	items := make([]RevisionView, len(rs))
	for i, r := range rs {
		items[i] = s.revisionView(n, r, a)
	}
	return send(c, http.StatusOK, 0, List[RevisionView]{Items: items})
}

func revisionParams() []Param {
	return []Param{
		{"status", "string", "one or more statuses, comma-separated: draft,in_review,approved,rejected,withdrawn (default in_review: the review queue)"},
		{"author", "string", "author actor, e.g. agent:<id>; \"me\" for the caller"},
	}
}

// listRevisions is the review queue: revisions in review by default.
func (s *Server) listRevisions(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return triage.Invalid("query", "the query string is malformed: %v", err)
	}
	f := triage.RevisionFilter{AuthorID: q.Get("author")}
	if f.AuthorID == "me" {
		f.AuthorID = triage.ActorFromContext(ctx)
	}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Status = append(f.Status, triage.RevisionStatus(st))
			}
		}
	}
	if len(f.Status) == 0 {
		f.Status = []triage.RevisionStatus{triage.RevisionInReview}
	}
	rs, err := s.kb.Revisions(ctx, f)
	if err != nil {
		return err
	}
	n := s.names(ctx)
	items := make([]RevisionView, 0, len(rs))
	for _, r := range rs {
		a, err := s.kb.Article(ctx, r.ArticleID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return err
		}
		items = append(items, s.revisionView(n, r, a))
	}
	return send(c, http.StatusOK, 0, List[RevisionView]{Items: items})
}

func (s *Server) getRevision(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.kb.Revision(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	a, err := s.kb.Article(ctx, r.ArticleID)
	if err != nil {
		return err
	}
	v := s.revisionView(s.names(ctx), r, a)
	v.Diff = kb.CompareRevision(a, r)
	return send(c, http.StatusOK, r.Version, v)
}

// ReviewResult is a revision after a review step and its article as it
// now is (with the revision's text once approved).
type ReviewResult struct {
	Revision RevisionView `json:"revision"`
	Article  ArticleView  `json:"article"`
}

func (s *Server) reviewRevision(c echo.Context) error {
	ctx := c.Request().Context()
	var in triage.RevisionAction
	if err := s.decode(c, &in); err != nil {
		return err
	}
	r, a, err := s.kb.Review(ctx, c.Param("id"), 0, in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, r.Version, ReviewResult{Revision: s.revisionView(s.names(ctx), r, a), Article: s.articleView(c, a)})
}

// ActorName is the name an actor is shown by.
type ActorName struct {
	Actor string `json:"actor"`
	Name  string `json:"name"`
}

// listActors names every token (revoked ones too: they stay in histories)
// for every role, so no page shows a token id where a person acted; the
// token list itself, with its prefixes and roles, stays an admin's.
func (s *Server) listActors(c echo.Context) error {
	ctx := c.Request().Context()
	toks, err := s.kb.Store.Tokens(ctx)
	if err != nil {
		return err
	}
	n := s.names(ctx)
	items := make([]ActorName, 0, len(toks))
	for _, t := range toks {
		a := "token:" + t.ID
		items = append(items, ActorName{Actor: a, Name: n.of(a)})
	}
	return send(c, http.StatusOK, 0, List[ActorName]{Items: items})
}
