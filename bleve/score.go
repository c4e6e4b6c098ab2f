package bleve

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
)

// plan is a query resolved into what scoring needs: one clause per
// distinct term and field, and one per quoted phrase.
type plan struct {
	kind    int
	terms   []termClause
	phrases []phraseClause
	k       int
	exclude string
	// buf is where terms came from, to go back to clausePool.
	buf *[]termClause
}

// release gives the plan's clauses back for another search.
func (pl *plan) release() {
	if pl.buf == nil {
		return
	}
	clear(pl.terms)
	*pl.buf = pl.terms[:0]
	clausePool.Put(pl.buf)
	pl.buf, pl.terms = nil, nil
}

type termClause struct {
	slot  int
	term  string
	boost float64
}

// phraseClause is a quoted phrase: the alternatives of phraseQuery (its
// words or its characters in a row, in each text field).
type phraseClause struct {
	alts []phraseAlt
}

type phraseAlt struct {
	slot  int
	field string
	terms [][]string
	// runs are the phrase's runs of units (see bigrams), for a bigram
	// alternative.
	runs []string
}

// scorer is one term (of a clause or a phrase) in one slot, ready to score:
// bleve's TermQueryScorer with its idf and query weight.
type scorer struct {
	p   *postings
	avg float64 // the average field length; 0 only where no document has the field
	idf float64
	// weight is boost × idf × queryNorm, set once the norm is known.
	weight float64
	boost  float64
	length []float64
	// norms are the field's length norms for avg (memField.norms), set
	// when the term's postings are scored.
	norms []float64
}

// idf is bleve's: BM25's when the field has an average length, else its
// tf-idf one.
func idf(docs, df int, avg float64) float64 {
	if avg > 0 {
		return math.Log(1 + (float64(docs)-float64(df)+0.5)/(float64(df)+0.5))
	}
	return 1.0 + math.Log(float64(docs)/float64(df+1))
}

