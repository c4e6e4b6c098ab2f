package bleve

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	triage "github.com/triagehq/triage"
)

// wordAnalyzer turns text into the segmenter's index terms. Bleve positions
// count from 1, the segmenter's from 0; sub-words keep their word's position,
// so a phrase query built from the same analyzer lines up.
type wordAnalyzer struct{ seg triage.Segmenter }

func (a wordAnalyzer) Analyze(text []byte) analysis.TokenStream {
	terms := a.seg.Tokens(string(text))
	toks := make([]analysis.Token, len(terms))
	ts := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		toks[i] = analysis.Token{
			Term:     []byte(t.Text),
			Position: t.Position + 1,
			Start:    t.Start,
			End:      t.End,
			Type:     analysis.Ideographic,
		}
		ts[i] = &toks[i]
	}
	return ts
}

// bigramAnalyzer turns text into overlapping pairs of units, where a unit is
// one Han character or one run of other letters and digits (a Latin word, a
// number). Pairs never span punctuation or white space; a unit alone between
// two breaks is kept as it is. It needs no dictionary, so it finds what the
// segmenter cuts differently in a query and in a document (see the package
// doc for the figures). Positions are unit indexes, so a phrase of bigrams is
// an exact substring match.
type bigramAnalyzer struct{ seg triage.Segmenter }

func (a bigramAnalyzer) Analyze(text []byte) analysis.TokenStream {
	grams := bigrams(a.seg.Normalize(string(text)))
	toks := make([]analysis.Token, len(grams))
	ts := make(analysis.TokenStream, len(grams))
	for i, g := range grams {
		toks[i] = analysis.Token{
			Term:     []byte(g.text),
			Position: g.pos + 1,
			Start:    g.start,
			End:      g.end,
			Type:     analysis.Double,
		}
		ts[i] = &toks[i]
	}
	return ts
}

// gram is one bigram (or lone unit) with its unit position and byte offsets
// in the normalised text.
type gram struct {
	text       string
	pos        int
	start, end int
}

// unit is a Han character or a run of other letters and digits, with the
// index of the run it belongs to.
type unit struct {
	start, end int
	run        int
}

// bigrams returns the grams of normalised text (see bigramAnalyzer).
func bigrams(text string) []gram {
	units := units(text)
	out := make([]gram, 0, len(units))
	for i, u := range units {
		next := i+1 < len(units) && units[i+1].run == u.run
		prev := i > 0 && units[i-1].run == u.run
		switch {
		case next:
			out = append(out, gram{text[u.start:units[i+1].end], i, u.start, units[i+1].end})
		case !prev:
			out = append(out, gram{text[u.start:u.end], i, u.start, u.end})
		}
	}
	return out
}

func units(text string) []unit {
	var out []unit
	run := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			out = append(out, unit{i, i + size, run})
			i += size
		case isAlnum(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isAlnum(r2) || unicode.Is(unicode.Han, r2) {
					break
				}
				j += s2
			}
			out = append(out, unit{i, j, run})
			i = j
		default:
			if len(out) > 0 && out[len(out)-1].run == run {
				run++
			}
			i += size
		}
	}
	return out
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// runLengths returns how many units each run of text has.
func runLengths(text string) []int {
	var n []int
	for _, u := range units(text) {
		for len(n) <= u.run {
			n = append(n, 0)
		}
		n[u.run]++
	}
	return n
}
