package segment

import (
	"strings"
	"sync"

	triage "github.com/triagehq/triage"
)

// clauseCacheSize bounds each of the cache's two generations, in clauses.
// A clause is a few words, and an entry a few hundred bytes: the cache stays
// under about 10 MiB.
const clauseCacheSize = 1 << 14

// clauseCache remembers how recent clauses were cut. The same clauses come
// back all the time: a search runs its query through the index and the
// embedder, an evaluation through several modes, every chunk of an article
// repeats its title, and tickets and replies share their greetings and
// formulas. A hit saves gse's lattice and the dictionary look-ups of the
// sub-words.
//
// Two generations make it a cheap approximation of LRU: entries go into the
// current map; when it is full it becomes the old one and the older one is
// dropped; a hit in the old map moves the entry to the current one. The
// Segmenter clears it whenever the dictionary changes.
type clauseCache struct {
	mu       sync.Mutex
	cur, old map[string]*clauseCut
}

// clauseCut is one clause cut, in both of the Segmenter's forms, relative to
// the clause: words for Words, terms (positions and offsets from the
// clause's start) and the positions taken for Tokens. The terms, with the
// sub-words that cost a fifth of Words' time, are made when Tokens first
// asks (termsOf): the classifier and the rules never do.
type clauseCut struct {
	text  string
	words []string

	termsOnce sync.Once
	pieces    []string // what the terms are made of, until they are
	terms     []triage.Term
	positions int
}

func (c *clauseCache) get(clause string) *clauseCut {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.cur[clause]; ok {
		return e
	}
	if e, ok := c.old[clause]; ok {
		c.putLocked(clause, e)
		return e
	}
	return nil
}

func (c *clauseCache) put(clause string, e *clauseCut) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(clause, e)
}

func (c *clauseCache) putLocked(clause string, e *clauseCut) {
	if c.cur == nil {
		c.cur = make(map[string]*clauseCut, clauseCacheSize)
	}
	if len(c.cur) >= clauseCacheSize {
		c.old, c.cur = c.cur, make(map[string]*clauseCut, clauseCacheSize)
	}
	c.cur[clause] = e
}

func (c *clauseCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.old = nil, nil
}

// cutClause returns the cut of one chunk of normalised text, from the cache
// or computed; the caller holds mu for reading, so a dictionary edit, which
// clears the cache, cannot interleave with it.
func (s *Segmenter) cutClause(text string) *clauseCut {
	if s.noCache {
		return s.cutUncached(text)
	}
	if e := s.cache.get(text); e != nil {
		return e
	}
	// The pieces are substrings of what they cut: a copy keeps the
	// cache from holding on to the whole text the clause came from.
	e := s.cutUncached(strings.Clone(text))
	s.cache.put(e.text, e)
	return e
}

func (s *Segmenter) cutUncached(text string) *clauseCut {
	e := &clauseCut{text: text, pieces: s.cut(text)}
	for _, w := range e.pieces {
		if isWord(w) && !s.stop[w] {
			e.words = append(e.words, w)
		}
	}
	return e
}

// termsOf returns the terms of a clause cut and the positions it takes,
// making them the first time; the caller holds mu for reading, as for
// cutClause, so the dictionary the sub-words come from is the one the
// clause was cut with (an edit clears the cache).
func (s *Segmenter) termsOf(e *clauseCut) ([]triage.Term, int) {
	e.termsOnce.Do(func() {
		e.terms, e.positions = s.appendTerms(nil, e.pieces, 0, 0)
		e.pieces = nil
	})
	return e.terms, e.positions
}
