// Package classify decides what a ticket is about: a trained linear text
// model (TF-IDF features over words and character n-grams, multinomial
// logistic regression) that gives every category a probability, plus the
// keyword rules, priority and routing that build on it.
//
// The package does no I/O. Words come from the triage.Segmenter it is given,
// so the classifier sees exactly the words the rules and the search see.
package classify

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// FeatureOptions chooses the TF-IDF features. The zero value gives the
// defaults, which were tuned on the shared Chinese classification sets.
type FeatureOptions struct {
	// WordNgrams is the longest run of adjacent segmenter words used as a
	// feature: 1 for single words, 2 to add word bigrams. 0 means 2; a
	// negative value turns word features off.
	WordNgrams int `json:"word_ngrams"`
	// CharMin and CharMax bound the character n-grams of the normalised
	// text. 0 means 1 and 3; a negative CharMax turns them off.
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// WordMinDF and CharMinDF drop features seen in fewer training
	// documents. 0 means automatic: 1 when the median training text is
	// shorter than ShortText runes, else 2. A one-line request has only a
	// handful of n-grams, and a rare one is often the only clue; a long
	// text has hundreds, and the ones no other text shares mostly let
	// the model memorise that one example instead of learning shared
	// evidence. Against min_df 2 everywhere, 1 everywhere, 3×5-fold
	// cross-validated macro-F1 on the shared sets: smp2017 (median 8
	// runes) +1.3 points, taidi2020 (median 213) -5.5.
	WordMinDF int `json:"word_min_df"`
	CharMinDF int `json:"char_min_df"`
	// CharWeight scales the character block against the word block (each
	// block is L2-normalised on its own, as in a scikit-learn
	// FeatureUnion). 0 means 2: character n-grams do not depend on
	// where the segmenter cuts. Against 1, by 3×5-fold cross-validation:
	// smp2017 +0.6 macro-F1 points, taidi2020 -0.6 (its noise is ±5);
	// on both dev splits 2 is ahead.
	CharWeight float64 `json:"char_weight"`
	// WholeWords takes single-word features from the segmenter's Words
	// alone. By default they come from its Tokens, which add the
	// dictionary words inside long words (手机号码 also counts as 手机
	// and 号码), so that a text saying 手机号 shares a feature with one
	// saying 手机号码 (taidi2020 +1.5 points by cross-validation,
	// smp2017 -0.1). Bigrams always join adjacent whole words.
	WholeWords bool `json:"whole_words"`
}

// ShortText is the median length, in runes, under which the automatic
// minimum document frequency keeps every n-gram.
const ShortText = 20

func (o FeatureOptions) withDefaults() FeatureOptions {
	if o.WordNgrams == 0 {
		o.WordNgrams = 2
	}
	if o.CharMin == 0 {
		o.CharMin = 1
	}
	if o.CharMax == 0 {
		o.CharMax = 3
	}
	if o.CharWeight == 0 {
		o.CharWeight = 2
	}
	return o
}

func (o FeatureOptions) validate() error {
	switch {
	case o.WordNgrams > 2:
		return triage.Invalid("features.word_ngrams", "word n-grams longer than 2 are not supported, got %d", o.WordNgrams)
	case o.CharMax >= 0 && (o.CharMin < 1 || o.CharMin > o.CharMax || o.CharMax > 8):
		return triage.Invalid("features.char_max", "character n-grams need 1 <= char_min <= char_max <= 8, got %d..%d", o.CharMin, o.CharMax)
	case o.WordNgrams < 0 && o.CharMax < 0:
		return triage.Invalid("features", "both word and character features are turned off")
	case o.WordMinDF < 0 || o.CharMinDF < 0:
		return triage.Invalid("features.min_df", "minimum document frequency must not be negative")
	case o.CharWeight < 0 || math.IsNaN(o.CharWeight) || math.IsInf(o.CharWeight, 0):
		return triage.Invalid("features.char_weight", "character weight must be a non-negative number")
	}
	return nil
}

// SparseVector is a feature vector: Index is strictly increasing.
type SparseVector struct {
	Index []int32
	Value []float32
}

