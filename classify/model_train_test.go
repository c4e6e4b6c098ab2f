package classify

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

// fitScale recovers the inverse temperature that generated the labels.
func TestFitScale(t *testing.T) {
	for _, beta := range []float64{0.5, 1, 3} {
		t.Run("", func(t *testing.T) {
			const n, k = 20000, 4
			r := rand.New(rand.NewPCG(1, 2))
			z := make([]float64, n*k)
			y := make([]int32, n)
			p := make([]float64, k)
			for i := range n {
				row := z[i*k : i*k+k]
				for c := range row {
					row[c] = r.NormFloat64()
				}
				copy(p, row)
				for c := range p {
					p[c] *= beta
				}
				softmax(p)
				u, acc := r.Float64(), 0.0
				y[i] = k - 1
				for c := range p {
					if acc += p[c]; u < acc {
						y[i] = int32(c)
						break
					}
				}
			}
			if got := fitScale(z, y, k); math.Abs(got-beta) > 0.08*beta {
				t.Errorf("fitted %v, want %v", got, beta)
			}
		})
	}
}

// superviseIDF raises the IDF of a feature found in one class only and
// leaves one spread over the classes as their sizes are.
func TestSuperviseIDF(t *testing.T) {
	// Features: 0 in class 0 only, 1 in both classes in proportion to
	// their sizes (2 and 4 texts).
	x := &csr{
		ptr: []int{0, 2, 4, 5, 6, 7, 8},
		idx: []int32{0, 1, 0, 1, 1, 1, 1, 1},
		val: []float32{1, 1, 1, 1, 1, 1, 1, 1},
	}
	y := []int32{0, 0, 1, 1, 1, 1}
	for _, w := range []float64{1, 3} {
		f := &Featurizer{idf: []float32{2, 2}}
		superviseIDF(f, x, y, []int{2, 4}, w)
		// Smoothing keeps the spread feature a hair above 2.
		if !(float64(f.idf[0]) > 2+0.3*w) || !(f.idf[1] >= 2 && f.idf[1] < 2.02) {
			t.Errorf("weight %v: idf %v, want the one-class feature above %v and the spread one at 2", w, f.idf, 2+0.3*w)
		}
	}
}

// With the automatic setting a cross-validated set tries no supervised
// IDF and AutoSupervised and keeps the weight only if it classifies
// better and predicts probabilities no worse; a given weight is used as
// it is.
func TestSupervisedSelection(t *testing.T) {
	seg := splitSegmenter{}
	var ex []Example
	words := [][]string{{"退款", "到账", "退钱"}, {"快递", "物流", "发货"}, {"密码", "登录", "账号"}}
	for _, ws := range words {
		for i := range 10 {
			ex = append(ex, Example{Text: ws[i%3] + " 你好 " + ws[(i+1)%3] + " 请问", Label: ws[0]})
		}
	}
	m, err := Train(t.Context(), ex, TrainOptions{Segmenter: seg})
	if err != nil {
		t.Fatal(err)
	}
	cv := m.Info().CrossValidation
	if len(cv) != 2 || cv[0].Supervised != -1 || cv[1].Supervised != AutoSupervised {
		t.Fatalf("cross-validation %+v, want none and %v", cv, AutoSupervised)
	}
	want := cv[0].Supervised
	if cv[1].MacroF1 > cv[0].MacroF1 && cv[1].LogLoss <= cv[0].LogLoss && cv[1].scale < 0.99*maxScale {
		want = cv[1].Supervised
	}
	if got := m.Info().Options.Supervised; got != want {
		t.Errorf("kept supervised %v, want %v from %+v", got, want, cv)
	}
	m, err = Train(t.Context(), ex, TrainOptions{Segmenter: seg, Supervised: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Its out-of-fold scores still fit the temperature.
	if cv := m.Info().CrossValidation; len(cv) != 1 || cv[0].Supervised != 2 || m.Info().Options.Supervised != 2 {
		t.Errorf("given weight 2: cross-validation %+v, kept %v", cv, m.Info().Options.Supervised)
	}
	if _, err := Train(t.Context(), ex, TrainOptions{Segmenter: seg, Supervised: math.NaN()}); err == nil {
		t.Error("NaN supervised weight accepted")
	}
}

// splitSegmenter cuts at spaces.
type splitSegmenter struct{}

func (splitSegmenter) Normalize(s string) string { return s }
func (splitSegmenter) Words(s string) []string   { return strings.Fields(s) }
func (splitSegmenter) Tokens(s string) []triage.Term {
	var out []triage.Term
	for i, w := range strings.Fields(s) {
		out = append(out, triage.Term{Text: w, Position: i})
	}
	return out
}
