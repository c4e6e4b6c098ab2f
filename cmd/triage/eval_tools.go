package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/eval"
)

// regressionError is compare's verdict that a headline metric dropped: a
// failure (exit 1), not bad input.
type regressionError struct{ n int }

func (e *regressionError) Error() string {
	return fmt.Sprintf("%d headline metric(s) dropped by more than allowed", e.n)
}

// evalCompare runs `triage eval compare BASE.json NEW.json [--max-drop D]`.
func evalCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval compare", "BASE.json NEW.json [flags]",
		"Set every metric of two reports side by side. Exit 1 when a headline metric (macro_f1,\nrecall@5, ndcg@10) drops by more than --max-drop; exit 2 when the runs differ in set, files,\nsample, seed or settings (their figures do not compare).")
	maxDrop := fs.Float64("max-drop", 0.01, "largest allowed drop of a headline metric (macro_f1, recall@5, ndcg@10), absolute")
	asJSON := fs.String("json", "", "also write the comparison as JSON here")
	allowMismatch := fs.Bool("allow-mismatch", false, "compare runs of different sets, samples, seeds or settings anyway, with a warning for each difference, and give no verdict")
	pos, err := parseArgs(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{"usage: triage eval compare BASE.json NEW.json [--max-drop 0.01]"}
	}
	base, err := eval.ReadReport(pos[0])
	if err != nil {
		return err
	}
	nw, err := eval.ReadReport(pos[1])
	if err != nil {
		return err
	}
	c, err := eval.Compare(base, nw, *maxDrop)
	if err != nil {
		return triage.Errorf(triage.EINVALID, "%s: %s", reportFiles(pos), triage.ErrorMessageOrText(err))
	}
	if len(c.Mismatches) > 0 && !*allowMismatch {
		return triage.Errorf(triage.EINVALID, "%s: the runs differ, so their figures do not compare:\n  %s\nscore NEW on the same files, sample and seed as BASE (or pass --allow-mismatch to see the deltas anyway)",
			reportFiles(pos), strings.Join(c.Mismatches, "\n  "))
	}
	if err := c.WriteText(stdout); err != nil {
		return err
	}
	if *asJSON != "" {
		if err := writeJSON(stdout, *asJSON, c); err != nil {
			return err
		}
	}
	if c.Regressions > 0 {
		return &regressionError{c.Regressions}
	}
	if len(c.Mismatches) > 0 {
		fmt.Fprintf(stderr, "triage: warning: %d difference(s) between the runs; no verdict\n", len(c.Mismatches))
	}
	return nil
}

// evalMerge runs `triage eval merge [--json OUT] [--html OUT] FILE...`:
// one combined report of several sets, each named by its report's name.
func evalMerge(args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval merge", "[flags] REPORT.json...", "Combine reports of several sets into one report (and one page).")
	var out outputs
	out.flags(fs, "")
	pos, err := parseArgs(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"usage: triage eval merge [--json OUT] [--html OUT] REPORT.json..."}
	}
	sets := map[string]any{}
	for _, p := range pos {
		d, err := eval.ReadReport(p)
		if err != nil {
			return err
		}
		var name string
		switch {
		case d.Classify != nil:
			name = d.Classify.Name
		case d.Retrieve != nil:
			name = d.Retrieve.Name
		case d.Live != nil:
			name = "live"
		case d.Drafts != nil:
			name = nameOr(d.Drafts.Name, "drafts")
		default:
			return triage.Errorf(triage.EINVALID, "%s: a %s report cannot go into a suite", p, d.Kind)
		}
		name = nameOr(name, strings.TrimSuffix(filepath.Base(p), ".json"))
		name = strings.NewReplacer(".", "_", " ", "_").Replace(name)
		if _, dup := sets[name]; dup {
			return triage.Errorf(triage.EINVALID, "%s: a second report named %q", p, name)
		}
		sets[name] = rawJSON(d.Raw)
	}
	s, err := eval.NewSuite(sets)
	if err != nil {
		return err
	}
	return out.write(stdout, stderr, env, s)
}

// rawJSON marshals as itself.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// evalLive runs `triage eval live`: what triage predicted at intake against
// the values at close, from the store of a running or stopped service.
func evalLive(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval live", "[flags]",
		"Score what triage predicted at intake against the values at close, and suggestion acceptance,\nfrom a service's store (read only; the service may be running).")
	since := fs.String("since", "", "only tickets created (and feedback given) since this date: 2006-01-02 or RFC 3339")
	db := fs.String("db", os.Getenv("TRIAGE_DB"), "postgres://… URL of the store instead of the embedded one under --data")
	var out outputs
	out.flags(fs, "")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		var err error
		if from, err = parseSince(*since); err != nil {
			return err
		}
	}
	store, err := app.OpenReader(ctx, app.Config{DataDir: out.data, DB: *db})
	if err != nil {
		return err
	}
	defer store.Close()
	r, err := eval.Live(ctx, store, eval.LiveOptions{Since: from, Progress: progress(stderr)})
	if err != nil {
		return err
	}
	return out.write(stdout, stderr, env, r)
}

// evalDrafts runs `triage eval drafts`: the draft of every ticket of a
// store (or of a file's tickets, against the store), checked.
func evalDrafts(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval drafts", "[flags]",
		"Draft a reply for every ticket of a store as the service would (read only; the service may be\nrunning) and check each: mode, kind, citations, and foreign facts (numbers, identifiers and\namounts stated in neither the ticket nor a cited published article).")
	db := fs.String("db", os.Getenv("TRIAGE_DB"), "postgres://… URL of the store instead of the embedded one under --data")
	ticketsFile := fs.String("tickets", "", "draft for these tickets instead of the store's: JSON Lines of {title, body}")
	var out outputs
	out.flags(fs, "the report's name")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	var tickets []eval.DraftTicket
	if *ticketsFile != "" {
		var err error
		if tickets, err = eval.ReadDraftTickets(*ticketsFile); err != nil {
			return err
		}
	}
	a, err := openTools(ctx, app.Config{DataDir: out.data, DB: *db}, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.EvalDrafts(ctx, tickets, progress(stderr))
	if err != nil {
		return err
	}
	r.Name = out.name
	r.Source = out.data
	if *ticketsFile != "" {
		r.Source = *ticketsFile
	}
	return out.write(stdout, stderr, env, r)
}

func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, triage.Invalid("since", "--since %q is not a date (2006-01-02) or a time (RFC 3339)", s)
}
