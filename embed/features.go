package embed

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/triagehq/triage"
)

// feature is one weighted feature of a text: a character n-gram or a
// segmenter word, with its tf-idf weight, its hash and its index in the
// trained vocabulary (-1 outside it).
type feature struct {
	key string
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

// counts returns each feature of text with its raw count.
func (x *extractor) counts(text string) map[string]int {
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
	c := make(map[string]int, len(rs)+len(rs)/2)
	// Character n-grams within runs of letters and digits: across
	// punctuation they would join unrelated words.
	var buf []byte
	for i := 0; i < len(rs); i++ {
		if !isTextRune(rs[i]) {
			continue
		}
		for n := 1; n <= x.maxN && i+n <= len(rs); n++ {
			if !isTextRune(rs[i+n-1]) {
				break
			}
			buf = append(buf[:0], 'c')
			for _, r := range rs[i : i+n] {
				buf = appendRune(buf, r)
			}
			c[string(buf)]++
		}
	}
	if x.words && x.seg != nil {
		for _, w := range x.seg.Words(text) {
			if len([]rune(w)) < 2 {
				continue // single characters are already unigrams
			}
			c["w"+w]++
		}
	}
	return c
}

func appendRune(b []byte, r rune) []byte {
	if r < 0x80 {
		return append(b, byte(r))
	}
	return append(b, string(r)...)
}

func isTextRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// weigh turns counts into sublinear tf-idf features, sorted by hash so
// that every later floating-point sum is done in the same order, whatever
// the map's. lookup returns a key's vocabulary index (or -1) and idf.
func weigh(counts map[string]int, lookup func(string) (int32, float64)) []feature {
	fs := make([]feature, 0, len(counts))
	for k, n := range counts {
		i, idf := lookup(k)
		fs = append(fs, feature{key: k, h: fnv1a(k), idx: i, w: (1 + math.Log(float64(n))) * idf})
	}
	slices.SortFunc(fs, func(a, b feature) int {
		if a.h != b.h {
			if a.h < b.h {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	return fs
}

// fnv1a is FNV-1a, inline: the hash package's version allocates per call
// and this runs once per feature of every embedded text.
func fnv1a(key string) uint64 {
	v := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		v ^= uint64(key[i])
		v *= 1099511628211
	}
	return v
}

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
