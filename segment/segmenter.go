package segment

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	triage "github.com/triagehq/triage"
)

var _ triage.Segmenter = (*Segmenter)(nil)

// Options configures New. The zero value is the production setting.
type Options struct {
	// Words are added to the dictionary after the built-in domain words,
	// typically the user dictionary as stored.
	Words []triage.DictWord
	// StopWords are dropped in addition to the built-in list.
	StopWords []string
	// NoDomainWords leaves out the built-in customer-service words
	// (domain_words.txt), for comparing against plain gse.
	NoDomainWords bool
	// HMM lets gse guess words its dictionary lacks (names, new slang) with
	// its hidden Markov model. It agrees more with jieba but is slower and
	// retrieves no better; see the package benchmarks. gse keeps that model
	// in package variables that every New with HMM rewrites, so do not call
	// it while a Segmenter with HMM is cutting text.
	HMM bool
	// NoCache turns off the cache of recently cut clauses (see
	// clauseCache), to measure the segmenter itself.
	NoCache bool

	// gse cuts with gse's own plain Cut instead of the lexicon that
	// reproduces it, for the tests that check they agree.
	gse bool
}

// Segmenter is gse's plain cut (the lexicon) with a user dictionary, stop
// words and the text normalisation in front of it. It is safe for concurrent use: Words and
// Tokens run in parallel, a dictionary edit waits for them and excludes them.
// Loading takes a fraction of a second and some tens of MiB (BenchmarkNew),
// so a program makes one and shares it, and starts loading it (Load) before
// its other start-up work.
type Segmenter struct {
	hmm     bool
	noCache bool
	stop    map[string]bool // read-only after New

	// loaded is closed when the dictionary is loaded with the words of
	// Finish, loadErr set if that failed; every method that cuts or edits
	// waits for it.
	loaded     chan struct{}
	loadErr    error
	finish     chan finishing
	finishOnce sync.Once

	// mu guards the dictionary (a trie that a write may grow under a
	// reader) and added.
	mu   sync.RWMutex
	dict dictionary
	// added remembers, for each word this Segmenter put into the dictionary,
	// the entry it replaced, so RemoveWord can put that back.
	added map[string]entry
	// cache holds recent clauses cut; a dictionary edit clears it.
	cache clauseCache
}