// score is what bleve's TermQueryScorer gives document d with freq
// occurrences, in the same operations, so the same bits.
func (s *scorer) score(d int32, freq uint32) float64 {
	var tf float64
	if int(freq) < len(sqrtCache) {
		tf = sqrtCache[freq]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	var v float64
	if s.avg > 0 {
		k1, b := search.BM25_k1, search.BM25_b
		v = s.idf * (tf * k1) / (tf + k1*(1-b+(b*s.length[d]/s.avg)))
	} else {
		// A field no document has a term in; kept for the formula's sake.
		v = tf * float64(float32(1/math.Sqrt(s.length[d]))) * s.idf
	}
	if s.weight != 1.0 {
		v *= s.weight
	}
	return v
}

var sqrtCache = func() []float64 {
	c := make([]float64, 64)
	for i := range c {
		c[i] = math.Sqrt(float64(i))
	}
	return c
}()

// freqOf returns the frequency of the term in document d, or 0.
func (p *postings) freqOf(d int32) uint32 {
	if p == nil {
		return 0
	}
	i, ok := slices.BinarySearch(p.docs, d)
	if !ok {
		return 0
	}
	return p.freqs[i]
}

// accumulators are one search's per-document sums and match counts, and
// its term scorers, reused between searches: a ticket as a query is
// hundreds of clauses.
type accumulators struct {
	// docs holds each document's sum and match count side by side: a
	// long query over many chunks adds to documents all over, and one
	// cache line per posting instead of two was a tenth of the search.
	docs    accDocs
	touched []int32
	scorers []scorer
	// parts are the touched documents of each goroutine of addSplit, and
	// tops their best hits.
	parts [][]int32
	tops  []hitHeap
}

type accDoc struct {
	sum     float64
	matched uint32
}

var accPool = sync.Pool{New: func() any { return &accumulators{} }}

// scorersFor returns n zeroed scorers; the caller clears them after use,
// so that the pool holds no postings.
func (a *accumulators) scorersFor(n int) []scorer {
	if cap(a.scorers) < n {
		a.scorers = make([]scorer, n)
	}
	return a.scorers[:n]
}

// clausePool holds plans' clause slices between searches.
var clausePool = sync.Pool{New: func() any { return new([]termClause) }}

func (a *accumulators) reset(n int) {
	if cap(a.docs) < n {
		a.docs = make([]accDoc, n)
	}
	a.docs = a.docs[:n]
	a.touched = a.touched[:0]
}

func (a *accumulators) add(d int32, v float64) {
	ad := &a.docs[d]
	if ad.matched == 0 {
		a.touched = append(a.touched, d)
	}
	ad.matched++
	ad.sum += v
}

// accDocs are the per-document sums and match counts of a search.
type accDocs []accDoc

// addBM25 adds one term's scores to the documents of its postings from
// index lo to hi, and returns touched with those it touched first: the
// loop of a search, scorer.score with the field's length norms looked up,
// in the same operations.
func (docs accDocs) addBM25(touched []int32, s *scorer, lo, hi int) []int32 {
	k1 := search.BM25_k1
	idf, weight, norms := s.idf, s.weight, s.norms
	freqs := s.p.freqs[lo:hi]
	for j, d := range s.p.docs[lo:hi] {
		f := freqs[j]
		var tf float64
		if int(f) < len(sqrtCache) {
			tf = sqrtCache[f]
		} else {
			tf = math.Sqrt(float64(f))
		}
		v := idf * (tf * k1) / (tf + norms[d])
		if weight != 1.0 {
			v *= weight
		}
		ad := &docs[d]
		if ad.matched == 0 {
			touched = append(touched, d)
		}
		ad.matched++
		ad.sum += v
	}
	return touched
}

// splitPoint is the first document of part w of parts over n documents:
// a multiple of splitRound, so that it stays put, and splitAt's answers
// with it, while documents are added.
func splitPoint(n, w, parts int) int32 {
	if w == parts {
		return int32(n)
	}
	return int32(n * w / parts / splitRound * splitRound)
}

const splitRound = 1024

// addSplit adds every term's scores as addBM25 does, on parts goroutines
// that each take a range of document numbers: a document still gets its
// terms in the plan's order, so its sum is the same to the last bit, and
// one long query over many chunks uses every core. With final set (a plan
// without phrases, whose sums nothing else reads), each goroutine also
// picks the best k of its range and clears its sums, and addSplit returns
// the best k of all; else it leaves the touched documents in a.touched.
func (a *accumulators) addSplit(terms []scorer, n, parts int, final *topArgs) hitHeap {
	for len(a.parts) < parts {
		a.parts = append(a.parts, nil)
	}
	for len(a.tops) < parts {
		a.tops = append(a.tops, nil)
	}
	var wg sync.WaitGroup
	for w := range parts {
		lo, hi := splitPoint(n, w, parts), splitPoint(n, w+1, parts)
		wg.Go(func() {
			touched := a.parts[w][:0]
			for i := range terms {
				s := &terms[i]
				if s.p == nil {
					continue
				}
				// The first range starts at the first posting and the
				// last ends at the last.
				from, to := 0, len(s.p.docs)
				if w > 0 {
					from = s.p.splitAt(lo)
				}
				if w < parts-1 {
					to = s.p.splitAt(hi)
				}
				if from < to {
					touched = a.docs.addBM25(touched, s, from, to)
				}
			}
			a.parts[w] = touched
			if final != nil {
				a.tops[w] = a.docs.top(a.tops[w][:0], touched, final)
				for _, d := range touched {
					a.docs[d] = accDoc{}
				}
				a.parts[w] = touched[:0]
			}
		})
	}
	wg.Wait()
	if final != nil {
		top := make(hitHeap, 0, final.pl.k)
		for w := range parts {
			for _, h := range a.tops[w] {
				top.offer(h, final.pl.k)
			}
			clear(a.tops[w])
		}
		return top
	}
	for w := range parts {
		a.touched = append(a.touched, a.parts[w]...)
	}
	return nil
}

// splitAt returns where document d is or would be in the postings. A
// split search asks every term of a query for the same boundaries, and
// the binary search's cache misses over a thousand posting lists were a
// tenth of its time; so the answer for the last boundary asked is kept
// (the boundary and the index in one word). It stays right as documents
// are added, since they are numbered after any boundary (boundaries are
// below the document count), and compact and Open build new postings.
func (p *postings) splitAt(d int32) int {
	if c := p.split.Load(); c != 0 && int32(c>>32) == d {
		return int(uint32(c))
	}
	i, _ := slices.BinarySearch(p.docs, d)
	p.split.Store(uint64(uint32(d))<<32 | uint64(uint32(i)))
	return i
}

func (a *accumulators) clear() {
	for _, d := range a.touched {
		a.docs[d] = accDoc{}
	}
	a.touched = a.touched[:0]
}

// memHit is a scored document of the memory postings.
type memHit struct {
	num   int32
	score float64
	id    string
}

// run scores the plan over the memory postings the way bleve scores the
// query that Index.query builds: a disjunction of term queries (and phrase
// disjunctions) whose sum is multiplied by the share of clauses matched,
// each term scored by bleve's BM25 with the query norm of all of them.
//
// A phrase is checked (by verify, which must not take mu) only in the
// documents that could make the top k with it: its score is bounded from
// the memory postings, where every document that has it has all its terms,
// and a document whose bound stays under the k-th best score without any
// phrase cannot place. The hits and their scores are those of checking
// every document.
func (m *memory) run(pl *plan, lengthScale float64, verify func(alt *phraseAlt, ids []string) ([]string, error)) ([]memHit, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	k := m.kinds[pl.kind]
	n := k.live
	if n == 0 {
		return nil, nil
	}
	epoch := m.epoch.Load()
	var avg [numSlots]float64
	for s := range k.slots {
		f := &k.slots[s]
		if f.with == 0 {
			continue
		}
		card := int(math.Ceil(lengthScale * (f.sum / float64(f.with)) * float64(n)))
		avg[s] = math.Ceil(float64(card) / float64(n))
	}
	newScorer := func(slot int, term string, boost float64) scorer {
		f := &k.slots[slot]
		p := f.terms[term]
		df := 0
		if p != nil {
			df = p.liveCount(k, epoch)
		}
		return scorer{p: p, avg: avg[slot], idf: idf(n, df, avg[slot]), boost: boost, length: f.length}
	}
	acc := accPool.Get().(*accumulators)
	defer accPool.Put(acc)
	terms := acc.scorersFor(len(pl.terms))
	defer clear(terms)
	var sumSquares float64
	for i, c := range pl.terms {
		terms[i] = newScorer(c.slot, c.term, c.boost)
		w := terms[i].boost * terms[i].idf
		sumSquares += w * w
	}
	// A phrase's terms are scored with boost 1 (bleve passes no boost to
	// them) and count in the norm like any term.
	phrases := make([][][][]scorer, len(pl.phrases))
	for i, ph := range pl.phrases {
		phrases[i] = make([][][]scorer, len(ph.alts))
		for j, alt := range ph.alts {
			for _, pos := range alt.terms {
				var ss []scorer
				for _, t := range pos {
					if t == "" {
						continue
					}
					s := newScorer(alt.slot, t, 1)
					sumSquares += s.idf * s.idf
					ss = append(ss, s)
				}
				if len(ss) > 0 {
					phrases[i][j] = append(phrases[i][j], ss)
				}
			}
		}
	}
	norm := 1.0 / math.Sqrt(sumSquares)
	for i := range terms {
		terms[i].weight = terms[i].boost * terms[i].idf * norm
	}
	for _, alts := range phrases {
		for _, alt := range alts {
			for _, pos := range alt {
				for i := range pos {
					pos[i].weight = pos[i].boost * pos[i].idf * norm
				}
			}
		}
	}

	acc.reset(len(k.docs))
	defer acc.clear()
	work, split := 0, true
	for i := range terms {
		s := &terms[i]
		if s.p == nil {
			continue
		}
		if s.avg > 0 {
			s.norms = k.slots[pl.terms[i].slot].norms(s.avg)
		} else {
			split = false
		}
		work += len(s.p.docs)
	}
	parts := runtime.GOMAXPROCS(0)
	total := float64(len(pl.terms) + len(pl.phrases))
	if at := m.splitWork.Load(); split && parts > 1 && at > 0 && int64(work) >= at {
		if len(pl.phrases) == 0 {
			return acc.addSplit(terms, len(k.docs), parts, &topArgs{k, pl, total}).sorted(), nil
		}
		acc.addSplit(terms, len(k.docs), parts, nil)
	} else {
		for i := range terms {
			s := &terms[i]
			if s.p == nil {
				continue
			}
			if s.avg > 0 {
				acc.touched = acc.docs.addBM25(acc.touched, s, 0, len(s.p.docs))
				continue
			}
			for j, d := range s.p.docs {
				acc.add(d, s.score(d, s.p.freqs[j]))
			}
		}
	}
	if len(pl.phrases) > 0 {
		if err := m.scorePhrases(k, pl, phrases, acc, total, verify); err != nil {
			return nil, err
		}
	}
	return acc.top(k, pl, total).sorted(), nil
}

// topArgs are what top needs of a search besides the sums.
type topArgs struct {
	k     *memKind
	pl    *plan
	total float64
}

// top returns the best k of the documents touched, by their sum times the
// share of clauses they matched.
func (a *accumulators) top(k *memKind, pl *plan, total float64) hitHeap {
	return a.docs.top(make(hitHeap, 0, pl.k), a.touched, &topArgs{k, pl, total})
}

// top adds to top the best of touched. A document is looked at (alive,
// excluded, its ID for a tie) only when its score reaches the k-th best so
// far: with a long query over many chunks nearly every document is
// touched, and loading each one's record was a fifth of the search.
func (docs accDocs) top(top hitHeap, touched []int32, t *topArgs) hitHeap {
	k, pl, total := t.k, t.pl, t.total
	for _, d := range touched {
		score := docs[d].sum * (float64(docs[d].matched) / total)
		if len(top) == pl.k && score < top[0].score {
			continue
		}
		doc := &k.docs[d]
		if !doc.alive || (pl.exclude != "" && doc.owner == pl.exclude) {
			continue
		}
		top.offer(memHit{num: d, score: score, id: doc.id}, pl.k)
	}
	return top
}

// phraseCand is a document with every term of a phrase alternative, and
// the score the alternative would give it: bleve's phrase searcher scores
// the conjunction of its positions' terms, a position with alternatives (a
// word and its sub-words) being a disjunction with its own coordination.
type phraseCand struct {
	doc int32
	raw float64
}

// altCandidates returns the documents with every position of an
// alternative, in document order, with their scores.
func altCandidates(k *memKind, alt [][]scorer) []phraseCand {
	if len(alt) == 0 {
		return nil
	}
	// Drive by the position with the fewest postings.
	drive, size := 0, -1
	for i, pos := range alt {
		n := 0
		for j := range pos {
			if pos[j].p != nil {
				n += len(pos[j].p.docs)
			}
		}
		if size < 0 || n < size {
			drive, size = i, n
		}
	}
	var docs []int32
	for j := range alt[drive] {
		if p := alt[drive][j].p; p != nil {
			docs = append(docs, p.docs...)
		}
	}
	slices.Sort(docs)
	docs = slices.Compact(docs)
	var out []phraseCand
	for _, d := range docs {
		if !k.docs[d].alive {
			continue
		}
		var raw float64
		ok := true
		for _, pos := range alt {
			var sum float64
			present := 0
			for i := range pos {
				if f := pos[i].p.freqOf(d); f > 0 {
					sum += pos[i].score(d, f)
					present++
				}
			}
			if present == 0 {
				ok = false
				break
			}
			if len(pos) > 1 {
				sum *= float64(present) / float64(len(pos))
			}
			raw += sum
		}
		if ok {
			out = append(out, phraseCand{d, raw})
		}
	}
	return out
}

// scorePhrases adds the phrase clauses' scores to the documents that have
// the phrases; the alternatives (fields, words or characters) of a phrase
// are a disjunction. See run for which documents are checked.
func (m *memory) scorePhrases(k *memKind, pl *plan, alts [][][][]scorer, acc *accumulators, total float64, verify func(*phraseAlt, []string) ([]string, error)) error {
	// The k-th best score any document is sure of: its score without the
	// phrases, which can only add.
	floor := acc.top(k, pl, total)
	theta := 0.0
	if len(floor) == pl.k {
		theta = floor[0].score
	}
	// Each document's best case: every alternative it has the terms of
	// matches.
	cands := make([][][]phraseCand, len(pl.phrases))
	bound := map[int32]*[2]float64{} // sum, phrases
	for i := range pl.phrases {
		cands[i] = make([][]phraseCand, len(alts[i]))
		per := map[int32]*[2]float64{} // raw sum, alternatives
		for j := range alts[i] {
			cands[i][j] = altCandidates(k, alts[i][j])
			for _, c := range cands[i][j] {
				p := per[c.doc]
				if p == nil {
					p = &[2]float64{}
					per[c.doc] = p
				}
				p[0] += c.raw
				p[1]++
			}
		}
		for d, p := range per {
			b := bound[d]
			if b == nil {
				b = &[2]float64{}
				bound[d] = b
			}
			b[0] += p[0] * (p[1] / float64(len(pl.phrases[i].alts)))
			b[1]++
		}
	}
	worth := func(d int32) bool {
		doc := &k.docs[d]
		if pl.exclude != "" && doc.owner == pl.exclude {
			return false
		}
		// The bound is summed in another order than the score: a margin
		// far above rounding keeps a tie at the k-th place checked.
		b := bound[d]
		return (acc.docs[d].sum+b[0])*((float64(acc.docs[d].matched)+b[1])/total) >= theta*(1-1e-9)
	}
	for i, ph := range pl.phrases {
		type partial struct {
			sum     float64
			matched int
		}
		docs := map[int32]*partial{}
		var order []int32
		for j := range ph.alts {
			var ids []string
			raw := map[string]phraseCand{}
			for _, c := range cands[i][j] {
				if worth(c.doc) {
					id := k.docs[c.doc].id
					ids = append(ids, id)
					raw[id] = c
				}
			}
			if len(ids) == 0 {
				continue
			}
			matched, err := verify(&ph.alts[j], ids)
			if err != nil {
				return err
			}
			for _, id := range matched {
				c, ok := raw[id]
				if !ok {
					continue
				}
				p := docs[c.doc]
				if p == nil {
					p = &partial{}
					docs[c.doc] = p
					order = append(order, c.doc)
				}
				p.sum += c.raw
				p.matched++
			}
		}
		for _, d := range order {
			p := docs[d]
			acc.add(d, p.sum*(float64(p.matched)/float64(len(ph.alts))))
		}
	}
	return nil
}

// better orders hits as Search returns them: higher score first, then the
// smaller ID.
func better(a, b memHit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// hitHeap is a min-heap of the best hits so far: the root is the worst.
// It is written out rather than through container/heap, whose interface
// boxes every hit pushed.
type hitHeap []memHit

// offer keeps h as the best k of the hits offered.
func (h *hitHeap) offer(x memHit, k int) {
	t := *h
	if len(t) < k {
		t = append(t, x)
		for i := len(t) - 1; i > 0; {
			p := (i - 1) / 2
			if !better(t[p], t[i]) {
				break
			}
			t[p], t[i] = t[i], t[p]
			i = p
		}
		*h = t
		return
	}
	if !better(x, t[0]) {
		return
	}
	t[0] = x
	t.down(0)
}

// down restores the heap below i: the worst hit at the root.
func (h hitHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		w := l
		if r := l + 1; r < len(h) && better(h[l], h[r]) {
			w = r
		}
		if !better(h[i], h[w]) {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// sorted empties the heap into a slice, best first.
func (h hitHeap) sorted() []memHit {
	out := make([]memHit, len(h))
	for n := len(h) - 1; n >= 0; n-- {
		out[n] = h[0]
		h[0] = h[n]
		h = h[:n]
		h.down(0)
	}
	return out
}
