package bleve

import (
	"slices"
	"testing"
)

func TestBigrams(t *testing.T) {
	for _, c := range []struct {
		text string
		want []gram
	}{
		{"", nil},
		{"退", []gram{{"退", 0, 0, 3}}},
		{"退款到账", []gram{{"退款", 0, 0, 6}, {"款到", 1, 3, 9}, {"到账", 2, 6, 12}}},
		// Punctuation and spaces break pairs but take no position, so
		// a phrase of bigrams can skip them.
		{"退款，到账", []gram{{"退款", 0, 0, 6}, {"到账", 2, 9, 15}}},
		// A Latin word or a number is one unit.
		{"iphone 15手机", []gram{{"iphone", 0, 0, 6}, {"15手", 1, 7, 12}, {"手机", 2, 9, 15}}},
		{"买了iphone", []gram{{"买了", 0, 0, 6}, {"了iphone", 1, 3, 12}}},
		{"a b", []gram{{"a", 0, 0, 1}, {"b", 1, 2, 3}}},
		{"!!", nil},
	} {
		if got := bigrams(c.text); !slices.Equal(got, c.want) {
			t.Errorf("bigrams(%q) = %v; want %v", c.text, got, c.want)
		}
	}
}

// gramTexts, the one-pass cut of indexing and queries, gives the texts of
// bigrams on every kind of text.
func TestGramTexts(t *testing.T) {
	texts := []string{"", "退", "退款到账", "退款，到账", "iphone 15手机", "买了iphone", "a b", "!!",
		"  前后 空格  ", "ａｂｃ全角１２３", "混合mixed文本and数字42个", "é café 咖啡", "a", "，退，", "x，y", "日本語とカタカナ", "😀表情😀"}
	// Every substring of a mixed text, so that each break and run shape
	// is tried at each place.
	mixed := []rune("退款 iphone15手机，a b！到账2次x")
	for i := range mixed {
		for j := i; j <= len(mixed); j++ {
			texts = append(texts, string(mixed[i:j]))
		}
	}
	for _, text := range texts {
		var want []string
		for _, g := range bigrams(text) {
			want = append(want, g.text)
		}
		if got := gramTexts(text); !slices.Equal(got, want) {
			t.Errorf("gramTexts(%q) = %q; want %q", text, got, want)
		}
	}
}

func TestQuoted(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{`退款 "到账 时间" 多久`, []string{"到账 时间"}},
		{`“退款到账”和「发票」`, []string{"退款到账", "发票"}},
		{`＂全角＂`, []string{"全角"}},
		{`"未闭合 AND (x OR y)`, nil},
		{`"" “ ”`, nil},
		{`"a" "b`, []string{"a"}},
		{`”反的“`, nil},
	} {
		if got := quoted(c.text); !slices.Equal(got, c.want) {
			t.Errorf("quoted(%q) = %q; want %q", c.text, got, c.want)
		}
	}
}
