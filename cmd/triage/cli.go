package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// The command line's shape, declared once: the commands, the groups that
// take a sub-command (eval, import, token) and how every one of them
// answers -h and --help (its usage on stdout, exit 0) or a mistake (its
// usage on stderr, exit 2). TestHelp walks these tables.

// errHelp reports that a command printed its usage because it was asked
// to: run exits 0.
var errHelp = errors.New("usage printed on request")

// usageError is a mistake in the command line: run exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// command is a top-level command: `triage <name> …`.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	// subs are the sub-commands of a group; nil for a plain command.
	subs []subcommand
}

// subcommand is one member of a group: `triage <group> <name> …`.
type subcommand struct{ name, summary string }

// isHelp reports whether an argument asks for usage.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// newFlags returns the flag set of `triage <name>`, whose usage is the
// synopsis (what follows the name), a sentence on what it does, and its
// flags.
func newFlags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: triage %s %s\n\n%s\n", name, synopsis, about)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args into fs once. -h or --help prints the usage on stdout
// and returns errHelp; a mistake prints it on stderr and returns a
// usageError, which run prints after it.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	case err != nil:
		fs.SetOutput(stderr)
		fs.Usage()
		fmt.Fprintln(stderr)
		return &usageError{err.Error()}
	}
	fs.SetOutput(stderr)
	return nil
}

// group picks the sub-command of a group from args[0]: with none, or an
// unknown one, it prints the group's usage on stderr (a usageError); for
// -h, --help or help, on stdout (errHelp).
func group(c command, args []string, stdout, stderr io.Writer) (string, []string, error) {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if len(names) == 1 {
		list = names[0]
	}
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: triage %s <%s> [flags]\n\n%s\n\nCommands:\n", c.name, strings.Join(names, "|"), capital(c.summary))
		for _, s := range c.subs {
			fmt.Fprintf(w, "  %-10s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun \"triage %s <command> -h\" for a command's flags.\n", c.name)
	}
	switch {
	case len(args) == 0:
		usage(stderr)
		return "", nil, &usageError{fmt.Sprintf("%s needs a command: %s", c.name, list)}
	case isHelp(args[0]):
		usage(stdout)
		return "", nil, errHelp
	}
	for _, n := range names {
		if n == args[0] {
			return n, args[1:], nil
		}
	}
	return "", nil, &usageError{fmt.Sprintf("unknown %s kind %q; use %s", c.name, args[0], list)}
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
