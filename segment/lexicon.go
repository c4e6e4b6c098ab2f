package segment

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	_ "unsafe" // for go:linkname, see gseZhS
)

// gseZhS is the text of gse's embedded simplified-Chinese dictionary
// (data/dict/zh/s_1.txt, 5 MiB, "word freq tag" lines), which gse keeps in
// an unexported variable. Reading it here keeps the exact words of the gse
// version go.mod pins without a 5 MiB copy in this repository;
// TestLexiconMatchesGSE fails if a gse upgrade changes what it means.
//
//go:linkname gseZhS github.com/go-ego/gse.zhS
var gseZhS string

// lexicon is gse's dictionary and its plain Cut (the shortest path through
// the dictionary, Segmenter.Slice) rebuilt for the one mode triage uses: the
// same words, frequencies, distances and tie-breaking, so it cuts every text
// as gse does. It exists because gse's load also computes every entry's
// search-mode sub-segmentation (CalcToken), which triage never reads: that
// was half of a 1.6 s start and most of gse's 130 MiB.
//
// The trie is keyed by rune. The nodes of gse's words are laid out breadth
// first, so the children of a node are consecutive nodes and a node's
// children are found by scanning their labels; the root's children in the
// BMP, looked up at every position of every text, are in an array. Nodes
// that words added later need (the domain and user words) hang from a map
// keyed by (parent, rune), which is empty until then.
//
// Like gse's, the lexicon is not safe for concurrent edits; the Segmenter
// guards it with its lock.
type lexicon struct {
	rootBMP []uint32 // child of the root by rune < 0x10000; 0 = none
	// nodes[0] is the root. The first static nodes are gse's words',
	// laid out breadth first: the children of static node n are nodes
	// nodes[n].first up to nodes[n+1].first (static for the last), and
	// label[c] is the rune that leads to static node c.
	nodes  []lexNode
	static uint32
	label  []rune
	next   map[uint64]uint32 // other children, by parent<<21 | rune
	words  []lexWord
	tags   []string
	// tagIDs interns tags.
	tagIDs map[string]uint16
	// total is gse's Dictionary.totalFreq: the sum of the frequencies of
	// every word ever added, removed ones included (gse never subtracts),
	// as the distances of later words depend on it.
	total float64
}

// lexNode is one node of the trie, with what cut needs of its word, so
// that a step of the walk reads one node.
type lexNode struct {
	first uint32  // of a static node: its first child
	word  int32   // index in words, or -1
	live  int32   // words at or below this node; 0 = as if absent
	dist  float32 // the word's
}

type lexWord struct {
	freq float64
	dist float32 // gse's distance, log2(total/freq) in float32 as it computes it
	tag  uint16
}

// pseudoDist is the distance gse gives a character that starts no word.
const pseudoDist = 32

