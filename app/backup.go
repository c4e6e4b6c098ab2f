package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/sqlite"
)

// A backup of the embedded store is a directory: the database as one
// consistent snapshot (triage.db), the stored content it refers to
// (blobs/), the sealing key when the store generated it (seal.key), and
// manifest.json, which says what is there and how to check it. The text
// and vector indexes are not in it: they are derived, and rebuilt when a
// restored store is first served.

// ManifestFile names a backup's manifest.
const ManifestFile = "manifest.json"

// BackupFormat is the layout version of a backup directory.
const BackupFormat = 1

// Manifest describes a backup.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"version"` // the triage that made it
	Schema    int64     `json:"schema"`
	CreatedAt time.Time `json:"created_at"`
	// Counts are the rows of the main tables in the snapshot.
	Counts map[string]int64 `json:"counts"`
	// Files are the database and key files with their checksums; blobs
	// are checked by their names, which are their SHA-256.
	Files []BackupFile `json:"files"`
	Blobs int          `json:"blobs"`
	// KeyInBackup is false when the sealing key came from the environment
	// (TRIAGE_SECRET_KEY): keep it yourself, a restore needs it to read
	// mailbox passwords.
	KeyInBackup bool `json:"key_in_backup"`
}

// BackupFile is one file of a backup.
type BackupFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup writes a consistent backup of the embedded store in cfg.DataDir
// to the directory to, which must not exist or be empty, while the
// service may run and take writes. progress, when not nil, is told how
// many blobs of how many were copied.
func Backup(ctx context.Context, cfg Config, to string, progress func(done, total int)) (*Manifest, error) {
	if cfg.DB != "" {
		return nil, triage.Errorf(triage.EINVALID, "--db: a PostgreSQL store is backed up with pg_dump (see README: Backups)")
	}
	src := DBPath(cfg.DataDir)
	if _, err := os.Stat(src); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "--data: %s: no store here (%v)", cfg.DataDir, err)
	}
	if err := emptyDir(to); err != nil {
		return nil, err
	}
	db := filepath.Join(to, "triage.db")
	if err := sqlite.Snapshot(ctx, src, db); err != nil {
		return nil, err
	}
	in, err := sqlite.Inspect(ctx, db)
	if err != nil {
		return nil, err
	}
	if in.Integrity != "ok" {
		return nil, fmt.Errorf("backup: the snapshot fails its integrity check: %s", in.Integrity)
	}
	m := &Manifest{Format: BackupFormat, Version: cfg.Version, Schema: in.Schema, CreatedAt: time.Now().UTC().Truncate(time.Second), Counts: in.Counts, Blobs: len(in.Blobs)}
	// Every blob row of the snapshot has its file: the file is synced
	// before its row commits, and a prune removes only files no row names.
	srcBlobs, dstBlobs := filepath.Join(cfg.DataDir, "blobs"), filepath.Join(to, "blobs")
	for i, sha := range in.Blobs {
		if _, err := copyFile(sqlite.BlobPath(srcBlobs, sha), sqlite.BlobPath(dstBlobs, sha), 0o640); err != nil {
			return nil, fmt.Errorf("backup: blob %s: %w", sha, err)
		}
		if progress != nil {
			progress(i+1, len(in.Blobs))
		}
	}
	f, err := describe(db, "triage.db")
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, f)
	if sum, err := copyFile(filepath.Join(cfg.DataDir, KeyFile), filepath.Join(to, KeyFile), 0o600); err == nil {
		m.Files, m.KeyInBackup = append(m.Files, sum), true
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup: the sealing key: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	// The manifest is written last: a directory without one is a backup
	// that did not finish.
	if err := os.WriteFile(filepath.Join(to, ManifestFile), append(b, '\n'), 0o640); err != nil {
		return nil, err
	}
	return m, nil
}

