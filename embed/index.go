package embed

import (
	"context"
	"sync"

	"github.com/triagehq/triage"
)

// Hit is one search result: the id given to Add and the cosine similarity
// (the dot product, since vectors are unit length).
type Hit struct {
	ID    string  `json:"id"`
	Score float32 `json:"score"`
}

// Index is an exact in-memory top-k index over unit vectors, for the
// embedded mode where vectors live in SQLite and are searched in memory.
// Exact search keeps recall at 1.0; for the tens of thousands of vectors
// one service holds it costs a few milliseconds. The vectors are held as
// float16 (see half.go): the scan is bound by the bytes it reads, and the
// scores are the float32 dot products with those halves. Safe for
// concurrent use.
type Index struct {
	dim int

	mu   sync.RWMutex
	ids  []string
	vecs []uint16 // len(ids) × dim halves, row i belongs to ids[i]
	pos  map[string]int
}

// NewIndex returns an empty index for vectors of length dim.
func NewIndex(dim int) *Index {
	return &Index{dim: dim, pos: map[string]int{}}
}

// Dim returns the vector length the index accepts.
func (x *Index) Dim() int { return x.dim }

// Len returns the number of vectors.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Add inserts or replaces the vector of id. The vector is copied, rounded
// to float16.
func (x *Index) Add(id string, vec []float32) error {
	if len(vec) != x.dim {
		return triage.Invalid("vector", "vector of %s has %d dimensions, the index holds %d", id, len(vec), x.dim)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[id]; ok {
		for j, f := range vec {
			x.vecs[i*x.dim+j] = toHalf(f)
		}
		return nil
	}
	x.pos[id] = len(x.ids)
	x.ids = append(x.ids, id)
	for _, f := range vec {
		x.vecs = append(x.vecs, toHalf(f))
	}
	return nil
}

// Remove deletes the vector of id and reports whether it was there. The
// last vector moves into the hole, so removal is O(dim).
func (x *Index) Remove(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[id]
	if !ok {
		return false
	}
	last := len(x.ids) - 1
	if i != last {
		x.ids[i] = x.ids[last]
		copy(x.vecs[i*x.dim:(i+1)*x.dim], x.vecs[last*x.dim:])
		x.pos[x.ids[i]] = i
	}
	x.ids = x.ids[:last]
	x.vecs = x.vecs[:last*x.dim]
	delete(x.pos, id)
	return true
}

// parallelMin is the size from which Search splits the scan over two
// goroutines; below it the start-up costs more than it saves.
const parallelMin = 4096

// Search returns the k vectors most similar to vec, best first (ties by
// insertion order). filter, when not nil, is asked about candidates that
// would make the top k and must be safe for concurrent use; returning false
// leaves the candidate out.
func (x *Index) Search(vec []float32, k int, filter func(id string) bool) ([]Hit, error) {
	if len(vec) != x.dim {
		return nil, triage.Invalid("vector", "query vector has %d dimensions, the index holds %d", len(vec), x.dim)
	}
	if k <= 0 {
		return nil, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	if n < parallelMin {
		return x.scan(vec, k, filter, 0, n).sorted(x.ids), nil
	}
	tops := make([]topK, workers)
	parallelW(n, func(g, lo, hi int) { tops[g] = x.scan(vec, k, filter, lo, hi) })
	all := tops[0]
	for _, t := range tops[1:] {
		for _, c := range t {
			all.offer(c, k)
		}
	}
	return all.sorted(x.ids), nil
}

func (x *Index) scan(q []float32, k int, filter func(string) bool, lo, hi int) topK {
	t := make(topK, 0, k)
	d := x.dim
	for i := lo; i < hi; i++ {
		s := dotHalf(q, x.vecs[i*d:(i+1)*d])
		if len(t) == k && !t.beats(cand{i, s}) {
			continue
		}
		if filter != nil && !filter(x.ids[i]) {
			continue
		}
		t.offer(cand{i, s}, k)
	}
	return t
}

type cand struct {
	i int
	s float32
}

// topK is a min-heap of the best candidates so far: the root is the one
// the next better candidate replaces. It is written out rather than
// through container/heap, whose interface boxes every candidate.
type topK []cand

// worse orders candidates: lower score, or a later insertion on a tie.
func worse(a, b cand) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	return a.i > b.i
}

// beats reports whether c would displace the current worst of a full heap.
func (t topK) beats(c cand) bool { return worse(t[0], c) }

func (t *topK) offer(c cand, k int) {
	h := *t
	if len(h) < k {
		h = append(h, c)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(h[i], h[p]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		*t = h
		return
	}
	if h.beats(c) {
		h[0] = c
		h.down(0)
	}
}

func (t topK) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(t) {
			return
		}
		w := l
		if r := l + 1; r < len(t) && worse(t[r], t[l]) {
			w = r
		}
		if !worse(t[w], t[i]) {
			return
		}
		t[i], t[w] = t[w], t[i]
		i = w
	}
}

func (t topK) sorted(ids []string) []Hit {
	out := make([]Hit, len(t))
	for n := len(t) - 1; n >= 0; n-- {
		out[n] = Hit{ID: ids[t[0].i], Score: t[0].s}
		t[0] = t[n]
		t = t[:n]
		t.down(0)
	}
	return out
}

// VectorIndex is an Index seen as the service's triage.VectorIndex.
type VectorIndex struct{ *Index }

var _ triage.VectorIndex = VectorIndex{}

// Put adds or replaces a vector.
func (v VectorIndex) Put(_ context.Context, id string, vec []float32) error { return v.Add(id, vec) }

// Delete removes a vector; a missing one is not an error.
func (v VectorIndex) Delete(_ context.Context, id string) error {
	v.Remove(id)
	return nil
}

// Search returns the k nearest vectors whose id keep accepts.
func (v VectorIndex) Search(_ context.Context, vec []float32, k int, keep func(string) bool) ([]triage.VectorHit, error) {
	hits, err := v.Index.Search(vec, k, keep)
	if err != nil {
		return nil, err
	}
	out := make([]triage.VectorHit, len(hits))
	for i, h := range hits {
		out[i] = triage.VectorHit{DocID: h.ID, Score: float64(h.Score)}
	}
	return out, nil
}
