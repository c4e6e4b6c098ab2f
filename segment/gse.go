package segment

import "github.com/go-ego/gse"

// dictionary is a word list and the cut that uses it, as the Segmenter
// needs them: the lexicon in production, gse itself for the HMM mode (and,
// in tests, as the reference the lexicon must match). The Segmenter's lock
// guards it.
type dictionary interface {
	// find returns a word's frequency and tag; ok with a zero frequency
	// for a prefix of a word.
	find(word string) (freq float64, tag string, ok bool)
	// suggestFreq is gse's SuggestFreq of one word.
	suggestFreq(word string) float64
	// add adds a word that is not there (remove it first to change it).
	add(word string, freq float64, tag string) error
	// remove removes a word that is there.
	remove(word string) error
	// cut appends the pieces of text, which concatenated are text, to out.
	cut(text string, out []string) []string
}

// gseDict is gse's own segmenter: its HMM cut when hmm is set, else its
// plain Cut, which the lexicon reproduces.
type gseDict struct {
	seg gse.Segmenter
	hmm bool
}

// newGSEDict loads gse's embedded simplified-Chinese dictionary (about
// 1.5 s and 130 MiB, most of both for search-mode data no one reads).
func newGSEDict(hmm bool) (*gseDict, error) {
	d := &gseDict{hmm: hmm}
	// gse's HMM model lives in package variables and is used only by the
	// HMM cut: a plain segmenter neither needs nor rewrites it.
	d.seg.NotLoadHMM = !hmm
	if err := d.seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *gseDict) find(word string) (float64, string, bool) { return d.seg.Find(word) }

func (d *gseDict) suggestFreq(word string) float64 { return d.seg.SuggestFreq(word) }

func (d *gseDict) remove(word string) error { return d.seg.RemoveToken(word) }

func (d *gseDict) cut(text string, out []string) []string {
	if d.hmm {
		return append(out, d.seg.Cut(text, true)...)
	}
	return append(out, d.seg.Cut(text)...)
}

// add adds the word with the distance gse's plain Cut ranks paths by,
// -log2(freq/total), which only its CalcToken sets, and CalcToken
// recomputes every one of the 350,000 entries (1.5 s, with the dictionary
// locked). An entry built in a throwaway two-entry dictionary with the same
// total frequency carries the same distance, in microseconds.
func (d *gseDict) add(word string, freq float64, tag string) error {
	var one gse.Segmenter
	one.Dict = gse.NewDict()
	_ = one.Dict.AddToken(one.ToToken(word, freq, tag))
	if rest := d.seg.Dict.TotalFreq() - freq; rest > 0 {
		// Holds the rest of the total; with a space, it is never a word.
		_ = one.Dict.AddToken(one.ToToken("the rest", rest))
	}
	one.CalcToken()
	return d.seg.Dict.AddToken(one.Dict.Tokens[0])
}
