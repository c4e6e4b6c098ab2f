package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// backupCmd backs up the embedded store, or checks a backup.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("backup", "--to DIR [flags] | --verify DIR", "Back up the embedded store while the service runs and takes writes: one consistent snapshot of the\ndatabase, the attachments and the sealing key, with a manifest of counts and checksums.\n--verify checks a backup without restoring it.")
	storeFlags(fs, &cfg)
	to := fs.String("to", "", "a new (or empty) directory for the backup")
	verify := fs.String("verify", "", "a backup directory to check instead of making one")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *verify != "" && *to != "":
		return triage.Invalid("to", "give --to DIR to make a backup or --verify DIR to check one, not both")
	case *verify != "":
		m, err := app.VerifyBackup(ctx, *verify)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "备份完好 (backup ok): %s\n", *verify)
		printManifest(stdout, m)
		return nil
	case *to == "":
		return triage.Invalid("to", "--to DIR is required: where to write the backup")
	}
	cfg.Version = version
	bar := progress(stderr)
	m, err := app.Backup(ctx, cfg, *to, func(done, total int) { bar("blobs", done, total) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "备份完成 (backup written): %s\n", *to)
	printManifest(stdout, m)
	if !m.KeyInBackup {
		fmt.Fprintln(stdout, "the sealing key comes from TRIAGE_SECRET_KEY and is not in the backup: keep it, a restore needs it to read mailbox passwords")
	}
	return nil
}

// restoreCmd makes a new data directory from a backup.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "--from DIR --data NEWDIR", "Restore a backup made by triage backup into a new data directory, after checking it. A backup of a\nnewer schema than this binary's is refused. The search indexes are rebuilt at the first start.")
	from := fs.String("from", "", "the backup directory")
	data := fs.String("data", "", "the new data directory to restore into (must hold no store)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *from == "":
		return triage.Invalid("from", "--from DIR is required: the backup to restore")
	case *data == "":
		return triage.Invalid("data", "--data NEWDIR is required: where to restore")
	}
	m, err := app.Restore(ctx, *from, *data)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已恢复 (restored) into %s; start it with: triage serve --data %s\n", *data, *data)
	printManifest(stdout, m)
	return nil
}

func printManifest(w io.Writer, m *app.Manifest) {
	var counts []string
	for _, t := range slices.Sorted(maps.Keys(m.Counts)) {
		counts = append(counts, fmt.Sprintf("%s %d", t, m.Counts[t]))
	}
	fmt.Fprintf(w, "schema %d, made %s by triage %s; %s; %d blobs\n", m.Schema, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.Version, strings.Join(counts, ", "), m.Blobs)
}
