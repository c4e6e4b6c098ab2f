package classify_test

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/segment"
)

// score normalises and segments raw text as the service does, then scores it.
func score(t *testing.T, raw string) classify.SentimentResult {
	t.Helper()
	seg, err := sentimentSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	text := seg.Normalize(raw)
	return classify.Sentiment(text, seg.Words(text))
}

func TestSentiment(t *testing.T) {
	tests := []struct {
		text     string
		label    string
		evidence []string // must all be in Evidence
	}{
		{"质量很好,非常满意", classify.SentimentPositive, []string{"非常满意"}},
		{"垃圾,气死我了!!!", classify.SentimentNegative, []string{"垃圾", "!!!"}},
		{"太慢了,没人管", classify.SentimentNegative, []string{"太慢", "没人管"}},
		{"不是很满意", classify.SentimentNegative, []string{"不是很满意"}},
		{"很不满意", classify.SentimentNegative, []string{"很不满意"}},
		{"一点也不好", classify.SentimentNegative, []string{"不好"}},
		{"没有问题,谢谢", classify.SentimentPositive, nil},
		{"价格不贵", classify.SentimentPositive, []string{"不贵"}},
		{"快递很快,但是客服态度太差", classify.SentimentNegative, []string{"很快", "太差"}},
		{"虽然价格有点贵,但是质量很好", classify.SentimentPositive, nil},
		{"希望下次包装好点", classify.SentimentNeutral, nil},
		{"怎么还没发货???", classify.SentimentNegative, []string{"???"}},
		{"请问发票怎么开", classify.SentimentNeutral, nil},
		{"好像是这个型号", classify.SentimentNeutral, nil},
		{"你好,好的,麻烦帮我查下订单", classify.SentimentNeutral, nil},
		{"不好意思,麻烦帮我查一下", classify.SentimentNeutral, nil},
		{"一晚上没睡好", classify.SentimentNegative, []string{"没睡好"}},
		{"店家发货的时候不看的吗,好几个都烂了", classify.SentimentNegative, []string{"烂"}},
		{"", classify.SentimentNeutral, nil},
		// The caller normalises: traditional and full-width input.
		{"垃圾產品，氣死我了！！！", classify.SentimentNegative, []string{"垃圾", "!!!"}},
		{"服務很好，非常滿意", classify.SentimentPositive, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := score(t, tt.text)
			if r.Label != tt.label {
				t.Errorf("label %s (score %.2f, evidence %q), want %s", r.Label, r.Score, r.Evidence, tt.label)
			}
			if r.Score < -1 || r.Score > 1 {
				t.Errorf("score %v is outside [-1, 1]", r.Score)
			}
			for _, e := range tt.evidence {
				if !slices.Contains(r.Evidence, e) {
					t.Errorf("evidence %q lacks %q", r.Evidence, e)
				}
			}
		})
	}
}

// TestSentimentOrder checks how modifiers move a score, not just its sign.
func TestSentimentOrder(t *testing.T) {
	tests := []struct{ weaker, stronger string }{
		{"太差了", "太差了!!!"},              // ! adds intensity
		{"失望", "非常失望"},                 // an intensifier
		{"不是很满意", "很不满意"},              // not very satisfied < very dissatisfied
		{"有点慢", "很慢"},                  // 有点 softens
		{"价格贵,质量差", "虽然价格贵,但是质量很差,垃圾"}, // more evidence
	}
	for _, tt := range tests {
		t.Run(tt.weaker+" < "+tt.stronger, func(t *testing.T) {
			w, s := score(t, tt.weaker), score(t, tt.stronger)
			if !(s.Score < w.Score && w.Score < 0) {
				t.Errorf("%s scores %.3f, %s %.3f: want both negative and the second lower", tt.weaker, w.Score, tt.stronger, s.Score)
			}
		})
	}
}

// TestSentimentWithoutWords covers callers without a segmenter: the text
// is matched against the lexicon character by character.
func TestSentimentWithoutWords(t *testing.T) {
	tests := []struct{ text, label string }{
		{"不是很满意", classify.SentimentNegative},
		{"质量不错,很喜欢", classify.SentimentPositive},
		{"快递到了", classify.SentimentNeutral},
		{"好像坏了", classify.SentimentNegative},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if r := classify.Sentiment(tt.text, nil); r.Label != tt.label {
				t.Errorf("label %s (%.2f, %q), want %s", r.Label, r.Score, r.Evidence, tt.label)
			}
		})
	}
}

// TestSentimentWordsNotInText: words from a segmenter that changed the text
// still count, without clause information.
func TestSentimentWordsNotInText(t *testing.T) {
	r := classify.Sentiment("", []string{"非常", "失望"})
	if r.Label != classify.SentimentNegative || !slices.Contains(r.Evidence, "失望") {
		t.Errorf("got %+v", r)
	}
}

func TestParseLexicon(t *testing.T) {
	tests := []struct {
		name, data, err string
	}{
		{"fine", "# c\n[negative]\n差 2\n[positive]\n好\n[negator]\n不\n[intensifier]\n很 1.5\n好 1.2\n", ""},
		{"unknown section", "[angry]\n差\n", "unknown section"},
		{"word before any section", "差\n", "before any [section]"},
		{"bad weight", "[negative]\n差 two\n", "not a number"},
		{"zero weight", "[negative]\n差 0\n", "not a number"},
		{"too many fields", "[negative]\n差 2 3\n", "optional weight"},
		{"too long", "[negative]\n这是一个非常非常长的负面短语啊\n", "longer than"},
		{"polar twice", "[negative]\n差\n[positive]\n差\n", "twice as a polar word"},
		{"modifier twice", "[negator]\n不\n[intensifier]\n不\n", "twice as a modifier"},
		{"neutral and polar", "[neutral]\n好像\n[positive]\n好像\n", "both neutral and polar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := classify.ParseLexicon(tt.data)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

// TestDefaultLexiconParses keeps the embedded file valid (DefaultLexicon
// panics otherwise) and in the normalised form the text is in.
func TestDefaultLexiconParses(t *testing.T) {
	data, err := os.ReadFile("sentiment_words.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := classify.ParseLexicon(string(data))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() < 500 {
		t.Errorf("%d entries; the lexicon should have several hundred", l.Len())
	}
	for line := range strings.Lines(string(data)) {
		w, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if w == "" || strings.HasPrefix(w, "#") || strings.HasPrefix(w, "[") {
			continue
		}
		if n := segment.Normalize(w); n != w || strings.ContainsFunc(w, unicode.IsPunct) {
			t.Errorf("%q is not in normalised form (%q) or holds punctuation", w, n)
		}
	}
	if a, b := classify.DefaultLexicon(), classify.DefaultLexicon(); a != b {
		t.Error("DefaultLexicon builds a new lexicon on every call")
	}
}

func TestSentimentConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if r := classify.Sentiment("垃圾,气死我了", []string{"垃圾", "气死我了"}); r.Label != classify.SentimentNegative {
					t.Errorf("got %+v", r)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkSentiment(b *testing.B) {
	seg, err := sentimentSegmenter()
	if err != nil {
		b.Fatal(err)
	}
	text := seg.Normalize(strings.Repeat("快递很快,但是客服态度太差了,问了三次都没人管,非常失望!!!", 6))
	words := seg.Words(text)
	b.ReportAllocs()
	for b.Loop() {
		classify.Sentiment(text, words)
	}
}
