package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/importer"
)

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importTicketsCmd runs `triage import tickets`: read an export, write its
// tickets in small transactions (safe beside a running server), then train
// the models and embed the resolved tickets.
func importTicketsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("import tickets", "--format F [flags] FILE",
		"Import ticket history from another helpdesk's export. Each ticket is keyed by its source and its id\n"+
			"there, so running the same import again (or after an interruption) makes each ticket once.\n"+
			"Skipped records are listed with their line and reason. After the import the category and\n"+
			"priority models are trained on the closed tickets, the newest fifth of the imported closed\n"+
			"tickets is backtested for `triage eval live`, and resolved tickets are embedded for similar-ticket\n"+
			"suggestions. It writes in batches, so it can run against the store of a running server.")
	storeFlags(fs, &cfg)
	names := make([]string, 0, len(importer.Formats()))
	for _, f := range importer.Formats() {
		names = append(names, string(f))
	}
	format := fs.String("format", "", "the export's format: "+strings.Join(names, ", "))
	mapping := fs.String("mapping", "", "mapping file (JSON): value mappings, the category rule and, for csv and jsonl, the columns")
	startAt := fs.Int("start-at", 0, "skip the records before this one (the next_record of an interrupted import)")
	batch := fs.Int("batch", app.DefaultImportBatch, "tickets written per transaction")
	noTrain := fs.Bool("no-train", false, "import only: do not train, backtest or embed afterwards")
	out := fs.String("json", "", "also write the summary as JSON to this file")
	pos, err := parseArgs(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"usage: triage import tickets --format F [flags] FILE"}
	}
	if !slices.Contains(names, *format) {
		return triage.Invalid("format", "--format is %q; use one of %s", *format, strings.Join(names, ", "))
	}
	if *batch < 1 || *batch > 1000 {
		return triage.Invalid("batch", "--batch must be between 1 and 1000")
	}
	if *startAt < 0 {
		return triage.Invalid("start-at", "--start-at must not be negative")
	}
	var m importer.Mapping
	if *mapping != "" {
		f, err := os.Open(*mapping)
		if err != nil {
			return triage.Invalid("mapping", "%s: %v", *mapping, err)
		}
		m, err = importer.LoadMapping(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return triage.Invalid("file", "%s: %v", path, err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	a, err := openTools(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	bar := progress(stderr)
	cr := &countingReader{r: f}
	sum, ierr := a.ImportTickets(ctx, cr, app.ImportOptions{Format: importer.Format(*format), Mapping: m, StartAt: *startAt, Batch: *batch,
		Progress: func(int) { bar("import", int(cr.n.Load()), int(max(size, 1))) }})
	if sum == nil {
		return ierr
	}
	printImportSummary(stdout, path, sum)
	var after *app.AfterImportSummary
	if ierr == nil && !*noTrain && sum.Imported > 0 {
		after, err = a.AfterImport(ctx, bar)
		if err != nil {
			return err
		}
		printAfterImport(stdout, after)
	}
	if *out != "" {
		if err := writeJSON(stdout, *out, map[string]any{"import": sum, "after": after}); err != nil {
			return err
		}
	}
	if ierr != nil {
		// The code stays the read error's (a cut file is EINVALID, exit
		// 2); the message adds where to resume.
		code := triage.ErrorCode(ierr)
		if code == "" {
			code = triage.EINTERNAL
		}
		return &triage.Error{Code: code, Err: ierr, Message: fmt.Sprintf("%s; the import stopped before record %d: what was read is imported, resume with --start-at %d",
			triage.ErrorMessageOrText(ierr), sum.NextRecord, sum.NextRecord)}
	}
	return nil
}

func printImportSummary(w io.Writer, path string, s *triage.ImportSummary) {
	fmt.Fprintf(w, "%s: %d records from %s: %d tickets imported with %d comments, %d already imported, %d skipped\n",
		path, s.Records, s.Source, s.Imported, s.Comments, s.Already, len(s.Skipped))
	fmt.Fprintf(w, "attachments: %d stored, %d only linked in the export (not fetched); agents created: %d; %.0f tickets/s\n",
		s.Attachments, s.AttachmentLinks, s.AgentsCreated, float64(s.Imported+s.Already)/max(s.Seconds, 1e-9))
	for _, k := range s.Skipped {
		fmt.Fprintf(w, "skipped: line %d (record %d): %s\n", k.Line, k.Record, k.Reason)
	}
	if len(s.Notes) > 0 {
		parts := []string{}
		for _, code := range slices.Sorted(maps.Keys(s.Notes)) {
			parts = append(parts, fmt.Sprintf("%s %d", code, s.Notes[code]))
		}
		fmt.Fprintf(w, "changed on the way in (kept): %s\n", strings.Join(parts, ", "))
	}
}

func printAfterImport(w io.Writer, a *app.AfterImportSummary) {
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
		if m := a.Models[kind]; m != nil {
			fmt.Fprintf(w, "trained: %s model %s on %d examples\n", kind, m.Version, m.Info.Examples)
		} else if why := a.NotTrained[kind]; why != "" {
			fmt.Fprintf(w, "not trained: %s: %s\n", kind, why)
		}
	}
	if a.Backtest > 0 {
		fmt.Fprintf(w, "backtest: %d newest closed tickets predicted by %s, trained on the older ones (see triage eval live)\n", a.Backtest, a.BacktestVersion)
	}
	fmt.Fprintf(w, "embedded: %d resolved tickets for similar-ticket suggestions\n", a.Embedded)
}
