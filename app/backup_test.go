package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/sqlite"
)

// TestBackupUnderLoad backs up a store while 1,000 tickets are being
// created on it, restores the backup into a new directory and starts a
// service there: every ticket acknowledged before the backup began is
// there, attachments with their content, the database passes its
// integrity check, the indexes rebuild, and search gives the same top ten.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data twice; skipped with -short")
	}
	ctx := context.Background()
	admin := triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "test", Role: triage.RoleAdmin})
	dir := t.TempDir()
	m := openDemo(t, dir)
	photo := []byte("\x89PNG\r\n\x1a\n not really a picture, but stored as one")
	withFile, err := m.Desk.CreateTicket(admin, triage.NewTicket{Title: "屏幕碎了", Body: "附上照片",
		Attachments: []triage.NewAttachment{{Name: "屏幕.png", ContentType: "image/png", Data: photo}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	queries := []kb.Query{
		{Text: "退款多久到账", Kind: triage.DocArticle, Mode: kb.ModeLexical, K: 10},
		{Text: "耳机一边没有声音", Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: 10},
	}
	var before [][]string
	for _, q := range queries {
		before = append(before, topTen(t, m, q))
	}

	// 1,000 creates from 8 writers; the backup starts once a fifth of
	// them are acknowledged, and runs while the rest go on.
	const total, writers = 1000, 8
	var (
		mu       sync.Mutex
		acked    []string
		started  = make(chan struct{})
		startAck []string // acknowledged before the backup began
		wg       sync.WaitGroup
		failures = make(chan error, total)
	)
	next := make(chan int, total)
	for i := range total {
		next <- i
	}
	close(next)
	for range writers {
		wg.Go(func() {
			for i := range next {
				tk, err := m.Desk.CreateTicket(admin, triage.NewTicket{Title: fmt.Sprintf("备份压力测试 %d", i), Body: "订单还没发货，请帮忙查一下"}, nil)
				if err != nil {
					failures <- err
					continue
				}
				mu.Lock()
				acked = append(acked, tk.ID)
				if len(acked) == total/5 {
					close(started)
				}
				mu.Unlock()
			}
		})
	}
	<-started
	mu.Lock()
	startAck = append(startAck, acked...)
	mu.Unlock()
	startAck = append(startAck, withFile.ID)
	to := filepath.Join(t.TempDir(), "backup")
	man, err := app.Backup(ctx, app.Config{DataDir: dir, Version: "test"}, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Errorf("a create failed during the backup: %v", err)
	}
	if man.Blobs < 1 || !man.KeyInBackup {
		t.Errorf("manifest: %d blobs, key in backup %v", man.Blobs, man.KeyInBackup)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := app.Restore(ctx, to, restored); err != nil {
		t.Fatal(err)
	}
	in, err := sqlite.Inspect(ctx, app.DBPath(restored))
	if err != nil {
		t.Fatal(err)
	}
	if in.Integrity != "ok" {
		t.Fatalf("integrity: %s", in.Integrity)
	}
	r := openDemo(t, restored) // an empty store would load the demo; this one is not empty
	for _, id := range startAck {
		if _, err := r.Store.Ticket(ctx, id); err != nil {
			t.Fatalf("ticket %s, acknowledged before the backup began, after the restore: %v", id, err)
		}
	}
	if n := in.Counts["tickets"]; n < int64(len(startAck)) || n != man.Counts["tickets"] {
		t.Errorf("restored %d tickets; %d acknowledged before the backup, manifest %d", n, len(startAck), man.Counts["tickets"])
	}
	atts, err := r.Store.Attachments(ctx, withFile.ID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments after the restore: %v %v", atts, err)
	}
	a, data, err := r.Desk.Attachment(ctx, atts[0].ID)
	if err != nil || !slices.Equal(data, photo) || a.Name != "屏幕.png" {
		t.Fatalf("attachment after the restore: %v %q %v", a, data, err)
	}
	for i, q := range queries {
		if after := topTen(t, r, q); !slices.Equal(after, before[i]) || len(after) == 0 {
			t.Errorf("%q: top ten before the backup %v, after the restore %v", q.Text, before[i], after)
		}
	}
}

// TestBackupRefusals: what backup, verify and restore refuse, each with
// what is wrong.
func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open(t, app.Config{DataDir: dir, Segmenter: sharedSegmenter(t)})
	good := filepath.Join(t.TempDir(), "b")
	if _, err := app.Backup(ctx, app.Config{DataDir: dir}, good, nil); err != nil {
		t.Fatal(err)
	}
	tamper := func(t *testing.T, edit func(dir string)) string {
		t.Helper()
		d := filepath.Join(t.TempDir(), "b")
		if err := os.CopyFS(d, os.DirFS(good)); err != nil {
			t.Fatal(err)
		}
		edit(d)
		return d
	}
	newer, err := sqlite.NewestSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		says string
		run  func(t *testing.T) error
	}{
		{"backup into a directory that is not empty", "not empty", func(t *testing.T) error {
			_, err := app.Backup(ctx, app.Config{DataDir: dir}, good, nil)
			return err
		}},
		{"backup of a directory without a store", "no store", func(t *testing.T) error {
			_, err := app.Backup(ctx, app.Config{DataDir: t.TempDir()}, filepath.Join(t.TempDir(), "x"), nil)
			return err
		}},
		{"backup of PostgreSQL", "pg_dump", func(t *testing.T) error {
			_, err := app.Backup(ctx, app.Config{DB: "postgres://x"}, filepath.Join(t.TempDir(), "x"), nil)
			return err
		}},
		{"verify without a manifest", "no manifest.json", func(t *testing.T) error {
			_, err := app.VerifyBackup(ctx, tamper(t, func(d string) { os.Remove(filepath.Join(d, app.ManifestFile)) }))
			return err
		}},
		{"verify a changed database", "does not match the manifest", func(t *testing.T) error {
			_, err := app.VerifyBackup(ctx, tamper(t, func(d string) {
				f, _ := os.OpenFile(filepath.Join(d, "triage.db"), os.O_APPEND|os.O_WRONLY, 0)
				f.Write([]byte("x"))
				f.Close()
			}))
			return err
		}},
		{"verify a manifest that names another schema", "the manifest says", func(t *testing.T) error {
			_, err := app.VerifyBackup(ctx, tamper(t, func(d string) {
				b, _ := os.ReadFile(filepath.Join(d, app.ManifestFile))
				b = []byte(strings.Replace(string(b), fmt.Sprintf(`"schema": %d`, newer), fmt.Sprintf(`"schema": %d`, newer-1), 1))
				os.WriteFile(filepath.Join(d, app.ManifestFile), b, 0o640)
			}))
			return err
		}},
		{"restore a backup of a newer schema", "newer than this triage", func(t *testing.T) error {
			// A store that a newer triage migrated: its backup is whole,
			// and this binary must not run on it.
			future := t.TempDir()
			if err := os.CopyFS(future, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", app.DBPath(future))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer+1); err != nil {
				t.Fatal(err)
			}
			db.Close()
			b := filepath.Join(t.TempDir(), "b")
			if _, err := app.Backup(ctx, app.Config{DataDir: future}, b, nil); err != nil {
				t.Fatal(err)
			}
			_, err = app.Restore(ctx, b, filepath.Join(t.TempDir(), "r"))
			return err
		}},
		{"restore over a store", "holds a store already", func(t *testing.T) error {
			_, err := app.Restore(ctx, good, dir)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(t); !triage.IsCode(err, triage.EINVALID) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want an invalid-input error that says %q", err, tc.says)
			}
		})
	}
}