// newLexicon loads gse's simplified-Chinese dictionary as gse's
// LoadDictStr does, without CalcToken's sub-segmentations.
func newLexicon() *lexicon {
	l := &lexicon{rootBMP: make([]uint32, 0x10000), next: map[uint64]uint32{}, tagIDs: map[string]uint16{}}
	l.tag("")
	type entry struct {
		key  string
		word int32 // -1 for a key seen before: gse keeps the first
	}
	entries := make([]entry, 0, 360_000)
	l.words = make([]lexWord, 0, 360_000)
	for line := range strings.SplitSeq(gseZhS, "\n") {
		text, freq, tag, ok := gseLine(line)
		if !ok || text == "" {
			continue
		}
		entries = append(entries, entry{key: keyOf(text), word: int32(len(l.words))})
		l.words = append(l.words, lexWord{freq: freq, tag: l.tag(tag)})
	}
	// Sorted by key, then by line: the first of equal keys is gse's.
	slices.SortFunc(entries, func(a, b entry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.word, b.word)
	})
	keep := entries[:0]
	dup := make([]bool, len(l.words))
	for i, e := range entries {
		if i > 0 && e.key == entries[i-1].key {
			dup[e.word] = true
			continue
		}
		keep = append(keep, e)
	}
	// gse sums the total in the file's order, and only over words it kept;
	// the sum's rounding depends on that order.
	for i, w := range l.words {
		if !dup[i] {
			l.total += w.freq
		}
	}
	// The trie, breadth first: a node is the range of sorted keys that
	// share its prefix; off[k] is how far key k is consumed.
	off := make([]int32, len(keep))
	type span struct {
		node, lo, hi uint32
	}
	// gse's 350,000 words make 500,000 nodes.
	l.nodes = append(make([]lexNode, 0, 1<<19), lexNode{word: -1, live: int32(len(keep))})
	l.label = append(make([]rune, 0, 1<<19), 0)
	queue := append(make([]span, 0, 1<<19), span{0, 0, uint32(len(keep))})
	for qi := 0; qi < len(queue); qi++ {
		sp := queue[qi]
		l.nodes[sp.node].first = uint32(len(l.nodes))
		lo := sp.lo
		if int(off[lo]) == len(keep[lo].key) { // the node's own word sorts first
			l.nodes[sp.node].word = keep[lo].word
			lo++
		}
		for lo < sp.hi {
			r, _ := utf8.DecodeRuneInString(keep[lo].key[off[lo]:])
			hi := lo
			for hi < sp.hi {
				r2, size2 := utf8.DecodeRuneInString(keep[hi].key[off[hi]:])
				if r2 != r {
					break
				}
				off[hi] += int32(size2)
				hi++
			}
			c := uint32(len(l.nodes))
			l.nodes = append(l.nodes, lexNode{word: -1, live: int32(hi - lo)})
			l.label = append(l.label, r)
			if sp.node == 0 && r < 0x10000 {
				l.rootBMP[r] = c
			}
			queue = append(queue, span{c, lo, hi})
			lo = hi
		}
	}
	l.static = uint32(len(l.nodes))
	// gse's CalcToken, first half: the distances, from the final total.
	logTotal := float32(math.Log2(l.total))
	for i := range l.words {
		l.words[i].dist = logTotal - float32(math.Log2(l.words[i].freq))
	}
	for i, n := range l.nodes {
		if n.word >= 0 {
			l.nodes[i].dist = l.words[n.word].dist
		}
	}
	return l
}

// keyOf is a word's key in the trie: gse lower-cases ASCII letters, all of
// which are in the letter and digit runs it lower-cases.
func keyOf(word string) string {
	for i := 0; i < len(word); i++ {
		if c := word[i]; 'A' <= c && c <= 'Z' {
			return string(appendKey(nil, word))
		}
	}
	return word
}

// gseLine parses one line of gse's dictionary as its LoadDictStr and Size
// do (separator " ", frequencies under 2 dropped, one-rune words get 2).
func gseLine(line string) (text string, freq float64, tag string, ok bool) {
	size := strings.Count(line, " ") + 1
	first, rest, _ := strings.Cut(line, " ")
	text = strings.TrimSpace(first)
	if size < 2 {
		return "", 0, "", false
	}
	freqText, rest, _ := strings.Cut(rest, " ")
	freq, err := strconv.ParseFloat(strings.TrimSpace(freqText), 64)
	if err != nil || freq < 2 {
		return "", 0, "", false
	}
	if utf8.RuneCountInString(text) < 2 {
		freq = 2
	}
	if size > 2 {
		tagText, _, _ := strings.Cut(rest, " ")
		tag = strings.TrimSpace(strings.Trim(tagText, "\n"))
	}
	return text, freq, tag, true
}

// appendKey appends the trie key of a word: gse lower-cases ASCII letters,
// all of which are in the letter and digit runs it lower-cases.
func appendKey(key []byte, word string) []byte {
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		key = append(key, c)
	}
	return key
}

func (l *lexicon) tag(t string) uint16 {
	if id, ok := l.tagIDs[t]; ok {
		return id
	}
	id := uint16(len(l.tags))
	l.tags = append(l.tags, t)
	l.tagIDs[t] = id
	return id
}