// Featurizer maps a text to its TF-IDF vector over a vocabulary fitted on
// training texts. It is safe for concurrent use if its segmenter is.
type Featurizer struct {
	seg  triage.Segmenter
	opts FeatureOptions

	// Words get a slot whether or not they are a unigram feature, so that
	// a word bigram is looked up by the pair of slots without building a
	// string.
	slots   map[string]int32
	slotStr []string // slot → word, for saving
	unigram []int32  // slot → feature index, or -1
	bigrams map[uint64]int32
	chars   map[string]int32
	// Features [0, nWord) are word features, [nWord, len(idf)) characters.
	nWord int
	idf   []float32

	// Read-only indexes built from the maps above by index(), for the
	// lookups of every prediction: bigramTab by the same keys, charTab by
	// packed code points (nil when an n-gram does not pack, and then the
	// string map is used).
	bigramTab *idTable
	charTab   *idTable

	pool sync.Pool // *featScratch
}

type featScratch struct {
	ids   []int32
	offs  []int
	runes []rune
	// dedup is a small open-addressing set of feature indices (-1 empty)
	// and cnt the occurrences of each distinct feature, in first-seen
	// order: counting them this way is cheaper than sorting.
	dedup []int32
	place []int32
	cnt   []int32
}

// index builds the lookup tables of f from its maps. It is called once
// when the vocabulary is fitted or loaded.
func (f *Featurizer) index() {
	f.bigramTab = newIDTable(len(f.bigrams))
	for k, fi := range f.bigrams {
		f.bigramTab.put(k, fi)
	}
	f.charTab = nil
	if f.opts.CharMax <= 0 || f.opts.CharMax > packedMaxRunes {
		return
	}
	t := newIDTable(len(f.chars))
	var rs []rune
	for g, fi := range f.chars {
		if !utf8.ValidString(g) {
			return
		}
		rs = append(rs[:0], []rune(g)...)
		if len(rs) == 0 || len(rs) > packedMaxRunes || !t.put(packRunes(rs), fi) {
			return
		}
	}
	f.charTab = t
}

// Dim returns the number of features.
func (f *Featurizer) Dim() int { return len(f.idf) }

// Options returns the feature options with defaults filled in.
func (f *Featurizer) Options() FeatureOptions { return f.opts }

// Transform returns the L2-normalised TF-IDF vector of text.
func (f *Featurizer) Transform(text string) SparseVector {
	d := segmentDoc(f.seg, f.opts, text)
	var v SparseVector
	f.vectorize(d, &v)
	return v
}

// docText is a document after segmentation. Training keeps these so that
// fitting the vocabulary and vectorising segment each text only once.
type docText struct {
	norm string
	// words are the word unigrams in order; whole[k] says whether
	// words[k] is a whole word rather than a sub-word of the word before
	// it. whole is nil when all are whole words.
	words []string
	whole []bool
}

func (d *docText) isWhole(k int) bool { return d.whole == nil || d.whole[k] }

// normalizedTokenizer is a segmenter that can cut text it has normalised
// already (segment.Segmenter can), sparing a second Normalize.
type normalizedTokenizer interface {
	TokensNormalized(norm string) []triage.Term
}

func segmentDoc(seg triage.Segmenter, opts FeatureOptions, text string) docText {
	d := docText{norm: seg.Normalize(text)}
	switch {
	case opts.WordNgrams <= 0:
	case !opts.WholeWords:
		var terms []triage.Term
		if n, ok := seg.(normalizedTokenizer); ok {
			terms = n.TokensNormalized(d.norm)
		} else {
			terms = seg.Tokens(text)
		}
		d.words = make([]string, len(terms))
		d.whole = make([]bool, len(terms))
		for k, t := range terms {
			d.words[k] = t.Text
			// Sub-words follow their word at the same position.
			d.whole[k] = k == 0 || t.Position != terms[k-1].Position
		}
	default:
		d.words = seg.Words(text)
	}
	return d
}

func bigramKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// vectorize sets v to the features of one document, reusing v's slices;
// the features are in increasing order. It is the form training and
// Transform use.
func (f *Featurizer) vectorize(d docText, v *SparseVector) {
	f.features(d, v, true)
}

