package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const articleColumns = `
	id, title, body, category, tags, status, author_id,
	created_at, updated_at, published_at, version, visibility`

// scanArticle reads one row selected with articleColumns.
func scanArticle(row pgx.Row) (*triage.Article, error) {
	var a triage.Article
	err := row.Scan(&a.ID, &a.Title, &a.Body, &a.Category, &a.Tags, &a.Status, &a.AuthorID,
		&a.CreatedAt, &a.UpdatedAt, &a.PublishedAt, &a.Version, &a.Visibility)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Article returns one article.
func (s queries) Article(ctx context.Context, id string) (*triage.Article, error) {
	a, err := scanArticle(s.q.QueryRow(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("article", id)
	} else if err != nil {
		return nil, dbError("article", err)
	}
	return a, nil
}

// Articles lists the articles that match f, most recently updated first
// (UpdatedAt, then id, both descending), one page at a time. The cursor is a
// triage.Cursor whose CreatedAt field holds the UpdatedAt of the page's last
// article; the row comparison on (updated_at, id) lets every articles index
// be read from the cursor on, in order.
func (s queries) Articles(ctx context.Context, f triage.ArticleFilter) ([]*triage.Article, string, error) {
	a := &args{}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		a.add(`status = ANY(?)`, st)
	}
	if f.Category != "" {
		a.add(`category = ?`, f.Category)
	}
	if f.AuthorID != "" {
		a.add(`author_id = ?`, f.AuthorID)
	}
	if f.Visibility != "" {
		a.add(`visibility = ?`, string(f.Visibility))
	}
	if f.Text != "" {
		// As for tickets: strpos, so % and _ are plain characters, and
		// ASCII-only case folding.
		p := a.next(f.Text)
		a.where = append(a.where, `(strpos(ascii_lower(title), ascii_lower(`+p+`)) > 0 OR strpos(ascii_lower(body), ascii_lower(`+p+`)) > 0)`)
	}
	if f.Cursor != "" {
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		a.add(`(updated_at, id) < (?, ?)`, c.CreatedAt, c.ID)
	}
	limit := triage.PageLimit(f.Limit)
	query := `SELECT ` + articleColumns + ` FROM articles` + a.clause() +
		` ORDER BY updated_at DESC, id DESC LIMIT ` + a.next(limit+1)
	rows, err := s.q.Query(ctx, query, a.vals...)
	out, err := collect(rows, err, "articles", func(r pgx.Rows) (*triage.Article, error) { return scanArticle(r) })
	if err != nil {
		return nil, "", err
	}
	out, next := triage.Page(out, limit, func(x *triage.Article) string { return triage.Cursor{CreatedAt: x.UpdatedAt, ID: x.ID}.Encode() })
	return out, next, nil
}

// CreateArticle inserts a at version 1 and logs (article, id, create). The
// store takes the text and status as given (triage.ValidateArticle and the
// review workflow are the service's job).
func (tx *Tx) CreateArticle(ctx context.Context, a *triage.Article) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	tags, err := jsonb(a.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO articles (`+articleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)`,
		a.ID, a.Title, a.Body, a.Category, tags, string(a.Status), a.AuthorID,
		a.CreatedAt, a.UpdatedAt, a.PublishedAt, string(a.Visibility))
	if isDuplicate(err) {
		return triage.Errorf(triage.ECONFLICT, "article %s already exists", a.ID)
	} else if err != nil {
		return dbError("create article", err)
	}
	a.Version = 1
	return tx.logChange(ctx, "article", a.ID, "create")
}

// UpdateArticle stores a if the stored version is still a.Version, then
// increments a.Version and logs (article, id, update). CreatedAt and
// AuthorID are fixed when an article is created: the update leaves them
// alone and gives the stored ones back to a, so that a equals what a read
// returns.
func (tx *Tx) UpdateArticle(ctx context.Context, a *triage.Article) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	tags, err := jsonb(a.Tags)
	if err != nil {
		return err
	}
	var created triage.Article
	err = tx.tx.QueryRow(ctx, `
		UPDATE articles SET
			title = $1, body = $2, category = $3, tags = $4, status = $5,
			updated_at = $6, published_at = $7, version = version + 1, visibility = $10
		WHERE id = $8 AND version = $9
		RETURNING created_at, author_id`,
		a.Title, a.Body, a.Category, tags, string(a.Status),
		a.UpdatedAt, a.PublishedAt, a.ID, a.Version, string(a.Visibility)).Scan(&created.CreatedAt, &created.AuthorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return tx.staleOrMissing(ctx, "articles", "article", a.ID, a.Version)
	} else if err != nil {
		return dbError("update article", err)
	}
	a.CreatedAt, a.AuthorID = created.CreatedAt, created.AuthorID
	a.Version++
	return tx.logChange(ctx, "article", a.ID, "update")
}
