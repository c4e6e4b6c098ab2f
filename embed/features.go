package embed

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// feature is one weighted feature of a text: a character n-gram or a
// segmenter word, known by its 64-bit hash, with its tf-idf weight and its
// index in the trained vocabulary (-1 outside it). Hashes instead of
// strings spare an allocation per n-gram; among the million or so features
// a corpus has, a 64-bit collision is a one-in-ten-million event and would
// only merge two rare features.
type feature struct {
	h   uint64
	idx int32
	w   float64
}

// extractor turns a text into counted features. It is shared by training
// and embedding so that both see exactly the same features.
type extractor struct {
	seg      triage.Segmenter
	maxN     int  // longest character n-gram
	words    bool // add segmenter words
	maxRunes int  // longer texts are cut: the head carries the topic
}

// counts returns the hash of each feature of text with its raw count.
func (x *extractor) counts(text string) map[uint64]int {
	c := make(map[uint64]int, 3*utf8.RuneCountInString(text)/2)
	x.each(text, func(h uint64) { c[h]++ })
	return c
}

// each calls emit with the hash of every feature of text, once per
// occurrence.
func (x *extractor) each(text string, emit func(uint64)) {
	if x.seg != nil {
		text = x.seg.Normalize(text)
	} else {
		text = strings.ToLower(text)
	}
	rs := []rune(text)
	if x.maxRunes > 0 && len(rs) > x.maxRunes {
		rs = rs[:x.maxRunes]
		text = string(rs)
	}
	// Character n-grams within runs of letters and digits: across
	// punctuation they would join unrelated words. The n-grams starting at
	// one rune share their prefix, so their hashes are built in one pass.
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(rs); i++ {
		if !isTextRune(rs[i]) {
			continue
		}
		h := fnvAdd(fnvOffset, 'c')
		for n := 1; n <= x.maxN && i+n <= len(rs); n++ {
			r := rs[i+n-1]
			if !isTextRune(r) {
				break
			}
			for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
				h = fnvAdd(h, b)
			}
			emit(h)
		}
	}
	if x.words && x.seg != nil {
		for _, w := range x.seg.Words(text) {
			if utf8.RuneCountInString(w) < 2 {
				continue // single characters are already unigrams
			}
			h := fnvAdd(fnvOffset, 'w')
			for i := 0; i < len(w); i++ {
				h = fnvAdd(h, w[i])
			}
			emit(h)
		}
	}
}

func isTextRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// weigh turns counts into sublinear tf-idf features, sorted by hash so
// that every later floating-point sum is done in the same order, whatever
// the map's. lookup returns a feature's vocabulary index (or -1) and idf.
func weigh(counts map[uint64]int, lookup func(uint64) (int32, float64)) []feature {
	fs := make([]feature, 0, len(counts))
	for h, n := range counts {
		i, idf := lookup(h)
		fs = append(fs, feature{h: h, idx: i, w: (1 + math.Log(float64(n))) * idf})
	}
	slices.SortFunc(fs, func(a, b feature) int { return cmp.Compare(a.h, b.h) })
	return fs
}

// features is weigh(x.counts(text), lookup) without the map: the hashes,
// repeats and all, are sorted as plain integers and counted in runs, which
// gives the same features in the same order. Embedding a query runs this;
// the map and the sort through a comparison function were a third of
// embedding a 200-character ticket.
func (x *extractor) features(text string, lookup func(uint64) (int32, float64)) []feature {
	hs := make([]uint64, 0, 2*utf8.RuneCountInString(text))
	x.each(text, func(h uint64) { hs = append(hs, h) })
	slices.Sort(hs)
	fs := make([]feature, 0, len(hs))
	for i := 0; i < len(hs); {
		j := i + 1
		for j < len(hs) && hs[j] == hs[i] {
			j++
		}
		idx, idf := lookup(hs[i])
		fs = append(fs, feature{h: hs[i], idx: idx, w: (1 + math.Log(float64(j-i))) * idf})
		i = j
	}
	return fs
}

// FNV-1a, inline: the hash package's version allocates per call and this
// runs once per byte of every embedded text.
const fnvOffset uint64 = 14695981039346656037

func fnvAdd(h uint64, b byte) uint64 { return (h ^ uint64(b)) * 1099511628211 }

// hashFeature gives a feature its bucket and sign in the hashed part of a
// vector. The sign keeps collisions from adding up in expectation.
func hashFeature(v uint64, dim int) (int, float64) {
	sign := 1.0
	if v>>63 == 1 {
		sign = -1
	}
	return int(v % uint64(dim)), sign
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}