// features sets v to the features of d. sorted asks for increasing
// feature order; without it they come in first-seen order, which is all
// that scoring needs and spares a sort.
func (f *Featurizer) features(d docText, v *SparseVector, sorted bool) {
	s, _ := f.pool.Get().(*featScratch)
	if s == nil {
		s = &featScratch{}
	}
	ids := s.ids[:0]
	if f.opts.WordNgrams > 0 {
		prev := int32(-1)
		for k, w := range d.words {
			whole := d.isWhole(k)
			slot, ok := f.slots[w]
			if !ok {
				if whole {
					prev = -1
				}
				continue
			}
			if fi := f.unigram[slot]; fi >= 0 {
				ids = append(ids, fi)
			}
			if !whole {
				continue
			}
			if f.opts.WordNgrams > 1 && prev >= 0 {
				if fi, ok := f.bigramTab.get(bigramKey(prev, slot)); ok {
					ids = append(ids, fi)
				}
			}
			prev = slot
		}
	}
	if norm := d.norm; f.opts.CharMax > 0 && len(f.chars) > 0 {
		if f.charTab != nil && utf8.ValidString(norm) {
			ids = f.charFeatures(norm, s, ids)
		} else {
			ids = f.charFeaturesByString(norm, s, ids)
		}
	}
	s.ids = ids
	var wnorm, cnorm float64
	if sorted {
		wnorm, cnorm = f.weighSorted(ids, v)
	} else {
		wnorm, cnorm = f.weighUnsorted(ids, s, v)
	}
	f.normalize(v, wnorm, cnorm)
	f.pool.Put(s)
}

// charFeatures appends the character n-gram features of norm (valid
// UTF-8) found through the packed table.
func (f *Featurizer) charFeatures(norm string, s *featScratch, ids []int32) []int32 {
	rs := s.runes[:0]
	for _, r := range norm {
		rs = append(rs, r)
	}
	s.runes = rs
	lo, hi := f.opts.CharMin, f.opts.CharMax
	for i := range rs {
		var key uint64
		for n := 1; n <= hi && i+n <= len(rs); n++ {
			key = key<<21 | uint64(rs[i+n-1]+1)
			if n < lo {
				continue
			}
			fi, ok := f.charTab.get(key)
			if !ok {
				// A longer n-gram is in no more documents than its
				// prefix, so with one min_df for all lengths it
				// cannot be in the vocabulary either.
				break
			}
			ids = append(ids, fi)
		}
	}
	return ids
}

// charFeaturesByString is charFeatures through the string map, for
// n-grams too long to pack and text that is not valid UTF-8.
func (f *Featurizer) charFeaturesByString(norm string, s *featScratch, ids []int32) []int32 {
	offs := runeOffsets(norm, s.offs[:0])
	s.offs = offs
	nr := len(offs) - 1
	for i := range nr {
		for n := f.opts.CharMin; n <= f.opts.CharMax && i+n <= nr; n++ {
			fi, ok := f.chars[norm[offs[i]:offs[i+n]]]
			if !ok {
				break // as in charFeatures
			}
			ids = append(ids, fi)
		}
	}
	return ids
}

// tfidf is the sublinear TF-IDF weight of a feature seen c times.
func (f *Featurizer) tfidf(fi int32, c int) float64 {
	if c == 1 {
		return float64(f.idf[fi])
	}
	return (1 + math.Log(float64(c))) * float64(f.idf[fi])
}

// weighSorted sets v to the distinct ids, sorted, with their TF-IDF, and
// returns the squared norms of the word and the character block.
func (f *Featurizer) weighSorted(ids []int32, v *SparseVector) (wnorm, cnorm float64) {
	slices.Sort(ids)
	v.Index, v.Value = v.Index[:0], v.Value[:0]
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[i] {
			j++
		}
		x := f.tfidf(ids[i], j-i)
		if int(ids[i]) < f.nWord {
			wnorm += x * x
		} else {
			cnorm += x * x
		}
		v.Index = append(v.Index, ids[i])
		v.Value = append(v.Value, float32(x))
		i = j
	}
	return wnorm, cnorm
}

// weighUnsorted is weighSorted with the ids in first-seen order, counting
// repeats in a small hash set instead of sorting.
func (f *Featurizer) weighUnsorted(ids []int32, s *featScratch, v *SparseVector) (wnorm, cnorm float64) {
	size := 16
	for size < 2*len(ids) {
		size *= 2
	}
	if cap(s.dedup) < size {
		s.dedup, s.place = make([]int32, size), make([]int32, size)
	}
	dedup, place := s.dedup[:size], s.place[:size]
	for i := range dedup {
		dedup[i] = -1
	}
	mask := uint32(size - 1)
	v.Index, v.Value = v.Index[:0], v.Value[:0]
	cnt := s.cnt[:0]
	for _, fi := range ids {
		h := (uint32(fi) * 0x9E3779B1) & mask
		for dedup[h] >= 0 && dedup[h] != fi {
			h = (h + 1) & mask
		}
		if dedup[h] == fi {
			cnt[place[h]]++
			continue
		}
		dedup[h], place[h] = fi, int32(len(cnt))
		v.Index = append(v.Index, fi)
		cnt = append(cnt, 1)
	}
	for k, fi := range v.Index {
		x := f.tfidf(fi, int(cnt[k]))
		if int(fi) < f.nWord {
			wnorm += x * x
		} else {
			cnorm += x * x
		}
		v.Value = append(v.Value, float32(x))
	}
	s.cnt = cnt
	return wnorm, cnorm
}

