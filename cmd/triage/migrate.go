package main

import (
	"context"
	"fmt"
	"io"

	"github.com/triagehq/triage/app"
)

// migrate runs `triage migrate`: it applies the migrations the store lacks
// and prints the version it is at. serve migrates too; running this first
// lets an operator upgrade the schema once, before rolling new replicas. A
// store whose schema is newer than this binary is refused, as by serve.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("migrate", "[flags]", "Apply the store's missing migrations, print the schema version and exit.")
	storeFlags(fs, &cfg)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	v, err := app.Migrate(ctx, cfg)
	if err != nil {
		return err
	}
	name := app.DBPath(cfg.DataDir)
	if cfg.DB != "" {
		name = app.RedactURL(cfg.DB)
	}
	fmt.Fprintf(stdout, "%s: schema at version %d\n", name, v)
	return nil
}
