package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/embed"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/kb"
	"github.com/triagehq/triage/segment"
)

// evalCmd runs `triage eval <kind>`: the evaluation harness, a contract for
// scripts (see README): JSON on stdout or in --json, exit 0 on success, 2
// on bad input with the file and line, 1 when compare finds a regression.
func evalCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return evalRun(ctx, args, stdout, stderr, &evalEnv{})
}

// evalEnv is what eval subcommands share within one process: the CI gate
// runs several evaluations and loads the segmenter's dictionary once.
type evalEnv struct {
	seg triage.Segmenter
	// now stamps saved reports' ids; nil means time.Now.
	now func() time.Time
}

func (e *evalEnv) segmenter() (triage.Segmenter, error) {
	if e.seg == nil {
		seg, err := segment.New(segment.Options{})
		if err != nil {
			return nil, err
		}
		e.seg = seg
	}
	return e.seg, nil
}

func (e *evalEnv) time() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}

func evalRun(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	c, _ := lookup("eval")
	kind, rest, err := group(c, args, stdout, stderr)
	if err != nil {
		return err
	}
	switch kind {
	case "classify":
		return evalClassify(ctx, rest, stdout, stderr, env)
	case "retrieve":
		return evalRetrieve(ctx, rest, stdout, stderr, env)
	case "sentiment":
		return evalSentiment(ctx, rest, stdout, stderr, env)
	case "live":
		return evalLive(ctx, rest, stdout, stderr, env)
	case "drafts":
		return evalDrafts(ctx, rest, stdout, stderr, env)
	case "compare":
		return evalCompare(rest, stdout, stderr)
	case "deflect":
		return evalDeflect(ctx, rest, stdout, stderr, env)
	}
	return evalMerge(rest, stdout, stderr, env)
}

// outputs are the flags every report-making subcommand shares.
type outputs struct {
	json, html string
	save       bool
	data       string
	name       string
}

func (o *outputs) flags(fs *flag.FlagSet, nameHelp string) {
	fs.StringVar(&o.json, "json", "", "write the JSON report here instead of stdout")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report here as well")
	fs.BoolVar(&o.save, "save", false, "also keep the report (JSON and HTML) in <data>/reports, where the API lists it")
	data := os.Getenv("TRIAGE_DATA")
	if data == "" {
		data = "./data"
	}
	fs.StringVar(&o.data, "data", data, "data directory (for --save, and the store that live reads)")
	if nameHelp != "" {
		fs.StringVar(&o.name, "name", "", nameHelp)
	}
}

// write puts a report where the flags say: JSON to --json or stdout, HTML
// to --html, both into the reports directory with --save.
func (o *outputs) write(stdout, stderr io.Writer, env *evalEnv, report any) error {
	b, err := json.MarshalIndent(report, "", " ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	var page []byte
	if o.html != "" || o.save {
		d, err := eval.DecodeReport("report", b)
		if err != nil {
			return err
		}
		if page, err = eval.WriteHTML(d); err != nil {
			return err
		}
	}
	if o.json == "" {
		if _, err := stdout.Write(b); err != nil {
			return err
		}
	} else if err := os.WriteFile(o.json, b, 0o644); err != nil {
		return err
	}
	if o.html != "" {
		if err := os.WriteFile(o.html, page, 0o644); err != nil {
			return err
		}
	}
	if o.save {
		var head struct {
			Kind, Name string
		}
		_ = json.Unmarshal(b, &head)
		id := eval.NewReportID(env.time(), head.Kind, nameOr(o.name, head.Name))
		if err := (eval.Reports{Dir: filepath.Join(o.data, "reports")}).Save(id, b, page); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "saved report %s in %s\n", id, filepath.Join(o.data, "reports"))
	}
	return nil
}

func nameOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseArgs parses flags that may come before, between or after the
// positional arguments (`compare BASE NEW --max-drop 0.02`), which the flag
// package alone stops at.
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args, stdout, stderr); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

func noArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	pos, err := parseArgs(fs, args, stdout, stderr)
	if err == nil && len(pos) > 0 {
		err = &usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	return err
}

