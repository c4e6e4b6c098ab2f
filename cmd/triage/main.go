// Command triage is the triage service and its tools: serve the API and UI,
// migrate the store, import data, train the classifier, rebuild indexes and
// evaluate on labelled data. It is flags, subcommands and output: package
// app builds the application every subcommand runs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/triagehq/triage"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code: 0 on
// success (and for -h or --help), 1 on failure, 2 on bad usage or bad
// input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	name, rest := args[0], args[1:]
	var err error
	switch c, ok := lookup(name); {
	case isHelp(name):
		// triage help eval is triage eval --help.
		if len(rest) > 0 {
			return run(ctx, append(rest[:1:1], "--help"), stdout, stderr)
		}
		usage(stdout)
		return 0
	case !ok:
		fmt.Fprintf(stderr, "triage: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	default:
		err = c.run(ctx, rest, stdout, stderr)
	}
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "triage:", err)
		return 2
	}
	fmt.Fprintln(stderr, "triage:", triage.ErrorMessageOrText(err))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if triage.IsCode(err, triage.EINVALID) {
		return 2
	}
	return 1
}

// commands are the subcommands of triage, in the order usage lists them.
func commands() []command {
	return []command{
		{name: "serve", summary: "run the service (default)", run: serve},
		{name: "migrate", summary: "apply store migrations and exit", run: migrate},
		{name: "token", summary: "create an API token, such as a new admin token", run: tokenCmd, subs: []subcommand{
			{"create", "create a token and print its secret once"},
		}},
		{name: "train", summary: "train the classifier on closed tickets (and labelled files)", run: trainCmd},
		{name: "import", summary: "import data into the store", run: importCmd, subs: []subcommand{
			{"dictionary", "words for the segmenter's user dictionary, from a file"},
			{"articles", "knowledge-base articles, from JSON Lines"},
			{"tickets", "ticket history from Zendesk, Zammad, Freshdesk or a CSV/JSON Lines export"},
		}},
		{name: "macros", summary: "export or import macros (快捷回复) as JSON Lines", run: macrosCmd, subs: []subcommand{
			{"export", "every macro as JSON Lines"},
			{"import", "create or update macros from JSON Lines"},
		}},
		{name: "backup", summary: "back up the embedded store while it runs, or check a backup (--verify)", run: backupCmd},
		{name: "restore", summary: "restore a backup into a new data directory", run: restoreCmd},
		{name: "reindex", summary: "rebuild the search indexes and vectors from the store", run: reindexCmd},
		{name: "mail", summary: "the e-mail channel's tools", run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return mailCmd(ctx, args, os.Stdin, stdout, stderr)
		}, subs: []subcommand{
			{"deliver", "post a message read on stdin to the service (an MTA's pipe)"},
		}},
		{name: "eval", summary: "score the classifier or the retrieval on labelled data", run: evalCmd, subs: []subcommand{
			{"classify", "train on labelled texts and score the classifier on others"},
			{"sentiment", "score the sentiment scorers (lexicon, ours, a TF-IDF baseline) on labelled texts"},
			{"retrieve", "index a knowledge base and score the retrieval of queries"},
			{"live", "what triage predicted at intake against the values at close, from a store"},
			{"drafts", "draft a reply for every ticket of a store and check it for foreign facts"},
			{"compare", "every metric of two reports side by side; a headline drop fails"},
			{"merge", "one report (and page) of several sets"},
			{"deflect", "score how often the top public article answers a question at the answer threshold, and the false answers"},
		}},
		{name: "version", summary: "print the version", run: versionCmd},
	}
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprint(w, "Usage: triage <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "triage <command> -h" (or "triage help <command>") for a command's
usage and flags. Every flag can also be set in the environment as
TRIAGE_<FLAG> (e.g. TRIAGE_ADDR, TRIAGE_DATA, TRIAGE_DB).
`)
}

// versionCmd runs `triage version`.
func versionCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", "Print the version of this binary.")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "triage", version)
	return nil
}
