package eval

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"slices"
)

// A sample is chosen by hashing each example's id with the seed rather than
// with a random generator: the choice then depends only on the seed and the
// ids, not on file order, Go's generator or how many draws came before, so a
// committed baseline stays reproducible across Go versions.

// sampleKey orders examples for sampling.
func sampleKey(seed uint64, id string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(id))
	return h.Sum64()
}

// pick returns the indexes of the n smallest keys (ties, from duplicate
// ids, by index) in ascending index order: the file's order, which
// training sees.
func pick(keys []uint64, n int) []int {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(keys[a], keys[b]), cmp.Compare(a, b)) })
	idx = idx[:min(n, len(idx))]
	slices.Sort(idx)
	return idx
}

// SampleLabelled draws about n examples stratified by label: each label
// keeps its share of the set (at least one example), so a rare class is
// not lost. n <= 0 or n >= len(set) returns set unchanged.
func SampleLabelled(set []Labelled, n int, seed uint64) []Labelled {
	if n <= 0 || n >= len(set) {
		return set
	}
	byLabel := map[string][]int{}
	for i, l := range set {
		byLabel[l.Label] = append(byLabel[l.Label], i)
	}
	var keep []int
	for _, label := range sortedKeys(byLabel) {
		members := byLabel[label]
		want := max(1, (len(members)*n+len(set)/2)/len(set))
		keys := make([]uint64, len(members))
		for j, i := range members {
			keys[j] = sampleKey(seed, set[i].ID)
		}
		for _, j := range pick(keys, want) {
			keep = append(keep, members[j])
		}
	}
	slices.Sort(keep)
	out := make([]Labelled, len(keep))
	for i, k := range keep {
		out[i] = set[k]
	}
	return out
}

// SampleQueries draws n queries. n <= 0 or n >= len(qs) returns qs
// unchanged.
func SampleQueries(qs []Query, n int, seed uint64) []Query {
	if n <= 0 || n >= len(qs) {
		return qs
	}
	keys := make([]uint64, len(qs))
	for i, q := range qs {
		keys[i] = sampleKey(seed, q.ID)
	}
	idx := pick(keys, n)
	out := make([]Query, len(idx))
	for i, k := range idx {
		out[i] = qs[k]
	}
	return out
}