// New loads gse's simplified-Chinese dictionary, then the domain words and
// opts.Words, and returns when they are loaded.
func New(opts Options) (*Segmenter, error) {
	s := Load(opts)
	s.Finish(nil, nil)
	if err := s.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// Load is New without the wait, for a program's start: it returns at once
// and loads in the background, so that the program opens its store, its
// indexes and its models on the other core meanwhile. The words a program
// keeps in its store come in later, through Finish; every method that cuts
// text or edits the dictionary waits until they are in, so no text is ever
// cut with part of the dictionary. Wait returns the load's error.
func Load(opts Options) *Segmenter {
	s := &Segmenter{hmm: opts.HMM, added: map[string]entry{}, stop: map[string]bool{}, noCache: opts.NoCache,
		loaded: make(chan struct{}), finish: make(chan finishing, 1)}
	for w := range wordLines(stopWords) {
		s.stop[Normalize(w)] = true
	}
	for _, w := range opts.StopWords {
		if w = Normalize(w); w != "" {
			s.stop[w] = true
		}
	}
	go func() {
		defer close(s.loaded)
		if s.loadErr = s.load(opts); s.loadErr != nil {
			return
		}
		f := <-s.finish
		s.loadErr = s.addEach(f.words, f.skip)
	}()
	return s
}

// finishing is what Finish hands to the loading goroutine.
type finishing struct {
	words []triage.DictWord
	skip  func(triage.DictWord, error)
}

// Finish gives a Segmenter from Load the last words of its dictionary, as
// AddEach takes them (a word refused is left out and given to skip), and
// returns at once; the methods wait until they are added. Only the first
// call counts.
func (s *Segmenter) Finish(words []triage.DictWord, skip func(w triage.DictWord, err error)) {
	s.finishOnce.Do(func() { s.finish <- finishing{words, skip} })
}

// Wait waits until the dictionary is loaded with the words of Finish and
// returns why it could not be, if it could not.
func (s *Segmenter) Wait() error {
	<-s.loaded
	return s.loadErr
}

// load fills the dictionary; it runs before loaded is closed, alone.
func (s *Segmenter) load(opts Options) error {
	if opts.HMM || opts.gse {
		d, err := newGSEDict(opts.HMM)
		if err != nil {
			return &triage.Error{Code: triage.EINTERNAL, Message: "loading the gse dictionary", Err: err}
		}
		s.dict = d
	} else {
		s.dict = newLexicon()
	}
	if !opts.NoDomainWords {
		words, err := parseDict(domainWords)
		if err != nil {
			return err
		}
		if err := s.addWords(words); err != nil {
			return err
		}
	}
	return s.addWords(opts.Words)
}

// Normalize is the package's Normalize, which needs no dictionary; it is a
// method so that *Segmenter is a triage.Segmenter.
func (s *Segmenter) Normalize(text string) string { return Normalize(text) }

// Words returns the words of text after Normalize, without stop words,
// punctuation or white space, in order, for the classifier and the rules.
func (s *Segmenter) Words(text string) []string {
	if s.Wait() != nil {
		return nil
	}
	norm := Normalize(text)
	words := make([]string, 0, len(norm)/4)
	for chunk := range chunks(norm) {
		s.mu.RLock()
		words = append(words, s.cutClause(chunk.text).words...)
		s.mu.RUnlock()
	}
	return words
}

// Tokens returns the index terms of text with positions and byte offsets into
// Normalize(text). A word of three or more runes also yields the dictionary
// words inside it at its own position (手机号码 → 手机, 号码, 手机号), so a
// query for 手机号 finds 手机号码 and the other way round. Stop words yield
// no term but take a position, so a phrase query cut the same way keeps the
// same gaps; punctuation takes none.
func (s *Segmenter) Tokens(text string) []triage.Term {
	return s.TokensNormalized(Normalize(text))
}

// TokensNormalized is Tokens of a text that Normalize has already
// returned, for callers that need the normalised text too: normalising
// again costs about a tenth of cutting.
func (s *Segmenter) TokensNormalized(norm string) []triage.Term {
	if s.Wait() != nil {
		return nil
	}
	terms := make([]triage.Term, 0, len(norm)/4)
	pos := 0
	for chunk := range chunks(norm) {
		s.mu.RLock()
		cterms, positions := s.termsOf(s.cutClause(chunk.text))
		s.mu.RUnlock()
		for _, t := range cterms {
			t.Position += pos
			t.Start += chunk.start
			t.End += chunk.start
			terms = append(terms, t)
		}
		pos += positions
	}
	return terms
}

// appendTerms adds the terms of one chunk, cut into pieces, from position
// pos and byte offset off; the caller holds mu for reading.
func (s *Segmenter) appendTerms(terms []triage.Term, pieces []string, off, pos int) ([]triage.Term, int) {
	for _, w := range pieces {
		start := off
		off += len(w)
		if !isWord(w) {
			continue
		}
		if !s.stop[w] {
			terms = append(terms, triage.Term{Text: w, Position: pos, Start: start, End: off})
			terms = s.appendSubwords(terms, w, pos, start)
		}
		pos++
	}
	return terms, pos
}

// maxSubwordRunes bounds the sub-word search, which is quadratic in the
// word's length; dictionary words are rarely longer, and a longer run is a
// serial number or a URL, whose parts no one searches for.
const maxSubwordRunes = 16

// appendSubwords adds the dictionary words of two or more runes inside w,
// each once, skipping any that would cut a Latin or digit run in two (pro in
// 极光pro手环 is a part, ro is not).
func (s *Segmenter) appendSubwords(terms []triage.Term, w string, pos, start int) []triage.Term {
	n := utf8.RuneCountInString(w)
	if n < 3 || n > maxSubwordRunes {
		return terms
	}
	var bounds [maxSubwordRunes + 1]int
	i := 0
	for b := range w {
		bounds[i] = b
		i++
	}
	bounds[n] = len(w)
	first := len(terms)
	for i := 0; i < n-1; i++ {
		if splitsRun(w, bounds[i]) {
			continue
		}
		for j := n; j >= i+2; j-- {
			if (i == 0 && j == n) || splitsRun(w, bounds[j]) {
				continue
			}
			sub := w[bounds[i]:bounds[j]]
			if s.stop[sub] || !s.inDict(sub) || seen(terms[first:], sub) {
				continue
			}
			terms = append(terms, triage.Term{Text: sub, Position: pos, Start: start + bounds[i], End: start + bounds[j]})
		}
	}
	return terms
}

func seen(terms []triage.Term, text string) bool {
	for _, t := range terms {
		if t.Text == text {
			return true
		}
	}
	return false
}

// splitsRun reports whether a cut of w at byte b falls inside a run of ASCII
// letters and digits.
func splitsRun(w string, b int) bool {
	return b > 0 && b < len(w) && isASCIIAlnum(w[b-1]) && isASCIIAlnum(w[b])
}

func isASCIIAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
}

