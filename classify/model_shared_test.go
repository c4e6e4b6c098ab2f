package classify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/eval"
)

// sharedDir finds ../shared beside the repository root, where the
// evaluation data lives; "" when it is not there.
func sharedDir() string {
	if d := os.Getenv("TRIAGE_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(filepath.Join(d, "data")); err == nil {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readSet reads a classification JSON Lines file: "text", or "title" and
// "body", and "category".
func readSet(t testing.TB, path string) []classify.Example {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []classify.Example
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r struct{ Text, Title, Body, Category string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		text := r.Text
		if text == "" {
			text = strings.TrimSpace(r.Title + " " + r.Body)
		}
		out = append(out, classify.Example{Text: text, Label: r.Category})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSharedSets trains on each shared set's train split and scores its
// dev split, printing one line per set to compare with the peer:
//
//	go test ./classify -run TestSharedSets -v
//
// CLASSIFY_SHARED_OPTS may hold TrainOptions as JSON, for tuning.
//
// It is an experiment bench, run on demand with TRIAGE_EXPERIMENTS=1: the
// quality gate of `make test` is the evaluation harness's (package eval),
// which compares against committed baselines. With TRIAGE_PEERS=1 it also
// runs the scikit-learn peer (../shared/peers/sklearn_classify.py) on the
// same split and fails when our macro-F1 is below it.
func TestSharedSets(t *testing.T) {
	if os.Getenv("TRIAGE_EXPERIMENTS") != "1" {
		t.Skip("experiment bench: set TRIAGE_EXPERIMENTS=1 (and TRIAGE_PEERS=1 to run the peer)")
	}
	shared := sharedDir()
	if shared == "" {
		t.Skip("SKIP: ../shared/data (the shared evaluation sets) is not beside the repository; nothing to score")
	}
	var base classify.TrainOptions
	if s := os.Getenv("CLASSIFY_SHARED_OPTS"); s != "" {
		if err := json.Unmarshal([]byte(s), &base); err != nil {
			t.Fatalf("CLASSIFY_SHARED_OPTS: %v", err)
		}
	}
	seg := realSegmenter(t)
	for _, set := range []string{"taidi2020_messages", "smp2017_intent", "online_shopping_10cats"} {
		t.Run(set, func(t *testing.T) {
			if set == "online_shopping_10cats" && testing.Short() {
				t.Skip("35k training texts; skipped in -short mode")
			}
			dir := filepath.Join(shared, "data", set)
			train := readSet(t, filepath.Join(dir, "train.jsonl"))
			dev := readSet(t, filepath.Join(dir, "dev.jsonl"))
			opts := base
			opts.Segmenter = seg
			start := time.Now()
			m, err := classify.Train(context.Background(), train, opts)
			if err != nil {
				t.Fatal(err)
			}
			fit := time.Since(start).Seconds()
			texts := make([]string, len(dev))
			for i, e := range dev {
				texts[i] = e.Text
			}
			start = time.Now()
			preds, err := m.PredictBatch(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			perSec := float64(len(dev)) / time.Since(start).Seconds()
			outcomes := make([]eval.ClassOutcome, len(dev))
			for i, p := range preds {
				outcomes[i] = eval.ClassOutcome{Gold: dev[i].Label, Predicted: p.Label, Confidence: p.Probability}
				for _, s := range p.Top(3) {
					outcomes[i].Ranked = append(outcomes[i].Ranked, s.Value)
				}
			}
			sc, err := eval.ScoreClassification(outcomes, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			blob, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := classify.Load(blob, seg); err != nil {
				t.Fatal(err)
			}
			saveLoad := time.Since(start).Seconds()
			line := fmt.Sprintf("%-24s macro_f1=%.4f accuracy=%.4f weighted_f1=%.4f top3=%.4f ece=%.4f temperature=%.3f fit_seconds=%.2f predict_per_second=%.0f features=%d iterations=%d evals=%d model_bytes=%d save_load_seconds=%.2f",
				set, sc.MacroF1, sc.Accuracy, sc.WeightedF1, sc.Top3Accuracy, sc.Calibration.ECE, m.Info().Temperature, fit, perSec, m.Info().Features, m.Info().Iterations, m.Info().Evaluations, len(blob), saveLoad)
			t.Log(line)
			fmt.Println(line)
			if os.Getenv("TRIAGE_PEERS") == "1" {
				peer := runPeer(t, filepath.Join(shared, "peers", "sklearn_classify.py"), filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "dev.jsonl"))
				fmt.Printf("%-24s peer macro_f1=%v fit_seconds=%v predict_per_second=%v\n", set, peer["macro_f1"], peer["fit_seconds"], peer["predict_per_second"])
				if f, _ := peer["macro_f1"].(float64); sc.MacroF1 < f {
					t.Errorf("macro-F1 %.4f is below the scikit-learn peer's %.4f", sc.MacroF1, f)
				}
			}
		})
	}
}

// runPeer runs a peer script with Debian's python3 and returns its JSON.
func runPeer(t *testing.T, script string, args ...string) map[string]any {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", append([]string{script}, args...)...).Output()
	if err != nil {
		t.Fatalf("peer %s: %v (needs python3-jieba and python3-sklearn)", script, err)
	}
	var r map[string]any
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("peer %s printed no JSON: %v", script, err)
	}
	return r
}

// TestSharedDeterministic trains on real text twice, on one goroutine and
// on four, and expects the same model to the last bit.
func TestSharedDeterministic(t *testing.T) {
	shared := sharedDir()
	if shared == "" {
		t.Skip("SKIP: ../shared/data (the shared evaluation sets) is not beside the repository")
	}
	train := readSet(t, filepath.Join(shared, "data", "taidi2020_messages", "train.jsonl"))
	seg := realSegmenter(t)
	var versions []string
	for _, workers := range []int{1, 4} {
		m, err := classify.Train(context.Background(), train, classify.TrainOptions{Segmenter: seg, Workers: workers, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, m.Version())
	}
	if versions[0] != versions[1] {
		t.Errorf("one goroutine gave version %s, four gave %s", versions[0], versions[1])
	}
}
