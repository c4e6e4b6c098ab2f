package classify

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Sentiment labels.
const (
	SentimentNegative = "negative"
	SentimentNeutral  = "neutral"
	SentimentPositive = "positive"
)

// SentimentResult is how a customer feels, as far as the text shows.
type SentimentResult struct {
	// Score runs from -1 (furious) to 1 (delighted). Its sign is the
	// polarity and its size the strength, so priority can ask for a
	// strongly negative text whichever scorer produced it; a model-backed
	// scorer should put P(positive) − P(negative) here.
	Score float64 `json:"score"`
	// Label is SentimentNegative, SentimentNeutral or SentimentPositive.
	Label string `json:"label"`
	// Evidence holds the phrases that moved the score, as they appear in
	// the text (不是很满意, 垃圾, !!!), in order.
	Evidence []string `json:"evidence,omitempty"`
}

// SentimentScorer scores a text's sentiment. text is the normalised text and
// words its segmenter words; the lexicon needs both (the words to avoid
// seeing 好 inside 好像, the text for punctuation and stop words). A trained
// model can implement it to replace the lexicon.
type SentimentScorer interface {
	Sentiment(text string, words []string) SentimentResult
}

var _ SentimentScorer = (*Lexicon)(nil)

//go:embed sentiment_words.txt
var sentimentWords string

// defaultLexicon is immutable once built; TestDefaultLexiconParses keeps the
// embedded file valid, so the panic can only follow a broken edit that was
// never tested.
var defaultLexicon = sync.OnceValue(func() *Lexicon {
	l, err := ParseLexicon(sentimentWords)
	if err != nil {
		panic("classify: embedded sentiment_words.txt: " + err.Error())
	}
	return l
})

// DefaultLexicon returns the built-in lexicon scorer, shared and safe for
// concurrent use.
func DefaultLexicon() *Lexicon { return defaultLexicon() }

// Sentiment scores text with the built-in lexicon; see Lexicon.Sentiment.
func Sentiment(text string, words []string) SentimentResult {
	return defaultLexicon().Sentiment(text, words)
}

// Lexicon is a rule-based Chinese sentiment scorer: polar words, weighted,
// flipped by a negator right before them, scaled by intensifiers, summed per
// clause. A ! run strengthens the clause it ends and a ??? run alone reads
// as exasperation; a wish (希望下次包装好点) or a question (这也能推荐?) is not
// praise; what follows 但是 counts a little more than what came before. It is
// immutable and safe for concurrent use.
type Lexicon struct {
	entries map[string]lexEntry
	// prefixes are the negators and intensifiers, longest first: the
	// segmenter keeps some modified words whole (很差, 不满意, 太不负责任)
	// and they are composed from a prefix and a listed word.
	prefixes []string
	maxRunes int
	p        sentimentParams
}

type lexKind uint8

const (
	lexPolar lexKind = iota
	lexNegator
	lexIntensifier
	lexContrast
	lexConcession
	lexNeutral
	lexIrrealis
)

func sectionKind(name string) (lexKind, bool) {
	switch name {
	case "negative", "positive":
		return lexPolar, true
	case "negator":
		return lexNegator, true
	case "intensifier":
		return lexIntensifier, true
	case "contrast":
		return lexContrast, true
	case "concession":
		return lexConcession, true
	case "neutral":
		return lexNeutral, true
	case "irrealis":
		return lexIrrealis, true
	}
	return 0, false
}

// lexEntry is what a word does. A word may be both polar and a modifier
// (好 is positive alone and intensifies in 好慢; 可惜 is mildly negative and
// turns the sentence): polar is its polarity when it stands alone, mod what
// it does to a polar word after it.
type lexEntry struct {
	polar float64
	mod   lexKind // lexPolar when it modifies nothing
	mult  float64 // for lexIntensifier
}

