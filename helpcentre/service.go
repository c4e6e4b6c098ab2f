// Package helpcentre is the public help centre: server-rendered pages at
// /help that anyone may read without signing in — categories, articles,
// search with the agents' Chinese search, "这篇文章有帮助吗？" votes, a
// sitemap — branded with the company's name and logo.
//
// Only an article that is both public and published is ever shown
// (triage.Article.OnHelpCentre): every page, search result and sitemap
// entry goes through Service.article or Service.articles, and an article
// that fails the test answers exactly as one that does not exist, so its
// id cannot be confirmed by guessing.
package helpcentre

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/limit"
	"github.com/triagehq/triage/suggest"
)

// Searcher is the agents' article search (kb.Searcher).
type Searcher interface {
	Search(ctx context.Context, q kb.Query) ([]kb.Hit, error)
}

// Service reads the public side of the knowledge base and records readers'
// votes.
type Service struct {
	Store triage.Store
	// Search finds articles; nil leaves the help centre without search
	// (the search page says so).
	Search Searcher
	// Render turns an article's Markdown into safe HTML (kb.Service.Render).
	Render func(markdown string) string
	// BaseURL starts every canonical link and sitemap entry, e.g.
	// https://help.example.com (no trailing slash).
	BaseURL string
	// Votes limits the votes one client address may cast; nil means
	// DefaultVoteRate. Proxies says which peers' X-Forwarded-For to read.
	Votes   *limit.Limiter
	Proxies limit.Proxies
	Now     func() time.Time

	// The customer's side (portal.go). Tickets nil serves no request
	// form and no "my tickets"; Mailer nil sends no acknowledgement and
	// no sign-in link; Rate nil offers no rating.
	Tickets Tickets
	Mailer  Mailer
	Rate    Rater
	// Writer answers questions (the drafts' writer); nil means
	// extractive answers.
	Writer *suggest.Writer
	// PoW issues the request form's proof of work; nil makes one with a
	// secret of this process.
	PoW    *limit.PoW
	Limits Limits
	// MinConfidence is the confidence an article needs to be offered as
	// the answer (suggest.DefaultAnswerConfidence when 0).
	MinConfidence float64
	// SessionTTL is how long a requester stays signed in
	// (DefaultSessionTTL when 0); Secure marks the cookie Secure (the
	// public URL is https).
	SessionTTL time.Duration
	Secure     bool
	// SMS posts sign-in codes to the company's SMS webhook (sms.go);
	// nil means egress.Client(nil). app passes one through egress over
	// the webhooks' address guard.
	SMS *http.Client
}

// DefaultVoteRate is how many votes one address may cast a minute: a
// reader votes once per article; a script voting for one article again
// and again is held to this.
var DefaultVoteRate = limit.PerMinute(10)

