package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// DefaultBackupKeep is how many scheduled backups are kept when the
// configuration does not say.
const DefaultBackupKeep = 7

// backupName is the layout of a scheduled backup's directory name: UTC,
// so that names sort as times do.
const backupName = "20060102T150405Z"

// Backups makes a backup of the embedded store every interval into a
// directory of its own under Dir, and keeps the newest Keep of them. It
// runs inside the service, beside the requests: a backup is an online
// snapshot and blocks no write.
type Backups struct {
	Config Config // the store's DataDir and the version
	Dir    string
	Every  time.Duration
	Keep   int
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	started time.Time
	status  triage.BackupStatus
}

// openBackups sets up the scheduled backups the configuration asks for.
func (a *App) openBackups() error {
	c := a.Config
	switch {
	case c.BackupEvery <= 0:
		return nil
	case c.DB != "":
		return triage.Invalid("backup_every", "--backup-every backs up the embedded store; back up PostgreSQL with pg_dump (see README: Backups)")
	case c.BackupDir == "":
		return triage.Invalid("backup_dir", "--backup-every needs --backup-dir, where the backups go (best on another disk)")
	case c.BackupEvery < time.Minute:
		return triage.Invalid("backup_every", "--backup-every %s is too often; at least 1m", c.BackupEvery)
	}
	if err := os.MkdirAll(c.BackupDir, 0o750); err != nil {
		return err
	}
	a.Backups = &Backups{Config: c, Dir: c.BackupDir, Every: c.BackupEvery, Keep: c.BackupKeep, Log: a.Log}
	return nil
}

// Run makes a backup every interval until ctx is done.
func (b *Backups) Run(ctx context.Context) {
	b.mu.Lock()
	b.started = b.now()
	b.mu.Unlock()
	t := time.NewTicker(b.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := b.Once(ctx); err != nil && ctx.Err() == nil {
				b.Log.Error("scheduled backup failed", "dir", b.Dir, "err", err)
			}
		}
	}
}

// Once makes one backup now and removes the backups past Keep.
func (b *Backups) Once(ctx context.Context) error {
	now := b.now()
	dir := filepath.Join(b.Dir, now.UTC().Format(backupName))
	_, err := Backup(ctx, b.Config, dir, nil)
	b.mu.Lock()
	if err != nil {
		b.status.Failures++
		b.status.LastError = triage.ErrorMessage(err)
		b.mu.Unlock()
		// A half-written backup has no manifest; remove it so that it is
		// never taken for one.
		_ = os.RemoveAll(dir)
		return err
	}
	b.status = triage.BackupStatus{LastSuccess: &now, Dir: dir}
	b.mu.Unlock()
	b.Log.Info("scheduled backup written", "dir", dir)
	return b.prune()
}

// prune removes the oldest finished backups beyond Keep; directories that
// are not backups of this schedule are left alone.
func (b *Backups) prune() error {
	entries, err := os.ReadDir(b.Dir)
	if err != nil {
		return err
	}
	var ours []string
	for _, e := range entries {
		if _, err := time.Parse(backupName, e.Name()); err != nil || !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(b.Dir, e.Name(), ManifestFile)); err == nil {
			ours = append(ours, e.Name())
		}
	}
	slices.Sort(ours)
	keep := b.Keep
	if keep <= 0 {
		keep = DefaultBackupKeep
	}
	for len(ours) > keep {
		if err := os.RemoveAll(filepath.Join(b.Dir, ours[0])); err != nil {
			return err
		}
		ours = ours[1:]
	}
	return nil
}

// Status is how the backups stand now.
func (b *Backups) Status() triage.BackupStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.status
	since := b.started
	if s.LastSuccess != nil {
		since = *s.LastSuccess
	}
	s.Stale = !since.IsZero() && b.now().Sub(since) > 2*b.Every
	return s
}

func (b *Backups) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}