func (l *lexicon) child(n uint32, r rune) uint32 {
	if n == 0 && r < 0x10000 {
		return l.rootBMP[r]
	}
	if n < l.static {
		lo, hi := l.nodes[n].first, l.static
		if n+1 < l.static {
			hi = l.nodes[n+1].first
		}
		if hi-lo > 8 {
			// Binary search beats a hash table of these 230,000
			// children (measured): the labels of the common characters
			// stay in the cache, random slots of a table do not.
			if i, ok := slices.BinarySearch(l.label[lo:hi], r); ok {
				return lo + uint32(i)
			}
		} else {
			for c := lo; c < hi; c++ {
				if l.label[c] == r {
					return c
				}
			}
		}
	}
	if len(l.next) == 0 {
		return 0
	}
	return l.next[uint64(n)<<21|uint64(r)]
}

// addKey adds a word as gse's Dictionary.AddToken does: a key already there
// is left as it is.
func (l *lexicon) addKey(key string, w lexWord) {
	if len(key) == 0 {
		return
	}
	n := uint32(0)
	for _, r := range key {
		c := l.child(n, r)
		if c == 0 {
			c = uint32(len(l.nodes))
			l.nodes = append(l.nodes, lexNode{word: -1})
			if n == 0 && r < 0x10000 {
				l.rootBMP[r] = c
			} else {
				l.next[uint64(n)<<21|uint64(r)] = c
			}
		}
		n = c
	}
	if l.nodes[n].word >= 0 {
		return
	}
	l.nodes[n].word = int32(len(l.words))
	l.nodes[n].dist = w.dist
	l.words = append(l.words, w)
	l.total += w.freq
	l.nodes[0].live++
	p := uint32(0)
	for _, r := range key {
		p = l.child(p, r)
		l.nodes[p].live++
	}
}

// lookup returns the live node of a word's exact bytes, as gse's trie jump
// finds it, or 0.
func (l *lexicon) lookup(word string) uint32 {
	n := uint32(0)
	for _, r := range word {
		if n = l.child(n, r); n == 0 || l.nodes[n].live == 0 {
			return 0
		}
	}
	return n
}

// find is gse's Dictionary.Find: a word's frequency and tag; ok with a zero
// frequency for a prefix of a word.
func (l *lexicon) find(word string) (float64, string, bool) {
	n := l.lookup(word)
	if n == 0 {
		return 0, "", false
	}
	if w := l.nodes[n].word; w >= 0 {
		return l.words[w].freq, l.tags[l.words[w].tag], true
	}
	return 0, "", true
}

// add adds a word as gseDict.add does: its distance is computed against
// the total as it is before the word, summed the way gse's throwaway
// dictionary sums it.
func (l *lexicon) add(word string, freq float64, tag string) error {
	total := 0 + freq
	if rest := l.total - freq; rest > 0 {
		total += rest
	}
	w := lexWord{freq: freq, tag: l.tag(tag),
		dist: float32(math.Log2(total)) - float32(math.Log2(freq))}
	l.addKey(keyOf(word), w)
	return nil
}

// remove is gse's RemoveToken of a word that is there.
func (l *lexicon) remove(word string) error {
	key := keyOf(word)
	n := l.lookup(key)
	if n == 0 || l.nodes[n].word < 0 {
		return nil
	}
	l.nodes[n].word = -1
	l.nodes[0].live--
	p := uint32(0)
	for _, r := range key {
		p = l.child(p, r)
		l.nodes[p].live--
	}
	return nil
}

