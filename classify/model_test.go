package classify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
)

// toyExamples are three categories of customer requests, each with its own
// keywords and words shared by all, built deterministically.
func toyExamples() []classify.Example {
	keys := map[string][]string{
		"退款": {"退款", "退钱", "原路返回", "到账"},
		"物流": {"快递", "物流", "发货", "丢件"},
		"账户": {"密码", "登录", "账号", "验证码"},
	}
	filler := []string{"你好", "请问", "怎么办", "谢谢", "急"}
	var out []classify.Example
	for _, label := range []string{"退款", "物流", "账户"} {
		for i := range 12 {
			ks := keys[label]
			text := fmt.Sprintf("%s %s %s %s", filler[i%5], ks[i%4], ks[(i+1)%4], filler[(i+2)%5])
			out = append(out, classify.Example{Text: text, Label: label})
		}
	}
	// A small fourth class, for class weighting.
	out = append(out,
		classify.Example{Text: "发票 开具 你好", Label: "发票"},
		classify.Example{Text: "请问 发票 抬头", Label: "发票"},
		classify.Example{Text: "发票 开具 谢谢", Label: "发票"},
	)
	return out
}

func trainToy(t *testing.T, opts classify.TrainOptions) *classify.Model {
	t.Helper()
	if opts.Segmenter == nil {
		opts.Segmenter = subwordSegmenter{}
	}
	if opts.CalibrationFolds == 0 {
		// The toy classes are separable, so out-of-fold predictions are
		// all right and calibration would sharpen to its limit.
		opts.CalibrationFolds = -1
	}
	m, err := classify.Train(context.Background(), toyExamples(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainPredict(t *testing.T) {
	m := trainToy(t, classify.TrainOptions{})
	if got, want := m.Labels(), []string{"发票", "物流", "账户", "退款"}; !slices.Equal(got, want) {
		t.Fatalf("labels %v, want %v", got, want)
	}
	tests := []struct{ text, want string }{
		{"请问 快递 丢件 怎么办", "物流"},
		{"退款 什么时候 到账", "退款"},
		{"登录 验证码 收不到", "账户"},
		{"发票 抬头 写错", "发票"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p := m.Predict(tt.text)
			if p.Label != tt.want {
				t.Errorf("label %q, want %q (%v)", p.Label, tt.want, p.Classes)
			}
			if len(p.Classes) != 4 || len(p.Top(3)) != 3 || len(p.Top(10)) != 4 {
				t.Fatalf("classes %v", p.Classes)
			}
			sum := 0.0
			for i, c := range p.Classes {
				sum += c.Score
				if i > 0 && c.Score > p.Classes[i-1].Score {
					t.Errorf("classes not sorted: %v", p.Classes)
				}
			}
			if math.Abs(sum-1) > 1e-9 || p.Probability != p.Classes[0].Score || p.Label != p.Classes[0].Value {
				t.Errorf("probabilities %v sum to %v", p.Classes, sum)
			}
			if p.Probability < 0.5 {
				t.Errorf("a clear case has probability %v", p.Probability)
			}
		})
	}
	// A text with no known feature gets the prior of the biases, not an
	// error; with balanced weights the classes are near uniform.
	p := m.Predict("完全无关的话")
	if p.Probability > 0.5 {
		t.Errorf("unknown text is too sure: %v", p.Classes)
	}

	texts := []string{"快递 丢件", "退款 到账", ""}
	batch, err := m.PredictBatch(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if one := m.Predict(text); !slices.Equal(one.Classes, batch[i].Classes) {
			t.Errorf("batch %d differs: %v vs %v", i, batch[i].Classes, one.Classes)
		}
	}
}

// Same data and options give the same bits on any number of goroutines.
func TestTrainDeterministic(t *testing.T) {
	var blobs [][]byte
	var versions []string
	for _, workers := range []int{1, 3, 8} {
		m := trainToy(t, classify.TrainOptions{Workers: workers})
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, contentOf(t, b))
		versions = append(versions, m.Version())
	}
	for i := 1; i < len(blobs); i++ {
		if versions[i] != versions[0] || !bytes.Equal(blobs[i], blobs[0]) {
			t.Errorf("run %d: version %s, want %s (content equal: %v)", i, versions[i], versions[0], bytes.Equal(blobs[i], blobs[0]))
		}
	}
	if other := trainToy(t, classify.TrainOptions{C: 1}); other.Version() == versions[0] {
		t.Error("a different C gave the same version")
	}
}

// contentOf returns the part of a saved model that decides predictions: it
// round-trips through Load, which recomputes the version from it.
func contentOf(t *testing.T, blob []byte) []byte {
	t.Helper()
	m, err := classify.Load(blob, subwordSegmenter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, text := range []string{"快递 丢件", "退款 到账", "发票", "密码"} {
		for _, c := range m.Predict(text).Classes {
			out = fmt.Appendf(out, "%s=%x;", c.Value, math.Float64bits(c.Score))
		}
	}
	return append(out, m.Version()...)
}

func TestTrainProgressAndCancel(t *testing.T) {
	var mu sync.Mutex
	var calls [][2]int
	m := trainToy(t, classify.TrainOptions{Progress: func(done, total int) {
		mu.Lock()
		calls = append(calls, [2]int{done, total})
		mu.Unlock()
	}})
	if len(calls) < 2 {
		t.Fatalf("progress called %d times", len(calls))
	}
	last := calls[len(calls)-1]
	if last[0] != last[1] {
		t.Errorf("last progress %v does not reach the total", last)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != last[1] {
			t.Errorf("progress went from %v to %v", calls[i-1], calls[i])
		}
	}
	if m.Info().Iterations == 0 || m.Info().Examples != len(toyExamples()) || m.Info().Classes != 4 {
		t.Errorf("info %+v", m.Info())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := classify.Train(ctx, toyExamples(), classify.TrainOptions{Segmenter: subwordSegmenter{}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled training returned %v", err)
	}
	// Cancel from the progress callback, in the middle of the optimiser.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n := len(toyExamples())
	_, err := classify.Train(ctx, toyExamples(), classify.TrainOptions{Segmenter: subwordSegmenter{}, Progress: func(done, _ int) {
		if done > n+2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("training cancelled midway returned %v", err)
	}
	if _, err := m.PredictBatch(ctx, []string{"快递"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled batch returned %v", err)
	}
}

func TestTrainInvalid(t *testing.T) {
	good := toyExamples()
	seg := subwordSegmenter{}
	tests := []struct {
		name     string
		examples []classify.Example
		opts     classify.TrainOptions
		field    string
	}{
		{"no examples", nil, classify.TrainOptions{Segmenter: seg}, "examples"},
		{"one class", []classify.Example{{Text: "a", Label: "x"}, {Text: "b", Label: "x"}}, classify.TrainOptions{Segmenter: seg}, "examples"},
		{"empty label", append(slices.Clone(good), classify.Example{Text: "a"}), classify.TrainOptions{Segmenter: seg}, fmt.Sprintf("examples[%d].label", len(good))},
		{"no segmenter", good, classify.TrainOptions{}, "segmenter"},
		{"negative C", good, classify.TrainOptions{Segmenter: seg, C: -1}, "c"},
		{"infinite C", good, classify.TrainOptions{Segmenter: seg, C: math.Inf(1)}, "c"},
		{"class weight", good, classify.TrainOptions{Segmenter: seg, ClassWeight: "sqrt"}, "class_weight"},
		{"max_iter", good, classify.TrainOptions{Segmenter: seg, MaxIter: -1}, "max_iter"},
		{"tol", good, classify.TrainOptions{Segmenter: seg, Tol: -1}, "tol"},
		{"one fold", good, classify.TrainOptions{Segmenter: seg, CalibrationFolds: 1}, "calibration_folds"},
		{"features", good, classify.TrainOptions{Segmenter: seg, Features: classify.FeatureOptions{WordNgrams: 5}}, "features.word_ngrams"},
		{"no features", []classify.Example{{Text: "", Label: "x"}, {Text: "", Label: "y"}}, classify.TrainOptions{Segmenter: seg}, "examples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := classify.Train(context.Background(), tt.examples, tt.opts)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("got %v, want EINVALID on %q", err, tt.field)
			}
		})
	}
}

func TestClassWeight(t *testing.T) {
	// The small class gets a larger share of the loss with balanced
	// weights, so its own keyword pulls harder.
	bal := trainToy(t, classify.TrainOptions{})
	none := trainToy(t, classify.TrainOptions{ClassWeight: classify.ClassWeightNone})
	pb, pn := prob(bal.Predict("发票"), "发票"), prob(none.Predict("发票"), "发票")
	if !(pb > pn) {
		t.Errorf("balanced p(发票) = %v, unweighted %v", pb, pn)
	}
}

func TestCalibrationFolds(t *testing.T) {
	// Overlapping classes: 发票 and 退款 share words, so out-of-fold
	// predictions are unsure and the temperature is finite.
	examples := toyExamples()
	for i := range 6 {
		examples = append(examples, classify.Example{Text: fmt.Sprintf("发票 退款 %d", i), Label: []string{"发票", "退款"}[i%2]})
	}
	for _, tt := range []struct {
		name  string
		folds int
		want  int
	}{{"auto", 0, 5}, {"three", 3, 3}, {"off", -1, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := classify.Train(context.Background(), examples, classify.TrainOptions{Segmenter: subwordSegmenter{}, CalibrationFolds: tt.folds, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			info := m.Info()
			if info.CalibrationFolds != tt.want {
				t.Errorf("folds %d, want %d", info.CalibrationFolds, tt.want)
			}
			if (tt.want == 0) != (info.Temperature == 1) || !(info.Temperature > 0) {
				t.Errorf("temperature %v with %d folds", info.Temperature, info.CalibrationFolds)
			}
		})
	}
	a, _ := classify.Train(context.Background(), examples, classify.TrainOptions{Segmenter: subwordSegmenter{}, Seed: 1})
	b, _ := classify.Train(context.Background(), examples, classify.TrainOptions{Segmenter: subwordSegmenter{}, Seed: 1})
	if a.Version() != b.Version() {
		t.Error("the same seed gave different models")
	}
}

func prob(p classify.Prediction, label string) float64 {
	for _, c := range p.Classes {
		if c.Value == label {
			return c.Score
		}
	}
	return math.NaN()
}

func TestMarshalRoundTrip(t *testing.T) {
	m := trainToy(t, classify.TrainOptions{Features: classify.FeatureOptions{WholeWords: true}})
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := classify.Load(blob, subwordSegmenter{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version() != m.Version() || len(m.Version()) != 12 {
		t.Errorf("version %q after load, %q before", got.Version(), m.Version())
	}
	gi, mi := got.Info(), m.Info()
	if !gi.CreatedAt.Equal(mi.CreatedAt) || gi.Examples != mi.Examples || gi.Options.C != mi.Options.C || !gi.Options.Features.WholeWords || gi.Features != mi.Features {
		t.Errorf("info %+v, want %+v", gi, mi)
	}
	for _, text := range []string{"请问 快递 丢件 怎么办", "退款 到账", "abcd", ""} {
		if a, b := m.Predict(text), got.Predict(text); !slices.Equal(a.Classes, b.Classes) {
			t.Errorf("%q: %v after load, %v before", text, b.Classes, a.Classes)
		}
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, blob) {
		t.Error("saving a loaded model changed the bytes")
	}

	// Every truncation and a flipped byte anywhere must fail cleanly.
	for n := 0; n < len(blob); n += max(1, len(blob)/200) {
		var m2 classify.Model
		if err := m2.UnmarshalBinary(blob[:n]); !triage.IsCode(err, triage.EINVALID) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := 0; i < len(blob); i += max(1, len(blob)/100) {
		bad := slices.Clone(blob)
		bad[i] ^= 0x55
		var m2 classify.Model
		_ = m2.UnmarshalBinary(bad) // must not panic; some flips are harmless
	}
	var empty classify.Model
	if err := empty.UnmarshalBinary([]byte("not a model")); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("garbage: %v", err)
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	m, err := classify.Train(context.Background(), toyExamples(), classify.TrainOptions{Segmenter: subwordSegmenter{}})
	if err != nil {
		f.Fatal(err)
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add([]byte("TRGCLSF\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m classify.Model
		if m.UnmarshalBinary(data) == nil {
			m.SetSegmenter(subwordSegmenter{})
			m.Predict("快递 丢件")
		}
	})
}
