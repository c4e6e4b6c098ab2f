package classify_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/triagehq/triage/classify"
	"strings"
	"unicode"

	"github.com/triagehq/triage"
)

// runeSegmenter stands in for package segment where a test needs no real
// Chinese words: it lower-cases, collapses white space and calls every Han
// character, and every run of letters or digits, a word.
type runeSegmenter struct{}

var _ triage.Segmenter = runeSegmenter{}

func (runeSegmenter) Normalize(text string) string {
	return strings.Join(strings.Fields(strings.ToLower(text)), " ")
}

func (s runeSegmenter) Words(text string) []string {
	var out []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out = append(out, string(run))
			run = run[:0]
		}
	}
	for _, r := range s.Normalize(text) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			run = append(run, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func (s runeSegmenter) Tokens(text string) []triage.Term {
	var out []triage.Term
	for i, w := range s.Words(text) {
		out = append(out, triage.Term{Text: w, Position: i})
	}
	return out
}

// subwordSegmenter splits on spaces; Tokens also yields the two halves of
// every four-letter word at the word's position, like package segment's
// sub-words.
type subwordSegmenter struct{}

func (subwordSegmenter) Normalize(text string) string { return strings.ToLower(text) }
func (s subwordSegmenter) Words(text string) []string { return strings.Fields(s.Normalize(text)) }
func (s subwordSegmenter) Tokens(text string) []triage.Term {
	var out []triage.Term
	for i, w := range s.Words(text) {
		out = append(out, triage.Term{Text: w, Position: i})
		if len(w) == 4 {
			out = append(out, triage.Term{Text: w[:2], Position: i}, triage.Term{Text: w[2:], Position: i})
		}
	}
	return out
}

func TestFeaturizer(t *testing.T) {
	texts := []string{"退款 到账", "退款 到账 没有", "物流 太慢", "物流 丢件"}
	tests := []struct {
		name string
		seg  triage.Segmenter
		opts classify.FeatureOptions
		text string
		// want are the features of text by kind: words (w:), bigrams of
		// words (b:) and character n-grams (c:).
		want []string
	}{
		{
			name: "words and characters",
			seg:  subwordSegmenter{},
			opts: classify.FeatureOptions{WordMinDF: 2, CharMinDF: 2},
			text: "退款 到账 物流",
			// 退款 到账 is in two documents, so the bigram is kept;
			// 到账 物流 is in none. "账 " and "到账 " are in one
			// document only, " 物" in none.
			want: []string{"w:退款", "w:到账", "w:物流", "b:退款 到账",
				"c:退", "c:款", "c: ", "c:到", "c:账", "c:物", "c:流",
				"c:退款", "c:款 ", "c: 到", "c:到账", "c:物流",
				"c:退款 ", "c:款 到", "c: 到账"},
		},
		{
			name: "words only",
			seg:  subwordSegmenter{},
			opts: classify.FeatureOptions{CharMax: -1, WordMinDF: 2},
			text: "退款 没有 到账",
			// 没有 is in one document only: below min_df.
			want: []string{"w:退款", "w:到账"},
		},
		{
			name: "unknown text",
			seg:  subwordSegmenter{},
			text: "你好",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := classify.FitFeaturizer(context.Background(), tt.seg, texts, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			v := f.Transform(tt.text)
			if len(v.Index) != len(tt.want) {
				t.Errorf("got %d features, want %d (%v)", len(v.Index), len(tt.want), tt.want)
			}
			for i := 1; i < len(v.Index); i++ {
				if v.Index[i] <= v.Index[i-1] {
					t.Fatalf("indices not increasing: %v", v.Index)
				}
			}
			if len(v.Index) > 0 {
				// Each block has unit norm, the character block scaled
				// by CharWeight (2 by default).
				if n := norm2(v); math.Abs(n-blocks(tt.opts)) > 1e-5 {
					t.Errorf("squared norm %v, want %v", n, blocks(tt.opts))
				}
			}
		})
	}
}

// blocks is the squared norm of a vector with both blocks non-empty.
func blocks(o classify.FeatureOptions) float64 {
	n := 0.0
	if o.WordNgrams >= 0 {
		n++
	}
	if o.CharMax >= 0 {
		n += 4
	}
	return n
}

func norm2(v classify.SparseVector) float64 {
	s := 0.0
	for _, x := range v.Value {
		s += float64(x) * float64(x)
	}
	return s
}

func TestFeaturizerCharWeight(t *testing.T) {
	texts := []string{"退款 到账", "退款 没有 到账"}
	f, err := classify.FitFeaturizer(context.Background(), subwordSegmenter{}, texts, classify.FeatureOptions{CharWeight: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if n := norm2(f.Transform("退款")); math.Abs(n-1.25) > 1e-5 {
		t.Errorf("squared norm %v, want 1 + 0.5²", n)
	}
}

func TestFeaturizerSubWords(t *testing.T) {
	texts := []string{"abcd ef", "abcd ef", "ab"}
	for _, tt := range []struct {
		name string
		sub  bool
		want int
	}{
		// abcd, ef, the bigram abcd ef, and with sub-words also ab and cd;
		// the sub-words must not make bigrams (cd ef) of their own.
		{"words", false, 3},
		{"sub-words", true, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := classify.FitFeaturizer(context.Background(), subwordSegmenter{}, texts, classify.FeatureOptions{CharMax: -1, WholeWords: !tt.sub, WordMinDF: 2})
			if err != nil {
				t.Fatal(err)
			}
			if f.Dim() != tt.want {
				t.Errorf("%d features, want %d", f.Dim(), tt.want)
			}
			if got := len(f.Transform("abcd ef").Index); got != tt.want {
				t.Errorf("text has %d features, want %d", got, tt.want)
			}
		})
	}
}

// Short texts keep n-grams seen once, long ones drop them.
func TestAutoMinDF(t *testing.T) {
	short := []string{"退款 到账", "物流 太慢"}
	long := []string{strings.Repeat("退款 到账 ", 5), strings.Repeat("物流 太慢 ", 5)}
	for _, tt := range []struct {
		name  string
		texts []string
		want  int
	}{{"short", short, 1}, {"long", long, 2}} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := classify.FitFeaturizer(context.Background(), subwordSegmenter{}, tt.texts, classify.FeatureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if o := f.Options(); o.WordMinDF != tt.want || o.CharMinDF != tt.want {
				t.Errorf("min_df %d/%d, want %d", o.WordMinDF, o.CharMinDF, tt.want)
			}
		})
	}
}

func TestFeatureOptionsInvalid(t *testing.T) {
	texts := []string{"退款 到账", "退款 没有 到账"}
	tests := []struct {
		name  string
		opts  classify.FeatureOptions
		field string
	}{
		{"trigrams of words", classify.FeatureOptions{WordNgrams: 3}, "features.word_ngrams"},
		{"char range reversed", classify.FeatureOptions{CharMin: 3, CharMax: 2}, "features.char_max"},
		{"nothing on", classify.FeatureOptions{WordNgrams: -1, CharMax: -1}, "features"},
		{"negative min_df", classify.FeatureOptions{CharMinDF: -1}, "features.min_df"},
		{"negative weight", classify.FeatureOptions{CharWeight: -1}, "features.char_weight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := classify.FitFeaturizer(context.Background(), subwordSegmenter{}, texts, tt.opts)
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != tt.field {
				t.Fatalf("got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
	if _, err := classify.FitFeaturizer(context.Background(), nil, texts, classify.FeatureOptions{}); !triage.IsCode(err, triage.EINVALID) {
		t.Errorf("nil segmenter: %v", err)
	}
}
