// Package kb is the knowledge base: the life of an article (drafts, edits,
// review, publication, archiving), its version history with revert and
// diff, who may do what, Markdown rendering that is safe to show,
// paragraph-sized chunks for the search indexes, bulk import and export in
// JSON Lines, and the hybrid search over articles and resolved tickets
// (Searcher) with the follower that keeps its indexes in step (Indexer).
//
// Every save is a version: the article row and its version row are written
// in one store transaction, so the history can never miss a save that
// committed, and a revert writes an old text as a new version, so history
// only grows. Service writes only to the store; the indexes follow its
// change log, so they can never hold what did not commit.
package kb

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// Service carries out the knowledge base's use cases over a triage.Store.
// Its zero value is not usable; set Store. Use it through a pointer.
type Service struct {
	Store triage.Store
	// Now is the clock; nil means time.Now. Times are UTC, truncated to
	// the microsecond both stores keep.
	Now func() time.Time
	// RequireReview keeps a person's edit of a published article as a
	// revision that another editor approves, while the published text
	// stays live (see Review). The service turns it on unless told not
	// to; the zero value, for tests and tools, edits in place.
	RequireReview bool

	// The renderer is built on first use: goldmark and bluemonday
	// instances are safe for concurrent use and worth reusing.
	renderOnce sync.Once
	renderer   *Renderer
}

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// write is triage.Write with the service's store and clock.
func write[T any](ctx context.Context, s *Service, idem *triage.Idempotency, fn func(tx triage.Tx) (T, error)) (T, error) {
	return triage.Write(ctx, s.Store, idem, s.now(), nil, fn)
}

// Render turns an article's Markdown into HTML that is safe to insert into
// a page; see Renderer.
func (s *Service) Render(markdown string) string {
	s.renderOnce.Do(func() { s.renderer = NewRenderer() })
	return s.renderer.Render(markdown)
}

func joinStatuses(vs []triage.ArticleStatus) string {
	ss := make([]string, len(vs))
	for i, v := range vs {
		ss[i] = string(v)
	}
	return strings.Join(ss, ", ")
}

// addVersion records a save in the article's history and enqueues its
// change event in the same transaction.
func addVersion(ctx context.Context, tx triage.Tx, v *triage.ArticleVersion) error {
	if err := tx.AddArticleVersion(ctx, v); err != nil {
		return err
	}
	return triage.EventArticleChanged.Emit(ctx, tx, triage.ArticleEvent{ArticleID: v.ArticleID, Version: v.Version})
}
