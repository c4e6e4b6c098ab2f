package bleve

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"

	triage "github.com/triagehq/triage"
)

// The memory postings are the hot path of Search: for every text field of
// every kind, each term's documents with their term frequency, and each
// document's field length, in plain slices. Bleve holds the same terms on
// disk (and their positions, which quoted phrases need); the postings are
// built from bleve's at Open and kept in step by Index and DeleteOwner.
// Scoring over them is bleve's BM25 to the last bit of its formula (see
// score.go), at a small fraction of the cost of bleve's searchers, which
// allocate per clause, per segment and per hit.

// Document kinds as array indexes.
const (
	kindArticle = iota
	kindTicket
	numKinds
)

func kindIndex(kind string) int {
	if kind == triage.DocTicket {
		return kindTicket
	}
	return kindArticle
}

// The text fields of a document, each cut into words and into bigrams: a
// slot is a field and an analysis.
var textFieldNames = [...]string{"title", "body", "resolution"}

const numSlots = 2 * len(textFieldNames)

func slotOf(field int, bigram bool) int {
	if bigram {
		return 2*field + 1
	}
	return 2 * field
}

// memory is the postings of every kind. Searches hold mu for reading;
// Index and DeleteOwner, which the Index serialises, hold it for writing
// while they apply a batch bleve has taken.
type memory struct {
	mu    sync.RWMutex
	kinds [numKinds]*memKind
	ids   map[string]docRef
	// epoch counts removals; a posting list's cached count of live
	// documents is valid for the epoch it was counted in.
	epoch atomic.Uint64
	// splitWork is how many postings a search must add up before it
	// splits them by document range over every core (0: never).
	splitWork atomic.Int64
}

// splitWork's default: a ticket as a query over ten thousand chunks and
// more, where splitting pays for its goroutines.
const defaultSplitWork = 100_000

type docRef struct {
	kind int
	num  int32
}

// memKind holds the documents of one kind, numbered in the order they were
// added: postings are in document order because numbers only grow, until
// compact renumbers the live ones.
type memKind struct {
	docs   []memDoc
	live   int
	owners map[string][]int32
	slots  [numSlots]memField
}

type memDoc struct {
	id, owner string
	chunk     int
	alive     bool
}

type memField struct {
	terms map[string]*postings
	// length is each document's field length as bleve's BM25 sees it,
	// the marker included and rounded through a float32 norm; 0 where the
	// document lacks the field.
	length []float64
	// sum and with give the average length bleve's statistics use: the
	// sum of length-1 (the marker left out) over the live documents that
	// have the field, and how many they are.
	sum  float64
	with int
	// lengthNorms caches BM25's length normalisation of every document
	// for the average length it was computed with.
	lengthNorms atomic.Pointer[lengthNorms]
}

type lengthNorms struct {
	avg   float64
	norms []float64
}

// norms returns k1·(1 − b + b·length/avg) for every document, BM25's
// length normalisation as bleve's scorer computes it. The average is an
// integer that moves only when the mean length crosses one, so the norms
// are computed again rarely; documents added since are appended. Searches
// call it concurrently: each computes what is missing and stores its copy.
func (f *memField) norms(avg float64) []float64 {
	c := f.lengthNorms.Load()
	if c != nil && c.avg == avg && len(c.norms) == len(f.length) {
		return c.norms
	}
	k1, b := search.BM25_k1, search.BM25_b
	var norms []float64
	if c != nil && c.avg == avg && len(c.norms) < len(f.length) {
		norms = append(make([]float64, 0, len(f.length)), c.norms...)
	} else {
		norms = make([]float64, 0, len(f.length))
	}
	for _, l := range f.length[len(norms):] {
		norms = append(norms, k1*(1-b+(b*l/avg)))
	}
	f.lengthNorms.Store(&lengthNorms{avg: avg, norms: norms})
	return norms
}

// postings are the documents of one term in one field, in document order.
type postings struct {
	docs  []int32
	freqs []uint32
	// count caches the number of live documents, for the epoch in the
	// high 32 bits (see liveCount).
	count atomic.Uint64
	// split caches splitAt's last answer.
	split atomic.Uint64
}

func newMemory() *memory {
	m := &memory{ids: map[string]docRef{}}
	m.splitWork.Store(defaultSplitWork)
	for k := range m.kinds {
		m.kinds[k] = newMemKind()
	}
	return m
}

func newMemKind() *memKind {
	k := &memKind{owners: map[string][]int32{}}
	for s := range k.slots {
		k.slots[s].terms = map[string]*postings{}
	}
	return k
}