// normalize scales the word block and the character block of v, whose
// squared norms are wnorm and cnorm, to unit length each, the character
// block then by CharWeight.
func (f *Featurizer) normalize(v *SparseVector, wnorm, cnorm float64) {
	ws, cs := 0.0, 0.0
	if wnorm > 0 {
		ws = 1 / math.Sqrt(wnorm)
	}
	if cnorm > 0 {
		cs = f.opts.CharWeight / math.Sqrt(cnorm)
	}
	for k, fi := range v.Index {
		if int(fi) < f.nWord {
			v.Value[k] = float32(float64(v.Value[k]) * ws)
		} else {
			v.Value[k] = float32(float64(v.Value[k]) * cs)
		}
	}
}

// runeOffsets returns the byte offset of every rune of s and len(s) last.
func runeOffsets(s string, buf []int) []int {
	for i := range s {
		buf = append(buf, i)
	}
	return append(buf, len(s))
}

// FitFeaturizer fits the vocabulary and IDF of texts.
func FitFeaturizer(ctx context.Context, seg triage.Segmenter, texts []string, opts FeatureOptions) (*Featurizer, error) {
	opts, docs, err := segmentAll(ctx, seg, texts, opts, 0, nil)
	if err != nil {
		return nil, err
	}
	return fitVocabulary(ctx, seg, docs, opts, 0)
}

// segmentAll checks opts, segments texts once for all the fits that
// follow, and settles the automatic options, which depend on the texts.
// progress, if set, is called with the number of texts done so far.
func segmentAll(ctx context.Context, seg triage.Segmenter, texts []string, opts FeatureOptions, workers int, progress func(int)) (FeatureOptions, []docText, error) {
	if seg == nil {
		return opts, nil, triage.Invalid("segmenter", "a segmenter is required")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return opts, nil, err
	}
	if len(texts) == 0 {
		return opts, nil, triage.Invalid("examples", "no training texts")
	}
	docs := make([]docText, len(texts))
	err := parallelBlocks(ctx, len(texts), 64, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			docs[i] = segmentDoc(seg, opts, texts[i])
		}
	}, progress)
	if err != nil {
		return opts, nil, err
	}
	if opts.WordMinDF == 0 || opts.CharMinDF == 0 {
		auto := 2
		if medianRunes(docs) < ShortText {
			auto = 1
		}
		if opts.WordMinDF == 0 {
			opts.WordMinDF = auto
		}
		if opts.CharMinDF == 0 {
			opts.CharMinDF = auto
		}
	}
	return opts, docs, nil
}

