package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/triagehq/triage"
)

const articleColumns = `
	id, title, body, category, tags, status, author_id,
	created_at, updated_at, published_at, version, visibility`

// scanArticle reads one row selected with articleColumns.
func scanArticle(row interface{ Scan(...any) error }) (*triage.Article, error) {
	var a triage.Article
	err := row.Scan(
		&a.ID, &a.Title, &a.Body, &a.Category, jsonCol{&a.Tags}, &a.Status, &a.AuthorID,
		timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, nullTimeCol{&a.PublishedAt}, &a.Version, &a.Visibility,
	)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Article returns one article.
func (s queries) Article(ctx context.Context, id string) (*triage.Article, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = ?`, id)
	a, err := scanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("article", id)
	} else if err != nil {
		return nil, dbError("article", err)
	}
	return a, nil
}

// articlesQuery builds the query of one page of Articles and returns it with
// its arguments and the page size. The rows are one more than the page, to
// tell whether another page follows.
//
// The order is (updated_at DESC, id DESC), the tail of every articles index,
// and the cursor is a row-value comparison on the same pair, so a filter on
// one status, category or author reads its index from the cursor on, in
// order, and stops at the limit (TestQueryPlans checks the status case).
// Several statuses are several ranges of articles_status, which SQLite
// merges with a sort.
func articlesQuery(f triage.ArticleFilter) (query string, args []any, limit int, err error) {
	var where []string
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if len(f.Status) > 0 {
		for _, st := range f.Status {
			args = append(args, st)
		}
		where = append(where, `status IN (?`+strings.Repeat(`, ?`, len(f.Status)-1)+`)`)
	}
	if f.Category != "" {
		add(`category = ?`, f.Category)
	}
	if f.AuthorID != "" {
		add(`author_id = ?`, f.AuthorID)
	}
	if f.Visibility != "" {
		add(`visibility = ?`, f.Visibility)
	}
	if f.Text != "" {
		// As for tickets: instr, so % and _ are plain characters, and
		// lower(), which folds ASCII only.
		add(`(instr(lower(title), lower(?)) > 0 OR instr(lower(body), lower(?)) > 0)`, f.Text, f.Text)
	}
	if f.Cursor != "" {
		// The cursor's CreatedAt holds the UpdatedAt of the page's last
		// article: the sort key of this list.
		c, err := triage.DecodeCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		add(`(updated_at, id) < (?, ?)`, micros(c.CreatedAt), c.ID)
	}
	limit = triage.PageLimit(f.Limit)
	query = `SELECT ` + articleColumns + ` FROM articles`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY updated_at DESC, id DESC LIMIT ?`
	return query, append(args, limit+1), limit, nil
}

// Articles lists the articles that match f, most recently updated first
// (UpdatedAt, then id, both descending), one page at a time. The cursor is a
// triage.Cursor whose CreatedAt field holds the UpdatedAt of the page's last
// article. An article updated while a client pages moves to the front: the
// client does not see it again, as the list is by update time.
func (s queries) Articles(ctx context.Context, f triage.ArticleFilter) ([]*triage.Article, string, error) {
	query, args, limit, err := articlesQuery(f)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", dbError("articles", err)
	}
	defer rows.Close()
	out := []*triage.Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, "", dbError("articles", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", dbError("articles", err)
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
	tags, err := jsonText(a.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO articles (`+articleColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
		a.ID, a.Title, a.Body, a.Category, tags, a.Status, a.AuthorID,
		micros(a.CreatedAt), micros(a.UpdatedAt), nullMicros(a.PublishedAt), a.Visibility)
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
	tags, err := jsonText(a.Tags)
	if err != nil {
		return err
	}
	var created triage.Article
	err = tx.tx.QueryRowContext(ctx, `
		UPDATE articles SET
			title = ?, body = ?, category = ?, tags = ?, status = ?, visibility = ?,
			updated_at = ?, published_at = ?, version = version + 1
		WHERE id = ? AND version = ?
		RETURNING created_at, author_id`,
		a.Title, a.Body, a.Category, tags, a.Status, a.Visibility,
		micros(a.UpdatedAt), nullMicros(a.PublishedAt),
		a.ID, a.Version).Scan(timeCol{&created.CreatedAt}, &created.AuthorID)
	if errors.Is(err, sql.ErrNoRows) {
		return tx.staleOrMissing(ctx, "articles", "article", a.ID, a.Version)
	} else if err != nil {
		return dbError("update article", err)
	}
	a.CreatedAt, a.AuthorID = created.CreatedAt, created.AuthorID
	a.Version++
	return tx.logChange(ctx, "article", a.ID, "update")
}