// cut is gse's Cut(text): its segmentWords in normal mode, over the units
// of SplitTextToWords (a run of letters and digits of one or two bytes
// each is one unit, any other rune is one). It appends the pieces, which
// are substrings of text, to out.
func (l *lexicon) cut(text string, out []string) []string {
	if text == "" {
		return out
	}
	// The runes (ASCII lower-cased, as gse's units are), each one's byte
	// offset, and where each unit starts, in runes; a clause of up to 64
	// runes needs no allocation.
	var rbuf [64]rune
	var obuf, ubuf [65]int32
	runes, offs, units := rbuf[:0], obuf[:0], ubuf[:0]
	inRun := false
	for i, r := range text {
		run := false
		if r < utf8.RuneSelf {
			if run = isASCIIAlnum(byte(r)); run && r <= 'Z' && r >= 'A' {
				r += 'a' - 'A'
			}
		} else {
			run = r < 0x800 && (unicode.IsLetter(r) || unicode.IsNumber(r))
		}
		if !run || !inRun {
			units = append(units, int32(len(runes)))
		}
		inRun = run
		runes = append(runes, r)
		offs = append(offs, int32(i))
	}
	units = append(units, int32(len(runes)))
	offs = append(offs, int32(len(text)))
	n := len(units) - 1
	type jumper struct {
		dist float32
		len  int32 // in units
	}
	var jbuf [64]jumper
	var jumpers []jumper
	if n <= len(jbuf) {
		jumpers = jbuf[:n]
	} else {
		jumpers = make([]jumper, n)
	}
	update := func(j *jumper, base, dist float32, units int32) {
		d := base + dist
		if j.dist == 0 || j.dist > d {
			j.dist, j.len = d, units
		}
	}
	for cur := 0; cur < n; cur++ {
		var base float32
		if cur > 0 {
			base = jumpers[cur-1].dist
		}
		node := uint32(0)
		single := false
	walk:
		for k := cur; k < n; k++ {
			for _, r := range runes[units[k]:units[k+1]] {
				if node = l.child(node, r); node == 0 || l.nodes[node].live == 0 {
					break walk
				}
			}
			if w := l.nodes[node].word; w >= 0 {
				update(&jumpers[k], base, l.nodes[node].dist, int32(k-cur+1))
				if k == cur {
					single = true
				}
			}
		}
		if !single {
			update(&jumpers[cur], base, pseudoDist, 1)
		}
	}
	first := len(out)
	for end := n; end > 0; {
		start := end - int(jumpers[end-1].len)
		out = append(out, text[offs[units[start]]:offs[units[end]]])
		end = start
	}
	// The pieces were appended last to first.
	for i, j := first, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// suggestFreq is gse's SuggestFreq(word): one more than the frequency that
// makes the word as likely as the product of its parts as gse's
// cutDAGNoHMM cuts it, or the word's own frequency if higher.
func (l *lexicon) suggestFreq(word string) float64 {
	freq := 1.0
	for _, part := range l.cutDAG(word) {
		if v, _, ok := l.find(part); ok {
			freq *= v
		}
		freq /= l.total
	}
	freq, _ = math.Modf(freq * l.total)
	freq++
	if v, _, ok := l.find(word); ok && v > freq {
		freq = v
	}
	return freq
}

// cutDAG is gse's cutDAGNoHMM (jieba's DAG and maximum-probability route
// without HMM), which only suggestFreq uses, on a word's few runes.
func (l *lexicon) cutDAG(str string) []string {
	runes := []rune(strings.ToLower(str))
	n := len(runes)
	dag := make([][]int, n)
	for k := range n {
		for i := k; i < n; i++ {
			freq, _, ok := l.find(string(runes[k : i+1]))
			if !ok {
				break
			}
			if freq > 0 {
				dag[k] = append(dag[k], i)
			}
		}
		if len(dag[k]) == 0 {
			dag[k] = append(dag[k], k)
		}
	}
	type route struct {
		freq  float64
		index int
		set   bool
	}
	rs := make([]route, n+1)
	logT := math.Log(l.total)
	for idx := n - 1; idx >= 0; idx-- {
		for _, i := range dag[idx] {
			var r route
			if freq, _, ok := l.find(string(runes[idx : i+1])); ok {
				r = route{math.Log(freq) - logT + rs[i+1].freq, i, true}
			} else {
				r = route{math.Log(1.0) - logT + rs[i+1].freq, i, true}
			}
			if v := rs[idx]; !v.set || v.freq < r.freq || (v.freq == r.freq && v.index < r.index) {
				rs[idx] = r
			}
		}
	}
	var out []string
	var buf []rune
	for x := 0; x < n; {
		y := rs[x].index + 1
		frag := runes[x:y]
		if len(frag) == 1 && frag[0] < utf8.RuneSelf && isASCIIAlnum(byte(frag[0])) {
			buf = append(buf, frag...)
			x = y
			continue
		}
		if len(buf) > 0 {
			out = append(out, string(buf))
			buf = buf[:0]
		}
		out = append(out, string(frag))
		x = y
	}
	if len(buf) > 0 {
		out = append(out, string(buf))
	}
	return out
}