// inDict reports whether w is a word of the dictionary (gse also answers yes
// for mere prefixes of words, with a zero frequency).
func (s *Segmenter) inDict(w string) bool {
	freq, _, ok := s.dict.find(w)
	return ok && freq > 0
}

// cut segments one chunk of normalised text; the caller holds mu for
// reading. The pieces, concatenated, are the chunk.
//
// Without HMM this is gse's own default, the shortest path through its
// dictionary (ModeSegment), as the lexicon reproduces it: as good as its
// jieba-style DAG for retrieval and faster. With HMM it is the jieba-style DAG whose unknown stretches the
// model cuts (see the package benchmarks and doc for the figures).
func (s *Segmenter) cut(text string) []string {
	if s.hmm {
		return s.dict.cut(text, nil)
	}
	return joinDecimals(s.dict.cut(text, nil))
}

// joinDecimals puts 0 . 05 back together: gse cuts at the point, and a rate
// (0.05%) or a price (3.5元) is one term to the person searching for it.
func joinDecimals(words []string) []string {
	out := words[:0]
	for i := 0; i < len(words); i++ {
		if i+2 < len(words) && words[i+1] == "." && isDigits(words[i]) && isDigits(words[i+2]) {
			out = append(out, words[i]+"."+words[i+2])
			i += 2
			continue
		}
		out = append(out, words[i])
	}
	return out
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// isWord reports whether a piece of gse's output is a word rather than
// punctuation, a symbol or white space.
func isWord(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

type chunk struct {
	text  string
	start int // byte offset in the normalised text
}

// maxChunk caps a chunk in bytes, so that a long run without punctuation is
// not one huge gse call; the cut may fall inside a word, rarely.
const maxChunk = 1024

// chunks splits normalised text at sentence and clause punctuation and white
// space, none of which can be inside a word, so gse sees short strings. Its
// jieba-style DAG (HMM mode) keeps the lattice in maps keyed by rune index:
// on 1.2 MB of text it took twice as long in one call as per clause. The
// plain shortest path is linear and about as fast either way.
func chunks(text string) func(yield func(chunk) bool) {
	return func(yield func(chunk) bool) {
		start := 0
		for i, r := range text {
			size := utf8.RuneLen(r)
			switch {
			case isBreak(r):
				if i > start && !yield(chunk{text[start:i], start}) {
					return
				}
				start = i + size
			case i+size-start > maxChunk:
				if !yield(chunk{text[start:i], start}) {
					return
				}
				start = i
			}
		}
		if start < len(text) {
			yield(chunk{text[start:], start})
		}
	}
}

// isBreak reports the runes that end a chunk. Not '.', '-', '/', ':' or '_':
// they occur inside numbers, SKUs and URLs that a user dictionary may hold.
func isBreak(r rune) bool {
	switch r {
	case ' ', '。', '，', '、', '；', '：', '？', '！', '…', '“', '”', '‘', '’', '「', '」', '『', '』', '《', '》', '【', '】', '〔', '〕',
		',', ';', '!', '?', '"', '(', ')', '[', ']', '{', '}', '<', '>', '|', '~':
		return true
	}
	return false
}

// wordLines yields the non-empty, non-comment lines of an embedded list.
func wordLines(list string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for line := range strings.Lines(list) {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !yield(line) {
				return
			}
		}
	}
}
