// Command gensample writes the sample Zendesk export of made-up Chinese shop
// tickets and its mapping file:
//
//	go run ./importer/importertest/gensample -n 1000 -seed 1 -o zendesk_1000.json -mapping zendesk_mapping.json
//
// The same flags give the same bytes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/triagehq/triage/importer/importertest"
)

func main() {
	n := flag.Int("n", 1000, "number of tickets")
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives the same file")
	page := flag.Int("page", 0, "tickets per page of the incremental export (0: one page)")
	lines := flag.Bool("lines", false, "write JSON Lines, one ticket per line, instead of export pages")
	out := flag.String("o", "-", "output file, - for standard output")
	mapping := flag.String("mapping", "", "also write the mapping file (category from the 问题分类 field) here")
	flag.Parse()
	if err := run(*n, *seed, *page, *lines, *out, *mapping); err != nil {
		fmt.Fprintln(os.Stderr, "gensample:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, page int, lines bool, out, mapping string) error {
	if n < 1 {
		return fmt.Errorf("-n must be at least 1")
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if _, err := importertest.WriteZendesk(w, importertest.Options{Tickets: n, Seed: seed, PageSize: page, Lines: lines}); err != nil {
		return err
	}
	if c, ok := w.(io.Closer); ok && out != "-" {
		if err := c.Close(); err != nil {
			return err
		}
	}
	if mapping != "" {
		return os.WriteFile(mapping, importertest.Mapping(), 0o644)
	}
	return nil
}