// VerifyBackup checks a backup without restoring it: the manifest, every
// file's checksum, every blob's content against its name, the database's
// integrity and its counts against the manifest's.
func VerifyBackup(ctx context.Context, dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: not a finished backup (no %s): %v", dir, ManifestFile, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, triage.Errorf(triage.EINVALID, "%s: the manifest does not decode: %v", dir, err)
	}
	if m.Format != BackupFormat {
		return nil, triage.Errorf(triage.EINVALID, "%s: backup format %d, this triage reads %d", dir, m.Format, BackupFormat)
	}
	for _, f := range m.Files {
		got, err := describe(filepath.Join(dir, f.Name), f.Name)
		if err != nil {
			return nil, err
		}
		if got != f {
			return nil, triage.Errorf(triage.EINVALID, "%s: %s does not match the manifest (size %d, sha256 %s; recorded %d, %s)", dir, f.Name, got.Size, got.SHA256, f.Size, f.SHA256)
		}
	}
	in, err := sqlite.Inspect(ctx, filepath.Join(dir, "triage.db"))
	if err != nil {
		return nil, err
	}
	if in.Integrity != "ok" {
		return nil, triage.Errorf(triage.EINVALID, "%s: the database fails its integrity check: %s", dir, in.Integrity)
	}
	if in.Schema != m.Schema {
		return nil, triage.Errorf(triage.EINVALID, "%s: the database is at schema %d, the manifest says %d", dir, in.Schema, m.Schema)
	}
	for t, n := range m.Counts {
		if in.Counts[t] != n {
			return nil, triage.Errorf(triage.EINVALID, "%s: %s has %d rows, the manifest says %d", dir, t, in.Counts[t], n)
		}
	}
	if len(in.Blobs) != m.Blobs {
		return nil, triage.Errorf(triage.EINVALID, "%s: %d blobs in the database, the manifest says %d", dir, len(in.Blobs), m.Blobs)
	}
	for _, sha := range in.Blobs {
		got, err := describe(sqlite.BlobPath(filepath.Join(dir, "blobs"), sha), sha)
		if err != nil {
			return nil, triage.Errorf(triage.EINVALID, "%s: blob %s: %v", dir, sha, err)
		}
		if got.SHA256 != sha {
			return nil, triage.Errorf(triage.EINVALID, "%s: blob %s holds content whose sha256 is %s", dir, sha, got.SHA256)
		}
	}
	return &m, nil
}

// Restore verifies the backup in from and makes dataDir, which must not
// hold a store, a data directory with its content. It refuses a backup of
// a newer schema than this binary's: old code on a new schema could lose
// data. The indexes are rebuilt when the store is first served.
func Restore(ctx context.Context, from, dataDir string) (*Manifest, error) {
	m, err := VerifyBackup(ctx, from)
	if err != nil {
		return nil, err
	}
	newest, err := sqlite.NewestSchema()
	if err != nil {
		return nil, err
	}
	if m.Schema > newest {
		return nil, triage.Errorf(triage.EINVALID, "%s: the backup's schema is version %d, newer than this triage's %d: restore it with the version that made it (%s) or a newer one", from, m.Schema, newest, m.Version)
	}
	if _, err := os.Stat(DBPath(dataDir)); err == nil {
		return nil, triage.Errorf(triage.EINVALID, "--data: %s holds a store already; restore into a new directory", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	in, err := sqlite.Inspect(ctx, filepath.Join(from, "triage.db"))
	if err != nil {
		return nil, err
	}
	for _, sha := range in.Blobs {
		if _, err := copyFile(sqlite.BlobPath(filepath.Join(from, "blobs"), sha), sqlite.BlobPath(filepath.Join(dataDir, "blobs"), sha), 0o640); err != nil {
			return nil, err
		}
	}
	if m.KeyInBackup {
		if _, err := copyFile(filepath.Join(from, KeyFile), filepath.Join(dataDir, KeyFile), 0o600); err != nil {
			return nil, err
		}
	}
	// The database last, under a temporary name renamed into place: a
	// restore cut short leaves no store that looks complete.
	tmp := DBPath(dataDir) + ".restoring"
	if _, err := copyFile(filepath.Join(from, "triage.db"), tmp, 0o640); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, DBPath(dataDir)); err != nil {
		return nil, err
	}
	return m, nil
}

// emptyDir makes dir, or accepts it when it exists and is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o750)
	case err != nil:
		return err
	case len(entries) > 0:
		return triage.Errorf(triage.EINVALID, "--to: %s is not empty; give a new directory for each backup", dir)
	}
	return nil
}

// copyFile copies src to dst (making its directory), syncs it and returns
// its description.
func copyFile(src, dst string, mode os.FileMode) (BackupFile, error) {
	in, err := os.Open(src)
	if err != nil {
		return BackupFile{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return BackupFile{}, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return BackupFile{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return BackupFile{}, err
	}
	return BackupFile{Name: filepath.Base(dst), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// describe reads a file's size and checksum.
func describe(file, name string) (BackupFile, error) {
	f, err := os.Open(file)
	if err != nil {
		return BackupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return BackupFile{}, err
	}
	return BackupFile{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
