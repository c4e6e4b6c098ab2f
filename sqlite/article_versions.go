package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/triagehq/triage"
)

const articleVersionColumns = `
	article_id, version, title, body, category, tags, status, actor, note, why, created_at`

// scanArticleVersion reads one row selected with articleVersionColumns.
func scanArticleVersion(row interface{ Scan(...any) error }) (*triage.ArticleVersion, error) {
	var v triage.ArticleVersion
	err := row.Scan(&v.ArticleID, &v.Version, &v.Title, &v.Body, &v.Category, jsonCol{&v.Tags},
		&v.Status, &v.Actor, &v.Note, &v.Why, timeCol{&v.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// articleVersionsQuery reads the primary key's index in order.
const articleVersionsQuery = `
	SELECT ` + articleVersionColumns + `
	FROM article_versions
	WHERE article_id = ?
	ORDER BY version`

// ArticleVersions lists an article's versions, oldest (lowest version)
// first. An article without versions gives an empty list; an unknown
// article is ENOTFOUND.
func (s queries) ArticleVersions(ctx context.Context, articleID string) ([]*triage.ArticleVersion, error) {
	rows, err := s.q.QueryContext(ctx, articleVersionsQuery, articleID)
	if err != nil {
		return nil, dbError("article versions", err)
	}
	defer rows.Close()
	out := []*triage.ArticleVersion{}
	for rows.Next() {
		v, err := scanArticleVersion(rows)
		if err != nil {
			return nil, dbError("article versions", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("article versions", err)
	}
	if len(out) == 0 {
		// Versions exist only for an article that exists (the foreign key
		// sees to it), so only an empty list needs the article looked up.
		var one int
		err := s.q.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE id = ?`, articleID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, triage.NotFound("article", articleID)
		} else if err != nil {
			return nil, dbError("article versions", err)
		}
	}
	return out, nil
}

// ArticleVersion returns one version of an article; ENOTFOUND when the
// article or that version of it does not exist.
func (s queries) ArticleVersion(ctx context.Context, articleID string, version int) (*triage.ArticleVersion, error) {
	row := s.q.QueryRowContext(ctx, `
		SELECT `+articleVersionColumns+`
		FROM article_versions
		WHERE article_id = ? AND version = ?`, articleID, version)
	v, err := scanArticleVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.Errorf(triage.ENOTFOUND, "version %d of article %s not found", version, articleID)
	} else if err != nil {
		return nil, dbError("article version", err)
	}
	return v, nil
}

// AddArticleVersion stores one version of an article: EINVALID without an
// article id or with a version below 1, ENOTFOUND when the article does not
// exist, ECONFLICT when it already has that version. The store does not
// check that the version matches the article's: the service writes both in
// one transaction. It logs nothing: the article's own create or update is
// the change.
func (tx *Tx) AddArticleVersion(ctx context.Context, v *triage.ArticleVersion) error {
	if err := triage.Required("article_id", v.ArticleID); err != nil {
		return err
	}
	if v.Version < 1 {
		return triage.Invalid("version", "version must be 1 or more, not %d", v.Version)
	}
	v.Tags = triage.NonNil(v.Tags)
	v.CreatedAt = triage.StoreTime(v.CreatedAt)
	tags, err := jsonText(v.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO article_versions (`+articleVersionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ArticleID, v.Version, v.Title, v.Body, v.Category, tags, v.Status, v.Actor, v.Note, v.Why,
		micros(v.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("article", v.ArticleID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "article %s already has version %d", v.ArticleID, v.Version)
	case err != nil:
		return dbError("add article version", err)
	}
	return nil
}
