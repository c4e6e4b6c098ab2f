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
	return a.tokens(text, false)
}

// normalizedTokens is a segmenter that cuts a text already normalised
// (segment.Segmenter): analysis needs both the normalised text (for the
// bigrams) and the terms, and normalising twice cost a tenth of cutting.
type normalizedTokens interface {
	TokensNormalized(norm string) []triage.Term
}

// cut returns text normalised and its terms.
func (a wordAnalyzer) cut(text string) (norm string, terms []triage.Term) {
	norm = a.seg.Normalize(text)
	if tn, ok := a.seg.(normalizedTokens); ok {
		return norm, tn.TokensNormalized(norm)
	}
	return norm, a.seg.Tokens(text)
}

// tokens returns the terms of text; a document's also end with the length
// marker.
func (a wordAnalyzer) tokens(text []byte, doc bool) analysis.TokenStream {
	return stream(a.seg.Tokens(string(text)), doc)
}

// stream turns the segmenter's terms into bleve tokens. The terms' bytes
// share one buffer: a field has hundreds of them, and an allocation each
// was a tenth of the garbage of indexing.
func stream(terms []triage.Term, doc bool) analysis.TokenStream {
	toks := make([]analysis.Token, len(terms), len(terms)+1)
	ts := make(analysis.TokenStream, len(terms), len(terms)+1)
	size := 0
	for _, t := range terms {
		size += len(t.Text)
	}
	buf := make([]byte, 0, size)
	for i, t := range terms {
		start := len(buf)
		buf = append(buf, t.Text...)
		toks[i] = analysis.Token{
			Term:     buf[start:len(buf):len(buf)],
			Position: t.Position + 1,
			Start:    t.Start,
			End:      t.End,
			Type:     analysis.Ideographic,
		}
		ts[i] = &toks[i]
	}
	if doc {
		ts = withMarker(ts)
	}
	return ts
}

// marker is a term every analysed document field has once, at position 0,
// which no real term takes. Its postings carry the norm of every field,
// from which Index computes the average field length that BM25 needs:
// bleve's own estimate is the dictionary size over the document count,
// summed over segments, which changes with merges (see stats).
const marker = "\x00"

func withMarker(ts analysis.TokenStream) analysis.TokenStream {
	return append(ts, &analysis.Token{Term: []byte(marker), Position: 0, Type: analysis.Single})
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
	return a.tokens(text, false)
}

func (a bigramAnalyzer) tokens(text []byte, doc bool) analysis.TokenStream {
	grams := bigrams(a.seg.Normalize(string(text)))
	toks := make([]analysis.Token, len(grams), len(grams)+1)
	ts := make(analysis.TokenStream, len(grams), len(grams)+1)
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
	if doc {
		ts = withMarker(ts)
	}
	return ts
}

// gramTexts returns the texts of bigrams(norm), in order, in one pass
// without building the units and grams: it is run on every text indexed
// (and again at Open) and on every query, and those slices were a sixth of
// the garbage of indexing.
func gramTexts(norm string) []string {
	out := make([]string, 0, len(norm)/3+1)
	// The previous unit of the current run, if any, and whether a unit
	// of the same run came before it.
	prevStart, prevEnd := -1, -1
	prevPaired := false
	flush := func() {
		if prevStart >= 0 && !prevPaired {
			out = append(out, norm[prevStart:prevEnd])
		}
		prevStart = -1
	}
	for i := 0; i < len(norm); {
		r, size := utf8.DecodeRuneInString(norm[i:])
		var end int
		switch {
		case r < utf8.RuneSelf && !isASCIIAlnum(r):
			flush()
			i += size
			continue
		case unicode.Is(unicode.Han, r):
			end = i + size
		case isAlnum(r):
			end = i + size
			for end < len(norm) {
				r2, s2 := utf8.DecodeRuneInString(norm[end:])
				if !isAlnum(r2) || unicode.Is(unicode.Han, r2) {
					break
				}
				end += s2
			}
		default:
			flush()
			i += size
			continue
		}
		if prevStart >= 0 {
			out = append(out, norm[prevStart:end])
			prevPaired = true
		} else {
			prevPaired = false
		}
		prevStart, prevEnd = i, end
		i = end
	}
	flush()
	return out
}

func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
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
	out := make([]unit, 0, len(text)/3+1)
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

// runTexts returns each run of units of normalised text as it is written.
func runTexts(text string) []string {
	var out []string
	us := units(text)
	for i := 0; i < len(us); {
		j := i
		for j+1 < len(us) && us[j+1].run == us[i].run {
			j++
		}
		out = append(out, text[us[i].start:us[j].end])
		i = j + 1
	}
	return out
}

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
