package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/segment"
)

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// openTools builds the application for a one-off command, without
// serving; its text index is in memory, leaving the one on disk to
// whoever serves.
func openTools(ctx context.Context, cfg app.Config, stderr io.Writer) (*app.App, error) {
	cfg.MemIndex = true
	return openCommand(ctx, cfg, stderr)
}

// openCommand builds the application for a one-off command.
func openCommand(ctx context.Context, cfg app.Config, stderr io.Writer) (*app.App, error) {
	log, err := app.NewLogger(stderr, "warn")
	if err != nil {
		return nil, err
	}
	cfg.Log, cfg.Version = log, version
	return app.Open(ctx, cfg)
}

// trainCmd runs `triage train`: fit the classifier on the store's closed
// tickets (the value at close is the label) and any labelled files, save it
// as the active model. A running server picks it up on its next start or
// when an admin activates it; a server in the same process uses it at once.
func trainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("train", "[flags]", "Train the classifier on the store's closed tickets (and labelled files) and make it the\nactive model.")
	storeFlags(fs, &cfg)
	kind := fs.String("kind", triage.ModelCategory, "what to predict: category or priority")
	var from files
	fs.Var(&from, "from", "labelled JSON Lines to train on as well (repeatable; schema of ../shared/data)")
	out := fs.String("json", "", "write the model summary here instead of stdout")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	var extra []classify.Example
	for _, f := range from {
		set, err := eval.ReadLabelled(f, *kind)
		if err != nil {
			return err
		}
		for _, l := range set {
			extra = append(extra, classify.Example{Text: l.Text, Label: l.Label})
		}
	}
	m, err := openTools(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	bar := progress(stderr)
	rec, _, err := m.Trainer.Train(ctx, *kind, extra, from, func(done, total int) { bar("train", done, total) })
	if err != nil {
		return err
	}
	return writeJSON(stdout, *out, rec)
}

// importCmd runs `triage import <what> FILE`.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, _ := lookup("import")
	what, rest, err := group(c, args, stdout, stderr)
	if err != nil {
		return err
	}
	if what == "tickets" {
		return importTicketsCmd(ctx, rest, stdout, stderr)
	}
	var cfg app.Config
	about := "Add the words of FILE (one a line: word [frequency [tag]]) to the user dictionary."
	if what == "articles" {
		about = "Create or update knowledge-base articles from FILE, JSON Lines of {id, title, body, category, tags}."
	}
	fs := newFlags("import "+what, "[flags] FILE", about)
	storeFlags(fs, &cfg)
	var status *string
	if what == "articles" {
		status = fs.String("status", string(triage.ArticlePublished), "status of imported articles: draft, in_review or published")
	}
	pos, err := parseArgs(fs, rest, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{fmt.Sprintf("usage: triage import %s [flags] FILE", what)}
	}
	path := pos[0]
	switch what {
	case "dictionary":
		words, err := segment.ReadDictFile(path)
		if err != nil {
			return err
		}
		m, err := openTools(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer m.Close()
		ctx = triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "cli", Name: "triage import", Role: triage.RoleAdmin})
		stored, err := m.Desk.PutDictWords(ctx, words, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d dictionary words stored from %s\n", len(stored), path)
		return nil
	case "articles":
		f, err := os.Open(path)
		if err != nil {
			return triage.Invalid("file", "%s: %v", path, err)
		}
		defer f.Close()
		m, err := openTools(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer m.Close()
		bar := progress(stderr)
		res, err := m.KB.Import(ctx, f, kb.ImportOptions{Status: triage.ArticleStatus(*status), Progress: func(done, total int) { bar("import", done, total) }})
		if err != nil {
			return err
		}
		// The service indexes and embeds the articles from the change log
		// and the queued jobs: at once when it is running, at its next
		// start otherwise.
		fmt.Fprintf(stdout, "%s: %d lines, %d articles created, %d updated, %d unchanged\n", path, res.Lines, res.Created, res.Updated, res.Unchanged)
		return nil
	}
	return nil
}

// reindexCmd runs `triage reindex`: rebuild the text index from the store
// and recompute every vector, retraining the local embedder first.
func reindexCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("reindex", "[flags]", "Rebuild the text index from the store and recompute every vector, retraining the local\nembedder first.")
	storeFlags(fs, &cfg)
	searchFlags(fs, &cfg)
	keep := fs.Bool("keep-embedder", false, "keep the current local embedder instead of retraining it on today's corpus")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	cfg.EmbedAPIKey = os.Getenv("TRIAGE_EMBED_API_KEY")
	m, err := openCommand(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	bar := progress(stderr)
	if !*keep {
		if err := m.Embedding.Retrain(ctx, bar); err != nil {
			return err
		}
	}
	if err := m.Indexer.Rebuild(ctx, true, bar); err != nil {
		return err
	}
	arts, _ := m.Text.Count(ctx, triage.DocArticle)
	tix, _ := m.Text.Count(ctx, triage.DocTicket)
	fmt.Fprintf(stdout, "reindexed: %d article chunks and %d resolved tickets in the text index; vectors of %s\n", arts, tix, m.Embedding.Model())
	return nil
}