func evalRetrieve(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval retrieve", "--articles F --queries F [flags]",
		"Index the articles as the service does and score the retrieval of the queries: recall@1/5/10,\nMRR@10, nDCG@10, speed, and the worst-missed queries, per mode.")
	articlesFile := fs.String("articles", "", "the knowledge base: JSON Lines of {id, title, body} (required)")
	queriesFile := fs.String("queries", "", "queries: JSON Lines of {id, text, relevant} (required)")
	k := fs.Int("k", 10, "cut-off of the metrics")
	mode := fs.String("mode", "all", "lexical, vector, hybrid or all")
	vectorWeight := fs.Float64("vector-weight", kb.DefaultVectorWeight, "weight of the vector list in hybrid fusion (the service's default; with --cross-fit, the pair-tuned embedder's)")
	misses := fs.Int("misses", 10, "worst-missed queries to keep per mode")
	sample := fs.Int("sample-queries", 0, "score a fixed-seed sample of this many queries (0: all); the knowledge base stays whole")
	seed := fs.Uint64("seed", 1, "seed of the sample")
	crossFit := fs.Int("cross-fit", 0, "fine-tune the local embedder on the queries themselves, cross-fitted: split them into this many folds by\narticle and score each fold with an embedder tuned on the other folds' queries and their articles (0: off)")
	var out outputs
	out.flags(fs, "the set's name in the report (default: the queries file's directory)")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *crossFit == 1 || *crossFit < 0 {
		return triage.Invalid("cross-fit", "--cross-fit must be 0 or at least 2")
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
	seg, err := env.segmenter()
	if err != nil {
		return err
	}
	bar := progress(stderr)
	// Without --cross-fit one fold holds every query and the embedder
	// learns from the articles alone, as the service's does. With it, the
	// sample is still the one a run without folds scores: the folds split
	// it and the whole set alike, by article, so each fold's embedder
	// learns from every query of the other folds, sampled or not.
	sampled := eval.SampleQueries(queries, *sample, *seed)
	parts, scored := [][]eval.Query{queries}, [][]eval.Query{sampled}
	if *crossFit >= 2 {
		parts, scored = eval.CrossFolds(queries, *crossFit), eval.CrossFolds(sampled, *crossFit)
	}
	var folds []eval.Fold
	var report *eval.RetrieveReport
	var weights []float64
	for i := range parts {
		var pairs []kb.Pair
		weight := *vectorWeight
		if *crossFit >= 2 {
			var rest []eval.Query
			for j, p := range parts {
				if j != i {
					rest = append(rest, p...)
				}
			}
			pairs = eval.TrainingPairs(rest, articles)
			if !flagSet(fs, "vector-weight") {
				if weight, err = pairedWeight(ctx, seg, articles, rest, bar); err != nil {
					return err
				}
			}
			weights = append(weights, weight)
		}
		searcher, r, err := app.RetrievalPairs(ctx, seg, articles, weight, pairs, bar)
		if err != nil {
			return err
		}
		defer searcher.Text.Close()
		if report == nil {
			report = r
		} else {
			report.IndexSeconds += r.IndexSeconds
		}
		folds = append(folds, eval.Fold{Searcher: searcher, Queries: scored[i]})
	}
	report.Name = nameOr(out.name, eval.SetName(*queriesFile))
	report.ArticlesFile, report.QueriesFile, report.K = *articlesFile, *queriesFile, *k
	if *crossFit >= 2 {
		report.CrossFit, report.VectorWeights = *crossFit, weights
	}
	report.Modes, err = eval.RetrieveFolds(ctx, folds, len(articles), eval.RetrieveOptions{K: *k, Modes: modes, Misses: *misses, Progress: bar})
	if err != nil {
		return err
	}
	if len(sampled) < all {
		report.Sample = &eval.Sample{Seed: *seed, QueriesOf: all}
	}
	eval.TitleMisses(report.Modes, articles)
	return out.write(stdout, stderr, env, report)
}

