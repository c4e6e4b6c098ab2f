package main

import (
	"context"
	"fmt"
	"io"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/suggest"
)

// evalDeflect runs `triage eval deflect`: how often the top public article
// answers a question at the confidence where the request form or the
// answer API would show it, with the false-answer rate beside it.
func evalDeflect(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval deflect", "--articles F --queries F [flags]",
		"Index the articles as public articles and score the top article of every query at the\nservice's answer threshold: the share shown, the share answered, the false-answer rate.")
	articlesFile := fs.String("articles", "", "the knowledge base: JSON Lines of {id, title, body} (required)")
	queriesFile := fs.String("queries", "", "queries: JSON Lines of {id, text, relevant} (required)")
	threshold := fs.Float64("threshold", suggest.DefaultAnswerConfidence, "the confidence the top article needs (the service's)")
	sample := fs.Int("sample-queries", 0, "score a fixed-seed sample of this many queries (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the sample")
	jsonOut := fs.String("json", "", "write the JSON report here instead of stdout")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *articlesFile == "" || *queriesFile == "" {
		return &usageError{"eval deflect needs --articles and --queries"}
	}
	if *threshold < 0 || *threshold > 1 {
		return triage.Invalid("threshold", "--threshold must be between 0 and 1")
	}
	if *sample < 0 {
		return triage.Invalid("sample-queries", "--sample-queries must be 0 or more")
	}
	articles, err := eval.ReadArticles(*articlesFile)
	if err != nil {
		return err
	}
	queries, err := eval.ReadQueries(*queriesFile)
	if err != nil {
		return err
	}
	all := len(queries)
	queries = eval.SampleQueries(queries, *sample, *seed)
	seg, err := env.segmenter()
	if err != nil {
		return err
	}
	searcher, base, err := app.Retrieval(ctx, seg, articles, kb.DefaultVectorWeight, progress(stderr))
	if err != nil {
		return err
	}
	defer searcher.Text.Close()
	curve := []float64{0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7}
	rep, err := eval.Deflect(ctx, searcher, queries, *threshold, curve)
	if err != nil {
		return err
	}
	rep.Name, rep.ArticlesFile, rep.QueriesFile, rep.Embedder, rep.Articles = eval.SetName(*queriesFile), *articlesFile, *queriesFile, base.Embedder, len(articles)
	if len(queries) < all {
		rep.Sample = &eval.Sample{Seed: *seed, QueriesOf: all}
	}
	fmt.Fprintf(stderr, "deflect %s: at confidence %.2f, %.1f%% of %d questions shown an article, %.1f%% answered, false-answer rate %.1f%% (top-1 relevant %.1f%%)\n",
		rep.Name, rep.At.Threshold, 100*rep.At.ShownRate, rep.Queries, 100*rep.At.AnsweredRate, 100*rep.At.FalseAnswerRate, 100*rep.Top1)
	return writeJSON(stdout, *jsonOut, rep)
}