// fitVocabulary fits the vocabulary and IDF of segmented documents; opts
// must be settled by segmentAll.
func fitVocabulary(ctx context.Context, seg triage.Segmenter, docs []docText, opts FeatureOptions, workers int) (*Featurizer, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Document frequencies. Counts are integers, so merging the workers'
	// maps in any order gives the same result.
	type dfMaps struct {
		words, bigrams, chars map[string]int32
	}
	nw := min(workers, len(docs))
	parts := make([]dfMaps, nw)
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := dfMaps{map[string]int32{}, map[string]int32{}, map[string]int32{}}
			seen := map[string]struct{}{}
			var offs []int
			for i := w; i < len(docs); i += nw {
				d := &docs[i]
				clear(seen)
				prev := ""
				for k, wd := range d.words {
					if _, ok := seen[wd]; !ok {
						seen[wd] = struct{}{}
						m.words[wd]++
					}
					if !d.isWhole(k) {
						continue
					}
					if opts.WordNgrams > 1 && prev != "" {
						bg := prev + "\x00" + wd
						if _, ok := seen[bg]; !ok {
							seen[bg] = struct{}{}
							m.bigrams[bg]++
						}
					}
					prev = wd
				}
				if opts.CharMax > 0 {
					clear(seen)
					offs = runeOffsets(d.norm, offs[:0])
					nr := len(offs) - 1
					for s := range nr {
						for n := opts.CharMin; n <= opts.CharMax && s+n <= nr; n++ {
							g := d.norm[offs[s]:offs[s+n]]
							if _, ok := seen[g]; !ok {
								seen[g] = struct{}{}
								m.chars[g]++
							}
						}
					}
				}
			}
			parts[w] = m
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	merge := func(get func(dfMaps) map[string]int32) map[string]int32 {
		out := get(parts[0])
		for _, p := range parts[1:] {
			for k, c := range get(p) {
				out[k] += c
			}
		}
		return out
	}
	wdf := merge(func(m dfMaps) map[string]int32 { return m.words })
	bdf := merge(func(m dfMaps) map[string]int32 { return m.bigrams })
	cdf := merge(func(m dfMaps) map[string]int32 { return m.chars })

	// Sorted keys give feature indices that depend only on the data.
	// Indices follow falling document frequency (ties by text), so that
	// the weight rows of common features sit together in memory: scoring
	// reads one row per feature, and hot rows then share cache lines.
	keep := func(df map[string]int32, minDF int) []string {
		var ks []string
		for k, c := range df {
			if int(c) >= minDF {
				ks = append(ks, k)
			}
		}
		slices.SortFunc(ks, func(a, b string) int { return cmp.Or(cmp.Compare(df[b], df[a]), strings.Compare(a, b)) })
		return ks
	}
	f := &Featurizer{seg: seg, opts: opts, slots: map[string]int32{}, bigrams: map[uint64]int32{}, chars: map[string]int32{}}
	n := float64(len(docs))
	idf := func(df int32) float32 { return float32(math.Log((1+n)/(1+float64(df))) + 1) }
	slot := func(w string) int32 {
		if s, ok := f.slots[w]; ok {
			return s
		}
		s := int32(len(f.slotStr))
		w = strings.Clone(w)
		f.slots[w] = s
		f.slotStr = append(f.slotStr, w)
		f.unigram = append(f.unigram, -1)
		return s
	}
	for _, w := range keep(wdf, opts.WordMinDF) {
		f.unigram[slot(w)] = int32(len(f.idf))
		f.idf = append(f.idf, idf(wdf[w]))
	}
	for _, bg := range keep(bdf, opts.WordMinDF) {
		a, b, _ := strings.Cut(bg, "\x00")
		f.bigrams[bigramKey(slot(a), slot(b))] = int32(len(f.idf))
		f.idf = append(f.idf, idf(bdf[bg]))
	}
	f.nWord = len(f.idf)
	for _, g := range keep(cdf, opts.CharMinDF) {
		f.chars[strings.Clone(g)] = int32(len(f.idf))
		f.idf = append(f.idf, idf(cdf[g]))
	}
	if len(f.idf) == 0 {
		return nil, triage.Invalid("examples", "the training texts yield no features")
	}
	f.index()
	return f, nil
}

func medianRunes(docs []docText) int {
	n := make([]int, len(docs))
	for i, d := range docs {
		n[i] = utf8.RuneCountInString(d.norm)
	}
	slices.Sort(n)
	return n[len(n)/2]
}

// csr is a row-compressed sparse matrix of training documents.
type csr struct {
	ptr []int
	idx []int32
	val []float32
}

func (f *Featurizer) matrix(ctx context.Context, docs []docText, workers int) (*csr, error) {
	rows := make([]SparseVector, len(docs))
	err := parallelBlocks(ctx, len(docs), 256, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f.vectorize(docs[i], &rows[i])
		}
	}, nil)
	if err != nil {
		return nil, err
	}
	m := &csr{ptr: make([]int, len(rows)+1)}
	for i, r := range rows {
		m.ptr[i+1] = m.ptr[i] + len(r.Index)
	}
	m.idx = make([]int32, m.ptr[len(rows)])
	m.val = make([]float32, m.ptr[len(rows)])
	for i, r := range rows {
		copy(m.idx[m.ptr[i]:], r.Index)
		copy(m.val[m.ptr[i]:], r.Value)
	}
	return m, nil
}

// parallelBlocks runs fn over [0,n) cut into fixed blocks of size block, on
// up to workers goroutines. Block boundaries do not depend on the number of
// workers, so results reduced per block are the same on any machine.
// progress, if set, gets the number of items finished, from one goroutine
// at a time.
func parallelBlocks(ctx context.Context, n, block, workers int, fn func(lo, hi int), progress func(int)) error {
	nb := (n + block - 1) / block
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, nb))
	next := make(chan int, nb)
	for b := range nb {
		next <- b
	}
	close(next)
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				if ctx.Err() != nil {
					return
				}
				lo, hi := b*block, min(n, (b+1)*block)
				fn(lo, hi)
				if progress != nil {
					mu.Lock()
					done += hi - lo
					progress(done)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
