package bleve

import (
	"reflect"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

// wordField is a word field of a bleve document whose term frequencies
// and positions were counted beforehand, on the goroutines that cut the
// text, from the segmenter's terms (and the length marker). Bleve's own
// TextField runs an analyzer and counts again on scorch's analysis queue,
// allocating a term and a location slice per distinct term; the memory
// postings then counted the same terms a third time. The frequencies are
// those bleve's analysis.TokenFrequency gives for the same tokens (a test
// holds them equal), so the segment is the same.
type wordField struct {
	name   string
	length int // tokens, the marker included
	plain  uint64
	freqs  index.TokenFrequencies
	// size is freqs.Size(), counted with them: scorch asks every field's
	// size, and freqs.Size() walks every term and location.
	size int
}

var _ document.Field = (*wordField)(nil)

// wordFieldOptions are the word fields' options: indexed with positions,
// which quoted phrases need, not stored (the text is stored normalised in
// its own field).
const wordFieldOptions = index.IndexField | index.IncludeTermVectors

func (f *wordField) Name() string                                     { return f.name }
func (f *wordField) ArrayPositions() []uint64                         { return nil }
func (f *wordField) Options() index.FieldIndexingOptions              { return wordFieldOptions }
func (f *wordField) Analyze()                                         {}
func (f *wordField) Value() []byte                                    { return nil }
func (f *wordField) NumPlainTextBytes() uint64                        { return f.plain }
func (f *wordField) EncodedFieldType() byte                           { return 't' }
func (f *wordField) AnalyzedLength() int                              { return f.length }
func (f *wordField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

var wordFieldSize = int(reflect.TypeFor[wordField]().Size())

// Size is what scorch counts against its memory statistics.
func (f *wordField) Size() int { return wordFieldSize + len(f.name) + f.size }

// Sizes of what TokenFrequencies.Size counts.
var (
	tokenFreqSize     = int(reflect.TypeFor[index.TokenFreq]().Size())
	tokenLocationSize = int(reflect.TypeFor[index.TokenLocation]().Size())
)

// termFreq is a distinct term of a field and how often it occurs there.
type termFreq struct {
	text string
	freq uint32
}

// countTerms returns what bleve's analysis.TokenFrequency gives for the
// token stream of terms with the length marker after them (positions from
// 1, the marker's 0), and the distinct terms without the marker in the
// order they first occur, with their frequencies, for the memory postings.
// It allocates a handful of slices per field rather than two per distinct
// term. It also returns what freqs.Size() would.
func countTerms(terms []triage.Term) (freqs index.TokenFrequencies, counted []termFreq, bytes int) {
	n := len(terms) + 1
	freqs = make(index.TokenFrequencies, n)
	// tfs never grows past n, so pointers into it stay valid.
	tfs := make([]index.TokenFreq, 0, n)
	which := make([]*index.TokenFreq, n)
	distinct := make([]termFreq, 0, n)
	termBytes := 0
	count := func(i int, text string) {
		tf := freqs[text]
		if tf == nil {
			tfs = append(tfs, index.TokenFreq{})
			tf = &tfs[len(tfs)-1]
			freqs[text] = tf
			distinct = append(distinct, termFreq{text: text})
			termBytes += len(text)
		}
		tf.SetFrequency(tf.Frequency() + 1)
		which[i] = tf
	}
	for i, t := range terms {
		count(i, t.Text)
	}
	// The memory postings' frequencies leave the marker out.
	for d := range distinct {
		distinct[d].freq = uint32(tfs[d].Frequency())
	}
	words := len(distinct)
	count(len(terms), marker)
	// Each distinct term's locations are a slice of one array, and its
	// text one slice of one buffer.
	locs := make([]index.TokenLocation, n)
	ptrs := make([]*index.TokenLocation, n)
	buf := make([]byte, 0, termBytes)
	off := 0
	for d := range tfs {
		tf := &tfs[d]
		f := tf.Frequency()
		tf.Locations = ptrs[off : off : off+f]
		off += f
		start := len(buf)
		buf = append(buf, distinct[d].text...)
		tf.Term = buf[start:len(buf):len(buf)]
	}
	for i, t := range terms {
		locs[i] = index.TokenLocation{Start: t.Start, End: t.End, Position: t.Position + 1}
		which[i].Locations = append(which[i].Locations, &locs[i])
	}
	which[len(terms)].Locations = append(which[len(terms)].Locations, &locs[len(terms)])
	// Each key and term once, each distinct term's entry and TokenFreq,
	// each location (without array positions).
	bytes = size.SizeOfMap + len(tfs)*(size.SizeOfString+size.SizeOfPtr+tokenFreqSize) + 2*len(buf) + n*tokenLocationSize
	return freqs, distinct[:words], bytes
}