// fieldLength is the length bleve's scorer derives from a posting's norm,
// which zap stores as the float32 1/sqrt(tokens).
func fieldLength(tokens int) float64 {
	n := float64(float32(1 / math.Sqrt(float64(tokens))))
	return 1 / (n * n)
}

// analysed is a document cut for indexing: for each bigram slot its
// terms, every occurrence in order, for each word slot its distinct terms
// with their frequencies, and for the word fields the field bleve indexes
// (nil where the field is empty).
type analysed struct {
	doc   triage.SearchDoc
	slots [numSlots][]string
	// counted is each word slot's distinct terms (the length marker left
	// out); slots holds nothing for the word slots.
	counted [numSlots][]termFreq
	// tokens is each slot's token count as bleve counts it, the length
	// marker included: 0 where the field is empty.
	tokens [numSlots]int
	words  [len(textFieldNames)]*wordField
	// norm is each text normalised, as bleve stores it.
	norm [len(textFieldNames)]string
	// bleve is the document bleve indexes, until its batch has it.
	bleve *document.Document
}

// addAll puts in a batch's documents, replacing those with their IDs: the
// bookkeeping (numbers, owners, replaced documents) in order, then each
// text field of each kind on its own goroutine, since fields share
// nothing. A document whose ID comes again later in the batch is left out,
// as bleve's batch keeps the last. The caller holds mu for writing.
func (m *memory) addAll(part []*analysed) {
	last := make(map[string]int, len(part))
	for i, a := range part {
		last[a.doc.ID] = i
	}
	var per [numKinds][]numbered
	for i, a := range part {
		if last[a.doc.ID] != i {
			continue
		}
		if old, ok := m.ids[a.doc.ID]; ok {
			m.remove(old)
		}
		ki := kindIndex(a.doc.Kind)
		k := m.kinds[ki]
		num := int32(len(k.docs))
		k.docs = append(k.docs, memDoc{id: a.doc.ID, owner: a.doc.OwnerID, chunk: a.doc.Chunk, alive: true})
		k.live++
		k.owners[a.doc.OwnerID] = append(k.owners[a.doc.OwnerID], num)
		m.ids[a.doc.ID] = docRef{ki, num}
		per[ki] = append(per[ki], numbered{a, num})
	}
	ep := m.epoch.Load()
	type job struct{ kind, slot, size int }
	var jobs []job
	for ki := range per {
		for s := range numSlots {
			n := 0
			for _, d := range per[ki] {
				n += len(d.a.slots[s]) + len(d.a.counted[s])
			}
			if len(per[ki]) > 0 {
				jobs = append(jobs, job{ki, s, n})
			}
		}
	}
	run := func(j job) {
		f := &m.kinds[j.kind].slots[j.slot]
		for _, d := range per[j.kind] {
			if d.a.counted[j.slot] != nil {
				f.addCounted(d.num, d.a.counted[j.slot], d.a.tokens[j.slot], ep)
				continue
			}
			f.add(d.num, d.a.slots[j.slot], d.a.tokens[j.slot], ep)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	if workers <= 1 {
		for _, j := range jobs {
			run(j)
		}
		return
	}
	// The body fields are most of the work: hand out the largest first.
	slices.SortStableFunc(jobs, func(a, b job) int { return b.size - a.size })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				run(jobs[i])
			}
		})
	}
	wg.Wait()
}

// numbered is a document of a batch with the number it was given.
type numbered struct {
	a   *analysed
	num int32
}

// add appends document num's terms to the field's postings. Documents come
// in number order, so a term's last posting is this document's, if any.
func (f *memField) add(num int32, terms []string, tokens int, epoch uint64) {
	if !f.measure(tokens) {
		return
	}
	for _, t := range terms {
		p := f.postingsOf(t, epoch)
		if n := len(p.docs); n > 0 && p.docs[n-1] == num {
			p.freqs[n-1]++
			continue
		}
		p.docs = append(p.docs, num)
		p.freqs = append(p.freqs, 1)
		p.added(epoch)
	}
}

// addCounted is add for a field whose terms were counted beforehand:
// one map lookup per distinct term rather than per occurrence.
func (f *memField) addCounted(num int32, terms []termFreq, tokens int, epoch uint64) {
	if !f.measure(tokens) {
		return
	}
	for _, t := range terms {
		p := f.postingsOf(t.text, epoch)
		p.docs = append(p.docs, num)
		p.freqs = append(p.freqs, t.freq)
		p.added(epoch)
	}
}

