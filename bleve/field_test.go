package bleve

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"

	triage "github.com/triagehq/triage"
)

// TestCountTerms holds the frequencies counted beforehand to what bleve's
// own analysis gives for the same token stream (so the segments bleve
// writes are the same), and the memory postings' counts to the terms'.
func TestCountTerms(t *testing.T) {
	term := func(text string, pos, start int) triage.Term {
		return triage.Term{Text: text, Position: pos, Start: start, End: start + len(text)}
	}
	for _, c := range []struct {
		name  string
		terms []triage.Term
		want  []termFreq
	}{
		{"empty", nil, []termFreq{}},
		{"one", []triage.Term{term("退款", 0, 0)}, []termFreq{{"退款", 1}}},
		{"repeated", []triage.Term{term("退款", 0, 0), term("到账", 1, 6), term("退款", 2, 12), term("退款", 3, 18)},
			[]termFreq{{"退款", 3}, {"到账", 1}}},
		// A sub-word keeps its word's position.
		{"sub-words", []triage.Term{term("手机号", 0, 0), term("手机", 0, 0), term("手机", 1, 9)},
			[]termFreq{{"手机号", 1}, {"手机", 2}}},
		// A term that is the marker counts in bleve's frequencies, with the
		// marker, and in the memory postings' without it.
		{"marker as a term", []triage.Term{term(marker, 0, 0)}, []termFreq{{marker, 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			freqs, counted, size := countTerms(c.terms)
			want := analysis.TokenFrequency(stream(c.terms, true), nil, wordFieldOptions)
			if !reflect.DeepEqual(freqs, want) {
				t.Errorf("countTerms frequencies differ from bleve's:\n got %s\nwant %s", dumpFreqs(freqs), dumpFreqs(want))
			}
			if want := freqs.Size(); size != want {
				t.Errorf("countTerms size %d; want freqs.Size() %d", size, want)
			}
			if !reflect.DeepEqual(counted, c.want) {
				t.Errorf("countTerms counted %v; want %v", counted, c.want)
			}
		})
	}
}

func dumpFreqs(freqs index.TokenFrequencies) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(freqs)) {
		tf := freqs[k]
		fmt.Fprintf(&b, "%q:%q×%d", k, tf.Term, tf.Frequency())
		for _, l := range tf.Locations {
			fmt.Fprintf(&b, " %+v", *l)
		}
		b.WriteString("; ")
	}
	return b.String()
}
