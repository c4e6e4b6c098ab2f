package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
)

// macrosCmd runs `triage macros export|import`: macros (快捷回复) as JSON
// Lines, the format of GET /v1/macros/export and POST /v1/macros/import,
// straight from and into the store, e.g. to move them between
// installations or keep them in version control.
func macrosCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, _ := lookup("macros")
	what, rest, err := group(c, args, stdout, stderr)
	if err != nil {
		return err
	}
	var cfg app.Config
	about := "Write every macro as JSON Lines to stdout, or to FILE with -o."
	usage := "[flags]"
	if what == "import" {
		about = "Create or update macros from FILE, JSON Lines as export writes them: a line with a known id is\nsaved as a new version (or left alone when unchanged); a bad line refuses the whole file."
		usage = "[flags] FILE"
	}
	fs := newFlags("macros "+what, usage, about)
	storeFlags(fs, &cfg)
	var out *string
	if what == "export" {
		out = fs.String("o", "", "write to this file instead of stdout")
	}
	pos, err := parseArgs(fs, rest, stdout, stderr)
	if err != nil {
		return err
	}
	if what == "import" && len(pos) != 1 || what == "export" && len(pos) != 0 {
		return &usageError{fmt.Sprintf("usage: triage macros %s %s", what, usage)}
	}
	var in *os.File
	if what == "import" {
		// Open the file before the store: a wrong path is a quick error.
		if in, err = os.Open(pos[0]); err != nil {
			return triage.Invalid("file", "%s: %v", pos[0], err)
		}
		defer in.Close()
	}
	m, err := openTools(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	ctx = triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "cli", Name: "triage macros", Role: triage.RoleAdmin})
	if what == "import" {
		res, err := m.Desk.ImportMacros(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d lines, %d macros created, %d updated, %d unchanged\n", pos[0], res.Lines, res.Created, res.Updated, res.Unchanged)
		return nil
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return triage.Invalid("o", "%s: %v", *out, err)
		}
		defer f.Close()
		w = f
	}
	n, err := m.Desk.ExportMacros(ctx, w)
	if err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(stderr, "%d macros written to %s\n", n, *out)
	}
	return nil
}
