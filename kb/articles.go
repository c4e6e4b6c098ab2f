package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// MaxNoteRunes bounds the note kept with a version.
const MaxNoteRunes = 1000

// CreateArticle stores a new draft, written by the principal in ctx, with
// its first version.
func (s *Service) CreateArticle(ctx context.Context, in triage.NewArticle, idem *triage.Idempotency) (*triage.Article, error) {
	if err := authorize(triage.PrincipalFromContext(ctx), nil, change{create: true}); err != nil {
		return nil, err
	}
	now := s.now()
	a := &triage.Article{
		ID:       triage.NewID(),
		Title:    in.Title,
		Body:     in.Body,
		Category: in.Category,
		Tags:     in.Tags,
		Status:   triage.ArticleDraft,
		// Visibility is checked by ValidateArticle; "" stays internal.
		Visibility: in.Visibility,
		AuthorID:   triage.ActorFromContext(ctx),
		CreatedAt:  now,
		UpdatedAt:  now,
		Version:    1,
	}
	if err := triage.ValidateArticle(a); err != nil {
		return nil, err
	}
	return write(ctx, s, idem, func(tx triage.Tx) (*triage.Article, error) {
		if err := tx.CreateArticle(ctx, a); err != nil {
			return nil, err
		}
		return a, addVersion(ctx, tx, versionOf(a, a.AuthorID, "", triage.Reasons{triage.NewReason(triage.ReasonArticleCreated)}))
	})
}

// versionOf is the version row a save of a leaves behind.
func versionOf(a *triage.Article, actor, note string, why triage.Reasons) *triage.ArticleVersion {
	return &triage.ArticleVersion{
		ArticleID: a.ID,
		Version:   a.Version,
		Title:     a.Title,
		Body:      a.Body,
		Category:  a.Category,
		Tags:      slices.Clone(a.Tags),
		Status:    a.Status,
		Actor:     actor,
		Note:      note,
		Why:       why,
		CreatedAt: a.UpdatedAt,
	}
}

// Article returns one article.
func (s *Service) Article(ctx context.Context, id string) (*triage.Article, error) {
	return s.Store.Article(ctx, id)
}

// Articles lists articles, most recently updated first, and returns the
// cursor of the next page ("" on the last).
func (s *Service) Articles(ctx context.Context, f triage.ArticleFilter) ([]*triage.Article, string, error) {
	if err := validateFilter(f); err != nil {
		return nil, "", err
	}
	return s.Store.Articles(ctx, f)
}

func validateFilter(f triage.ArticleFilter) error {
	for _, st := range f.Status {
		if !st.Valid() {
			return triage.Invalid("status", "status %q is not one of %s", st, joinStatuses(triage.ArticleStatuses()))
		}
	}
	if f.Limit < 0 || f.Limit > triage.MaxPageSize {
		return triage.Invalid("limit", "limit must be between 1 and %d", triage.MaxPageSize)
	}
	if f.Cursor != "" {
		if _, err := triage.DecodeCursor(f.Cursor); err != nil {
			return err
		}
	}
	return nil
}

