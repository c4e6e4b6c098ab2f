package main

import (
	"context"
	"io"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
)

// evalSentiment runs `triage eval sentiment`: the built-in lexicon, ours
// (lexicon + model) and the TF-IDF + logistic regression baseline, trained
// on one split and scored on the other in the same run.
func evalSentiment(ctx context.Context, args []string, stdout, stderr io.Writer, env *evalEnv) error {
	fs := newFlags("eval sentiment", "--train F --test F [flags]",
		"Score the sentiment scorers on a split labelled positive/negative: the built-in lexicon, ours\n(TF-IDF logistic regression stacked with the lexicon's score, trained on --train) and a TF-IDF +\nlogistic regression baseline trained on the same split: accuracy, macro-F1 and per class, side by side.")
	train := fs.String("train", "", "labelled JSON Lines to train on (required)")
	test := fs.String("test", "", "labelled JSON Lines to score (required)")
	label := fs.String("label", "sentiment", "the field holding positive or negative")
	sampleTrain := fs.Int("sample-train", 0, "train on a fixed-seed sample of about this many examples, stratified by label (0: all)")
	sampleTest := fs.Int("sample-test", 0, "score a fixed-seed sample of about this many examples, stratified by label (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the samples")
	jsonOut := fs.String("json", "", "also write the JSON report here")
	if err := noArgs(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *train == "" || *test == "" {
		return &usageError{"eval sentiment needs --train and --test"}
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
	trainSet = eval.SampleLabelled(trainSet, *sampleTrain, *seed)
	testSet = eval.SampleLabelled(testSet, *sampleTest, *seed)
	seg, err := env.segmenter()
	if err != nil {
		return err
	}
	r, err := eval.SentimentEval(ctx, seg, trainSet, testSet, eval.SentimentOptions{Label: *label, Progress: progress(stderr)})
	if err != nil {
		return err
	}
	r.Name = eval.SetName(*test)
	r.TrainFile, r.TestFile = *train, *test
	if *jsonOut != "" {
		if err := writeJSON(stdout, *jsonOut, r); err != nil {
			return err
		}
	}
	return eval.WriteSentimentTable(stdout, r)
}
