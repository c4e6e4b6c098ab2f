package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/triagehq/triage"
)

const articleRevisionColumns = `
	id, article_id, base_version, title, body, category, tags, visibility, status, author_id, note,
	reviewer_id, review_note, override_reason, created_at, updated_at, decided_at, version`

// scanArticleRevision reads one row selected with articleRevisionColumns.
func scanArticleRevision(row interface{ Scan(...any) error }) (*triage.ArticleRevision, error) {
	var r triage.ArticleRevision
	err := row.Scan(&r.ID, &r.ArticleID, &r.BaseVersion, &r.Title, &r.Body, &r.Category, jsonCol{&r.Tags}, &r.Visibility,
		&r.Status, &r.AuthorID, &r.Note, &r.ReviewerID, &r.ReviewNote, &r.Override,
		timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}, nullTimeCol{&r.DecidedAt}, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Tags = triage.NonNil(r.Tags)
	return &r, nil
}

// ArticleRevision returns one revision; ENOTFOUND when there is none.
func (s queries) ArticleRevision(ctx context.Context, id string) (*triage.ArticleRevision, error) {
	r, err := scanArticleRevision(s.q.QueryRowContext(ctx, `SELECT `+articleRevisionColumns+` FROM article_revisions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("revision", id)
	} else if err != nil {
		return nil, dbError("article revision", err)
	}
	return r, nil
}

// ArticleRevisions lists revisions newest first, from the article index
// or the status index.
func (s queries) ArticleRevisions(ctx context.Context, f triage.RevisionFilter) ([]*triage.ArticleRevision, error) {
	var where []string
	var args []any
	if f.ArticleID != "" {
		where, args = append(where, `article_id = ?`), append(args, f.ArticleID)
	}
	if len(f.Status) > 0 {
		where = append(where, `status IN (?`+strings.Repeat(`, ?`, len(f.Status)-1)+`)`)
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	}
	if f.AuthorID != "" {
		where, args = append(where, `author_id = ?`), append(args, f.AuthorID)
	}
	query := `SELECT ` + articleRevisionColumns + ` FROM article_revisions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := s.q.QueryContext(ctx, query+` ORDER BY created_at DESC, id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, dbError("article revisions", err)
	}
	defer rows.Close()
	out := []*triage.ArticleRevision{}
	for rows.Next() {
		r, err := scanArticleRevision(rows)
		if err != nil {
			return nil, dbError("article revisions", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("article revisions", err)
	}
	return out, nil
}

// CreateArticleRevision stores r at version 1.
func (tx *Tx) CreateArticleRevision(ctx context.Context, r *triage.ArticleRevision) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	if err := triage.Required("article_id", r.ArticleID); err != nil {
		return err
	}
	r.Tags = triage.NonNil(r.Tags)
	r.CreatedAt, r.UpdatedAt = triage.StoreTime(r.CreatedAt), triage.StoreTime(r.UpdatedAt)
	r.Version = 1
	tags, err := jsonText(r.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO article_revisions (`+articleRevisionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		r.ID, r.ArticleID, r.BaseVersion, r.Title, r.Body, r.Category, tags, r.Visibility, r.Status, r.AuthorID, r.Note,
		r.ReviewerID, r.ReviewNote, r.Override, micros(r.CreatedAt), micros(r.UpdatedAt), nullMicros(r.DecidedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("article", r.ArticleID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "revision %s already exists", r.ID)
	case err != nil:
		return dbError("create article revision", err)
	}
	return tx.logChange(ctx, "article_revision", r.ID, "create")
}

// UpdateArticleRevision stores r if it is still at r.Version.
func (tx *Tx) UpdateArticleRevision(ctx context.Context, r *triage.ArticleRevision) error {
	if err := triage.Required("id", r.ID); err != nil {
		return err
	}
	r.Tags = triage.NonNil(r.Tags)
	r.UpdatedAt = triage.StoreTime(r.UpdatedAt)
	if r.DecidedAt != nil {
		d := triage.StoreTime(*r.DecidedAt)
		r.DecidedAt = &d
	}
	tags, err := jsonText(r.Tags)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE article_revisions SET
			base_version = ?, title = ?, body = ?, category = ?, tags = ?, visibility = ?, status = ?, note = ?,
			reviewer_id = ?, review_note = ?, override_reason = ?, updated_at = ?, decided_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		r.BaseVersion, r.Title, r.Body, r.Category, tags, r.Visibility, r.Status, r.Note,
		r.ReviewerID, r.ReviewNote, r.Override, micros(r.UpdatedAt), nullMicros(r.DecidedAt), r.ID, r.Version)
	if err != nil {
		return dbError("update article revision", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update article revision", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "article_revisions", "revision", r.ID, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "article_revision", r.ID, "update")
}