// Versions lists an article's versions, oldest first.
func (s *Service) Versions(ctx context.Context, id string) ([]*triage.ArticleVersion, error) {
	if _, err := s.Store.Article(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.ArticleVersions(ctx, id)
}

// Version returns one version of an article.
func (s *Service) Version(ctx context.Context, id string, version int) (*triage.ArticleVersion, error) {
	return s.Store.ArticleVersion(ctx, id, version)
}

// UpdateArticle edits an article and moves it through review in one save,
// at the given version (0: any). A save that changes something is a new
// version; one that changes nothing writes nothing and returns the article
// as it is. Becoming published sets PublishedAt; leaving published keeps
// it, as the time the article was last published.
func (s *Service) UpdateArticle(ctx context.Context, id string, version int, u triage.ArticleUpdate) (*triage.Article, error) {
	a, _, err := s.Save(ctx, id, version, u)
	return a, err
}

// Save is UpdateArticle that also says where an edit went: with review
// required (RequireReview), a person's edit of a published article is kept
// as their revision, returned with the article unchanged.
func (s *Service) Save(ctx context.Context, id string, version int, u triage.ArticleUpdate) (*triage.Article, *triage.ArticleRevision, error) {
	u.Override = strings.TrimSpace(u.Override)
	if err := checkUpdate(u); err != nil {
		return nil, nil, err
	}
	p := triage.PrincipalFromContext(ctx)
	type result struct {
		a *triage.Article
		r *triage.ArticleRevision
	}
	res, err := write(ctx, s, nil, func(tx triage.Tx) (result, error) {
		a, err := tx.Article(ctx, id)
		if err != nil {
			return result{}, err
		}
		next := *a
		next.Tags = slices.Clone(a.Tags)
		applyEdits(&next, u)
		move := u.Status.Set && u.Status.V != a.Status
		review, err := s.reviews(ctx, tx, p, a)
		if err != nil {
			return result{}, err
		}
		if review && edited(a, &next) {
			if move {
				return result{}, triage.Invalid("status", "review is required: an edit of a published article becomes a revision for review; change the status in a save of its own")
			}
			if err := triage.CheckVersion("article "+id, a.Version, version); err != nil {
				return result{}, err
			}
			if err := triage.ValidateArticle(&next); err != nil {
				return result{}, err
			}
			r, err := s.propose(ctx, tx, p, a, &next, u.Note)
			return result{a, r}, err
		}
		a, err = s.update(ctx, tx, p, a, next, move, version, u)
		return result{a: a}, err
	})
	return res.a, res.r, err
}

// update saves next, an edit or move of a, in place.
func (s *Service) update(ctx context.Context, tx triage.Tx, p *triage.Principal, a *triage.Article, next triage.Article, move bool, version int, u triage.ArticleUpdate) (*triage.Article, error) {
	id := a.ID
	// Permission before version: a caller who may not do this at
	// all should hear so, not be sent to fetch and retry.
	if err := authorize(p, a, change{move: move, to: u.Status.V}); err != nil {
		return nil, err
	}
	if err := triage.CheckVersion("article "+id, a.Version, version); err != nil {
		return nil, err
	}
	if move {
		if err := checkMove(a.Status, u.Status.V); err != nil {
			return nil, err
		}
		next.Status = u.Status.V
	}
	if err := triage.ValidateArticle(&next); err != nil {
		return nil, err
	}
	var approval triage.Reasons
	if move && next.Status == triage.ArticlePublished && p != nil {
		review, err := s.ReviewRequired(ctx, tx)
		if err != nil {
			return nil, err
		}
		if review {
			if edited(a, &next) {
				return nil, triage.Invalid("status", "review is required: publish the text that was reviewed, and save an edit in a save of its own")
			}
			if approval, err = checkPublish(ctx, tx, p, a, u.Override); err != nil {
				return nil, err
			}
		}
	}
	if u.Override != "" && approval == nil {
		return nil, triage.Invalid("override", "override is the reason an admin publishes their own article while review is required; it goes with status published only")
	}
	if !edited(a, &next) && !move {
		return a, nil
	}
	why := u.Why
	if u.Note == "" && len(why) == 0 {
		why = describe(a, &next)
	}
	if approval != nil {
		// Who approved is kept even when the publisher wrote a note.
		why = append(approval, why...)
	}
	return &next, s.save(ctx, tx, &next, a.Status, u.Note, why)
}

// save stores a changed article and its version row.
func (s *Service) save(ctx context.Context, tx triage.Tx, a *triage.Article, from triage.ArticleStatus, note string, why triage.Reasons) error {
	now := s.now()
	a.UpdatedAt = now
	if a.Status == triage.ArticlePublished && from != triage.ArticlePublished {
		a.PublishedAt = &now
	}
	if err := tx.UpdateArticle(ctx, a); err != nil {
		return err
	}
	return addVersion(ctx, tx, versionOf(a, triage.ActorFromContext(ctx), note, why))
}

// checkUpdate refuses what no article could take, before anything is read.
func checkUpdate(u triage.ArticleUpdate) error {
	switch {
	case utf8.RuneCountInString(u.Note) > MaxNoteRunes:
		return triage.Invalid("note", "note is longer than %d characters", MaxNoteRunes)
	case utf8.RuneCountInString(u.Override) > MaxOverrideRunes:
		return triage.Invalid("override", "override is longer than %d characters", MaxOverrideRunes)
	case u.Title.Set && u.Title.Null:
		return triage.Invalid("title", "title cannot be null")
	case u.Status.Set && u.Status.Null:
		return triage.Invalid("status", "status cannot be null")
	case u.Status.Set && !u.Status.V.Valid():
		return triage.Invalid("status", "status %q is not one of %s", u.Status.V, joinStatuses(triage.ArticleStatuses()))
	case u.Visibility.Set && (u.Visibility.Null || !u.Visibility.V.Valid()):
		return triage.Invalid("visibility", "visibility must be internal or public")
	}
	return nil
}

// applyEdits sets the text fields an update carries; null clears them.
func applyEdits(a *triage.Article, u triage.ArticleUpdate) {
	setOpt(&a.Title, u.Title)
	setOpt(&a.Body, u.Body)
	setOpt(&a.Category, u.Category)
	setOpt(&a.Tags, u.Tags)
	setOpt(&a.Visibility, u.Visibility)
	if a.Tags == nil {
		a.Tags = []string{}
	}
}

func setOpt[T any](dst *T, o triage.Opt[T]) {
	if !o.Set {
		return
	}
	var zero T
	if o.Null {
		*dst = zero
		return
	}
	*dst = o.V
}

// edited reports whether b's text differs from a's. Both must be
// normalised (ValidateArticle) for the answer to mean anything; a stored
// article always is.
func edited(a, b *triage.Article) bool {
	return a.Title != b.Title || a.Body != b.Body || a.Category != b.Category || !slices.Equal(a.Tags, b.Tags) ||
		a.Visibility != b.Visibility
}

// checkMove refuses a status change the review workflow does not allow and
// says which ones it would.
func checkMove(from, to triage.ArticleStatus) error {
	if from.CanMoveTo(to) {
		return nil
	}
	next := from.Next()
	allowed := make([]string, len(next))
	for i, n := range next {
		allowed[i] = string(n)
	}
	msg := fmt.Sprintf("a %s article cannot become %s; it can become %s", from, to, strings.Join(allowed, ", "))
	return &triage.Error{Code: triage.ECONFLICT, Message: msg, Field: "status", Allowed: allowed}
}

// describe is what the service says of a save that came without a note:
// the fields edited and the move.
func describe(a, b *triage.Article) triage.Reasons {
	var fields []string
	if a.Title != b.Title {
		fields = append(fields, "title")
	}
	if a.Body != b.Body {
		fields = append(fields, "body")
	}
	if a.Category != b.Category {
		fields = append(fields, "category")
	}
	if !slices.Equal(a.Tags, b.Tags) {
		fields = append(fields, "tags")
	}
	if a.Visibility != b.Visibility {
		fields = append(fields, "visibility")
	}
	var parts triage.Reasons
	if len(fields) > 0 {
		parts = append(parts, triage.NewReason(triage.ReasonArticleEdited, fields))
	}
	if a.Status != b.Status {
		parts = append(parts, triage.NewReason(triage.ReasonArticleMoved, a.Status, b.Status))
	}
	return parts
}

// Revert writes the text of an earlier version (title, body, category and
// tags) as a new version, at the given version of the article (0: any).
// The status stays: reverting the text of a published article does not
// unpublish it. Reverting to the text the article already has writes
// nothing.
func (s *Service) Revert(ctx context.Context, id string, toVersion, ifMatch int) (*triage.Article, error) {
	if toVersion < 1 {
		return nil, triage.Invalid("version", "version must be 1 or more")
	}
	p := triage.PrincipalFromContext(ctx)
	return write(ctx, s, nil, func(tx triage.Tx) (*triage.Article, error) {
		a, err := tx.Article(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := authorize(p, a, change{}); err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("article "+id, a.Version, ifMatch); err != nil {
			return nil, err
		}
		v, err := tx.ArticleVersion(ctx, id, toVersion)
		if triage.IsCode(err, triage.ENOTFOUND) {
			return nil, triage.Invalid("version", "article %s has no version %d; its latest is %d", id, toVersion, a.Version)
		} else if err != nil {
			return nil, err
		}
		next := *a
		next.Title, next.Body, next.Category, next.Tags = v.Title, v.Body, v.Category, slices.Clone(v.Tags)
		if next.Tags == nil {
			next.Tags = []string{}
		}
		if err := triage.ValidateArticle(&next); err != nil {
			return nil, err
		}
		if !edited(a, &next) {
			return a, nil
		}
		if review, err := s.reviews(ctx, tx, p, a); err != nil {
			return nil, err
		} else if review {
			// A revert of published text is a change like any other:
			// it goes through review.
			_, err := s.propose(ctx, tx, p, a, &next, "")
			return a, err
		}
		return &next, s.save(ctx, tx, &next, a.Status, "", triage.Reasons{triage.NewReason(triage.ReasonArticleReverted, toVersion)})
	})
}
