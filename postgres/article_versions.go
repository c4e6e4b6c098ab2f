package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const articleVersionColumns = `
	article_id, version, title, body, category, tags, status, actor, note, why, created_at`

// scanArticleVersion reads one row selected with articleVersionColumns.
func scanArticleVersion(row pgx.Row) (*triage.ArticleVersion, error) {
	var v triage.ArticleVersion
	err := row.Scan(&v.ArticleID, &v.Version, &v.Title, &v.Body, &v.Category, &v.Tags,
		&v.Status, &v.Actor, &v.Note, &v.Why, &v.CreatedAt)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ArticleVersions lists an article's versions, oldest (lowest version)
// first. An article without versions gives an empty list; an unknown
// article is ENOTFOUND.
func (s queries) ArticleVersions(ctx context.Context, articleID string) ([]*triage.ArticleVersion, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+articleVersionColumns+`
		FROM article_versions
		WHERE article_id = $1
		ORDER BY version`, articleID)
	out, err := collect(rows, err, "article versions", func(r pgx.Rows) (*triage.ArticleVersion, error) {
		return scanArticleVersion(r)
	})
	if err != nil || len(out) > 0 {
		return out, err
	}
	// Versions exist only for an article that exists (the foreign key sees
	// to it), so only an empty list needs the article looked up.
	var one int
	err = s.q.QueryRow(ctx, `SELECT 1 FROM articles WHERE id = $1`, articleID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("article", articleID)
	} else if err != nil {
		return nil, dbError("article versions", err)
	}
	return out, nil
}

// ArticleVersion returns one version of an article; ENOTFOUND when the
// article or that version of it does not exist.
func (s queries) ArticleVersion(ctx context.Context, articleID string, version int) (*triage.ArticleVersion, error) {
	v, err := scanArticleVersion(s.q.QueryRow(ctx, `
		SELECT `+articleVersionColumns+`
		FROM article_versions
		WHERE article_id = $1 AND version = $2`, articleID, version))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "version %d of article %s not found", version, articleID)
	} else if err != nil {
		return nil, dbError("article version", err)
	}
	return v, nil
}

// AddArticleVersion stores one version of an article: EINVALID without an
// article id or with a version below 1, ENOTFOUND when the article does not
// exist, ECONFLICT when it already has that version. It logs nothing: the
// article's own create or update is the change.
func (tx *Tx) AddArticleVersion(ctx context.Context, v *triage.ArticleVersion) error {
	if err := triage.Required("article_id", v.ArticleID); err != nil {
		return err
	}
	if v.Version < 1 {
		return triage.Invalid("version", "version must be 1 or more, not %d", v.Version)
	}
	v.Tags = triage.NonNil(v.Tags)
	v.CreatedAt = triage.StoreTime(v.CreatedAt)
	tags, err := jsonb(v.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO article_versions (`+articleVersionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		v.ArticleID, v.Version, v.Title, v.Body, v.Category, tags, string(v.Status), v.Actor, v.Note, v.Why, v.CreatedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return triage.NotFound("article", v.ArticleID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "article %s already has version %d", v.ArticleID, v.Version)
	case err != nil:
		return dbError("add article version", err)
	}
	return nil
}
