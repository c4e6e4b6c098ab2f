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
// success, 1 on failure, 2 on bad usage or bad input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stdout, stderr)
	case "migrate":
		err = migrate(ctx, rest, stdout, stderr)
	case "eval":
		err = evalCmd(ctx, rest, stdout, stderr)
	case "train":
		err = trainCmd(ctx, rest, stdout, stderr)
	case "import":
		err = importCmd(ctx, rest, stdout, stderr)
	case "reindex":
		err = reindexCmd(ctx, rest, stdout, stderr)
	case "mail":
		err = mailCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "triage", version)
	case "help", "-h", "--help":
		usage(stdout)
	default:
		fmt.Fprintf(stderr, "triage: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "triage:", triage.ErrorMessageOrText(err))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) || triage.IsCode(err, triage.EINVALID) {
		return 2
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: triage <command> [flags]

Commands:
  serve      run the service (default)
  migrate    apply store migrations and exit
  train      train the classifier on closed tickets (and labelled files)
  import     import data: dictionary FILE, articles FILE
  reindex    rebuild the search indexes and vectors from the store
  mail       mail deliver: post a message read on stdin (an MTA's pipe)
  eval       score the classifier or the retrieval on labelled data
  version    print the version

Run "triage <command> -h" for a command's flags. Every flag can also be set
in the environment as TRIAGE_<FLAG> (e.g. TRIAGE_ADDR, TRIAGE_DATA, TRIAGE_DB).
`)
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
