package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/sqlite"
)

// migrate runs `triage migrate`: it applies the migrations the store lacks
// and prints the version it is at. serve migrates too; running this first
// lets an operator upgrade the schema once, before rolling new replicas. A
// store whose schema is newer than this binary is refused, as by serve.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg.storeFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if cfg.DB != "" {
		db, err := postgres.Open(ctx, cfg.DB, postgres.Options{})
		if err != nil {
			return openError(cfg.DB, err)
		}
		defer db.Close()
		fmt.Fprintf(stdout, "%s: schema at version %d\n", redactURL(cfg.DB), db.SchemaVersion())
		return nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, cfg.dbPath(), sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s: schema at version %d\n", cfg.dbPath(), db.SchemaVersion())
	return nil
}

// openError names the database (without its password) in a failure to open
// it, keeping the error's code: a CLI user sees which URL failed and why.
func openError(url string, err error) error {
	return &triage.Error{Code: triage.ErrorCode(err), Message: redactURL(url) + ": " + triage.ErrorMessageOrText(err), Err: err}
}
