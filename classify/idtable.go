package classify

import "math/bits"

// idTable maps uint64 keys to feature indices: an open-addressing hash
// table with linear probing, built once and then only read. Prediction
// looks up several features per character of a ticket, and against a Go
// map keyed by the n-gram's string this neither hashes bytes nor compares
// strings: the key is the n-gram's code points packed into one word.
type idTable struct {
	keys  []uint64
	vals  []int32 // -1 marks an empty slot
	shift uint
}

func newIDTable(n int) *idTable {
	// At most half full, so probes stay short.
	size := 16
	for size < 2*n {
		size *= 2
	}
	t := &idTable{keys: make([]uint64, size), vals: make([]int32, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for i := range t.vals {
		t.vals[i] = -1
	}
	return t
}

func (t *idTable) slot(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> t.shift) }

// put adds k; it reports false when k is already there.
func (t *idTable) put(k uint64, v int32) bool {
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		if t.vals[i] < 0 {
			t.keys[i], t.vals[i] = k, v
			return true
		}
		if t.keys[i] == k {
			return false
		}
	}
}

func (t *idTable) get(k uint64) (int32, bool) {
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		v := t.vals[i]
		if v < 0 {
			return 0, false
		}
		if t.keys[i] == k {
			return v, true
		}
	}
}

// packedMaxRunes is the longest character n-gram that packs into a key:
// 21 bits per code point, each plus one, so that n-grams of different
// lengths never share a key.
const packedMaxRunes = 3

// packRunes packs up to packedMaxRunes code points into a key.
func packRunes(rs []rune) uint64 {
	var k uint64
	for _, r := range rs {
		k = k<<21 | uint64(r+1)
	}
	return k
}
