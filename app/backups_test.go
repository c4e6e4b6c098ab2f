package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// TestScheduledBackups: the service's own backups go into a directory per
// run, the newest --backup-keep stay, /readyz and /metrics say when the
// last good one was made, count failures and flag a stale backup, and a
// failure leaves no half-written directory and the service ready.
func TestScheduledBackups(t *testing.T) {
	ctx := context.Background()
	dir, backups := t.TempDir(), t.TempDir()
	m := open(t, app.Config{DataDir: dir, Segmenter: sharedSegmenter(t), BackupDir: backups, BackupEvery: time.Hour, BackupKeep: 2, MetricsToken: "scrape-token-for-the-test"})
	clock := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	m.Backups.Now = func() time.Time { return clock }
	get := func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer scrape-token-for-the-test")
		m.Server.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	readyBackup := func() triage.BackupStatus {
		t.Helper()
		var h struct {
			Status string              `json:"status"`
			Backup triage.BackupStatus `json:"backup"`
		}
		if err := json.Unmarshal([]byte(get("/readyz")), &h); err != nil || h.Status != "ready" {
			t.Fatalf("/readyz: %+v %v", h, err)
		}
		return h.Backup
	}

	for i := range 3 {
		if err := m.Backups.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			clock = clock.Add(time.Hour)
		}
	}
	entries, err := os.ReadDir(backups)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"20261207T020000Z", "20261207T030000Z"}; !slices.Equal(names, want) {
		t.Fatalf("kept %v, want the newest two %v", names, want)
	}
	if _, err := app.VerifyBackup(ctx, filepath.Join(backups, names[1])); err != nil {
		t.Fatalf("the newest scheduled backup does not verify: %v", err)
	}
	b := readyBackup()
	if b.LastSuccess == nil || !b.LastSuccess.Equal(clock) || b.Failures != 0 || b.Stale {
		t.Fatalf("after good backups: %+v", b)
	}
	if metrics := get("/metrics"); metricValue(metrics, "triage_backup_last_success_timestamp_seconds") != float64(clock.Unix()) || !strings.Contains(metrics, "triage_backup_stale 0") {
		t.Fatalf("/metrics:\n%s", grepLines(metrics, "triage_"))
	}

	// A backup that cannot be written: the directory is now a file.
	clock = clock.Add(3 * time.Hour)
	m.Backups.Dir = filepath.Join(t.TempDir(), "not-a-directory")
	if err := os.WriteFile(m.Backups.Dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Backups.Once(ctx); err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	b = readyBackup()
	if b.Failures != 1 || b.LastError == "" || !b.Stale || !b.LastSuccess.Equal(clock.Add(-3*time.Hour)) {
		t.Fatalf("after a failure three hours on: %+v", b)
	}
	if metrics := get("/metrics"); !strings.Contains(metrics, "triage_backup_failures 1") || !strings.Contains(metrics, "triage_backup_stale 1") {
		t.Fatalf("/metrics:\n%s", grepLines(metrics, "triage_"))
	}
}

// TestScheduledBackupsRefused: settings that cannot work stop the start
// with what is wrong, before anything runs.
func TestScheduledBackupsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  app.Config
		says string
	}{
		{"no directory", app.Config{BackupEvery: time.Hour}, "--backup-dir"},
		{"too often", app.Config{BackupEvery: time.Second, BackupDir: "x"}, "at least 1m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.DataDir, tc.cfg.Segmenter = t.TempDir(), sharedSegmenter(t)
			_, err := app.Open(context.Background(), tc.cfg)
			if !triage.IsCode(err, triage.EINVALID) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want a refusal naming %s", err, tc.says)
			}
		})
	}
}

// metricValue reads an unlabelled sample of the Prometheus text format.
func metricValue(text, name string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
