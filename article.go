package triage

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ArticleStatus is where a knowledge-base article is in its review.
type ArticleStatus string

const (
	ArticleDraft     ArticleStatus = "draft"
	ArticleInReview  ArticleStatus = "in_review"
	ArticlePublished ArticleStatus = "published"
	ArticleArchived  ArticleStatus = "archived"
)

// ArticleStatuses lists every status in review order.
func ArticleStatuses() []ArticleStatus {
	return []ArticleStatus{ArticleDraft, ArticleInReview, ArticlePublished, ArticleArchived}
}

// Valid reports whether s is a known status.
func (s ArticleStatus) Valid() bool { return slices.Contains(ArticleStatuses(), s) }

// Next returns the statuses an article in s may move to. Only published
// articles are suggested to agents; archiving keeps an article's history
// and its feedback instead of deleting it.
func (s ArticleStatus) Next() []ArticleStatus {
	switch s {
	case ArticleDraft:
		return []ArticleStatus{ArticleInReview, ArticlePublished, ArticleArchived}
	case ArticleInReview:
		return []ArticleStatus{ArticleDraft, ArticlePublished, ArticleArchived}
	case ArticlePublished:
		return []ArticleStatus{ArticleDraft, ArticleArchived}
	case ArticleArchived:
		return []ArticleStatus{ArticleDraft}
	}
	return nil
}

// CanMoveTo reports whether the review workflow allows s → to.
func (s ArticleStatus) CanMoveTo(to ArticleStatus) bool { return slices.Contains(s.Next(), to) }

// Article is a knowledge-base article. Body is Markdown.
type Article struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Body     string        `json:"body"`
	Category string        `json:"category"`
	Tags     []string      `json:"tags"`
	Status   ArticleStatus `json:"status"`
	// Visibility is internal (agents only, the default) or public (on
	// the help centre once published).
	Visibility ArticleVisibility `json:"visibility"`
	// AuthorID is the actor who created it (see Principal.Actor).
	AuthorID    string     `json:"author_id"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at"`
	Version     int        `json:"version"`
}

// ArticleVersion is an article as one save left it. Every save, status
// changes included, is a version; reverting writes an old version's text as
// a new version, so history only grows.
type ArticleVersion struct {
	ArticleID string        `json:"article_id"`
	Version   int           `json:"version"`
	Title     string        `json:"title"`
	Body      string        `json:"body"`
	Category  string        `json:"category"`
	Tags      []string      `json:"tags"`
	Status    ArticleStatus `json:"status"`
	Actor     string        `json:"actor"`
	Note      string        `json:"note"`
	// Why is what the service says of the version when the person who
	// saved it wrote no note: what changed, a revert.
	Why       Reasons   `json:"why,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Article limits.
const (
	MaxArticleTitleRunes = 200
	MaxArticleBodyBytes  = 256 << 10
)

// ValidateArticle checks an article's text fields and normalises them.
func ValidateArticle(a *Article) error {
	a.Title = strings.TrimSpace(a.Title)
	a.Category = strings.TrimSpace(a.Category)
	switch {
	case a.Title == "":
		return Invalid("title", "title is required")
	case !utf8.ValidString(a.Title) || utf8.RuneCountInString(a.Title) > MaxArticleTitleRunes:
		return Invalid("title", "title must be valid text of at most %d characters", MaxArticleTitleRunes)
	case !utf8.ValidString(a.Body):
		return Invalid("body", "body is not valid UTF-8")
	case len(a.Body) > MaxArticleBodyBytes:
		return Invalid("body", "body is %d bytes; at most %d are allowed", len(a.Body), MaxArticleBodyBytes)
	case utf8.RuneCountInString(a.Category) > 64:
		return Invalid("category", "category is longer than 64 characters")
	}
	if err := ValidateVisibility(&a.Visibility); err != nil {
		return err
	}
	tags, err := CleanTags("tags", a.Tags)
	if err != nil {
		return err
	}
	a.Tags = tags
	return nil
}

// ArticleFilter selects articles for a list; zero values mean any.
type ArticleFilter struct {
	Status   []ArticleStatus
	Category string
	AuthorID string
	// Visibility keeps the articles of that visibility; "" means any.
	Visibility ArticleVisibility
	// Text matches articles whose title or body contains it.
	Text   string
	Cursor string
	Limit  int
}

// NewArticle creates an article as a draft.
type NewArticle struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	// Visibility is internal when not given.
	Visibility ArticleVisibility `json:"visibility"`
}

// ArticleUpdate edits an article or moves it through review.
type ArticleUpdate struct {
	Title    Opt[string]        `json:"title"`
	Body     Opt[string]        `json:"body"`
	Category Opt[string]        `json:"category"`
	Tags     Opt[[]string]      `json:"tags"`
	Status   Opt[ArticleStatus] `json:"status"`
	// Visibility makes the article public or internal.
	Visibility Opt[ArticleVisibility] `json:"visibility"`
	// Note is kept with the version: what changed, or why a review sent
	// it back.
	Note string `json:"note"`
	// Override, on publishing with review required, lets an admin publish
	// an article whose text they wrote: it is the reason, kept with the
	// version.
	Override string `json:"override"`
	// Why is kept with the version when the service writes it (a
	// revert); clients cannot send it.
	Why Reasons `json:"-"`
}
