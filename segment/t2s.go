package segment

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:generate sh opencc/gen.sh

// OpenCC's tables, exported by opencc/gen.sh. They are data, not code, so
// they stay text: a diff of a re-export is readable.
var (
	//go:embed opencc/TSCharacters.txt
	tsCharacters string
	//go:embed opencc/TSPhrases.txt
	tsPhrases string
)

// maxRounds bounds the passes of convert. Two always sufficed on the OpenCC
// tables; the bound only guards against a future table with a cycle.
const maxRounds = 4

// t2s converts traditional to simplified Chinese the way OpenCC's t2s does:
// the longest phrase starting at a rune wins, otherwise the rune's own
// mapping. It is built once and only read afterwards, so one value serves
// every goroutine.
type t2s struct {
	chars map[rune]rune
	// phrases holds, per first rune, the phrases starting with it, longest
	// first, so the first prefix that matches is the longest match.
	phrases map[rune][]phrase
	// hot marks the BMP runes that start a phrase or have a mapping, so the
	// common case (a rune that needs nothing) costs one bit test instead of
	// two map lookups.
	hot [0x10000 / 64]uint64
}

type phrase struct{ from, to string }

// converter is immutable once built; sync.OnceValue defers the cost (about a
// millisecond) to the first Normalize rather than every program start.
var converter = sync.OnceValue(func() *t2s { return newT2S(tsCharacters, tsPhrases) })

func newT2S(chars, phrases string) *t2s {
	t := &t2s{chars: map[rune]rune{}, phrases: map[rune][]phrase{}}
	for from, to := range tableLines(chars) {
		f, _ := utf8.DecodeRuneInString(from)
		s, _ := utf8.DecodeRuneInString(to)
		if f != s {
			t.chars[f] = s
		}
	}
	t.resolveChains()
	byFrom := map[string]string{}
	for from, to := range tableLines(phrases) {
		byFrom[from] = to
	}
	// A phrase such as 乾綱 → 乾纲 keeps a character (乾) that the character
	// table would change; without an entry for 乾纲 itself, normalising the
	// output again would give 干纲. Normalize must be idempotent.
	for _, to := range byFrom {
		if _, ok := byFrom[to]; !ok {
			byFrom[to] = to
		}
	}
	for from, to := range byFrom {
		r, _ := utf8.DecodeRuneInString(from)
		t.phrases[r] = append(t.phrases[r], phrase{from, to})
	}
	for r, ps := range t.phrases {
		slices.SortFunc(ps, func(a, b phrase) int {
			if d := len(b.from) - len(a.from); d != 0 {
				return d
			}
			return strings.Compare(a.from, b.from)
		})
		t.mark(r)
	}
	for r := range t.chars {
		t.mark(r)
	}
	return t
}

// tableLines yields an OpenCC text table's entries: "from<TAB>to [to...]",
// keeping only the first target, as OpenCC itself does by default.
func tableLines(table string) func(yield func(from, to string) bool) {
	return func(yield func(from, to string) bool) {
		for line := range strings.Lines(table) {
			from, targets, ok := strings.Cut(strings.TrimRight(line, "\r\n"), "\t")
			if !ok || from == "" {
				continue
			}
			to, _, _ := strings.Cut(targets, " ")
			if to == "" {
				continue
			}
			if !yield(from, to) {
				return
			}
		}
	}
}

// resolveChains follows 薴 → 苧 → 苎 to its end, so one pass reaches a
// fixed point.
func (t *t2s) resolveChains() {
	for from, to := range t.chars {
		for range 8 {
			next, ok := t.chars[to]
			if !ok || next == to || next == from {
				break
			}
			to = next
		}
		t.chars[from] = to
	}
}

func (t *t2s) mark(r rune) {
	if r < 0x10000 {
		t.hot[r>>6] |= 1 << (uint(r) & 63)
	}
}

func (t *t2s) isHot(r rune) bool {
	if r < 0x10000 {
		return t.hot[r>>6]&(1<<(uint(r)&63)) != 0
	}
	if _, ok := t.chars[r]; ok {
		return true
	}
	_, ok := t.phrases[r]
	return ok
}

// Convert returns s in simplified Chinese. Converting can make a new phrase
// appear (迴覆 → 回覆, itself a traditional phrase), so it repeats until
// nothing changes; almost all simplified text is left in one pass without an
// allocation.
func (t *t2s) Convert(s string) string {
	for range maxRounds {
		out, changed := t.pass(s)
		if !changed {
			return s
		}
		s = out
	}
	return s
}

func (t *t2s) pass(s string) (string, bool) {
	var b strings.Builder
	done := 0 // s[:done] has been written to b, or needs no change
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r < 0x3000 || !t.isHot(r) {
			i += size
			continue
		}
		from, to, ok := t.lookup(s[i:], r)
		if !ok || from == to {
			i += len(from)
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[done:i])
		b.WriteString(to)
		i += len(from)
		done = i
	}
	if done == 0 {
		return s, false
	}
	b.WriteString(s[done:])
	return b.String(), true
}

// lookup returns the text at the start of s that converts as one unit (a
// phrase or the rune r) and what it converts to.
func (t *t2s) lookup(s string, r rune) (from, to string, ok bool) {
	for _, p := range t.phrases[r] {
		if strings.HasPrefix(s, p.from) {
			return p.from, p.to, true
		}
	}
	size := utf8.RuneLen(r)
	if c, found := t.chars[r]; found {
		return s[:size], string(c), true
	}
	return s[:size], s[:size], false
}