// New returns a Service with its vote limiter.
func New(s Service) (*Service, error) {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Votes == nil {
		l, err := limit.NewLimiter(DefaultVoteRate, 0, s.Now)
		if err != nil {
			return nil, err
		}
		s.Votes = l
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	if err := s.initPortal(); err != nil {
		return nil, err
	}
	return &s, nil
}

// MaxQueryRunes bounds a search query.
const MaxQueryRunes = 200

// maxPublic bounds how many public articles one listing reads: a help
// centre is read by people; thousands of articles in one category are
// paged by search, not by scrolling.
const maxPublic = 2000

// article returns a public published article, and ENOTFOUND for any other,
// existing or not, with the same message.
func (s *Service) article(ctx context.Context, id string) (*triage.Article, error) {
	a, err := s.Store.Article(ctx, id)
	if triage.IsCode(err, triage.ENOTFOUND) || (err == nil && !a.OnHelpCentre()) {
		return nil, triage.NotFound("article", id)
	}
	return a, err
}

// articles lists the public published articles of a category ("" any),
// most recently updated first.
func (s *Service) articles(ctx context.Context, category string) ([]*triage.Article, error) {
	f := triage.ArticleFilter{Visibility: triage.ArticlePublic, Status: []triage.ArticleStatus{triage.ArticlePublished},
		Category: category, Limit: triage.MaxPageSize}
	var out []*triage.Article
	for len(out) < maxPublic {
		page, next, err := s.Store.Articles(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			// The store filtered; the test here is the one every page
			// keeps, so a store bug cannot leak an internal article.
			if a.OnHelpCentre() {
				out = append(out, a)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return out, nil
}

// Category is one category of public articles.
type Category struct {
	Name  string
	Count int
}

// categories groups articles by category, largest first, then by name;
// articles without one are left out (they show under 最近更新).
func categories(as []*triage.Article) []Category {
	count := map[string]int{}
	for _, a := range as {
		if a.Category != "" {
			count[a.Category]++
		}
	}
	out := make([]Category, 0, len(count))
	for name, n := range count {
		out = append(out, Category{name, n})
	}
	slices.SortFunc(out, func(a, b Category) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// CheckQuery validates a search query as a reader typed it.
func CheckQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case !utf8.ValidString(q):
		return "", triage.Invalid("q", "q is not valid UTF-8")
	case utf8.RuneCountInString(q) > MaxQueryRunes:
		return "", triage.Invalid("q", "q is longer than %d characters", MaxQueryRunes)
	case strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", triage.Invalid("q", "q contains control characters")
	}
	return q, nil
}

// MaxResults is how many articles a search shows.
const MaxResults = 10

// search finds public published articles with the agents' search
// (hybrid: the segmenter's words, sub-words and quoted phrases, and the
// embedder's vectors). The search asks for kb.MaxK hits and keeps the
// public published ones: the index holds internal articles too.
func (s *Service) search(ctx context.Context, q string) ([]*triage.Article, error) {
	if s.Search == nil {
		return nil, triage.Errorf(triage.EUNAVAILABLE, "search is not configured on this server")
	}
	hits, err := s.Search.Search(ctx, kb.Query{Text: q, Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: kb.MaxK})
	if err != nil {
		return nil, err
	}
	out := []*triage.Article{}
	for _, h := range hits {
		a, err := s.article(ctx, h.OwnerID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, err
		}
		if out = append(out, a); len(out) == MaxResults {
			break
		}
	}
	return out, nil
}

// Vote records a reader's answer to "这篇文章有帮助吗？" on a public
// published article, after the client address's rate limit.
func (s *Service) Vote(ctx context.Context, client netip.Addr, articleID string, helpful bool) (limit.Decision, error) {
	d := s.Votes.Allow(limit.Key(client))
	if !d.Allowed {
		return d, d.Err()
	}
	if _, err := s.article(ctx, articleID); err != nil {
		return d, err
	}
	v := &triage.ArticleVote{ID: triage.NewID(), ArticleID: articleID, Helpful: helpful, CreatedAt: s.Now()}
	return d, s.Store.Update(ctx, func(tx triage.Tx) error {
		// Read again in the transaction: the article may have become
		// internal since.
		a, err := tx.Article(ctx, articleID)
		if err != nil {
			return err
		}
		if !a.OnHelpCentre() {
			return triage.NotFound("article", articleID)
		}
		if err := tx.AddArticleVote(ctx, v); err != nil || !helpful {
			return err
		}
		// "有帮助" counts as a deflection in the report.
		return tx.AddHelpEvent(ctx, &triage.HelpEvent{ID: triage.NewID(), Kind: triage.HelpHelpful, ArticleID: a.ID, Category: a.Category, CreatedAt: v.CreatedAt})
	})
}

// Settings returns the branding.
func (s *Service) Settings(ctx context.Context) (*triage.HelpSettings, error) {
	return s.Store.HelpSettings(ctx)
}

// PutSettings changes the branding; the caller checked the admin role.
func (s *Service) PutSettings(ctx context.Context, u triage.HelpSettingsUpdate) (*triage.HelpSettings, error) {
	var out *triage.HelpSettings
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		h, err := tx.HelpSettings(ctx)
		if err != nil {
			return err
		}
		if u.CompanyName.Set {
			h.CompanyName = u.CompanyName.V
		}
		if u.Logo.Set {
			b, err := base64.StdEncoding.DecodeString(u.Logo.V)
			if err != nil {
				return triage.Invalid("logo", "logo is not base64: %v", err)
			}
			h.Logo = b
		}
		if u.AskCategory.Set {
			h.AskCategory = u.AskCategory.V
		}
		if u.ConfirmEmail.Set {
			h.ConfirmEmail = u.ConfirmEmail.V
		}
		if u.WidgetOrigins.Set {
			h.WidgetOrigins = u.WidgetOrigins.V
		}
		if u.SMSWebhookURL.Set {
			h.SMSWebhookURL = u.SMSWebhookURL.V
		}
		if u.SMSSecret.Set {
			h.SMSSecret = u.SMSSecret.V
		}
		if err := triage.ValidateHelpSettings(h); err != nil {
			return err
		}
		h.UpdatedAt = s.Now()
		out = h
		return tx.PutHelpSettings(ctx, h)
	})
	return out, err
}
