package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Snapshot writes a consistent copy of the database file at src to dest
// with VACUUM INTO, which reads one snapshot of the write-ahead log: the
// service may keep writing, from this process or another, while it runs,
// and the copy holds exactly the transactions committed before it began.
// dest must not exist.
func Snapshot(ctx context.Context, src, dest string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: snapshot: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqlite: snapshot: %s exists already", dest)
	}
	db, err := sql.Open("sqlite", src+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return fmt.Errorf("sqlite: snapshot %s: %w", src, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("sqlite: snapshot %s into %s: %w", src, dest, err)
	}
	return nil
}

// Inspection is what a database file holds, read without changing it.
type Inspection struct {
	// Schema is the newest migration applied to the file.
	Schema int64
	// Integrity is "ok", or what PRAGMA integrity_check found.
	Integrity string
	// Counts are the rows of the tables a person would miss.
	Counts map[string]int64
	// Blobs are the SHA-256 names of the stored content the file refers
	// to (attachments, raw mail), which live beside it as files.
	Blobs []string
}

// inspected are the tables Inspect counts.
var inspected = []string{"tickets", "comments", "history", "articles", "attachments", "blobs", "agents", "teams", "rules", "surveys", "models"}

// Inspect reads a database file's schema version, integrity and counts,
// opening it read-only: a backup is checked without being touched.
func Inspect(ctx context.Context, file string) (*Inspection, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("sqlite: inspect: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?"+url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)", "query_only(1)"}}.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
	}
	defer db.Close()
	in := &Inspection{Counts: map[string]int64{}}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: not a triage database (no schema version): %w", file, err)
	}
	in.Schema = v.Int64
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
		}
		problems = append(problems, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
	}
	in.Integrity = strings.Join(problems, "; ")
	for _, t := range inspected {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: inspect %s: count %s: %w", file, t, err)
		}
		in.Counts[t] = n
	}
	rows, err = db.QueryContext(ctx, `SELECT sha256 FROM blobs ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("sqlite: inspect %s: %w", file, err)
		}
		in.Blobs = append(in.Blobs, sha)
	}
	return in, rows.Err()
}

// BlobPath is where the content named sha lives under a blob directory.
func BlobPath(dir, sha string) string {
	if len(sha) < 2 {
		return filepath.Join(dir, sha)
	}
	return filepath.Join(dir, sha[:2], sha)
}

// NewestSchema is the newest migration this binary embeds: a store at a
// newer version was written by a newer triage.
func NewestSchema() (int64, error) {
	var newest int64
	err := fs.WalkDir(migrations, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		num, _, ok := strings.Cut(path.Base(p), "_")
		if !ok {
			return nil
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return nil
		}
		newest = max(newest, v)
		return nil
	})
	if err == nil && newest == 0 {
		err = errors.New("sqlite: no migrations embedded")
	}
	return newest, err
}