// sentimentParams are the scorer's constants, tuned one at a time on the
// train split of the shared online-shopping reviews for negative-class F1
// (see sentiment_shared_test.go). Most move F1 by less than 0.005; contrast
// weighting did not help on reviews at all and is kept mild for tickets,
// where the complaint tends to follow 但是. Strengthening a polar clause by
// ??? and treating a negative clause after 希望 differently did not help
// either and are left out.
type sentimentParams struct {
	negPos         float64 // 不满意: a negated positive word becomes this much negative
	negNeg         float64 // 不差: a negated negative word is only mildly positive
	negSoft        float64 // 不是很满意: an intensifier after the negator does not amplify
	maxMult        float64 // cap on stacked intensifiers
	contrastBefore float64 // what came before 但是
	contrastAfter  float64 // the clause after 但是
	concession     float64 // the clause opened by 虽然
	bangBoost      float64 // per ! ending a clause, at most three
	questPenalty   float64 // a ??? run ending a clause with no polar word: exasperation
	question       float64 // a positive clause ending in one ? (这也能推荐?)
	irrealis       float64 // a positive clause opened by 希望 or 如果 (希望下次包装好点)
	squash         float64 // Score = sum / (|sum| + squash)
	negativeAt     float64 // Score at or below −negativeAt is negative
	positiveAt     float64 // Score at or above positiveAt is positive
}

func defaultSentimentParams() sentimentParams {
	return sentimentParams{
		negPos:         1,
		negNeg:         0.3,
		negSoft:        1,
		maxMult:        2,
		contrastBefore: 0.8,
		contrastAfter:  1.2,
		concession:     0.3,
		bangBoost:      0.15,
		questPenalty:   1,
		question:       0,
		irrealis:       0,
		squash:         2,
		negativeAt:     0.1,
		positiveAt:     0.1,
	}
}

// maxLexiconRunes bounds a lexicon word, which keeps the longest-match scan
// free of allocations.
const maxLexiconRunes = 12

