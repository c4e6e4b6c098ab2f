package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const articleRevisionColumns = `
	id, article_id, base_version, title, body, category, tags, visibility, status, author_id, note,
	reviewer_id, review_note, override_reason, created_at, updated_at, decided_at, version`

// scanArticleRevision reads one row selected with articleRevisionColumns.
func scanArticleRevision(row pgx.Row) (*triage.ArticleRevision, error) {
	var r triage.ArticleRevision
	err := row.Scan(&r.ID, &r.ArticleID, &r.BaseVersion, &r.Title, &r.Body, &r.Category, &r.Tags, &r.Visibility,
		&r.Status, &r.AuthorID, &r.Note, &r.ReviewerID, &r.ReviewNote, &r.Override,
		&r.CreatedAt, &r.UpdatedAt, &r.DecidedAt, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Tags = triage.NonNil(r.Tags)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if r.DecidedAt != nil {
		d := r.DecidedAt.UTC()
		r.DecidedAt = &d
	}
	return &r, nil
}

// ArticleRevision returns one revision; ENOTFOUND when there is none.
func (s queries) ArticleRevision(ctx context.Context, id string) (*triage.ArticleRevision, error) {
	r, err := scanArticleRevision(s.q.QueryRow(ctx, `SELECT `+articleRevisionColumns+` FROM article_revisions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.ArticleID != "" {
		where = append(where, `article_id = `+arg(f.ArticleID))
	}
	if len(f.Status) > 0 {
		ss := make([]string, len(f.Status))
		for i, st := range f.Status {
			ss[i] = string(st)
		}
		where = append(where, `status = ANY(`+arg(ss)+`)`)
	}
	if f.AuthorID != "" {
		where = append(where, `author_id = `+arg(f.AuthorID))
	}
	query := `SELECT ` + articleRevisionColumns + ` FROM article_revisions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := s.q.Query(ctx, query+` ORDER BY created_at DESC, id DESC LIMIT 500`, args...)
	return collect(rows, err, "article revisions", func(r pgx.Rows) (*triage.ArticleRevision, error) {
		return scanArticleRevision(r)
	})
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
	tags, err := jsonb(r.Tags)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO article_revisions (`+articleRevisionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1)`,
		r.ID, r.ArticleID, r.BaseVersion, r.Title, r.Body, r.Category, tags, string(r.Visibility), string(r.Status), r.AuthorID, r.Note,
		r.ReviewerID, r.ReviewNote, r.Override, r.CreatedAt, r.UpdatedAt, r.DecidedAt)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
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
	tags, err := jsonb(r.Tags)
	if err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `
		UPDATE article_revisions SET
			base_version = $1, title = $2, body = $3, category = $4, tags = $5, visibility = $6, status = $7, note = $8,
			reviewer_id = $9, review_note = $10, override_reason = $11, updated_at = $12, decided_at = $13, version = version + 1
		WHERE id = $14 AND version = $15`,
		r.BaseVersion, r.Title, r.Body, r.Category, tags, string(r.Visibility), string(r.Status), r.Note,
		r.ReviewerID, r.ReviewNote, r.Override, r.UpdatedAt, r.DecidedAt, r.ID, r.Version)
	if err != nil {
		return dbError("update article revision", err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, "article_revisions", "revision", r.ID, r.Version)
	}
	r.Version++
	return tx.logChange(ctx, "article_revision", r.ID, "update")
}
