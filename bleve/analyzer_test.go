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
