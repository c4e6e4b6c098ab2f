package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// Blobs live in the database (bytea), so every replica serves every
// attachment and a backup of the database holds them.

// Blob returns the content stored under sha.
func (s queries) Blob(ctx context.Context, sha string) ([]byte, error) {
	if !triage.ValidBlobKey(sha) {
		return nil, triage.NotFound("blob", sha)
	}
	var b []byte
	err := s.q.QueryRow(ctx, `SELECT content FROM blobs WHERE sha256 = $1`, sha).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("blob", sha)
	} else if err != nil {
		return nil, dbError("blob", err)
	}
	return b, nil
}

// PutBlob stores content once. A blob that is there already is touched
// (and its row locked until commit), so a prune of old unreferenced blobs
// leaves it to the reference about to commit.
func (tx *Tx) PutBlob(ctx context.Context, content []byte) (string, error) {
	sha := triage.BlobSHA256(content)
	_, err := tx.tx.Exec(ctx, `
		INSERT INTO blobs (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at`,
		sha, len(content), content, tx.now)
	if err != nil {
		return "", dbError("put blob", err)
	}
	return sha, nil
}

// PruneBlobs deletes blobs older than before that no attachment or mail
// record names.
func (tx *Tx) PruneBlobs(ctx context.Context, before time.Time) (int, error) {
	tag, err := tx.tx.Exec(ctx, `
		DELETE FROM blobs b
		WHERE created_at < $1
			AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)
			AND NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.raw_sha256 = b.sha256 AND m.raw_sha256 <> '')`,
		triage.StoreTime(before))
	if err != nil {
		return 0, dbError("prune blobs", err)
	}
	return int(tag.RowsAffected()), nil
}