// ParseLexicon reads a lexicon in the format of the embedded
// sentiment_words.txt: "[section]" headers (negative, positive, negator,
// intensifier, contrast, concession, neutral), then one word per line with
// an optional weight; "#" starts a comment line.
func ParseLexicon(data string) (*Lexicon, error) {
	l := &Lexicon{entries: map[string]lexEntry{}, p: defaultSentimentParams()}
	section := ""
	n := 0
	for line := range strings.Lines(data) {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			if _, ok := sectionKind(section); !ok {
				return nil, fmt.Errorf("line %d: unknown section %q", n, section)
			}
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("line %d: %q comes before any [section]", n, line)
		}
		fields := strings.Fields(line)
		if len(fields) > 2 {
			return nil, fmt.Errorf("line %d: want a word and an optional weight, got %q", n, line)
		}
		word, weight := fields[0], 1.0
		if utf8.RuneCountInString(word) > maxLexiconRunes {
			return nil, fmt.Errorf("line %d: %s is longer than %d characters", n, word, maxLexiconRunes)
		}
		if len(fields) == 2 {
			w, err := strconv.ParseFloat(fields[1], 64)
			if err != nil || w <= 0 || w > 5 {
				return nil, fmt.Errorf("line %d: weight %q of %s is not a number in (0, 5]", n, fields[1], word)
			}
			weight = w
		}
		if err := l.add(section, word, weight); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	for w, e := range l.entries {
		if e.mod == lexNegator || e.mod == lexIntensifier {
			l.prefixes = append(l.prefixes, w)
		}
		l.maxRunes = max(l.maxRunes, utf8.RuneCountInString(w))
	}
	slices.SortFunc(l.prefixes, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return l, nil
}

func (l *Lexicon) add(section, word string, weight float64) error {
	e, seen := l.entries[word]
	kind, _ := sectionKind(section)
	switch {
	case kind == lexPolar:
		if e.polar != 0 {
			return fmt.Errorf("%s is listed twice as a polar word", word)
		}
		e.polar = weight
		if section == "negative" {
			e.polar = -weight
		}
	case seen && e.mod != lexPolar:
		return fmt.Errorf("%s is listed twice as a modifier", word)
	default:
		e.mod, e.mult = kind, weight
	}
	if e.mod == lexNeutral && e.polar != 0 {
		return fmt.Errorf("%s is both neutral and polar", word)
	}
	l.entries[word] = e
	return nil
}

// Len returns the number of words in the lexicon.
func (l *Lexicon) Len() int { return len(l.entries) }

// sentTok is one word or punctuation run of the text being scored.
type sentTok struct {
	start, end int // byte offsets in the text; equal when the word was not found
	word       string
	e          lexEntry
	known      bool
	brk        bool // punctuation or white space: a clause ends here
	bangs      int  // ! in the run
	quests     int  // ? in the run
}

// modifies reports whether t acts on a polar word: negators and
// intensifiers, except that a word that is also polar (好, 严重) only does
// when a polar word or another modifier follows it.
func (t sentTok) modifies(next *sentTok) bool {
	if !t.known || (t.e.mod != lexNegator && t.e.mod != lexIntensifier) {
		return false
	}
	if t.e.polar == 0 {
		return true
	}
	return next != nil && next.known && (next.e.polar != 0 || next.e.mod == lexNegator || next.e.mod == lexIntensifier)
}

// Sentiment scores text, the normalised text, from words, the segmenter's
// words of it. The words carry the lexicon (a whole 好像 is not 好); the
// text between them carries what the segmenter drops: punctuation, which
// ends clauses and whose ! and ??? runs add intensity, and stop words such as
// 但是, 虽然, 有点 and 谢谢. Words not found in text still count, without
// clause information. With words nil the text is matched against the
// lexicon character by character, a stand-in for callers without a
// segmenter.
func (l *Lexicon) Sentiment(text string, words []string) SentimentResult {
	toks := l.tokens(text, words)
	p := &l.p
	var (
		doc, clause float64
		clauseW     = 1.0
		negs        int
		mult        = 1.0
		softened    bool
		modStart    = -1
		skipped     bool // a one-character word between 没 and 好 (没睡好)
		irrealis    bool
		evidence    []string
	)
	resetMods := func() { negs, mult, softened, modStart, skipped = 0, 1, false, -1, false }
	endClause := func(t *sentTok) {
		c := clause
		if t != nil && t.bangs > 0 && c != 0 {
			c *= 1 + p.bangBoost*float64(min(t.bangs, 3))
			if t.bangs >= 2 {
				evidence = append(evidence, strings.Repeat("!", min(t.bangs, 5)))
			}
		}
		if t != nil && t.quests >= 2 && c == 0 {
			c = -p.questPenalty
			evidence = append(evidence, strings.Repeat("?", min(t.quests, 5)))
		}
		if t != nil && t.quests == 1 && c > 0 {
			c *= p.question
		}
		if irrealis && c > 0 {
			c *= p.irrealis
		}
		doc += c * clauseW
		clause, clauseW, irrealis = 0, 1, false
		resetMods()
	}
	for i := range toks {
		t := &toks[i]
		if t.brk {
			endClause(t)
			continue
		}
		if !t.known || (t.e.polar == 0 && t.e.mod == lexPolar) || t.e.mod == lexNeutral {
			// A modifier reaches only the polar word right after it, past
			// other modifiers and at most one one-character verb: 不太满意,
			// 没睡好, but not the 烂 of 不看好几个都烂.
			if modStart >= 0 && !skipped && utf8.RuneCountInString(t.word) == 1 {
				skipped = true
			} else {
				resetMods()
			}
			continue
		}
		var next *sentTok
		if i+1 < len(toks) && !toks[i+1].brk {
			next = &toks[i+1]
		}
		switch {
		case t.e.mod == lexContrast:
			doc = (doc + clause*clauseW) * p.contrastBefore
			clause, clauseW = 0, p.contrastAfter
			resetMods()
		case t.e.mod == lexConcession:
			clauseW = p.concession
		case t.e.mod == lexIrrealis:
			irrealis = true
		case t.modifies(next):
			if t.e.mod == lexNegator {
				negs++
			} else {
				mult *= t.e.mult
				softened = softened || negs > 0
			}
			if modStart < 0 {
				modStart = t.start
			}
			continue
		}
		if t.e.polar == 0 {
			continue
		}
		v := t.e.polar
		m := min(mult, p.maxMult)
		switch {
		case negs%2 == 1 && softened:
			v = p.negate(v) * p.negSoft
		case negs%2 == 1:
			v = p.negate(v) * m
		default:
			v *= m
		}
		clause += v
		evidence = append(evidence, t.phrase(text, modStart))
		resetMods()
	}
	endClause(nil)
	return l.result(doc, evidence)
}

func (p *sentimentParams) negate(v float64) float64 {
	if v > 0 {
		return -v * p.negPos
	}
	return -v * p.negNeg
}

// phrase is the text of a polar word with the modifiers before it.
func (t *sentTok) phrase(text string, modStart int) string {
	if t.start == t.end {
		return t.word
	}
	if modStart >= 0 && modStart < t.start {
		return text[modStart:t.end]
	}
	return text[t.start:t.end]
}

func (l *Lexicon) result(sum float64, evidence []string) SentimentResult {
	score := sum / (math.Abs(sum) + l.p.squash)
	r := SentimentResult{Score: score, Label: SentimentNeutral}
	switch {
	case score <= -l.p.negativeAt:
		r.Label = SentimentNegative
	case score >= l.p.positiveAt:
		r.Label = SentimentPositive
	}
	const maxEvidence = 8
	for _, e := range evidence {
		if len(r.Evidence) == maxEvidence {
			break
		}
		if !slices.Contains(r.Evidence, e) {
			r.Evidence = append(r.Evidence, e)
		}
	}
	return r
}

// tokens lines the words up with the text, in order, and adds what lies
// between them: punctuation runs and the lexicon words among the stop words
// the segmenter dropped.
func (l *Lexicon) tokens(text string, words []string) []sentTok {
	toks := make([]sentTok, 0, len(words)+8)
	if words == nil {
		return l.scan(text, 0, len(text), toks, true)
	}
	cur := 0
	for _, w := range words {
		e, ok := l.lookup(w)
		i := strings.Index(text[cur:], w)
		if i < 0 {
			toks = append(toks, sentTok{start: cur, end: cur, word: w, e: e, known: ok})
			continue
		}
		if e.polar != 0 {
			var neutral bool
			i, neutral = l.place(text, cur, i, w)
			if neutral {
				e = lexEntry{mod: lexNeutral}
			}
		}
		toks = l.scan(text, cur, cur+i, toks, false)
		cur += i
		toks = append(toks, sentTok{start: cur, end: cur + len(w), word: w, e: e, known: ok})
		cur += len(w)
	}
	return l.scan(text, cur, len(text), toks, false)
}

// place finds where the polar word w, first seen at text[cur+i:], really
// is. The segmenter drops stop words, and a stop word can hold the same
// character (你好 before 好的), so an occurrence inside a neutral phrase is
// skipped for a later one. It also reports whether the occurrence found
// starts a neutral phrase that makes up the rest of its clause: 好的, the
// segmenter's 好 and a dropped 的, is "OK", not praise.
func (l *Lexicon) place(text string, cur, i int, w string) (int, bool) {
	first := i
	for {
		start := cur + i
		if !l.insideNeutral(text, start, start+len(w)) {
			p, e, ok := l.longest(text[start:])
			if !ok || e.mod != lexNeutral || len(p) <= len(w) {
				return i, false
			}
			r, _ := utf8.DecodeRuneInString(text[start+len(p):])
			return i, start+len(p) == len(text) || isClauseBreak(r)
		}
		next := strings.Index(text[start+len(w):], w)
		if next < 0 {
			return first, true
		}
		i = start + len(w) + next - cur
	}
}

// insideNeutral reports whether text[start:end] lies inside a neutral
// phrase that starts before it.
func (l *Lexicon) insideNeutral(text string, start, end int) bool {
	q := start
	for range l.maxRunes - 1 {
		if q == 0 {
			break
		}
		_, size := utf8.DecodeLastRuneInString(text[:q])
		q -= size
		if p, e, ok := l.longest(text[q:]); ok && e.mod == lexNeutral && q+len(p) >= end {
			return true
		}
	}
	return false
}

// scan tokenises text[from:to] by longest lexicon match. Characters that
// start no lexicon word become one-character tokens when all is set, so that
// they still count towards a negator's reach, and are skipped otherwise.
func (l *Lexicon) scan(text string, from, to int, toks []sentTok, all bool) []sentTok {
	for i := from; i < to; {
		r, size := utf8.DecodeRuneInString(text[i:to])
		if isClauseBreak(r) {
			t := sentTok{start: i, brk: true}
			for i < to {
				r, size = utf8.DecodeRuneInString(text[i:to])
				if !isClauseBreak(r) {
					break
				}
				switch r {
				case '!', '！':
					t.bangs++
				case '?', '？':
					t.quests++
				}
				i += size
			}
			t.end = i
			if k := len(toks) - 1; k >= 0 && toks[k].brk && toks[k].end == t.start {
				toks[k].end, toks[k].bangs, toks[k].quests = t.end, toks[k].bangs+t.bangs, toks[k].quests+t.quests
			} else {
				toks = append(toks, t)
			}
			continue
		}
		if w, e, ok := l.longest(text[i:to]); ok {
			toks = append(toks, sentTok{start: i, end: i + len(w), word: w, e: e, known: true})
			i += len(w)
			continue
		}
		if all {
			toks = append(toks, sentTok{start: i, end: i + size, word: text[i : i+size]})
		}
		i += size
	}
	return toks
}

// longest returns the longest lexicon word that s starts with.
func (l *Lexicon) longest(s string) (string, lexEntry, bool) {
	var ends [maxLexiconRunes]int
	n := 0
	for i := range s {
		if i > 0 {
			ends[n] = i
			if n++; n == l.maxRunes {
				break
			}
		}
	}
	if n < l.maxRunes && s != "" {
		ends[n] = len(s)
		n++
	}
	for k := n - 1; k >= 0; k-- {
		if e, ok := l.entries[s[:ends[k]]]; ok {
			return s[:ends[k]], e, true
		}
	}
	return "", lexEntry{}, false
}

func isClauseBreak(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '~' || r == '～'
}

// particle reports how much a particle ending a word the segmenter keeps
// whole (差死了, 烂透了, 好的) strengthens it, and the word without it.
func particle(w string) (string, float64, bool) {
	for _, s := range [...]struct {
		s    string
		mult float64
	}{
		{"死了", 1.5}, {"极了", 1.5}, {"透了", 1.5}, {"至极", 1.5}, {"得很", 1.3},
		{"了", 1}, {"啊", 1}, {"呀", 1}, {"的", 1}, {"啦", 1}, {"吧", 1}, {"哦", 1},
	} {
		if rest, ok := strings.CutSuffix(w, s.s); ok && rest != "" {
			return rest, s.mult, true
		}
	}
	return w, 1, false
}

// lookup finds a word's entry, composing words the segmenter keeps whole
// from a listed word and a negator or intensifier before it or a particle
// after it.
func (l *Lexicon) lookup(w string) (lexEntry, bool) {
	if e, ok := l.entries[w]; ok {
		return e, true
	}
	return l.compose(w, 2)
}

func (l *Lexicon) compose(w string, depth int) (lexEntry, bool) {
	if depth == 0 {
		return lexEntry{}, false
	}
	if rest, mult, ok := particle(w); ok {
		if e, ok := l.entries[rest]; ok && e.polar != 0 {
			return lexEntry{polar: e.polar * mult}, true
		}
	}
	for _, pre := range l.prefixes {
		rest, ok := strings.CutPrefix(w, pre)
		if !ok || rest == "" {
			continue
		}
		e, ok := l.entries[rest]
		if !ok || e.polar == 0 {
			if e, ok = l.compose(rest, depth-1); !ok {
				continue
			}
		}
		if e.polar == 0 {
			continue
		}
		m := l.entries[pre]
		if m.mod == lexNegator {
			return lexEntry{polar: l.p.negate(e.polar)}, true
		}
		return lexEntry{polar: e.polar * m.mult}, true
	}
	return lexEntry{}, false
}
