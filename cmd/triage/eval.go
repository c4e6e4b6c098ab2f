package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/eval"
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
	}
	return &usageError{fmt.Sprintf("unknown eval kind %q; use classify", args[0])}
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
