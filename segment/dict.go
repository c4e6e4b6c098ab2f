package segment

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	triage "github.com/triagehq/triage"
)

var (
	//go:embed stopwords.txt
	stopWords string
	//go:embed domain_words.txt
	domainWords string
)

// MaxWordRunes is the longest user dictionary word. Longer strings are
// sentences, not words, and would slow every lookup that walks the trie.
const MaxWordRunes = 32

// defaultFreq is the frequency of a dictionary word added without one: as
// common as 号码 in gse's dictionary (whose total is 3.3e7), enough to keep
// the word whole in context without overriding common words around it.
const defaultFreq = 1000

// entry is what the dictionary held for a word before this Segmenter added
// it: a word of gse's own dictionary gets its frequency and tag back when
// the user word is removed.
type entry struct {
	existed bool
	freq    float64
	tag     string
}

// AddWords adds words to the dictionary, or changes the frequency and tag of
// words already there. Words are normalised first (極光Pro手環 is stored as
// 极光pro手环, the form Words sees). Either every word is valid and all are
// added, or none is and the error is a *triage.Error with code EINVALID.
func (s *Segmenter) AddWords(words ...triage.DictWord) error {
	if err := s.Wait(); err != nil {
		return err
	}
	return s.addWords(words)
}

// addWords is AddWords once the dictionary is loaded (or while it loads).
func (s *Segmenter) addWords(words []triage.DictWord) error {
	norm := make([]triage.DictWord, len(words))
	for i, w := range words {
		var err error
		if norm[i], err = validWord(w); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.cache.clear()
	for _, w := range norm {
		if err := s.add(w); err != nil {
			return &triage.Error{Code: triage.EINTERNAL, Message: "adding a dictionary word", Err: err}
		}
	}
	return nil
}

// CheckWords returns words normalised as AddWords would store them, or the
// EINVALID error of the first that AddWords would refuse, naming it by its
// index. A caller checks before it stores, so a word refused here is never
// stored.
func CheckWords(words ...triage.DictWord) ([]triage.DictWord, error) {
	norm := make([]triage.DictWord, len(words))
	for i, w := range words {
		var err error
		if norm[i], err = validWord(w); err != nil {
			var e *triage.Error
			if errors.As(err, &e) {
				c := *e
				c.Field = fmt.Sprintf("words[%d].%s", i, e.Field)
				return nil, &c
			}
			return nil, err
		}
	}
	return norm, nil
}

// CheckWords is the package's CheckWords, for callers that hold a
// Segmenter behind an interface.
func (s *Segmenter) CheckWords(words ...triage.DictWord) ([]triage.DictWord, error) {
	return CheckWords(words...)
}

// AddEach adds the valid words and leaves out the rest, calling skip with
// each word left out and why. Loading a stored dictionary uses it: one bad
// word (stored by an older version, or by hand) must not keep the others,
// or the service, from starting.
func (s *Segmenter) AddEach(words []triage.DictWord, skip func(w triage.DictWord, err error)) error {
	if err := s.Wait(); err != nil {
		return err
	}
	return s.addEach(words, skip)
}

// addEach is AddEach once the dictionary is loaded (or while it loads).
func (s *Segmenter) addEach(words []triage.DictWord, skip func(w triage.DictWord, err error)) error {
	good := make([]triage.DictWord, 0, len(words))
	for _, w := range words {
		n, err := validWord(w)
		if err != nil {
			if skip != nil {
				skip(w, err)
			}
			continue
		}
		good = append(good, n)
	}
	return s.addWords(good)
}

// add puts one validated word into the dictionary; the caller holds mu.
func (s *Segmenter) add(w triage.DictWord) error {
	freq, tag, existed := s.dict.find(w.Word)
	existed = existed && freq > 0
	if _, ok := s.added[w.Word]; !ok {
		s.added[w.Word] = entry{existed: existed, freq: freq, tag: tag}
	}
	f := float64(w.Freq)
	if f == 0 {
		// jieba's suggest_freq only makes the word beat its own parts; a
		// domain word must also win against a neighbour's claim on its first
		// or last character (还没到账 is 还|没|到账, not 还|没到|账).
		f = max(s.dict.suggestFreq(w.Word), defaultFreq)
	}
	if existed {
		// gse's AddToken ignores a word it has; only a remove and an add
		// change its frequency.
		if err := s.dict.remove(w.Word); err != nil {
			return err
		}
	}
	return s.dict.add(w.Word, f, w.Tag)
}

// RemoveWord removes a word that AddWords (or New) added. A word that gse's
// own dictionary had before gets its original frequency back, so removing a
// user word never makes the segmenter worse than it was without it.
func (s *Segmenter) RemoveWord(word string) error {
	w, err := validWord(triage.DictWord{Word: word})
	if err != nil {
		return err
	}
	if err := s.Wait(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.cache.clear()
	old, ok := s.added[w.Word]
	if !ok {
		return &triage.Error{Code: triage.ENOTFOUND, Field: "word",
			Message: fmt.Sprintf("%q is not in the user dictionary", w.Word)}
	}
	if err := s.dict.remove(w.Word); err != nil {
		return &triage.Error{Code: triage.EINTERNAL, Message: "removing a dictionary word", Err: err}
	}
	delete(s.added, w.Word)
	if old.existed {
		if err := s.dict.add(w.Word, old.freq, old.tag); err != nil {
			return &triage.Error{Code: triage.EINTERNAL, Message: "restoring a dictionary word", Err: err}
		}
	}
	return nil
}

// LoadDictFile adds the words of a dictionary file, one a line as
// "word [freq [tag]]"; blank lines and lines starting with # are skipped. As
// with AddWords, a bad line adds nothing.
func (s *Segmenter) LoadDictFile(path string) error {
	words, err := ReadDictFile(path)
	if err != nil {
		return err
	}
	return s.AddWords(words...)
}

// ReadDictFile reads a dictionary file of "word [freq [tag]]" lines without
// applying it, so a caller can store the words first.
func ReadDictFile(path string) ([]triage.DictWord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &triage.Error{Code: triage.EINVALID, Field: "path", Message: fmt.Sprintf("no dictionary file %s", path), Err: err}
	} else if err != nil {
		return nil, &triage.Error{Code: triage.EINVALID, Field: "path", Message: fmt.Sprintf("cannot read dictionary file %s", path), Err: err}
	}
	words, err := parseDict(string(data))
	var te *triage.Error
	if errors.As(err, &te) {
		e := *te
		e.Message = path + ": " + e.Message
		return nil, &e
	}
	return words, err
}

// parseDict reads "word [freq [tag]]" lines, the format of gse's and jieba's
// dictionaries.
func parseDict(text string) ([]triage.DictWord, error) {
	var words []triage.DictWord
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) > 3 {
			return nil, &triage.Error{Code: triage.EINVALID, Field: "word",
				Message: fmt.Sprintf("line %d: want \"word [freq [tag]]\", got %d fields", line, len(fields))}
		}
		w := triage.DictWord{Word: fields[0]}
		if len(fields) > 1 {
			f, err := strconv.Atoi(fields[1])
			if err != nil {
				return nil, &triage.Error{Code: triage.EINVALID, Field: "freq",
					Message: fmt.Sprintf("line %d: frequency %q is not a whole number", line, fields[1])}
			}
			w.Freq = f
		}
		if len(fields) > 2 {
			w.Tag = fields[2]
		}
		if _, err := validWord(w); err != nil {
			var e *triage.Error
			if errors.As(err, &e) {
				e.Message = fmt.Sprintf("line %d: %s", line, e.Message)
			}
			return nil, err
		}
		words = append(words, w)
	}
	return words, sc.Err()
}