// measure records the next document's length in the field; it reports
// whether the document has any terms there.
func (f *memField) measure(tokens int) bool {
	if tokens == 0 {
		f.length = append(f.length, 0)
		return false
	}
	l := fieldLength(tokens)
	f.length = append(f.length, l)
	f.sum += l - 1
	f.with++
	return true
}

// postingsOf is term t's postings, made empty if the field has none yet.
func (f *memField) postingsOf(t string, epoch uint64) *postings {
	p := f.terms[t]
	if p == nil {
		p = &postings{}
		p.count.Store(epoch << 32)
		f.terms[strings.Clone(t)] = p
	}
	return p
}

// added counts one more live document in a cached count that is still
// valid; a stale one is recounted when next read.
func (p *postings) added(epoch uint64) {
	c := p.count.Load()
	if c>>32 == epoch&math.MaxUint32 {
		p.count.Store(c + 1)
	}
}

// remove marks a document deleted; its postings stay until compact.
func (m *memory) remove(r docRef) {
	k := m.kinds[r.kind]
	d := &k.docs[r.num]
	if !d.alive {
		return
	}
	d.alive = false
	k.live--
	delete(m.ids, d.id)
	own := slices.DeleteFunc(k.owners[d.owner], func(n int32) bool { return n == r.num })
	if len(own) == 0 {
		delete(k.owners, d.owner)
	} else {
		k.owners[d.owner] = own
	}
	for s := range k.slots {
		f := &k.slots[s]
		if l := f.length[r.num]; l > 0 {
			f.sum -= l - 1
			f.with--
		}
	}
	m.epoch.Add(1)
}

// removeOwner deletes every document of an owner; the caller holds mu for
// writing.
func (m *memory) removeOwner(kind, owner string) {
	ki := kindIndex(kind)
	for _, n := range slices.Clone(m.kinds[ki].owners[owner]) {
		m.remove(docRef{ki, n})
	}
}

// liveCount returns how many of the postings' documents are alive (the
// document frequency bleve counts), counting again after removals.
func (p *postings) liveCount(k *memKind, epoch uint64) int {
	c := p.count.Load()
	if c>>32 == epoch&math.MaxUint32 {
		return int(c & math.MaxUint32)
	}
	n := 0
	for _, d := range p.docs {
		if k.docs[d].alive {
			n++
		}
	}
	p.count.Store(epoch<<32 | uint64(n))
	return n
}

// compactAfter is how many deleted documents a kind keeps before compact
// drops them: also at least a quarter of its live ones, so that the cost
// of compacting, a pass over all postings, is spread over many deletions.
const compactAfter = 1024

// maybeCompact renumbers a kind's live documents and drops the deleted
// ones from its postings when they have piled up; the caller holds mu for
// writing.
func (m *memory) maybeCompact() {
	for ki, k := range m.kinds {
		dead := len(k.docs) - k.live
		if dead >= compactAfter && dead > k.live/4 {
			m.compact(ki)
		}
	}
}

func (m *memory) compact(ki int) {
	k := m.kinds[ki]
	renum := make([]int32, len(k.docs))
	docs := make([]memDoc, 0, k.live)
	for i, d := range k.docs {
		renum[i] = -1
		if d.alive {
			renum[i] = int32(len(docs))
			m.ids[d.id] = docRef{ki, int32(len(docs))}
			docs = append(docs, d)
		}
	}
	for o, nums := range k.owners {
		for i, n := range nums {
			nums[i] = renum[n]
		}
		k.owners[o] = nums
	}
	ep := m.epoch.Load()
	for s := range k.slots {
		f := &k.slots[s]
		length := make([]float64, 0, len(docs))
		for i, l := range f.length {
			if renum[i] >= 0 {
				length = append(length, l)
			}
		}
		f.length = length
		f.lengthNorms.Store(nil)
		for t, p := range f.terms {
			var q postings
			for i, d := range p.docs {
				if n := renum[d]; n >= 0 {
					q.docs = append(q.docs, n)
					q.freqs = append(q.freqs, p.freqs[i])
				}
			}
			if len(q.docs) == 0 {
				delete(f.terms, t)
				continue
			}
			q.count.Store(ep<<32 | uint64(len(q.docs)))
			f.terms[t] = &q
		}
	}
	k.docs = docs
}

// count returns the live documents of a kind.
func (m *memory) count(kind string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.kinds[kindIndex(kind)].live
}
