package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Blobs are files under Options.BlobDir, content-addressed: blobs/ab/<the
// 64 hex digits of the SHA-256>. A blob's row in the blobs table commits
// with the attachment or mail record that uses it; the file is written
// and synced before, inside the same write transaction. So a committed
// row always has its file, and a file without a row is one whose
// transaction did not commit. PruneBlobs removes those, and it runs in a
// write transaction too: with one writer at a time, it can never see the
// file of a transaction still in flight.

func (s queries) blobPath(sha string) string { return BlobPath(s.blobs, sha) }

// Blob returns the content stored under sha.
func (s queries) Blob(ctx context.Context, sha string) ([]byte, error) {
	if !triage.ValidBlobKey(sha) {
		return nil, triage.NotFound("blob", sha)
	}
	var size int64
	err := s.q.QueryRowContext(ctx, `SELECT size FROM blobs WHERE sha256 = ?`, sha).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("blob", sha)
	} else if err != nil {
		return nil, dbError("blob", err)
	}
	b, err := os.ReadFile(s.blobPath(sha))
	if err != nil {
		return nil, fmt.Errorf("sqlite: blob %s is in the database but its file cannot be read (was the data directory copied without %s?): %w", sha, s.blobs, err)
	}
	if int64(len(b)) != size {
		return nil, fmt.Errorf("sqlite: blob %s has %d bytes on disk, %d in the database", sha, len(b), size)
	}
	return b, nil
}

// PutBlob writes content's file (unless it is there) and its row.
func (tx *Tx) PutBlob(ctx context.Context, content []byte) (string, error) {
	sha := triage.BlobSHA256(content)
	path := tx.blobPath(sha)
	if st, err := os.Stat(path); err != nil || st.Size() != int64(len(content)) {
		if err := writeFileSynced(path, content); err != nil {
			return "", fmt.Errorf("sqlite: writing blob %s: %w", sha, err)
		}
	}
	// A blob that is there already is touched, so a prune that looks for
	// old unreferenced blobs leaves it to the reference about to commit.
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)
		ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at`,
		sha, len(content), micros(tx.now))
	if err != nil {
		return "", dbError("put blob", err)
	}
	return sha, nil
}

// writeFileSynced writes b to path through a temporary file in the same
// directory, synced before it is renamed into place and the directory
// synced after, so the name never points at a partial file and survives
// a crash once the transaction that names it commits.
func writeFileSynced(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// PruneBlobs removes blobs nothing refers to: rows older than before that
// no attachment or mail record names (with their files), and files older
// than before without a row.
func (tx *Tx) PruneBlobs(ctx context.Context, before time.Time) (int, error) {
	rows, err := tx.tx.QueryContext(ctx, `
		SELECT sha256 FROM blobs b
		WHERE created_at < ?
			AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)
			AND NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.raw_sha256 = b.sha256 AND m.raw_sha256 <> '')`,
		micros(before))
	if err != nil {
		return 0, dbError("prune blobs", err)
	}
	var dead []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return 0, dbError("prune blobs", err)
		}
		dead = append(dead, sha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, dbError("prune blobs", err)
	}
	n := 0
	for _, sha := range dead {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM blobs WHERE sha256 = ?`, sha); err != nil {
			return n, dbError("prune blobs", err)
		}
		if err := os.Remove(tx.blobPath(sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	// Files without a row: their transaction never committed.
	err = filepath.WalkDir(tx.blobs, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(before) {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".tmp-") {
			return os.Remove(path)
		}
		if !triage.ValidBlobKey(name) {
			return nil // not ours: leave it
		}
		var one int
		err = tx.tx.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE sha256 = ?`, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			n++
			return os.Remove(path)
		}
		return dbError("prune blobs", err)
	})
	return n, err
}

const attachmentColumns = `id, ticket_id, comment_id, name, content_type, size, sha256, content_id, inline, created_at`

func scanAttachment(row interface{ Scan(...any) error }) (*triage.Attachment, error) {
	var a triage.Attachment
	err := row.Scan(&a.ID, &a.TicketID, &a.CommentID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID, &a.Inline, timeCol{&a.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Attachments lists a ticket's attachments, oldest first.
func (s queries) Attachments(ctx context.Context, ticketID string) ([]*triage.Attachment, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE ticket_id = ? ORDER BY created_at, seq`, ticketID)
	if err != nil {
		return nil, dbError("attachments", err)
	}
	defer rows.Close()
	out := []*triage.Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, dbError("attachments", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("attachments", err)
	}
	return out, nil
}

// Attachment returns one attachment.
func (s queries) Attachment(ctx context.Context, id string) (*triage.Attachment, error) {
	a, err := scanAttachment(s.q.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("attachment", id)
	} else if err != nil {
		return nil, dbError("attachment", err)
	}
	return a, nil
}

// AddAttachment inserts a, whose blob must be stored.
func (tx *Tx) AddAttachment(ctx context.Context, a *triage.Attachment) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	if err := triage.Required("ticket_id", a.TicketID); err != nil {
		return err
	}
	var size int64
	err := tx.tx.QueryRowContext(ctx, `SELECT size FROM blobs WHERE sha256 = ?`, a.SHA256).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return triage.Invalid("sha256", "no blob %q is stored; PutBlob it first", a.SHA256)
	} else if err != nil {
		return dbError("add attachment", err)
	}
	a.Size = size
	a.AsStored()
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.TicketID, a.CommentID, a.Name, a.ContentType, a.Size, a.SHA256, a.ContentID, a.Inline, micros(a.CreatedAt))
	switch {
	case sqliteCode(err) == codeConstraintForeignKey:
		return triage.NotFound("ticket", a.TicketID)
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "attachment %s already exists", a.ID)
	case err != nil:
		return dbError("add attachment", err)
	}
	return nil
}