// validWord returns w with its word normalised, or an EINVALID error naming
// the field that is wrong.
func validWord(w triage.DictWord) (triage.DictWord, error) {
	if !utf8.ValidString(w.Word) {
		return w, triage.Invalid("word", "the word is not valid UTF-8")
	}
	if strings.IndexFunc(w.Word, unicode.IsSpace) >= 0 {
		return w, triage.Invalid("word", "a dictionary word cannot contain white space: %q", w.Word)
	}
	norm := Normalize(w.Word)
	if n := utf8.RuneCountInString(norm); n == 0 || n > MaxWordRunes {
		return w, triage.Invalid("word", "a dictionary word has 1 to %d characters, %q has %d", MaxWordRunes, w.Word, n)
	}
	if strings.IndexFunc(norm, isBreak) >= 0 {
		return w, triage.Invalid("word", "a dictionary word cannot contain clause punctuation, the text is cut there: %q", w.Word)
	}
	if !isWord(norm) {
		return w, triage.Invalid("word", "a dictionary word needs a letter or a digit: %q", w.Word)
	}
	if w.Freq < 0 {
		return w, triage.Invalid("freq", "the frequency cannot be negative: %d", w.Freq)
	}
	if !validTag(w.Tag) {
		return w, triage.Invalid("tag", "a part-of-speech tag is up to 8 ASCII letters or digits: %q", w.Tag)
	}
	w.Word = norm
	return w, nil
}

// validTag accepts gse's and jieba's part-of-speech tags (n, nz, vn, eng).
func validTag(tag string) bool {
	if len(tag) > 8 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if !isASCIIAlnum(tag[i]) {
			return false
		}
	}
	return true
}
