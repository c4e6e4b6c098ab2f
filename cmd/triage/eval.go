package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/segment"
)

// evalCmd runs `triage eval <kind>`: the evaluation harness, a contract for
// scripts (see README): JSON on stdout or in --json, exit 0 on success, 2
// on bad input with the file and line.
func evalCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{"usage: triage eval classify|retrieve|live|compare [flags]"}
	}
	switch args[0] {
	case "classify":
		return evalClassify(ctx, args[1:], stdout, stderr)
	case "retrieve":
		return evalRetrieve(ctx, args[1:], stdout, stderr)
	}
	return &usageError{fmt.Sprintf("unknown eval kind %q; use classify or retrieve", args[0])}
}

func evalRetrieve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval retrieve", flag.ContinueOnError)
	articlesFile := fs.String("articles", "", "the knowledge base: JSON Lines of {id, title, body} (required)")
	queriesFile := fs.String("queries", "", "queries: JSON Lines of {id, text, relevant} (required)")
	k := fs.Int("k", 10, "cut-off of the metrics")
	mode := fs.String("mode", "all", "lexical, vector, hybrid or all")
	vectorWeight := fs.Float64("vector-weight", 1, "weight of the vector list in hybrid fusion")
	out := fs.String("json", "", "write the JSON report here instead of stdout")
	misses := fs.Int("misses", 10, "worst-missed queries to keep per mode")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if *articlesFile == "" || *queriesFile == "" {
		return &usageError{"eval retrieve needs --articles and --queries"}
	}
	var modes []string
	switch *mode {
	case "all":
		modes = []string{kb.ModeLexical, kb.ModeVector, kb.ModeHybrid}
	case kb.ModeLexical, kb.ModeVector, kb.ModeHybrid:
		modes = []string{*mode}
	default:
		return triage.Invalid("mode", "--mode must be lexical, vector, hybrid or all")
	}
	if *k < 1 || *k > kb.MaxK {
		return triage.Invalid("k", "--k must be between 1 and %d", kb.MaxK)
	}
	articles, err := eval.ReadArticles(*articlesFile)
	if err != nil {
		return err
	}
	queries, err := eval.ReadQueries(*queriesFile)
	if err != nil {
		return err
	}
	seg, err := segment.New(segment.Options{})
	if err != nil {
		return err
	}
	bar := progress(stdout, stderr)
	searcher, report, err := buildRetrieval(ctx, seg, articles, *vectorWeight, bar)
	if err != nil {
		return err
	}
	defer searcher.Text.Close()
	report.ArticlesFile, report.QueriesFile = *articlesFile, *queriesFile
	report.Modes, err = eval.Retrieve(ctx, searcher, len(articles), queries, eval.RetrieveOptions{K: *k, Modes: modes, Misses: *misses, Progress: bar})
	if err != nil {
		return err
	}
	return writeJSON(stdout, *out, report)
}

// buildRetrieval indexes a knowledge base the way the service does, in
// memory: bleve over the segmenter, the local embedder trained on the
// articles' chunks (never on the queries), exact vector search.
func buildRetrieval(ctx context.Context, seg triage.Segmenter, articles []eval.Article, vectorWeight float64, bar func(string, int, int)) (*kb.Searcher, *eval.RetrieveReport, error) {
	start := time.Now()
	var corpus []string
	for _, a := range articles {
		for _, d := range kb.Chunks(&triage.Article{ID: a.ID, Title: a.Title, Body: a.Body}) {
			corpus = append(corpus, kb.DocText(d))
		}
	}
	emb, err := embed.Train(ctx, corpus, embed.LocalOptions{Segmenter: seg, Progress: bar})
	if err != nil {
		return nil, nil, err
	}
	text, err := bleve.OpenMem(seg, bleve.Options{})
	if err != nil {
		return nil, nil, err
	}
	s := &kb.Searcher{Text: text, Vectors: embed.VectorIndex{Index: embed.NewIndex(emb.Dim())}, Embedder: emb, VectorWeight: vectorWeight}
	if err := eval.IndexArticles(ctx, s, articles, func(d, t int) { bar("index", d, t) }); err != nil {
		text.Close()
		return nil, nil, err
	}
	return s, &eval.RetrieveReport{Kind: "retrieve", Embedder: emb.Model(), IndexSeconds: time.Since(start).Seconds()}, nil
}

func evalClassify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval classify", flag.ContinueOnError)
	train := fs.String("train", "", "labelled JSON Lines to train on (required)")
	test := fs.String("test", "", "labelled JSON Lines to score (required)")
	label := fs.String("label", "category", "the field to predict")
	threshold := fs.Float64("threshold", 0.5, "abstain below this confidence")
	out := fs.String("json", "", "write the JSON report here instead of stdout")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error()}
	}
	if *train == "" || *test == "" {
		return &usageError{"eval classify needs --train and --test"}
	}
	if *threshold < 0 || *threshold > 1 {
		return triage.Invalid("threshold", "--threshold must be between 0 and 1")
	}
	trainSet, err := eval.ReadLabelled(*train, *label)
	if err != nil {
		return err
	}
	testSet, err := eval.ReadLabelled(*test, *label)
	if err != nil {
		return err
	}
	seg, err := segment.New(segment.Options{})
	if err != nil {
		return err
	}
	r, err := eval.Classify(ctx, seg, trainSet, testSet, eval.ClassifyOptions{Label: *label, Threshold: *threshold, Progress: progress(stdout, stderr)})
	if err != nil {
		return err
	}
	r.TrainFile, r.TestFile = *train, *test
	return writeJSON(stdout, *out, r)
}

// writeJSON writes v indented to path, or to stdout when path is empty.
func writeJSON(stdout io.Writer, path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