func evalClassify(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval classify", "--train F --test F [flags]",
		"Train the classifier on one labelled file and score it on the other: accuracy, macro and weighted\nF1, per class, confusion, abstain rate at the service's threshold, calibration, speed.")
	train := fs.String("train", "", "labelled JSON Lines to train on (required)")
	test := fs.String("test", "", "labelled JSON Lines to score (required)")
	label := fs.String("label", "category", "the field to predict")
	threshold := fs.Float64("threshold", classify.DefaultThreshold, "abstain below this confidence (the service's --abstain-threshold default, so the abstain rate is the service's)")
	sampleTrain := fs.Int("sample-train", 0, "train on a fixed-seed sample of about this many examples, stratified by label (0: all)")
	sampleTest := fs.Int("sample-test", 0, "score a fixed-seed sample of about this many examples, stratified by label (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the samples")
	examples := fs.Int("examples", eval.PairExamples, "example texts to show for each most-confused pair")
	curve := fs.Bool("curve", false, "print the abstain curve on stderr (it is printed anyway when stderr is a terminal; the report always has it)")
	var out outputs
	out.flags(fs, "the set's name in the report (default: the test file's directory)")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *train == "" || *test == "" {
		return &usageError{"eval classify needs --train and --test"}
	}
	if *threshold < 0 || *threshold > 1 {
		return triage.Invalid("threshold", "--threshold must be between 0 and 1")
	}
	if *sampleTrain < 0 || *sampleTest < 0 {
		return triage.Invalid("sample", "--sample-train and --sample-test must be 0 or more")
	}
	trainSet, err := eval.ReadLabelled(*train, *label)
	if err != nil {
		return err
	}
	testSet, err := eval.ReadLabelled(*test, *label)
	if err != nil {
		return err
	}
	allTrain, allTest := len(trainSet), len(testSet)
	trainSet = eval.SampleLabelled(trainSet, *sampleTrain, *seed)
	testSet = eval.SampleLabelled(testSet, *sampleTest, *seed)
	seg, err := env.segmenter()
	if err != nil {
		return err
	}
	r, err := eval.Classify(ctx, seg, trainSet, testSet, eval.ClassifyOptions{Label: *label, Threshold: *threshold, Examples: *examples, Progress: progress(stderr)})
	if err != nil {
		return err
	}
	r.Name = nameOr(out.name, eval.SetName(*test))
	r.TrainFile, r.TestFile = *train, *test
	if len(trainSet) < allTrain || len(testSet) < allTest {
		r.Sample = &eval.Sample{Seed: *seed, TrainOf: allTrain, TestOf: allTest}
	}
	if *curve || isTerminal(stderr) {
		printAbstainCurve(stderr, r)
	}
	return out.write(stdout, stderr, env, r)
}

// printAbstainCurve says on stderr (stdout keeps the JSON) what abstaining
// buys: the accuracy on what is answered when the least confident share is
// left to a person.
func printAbstainCurve(w io.Writer, r *eval.ClassifyReport) {
	fmt.Fprintf(w, "%s: %d examples, accuracy %.4f, macro-F1 %.4f\n", r.Name, r.Examples, r.Accuracy, r.MacroF1)
	fmt.Fprintln(w, "abstain  coverage  accuracy answered  confidence ≥")
	for _, p := range r.AbstainCurve {
		fmt.Fprintf(w, "%6.1f%%  %7.1f%%  %17.4f  %12.3f\n", 100*(1-p.Coverage), 100*p.Coverage, p.Accuracy, p.Threshold)
	}
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

// reportFiles names the positional report files of compare and merge in
// errors.
func reportFiles(paths []string) string { return strings.Join(paths, ", ") }

// flagSet reports whether the command line gave the flag, so a default
// that depends on another flag yields to an explicit value.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// pairedWeights are the hybrid vector weights a cross-fitted fold chooses
// among: the service's 1 up to embed.PairedVectorWeight, where the words
// only break near-ties.
var pairedWeights = []float64{1, 2, 4, embed.PairedVectorWeight}

// pairedWeight chooses the hybrid vector weight for an embedder tuned on
// the pairs of queries, from those queries alone: the embedder is tuned on
// four fifths of them (split by article) and the weight that finds the
// most of the other fifth in the top 5 (then the best nDCG@10, then the
// smaller weight) is the one. On short-question sets the tuned vectors
// carry the words as well and want a high weight; on long answers the
// words still lead.
func pairedWeight(ctx context.Context, seg triage.Segmenter, articles []eval.Article, queries []eval.Query, bar func(string, int, int)) (float64, error) {
	inner := eval.CrossFoldsSeed(queries, 5, 1)
	var fit []eval.Query
	for _, p := range inner[1:] {
		fit = append(fit, p...)
	}
	// A fixed sample keeps the choice cheap on long-text sets.
	held := eval.SampleQueries(inner[0], 500, 1)
	if len(held) == 0 || len(fit) == 0 {
		return embed.PairedVectorWeight, nil
	}
	s, _, err := app.RetrievalPairs(ctx, seg, articles, 1, eval.TrainingPairs(fit, articles), bar)
	if err != nil {
		return 0, err
	}
	defer s.Text.Close()
	best, bestR5, bestNDCG := 0.0, -1.0, -1.0
	for _, w := range pairedWeights {
		s.VectorWeight = w
		sc, err := eval.Retrieve(ctx, s, len(articles), held, eval.RetrieveOptions{Modes: []string{kb.ModeHybrid}})
		if err != nil {
			return 0, err
		}
		if r5, nd := sc[0].RecallAt5, sc[0].NDCGAt10; r5 > bestR5 || (r5 == bestR5 && nd > bestNDCG) {
			best, bestR5, bestNDCG = w, r5, nd
		}
	}
	return best, nil
}
