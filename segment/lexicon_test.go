package segment

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/go-ego/gse"

	triage "github.com/triagehq/triage"
)

// gseOnce is a Segmenter that cuts with gse's own plain Cut: the reference
// the lexicon must match word for word.
var gseOnce = sync.OnceValues(func() (*Segmenter, error) { return New(Options{gse: true, NoCache: true}) })

func gseSegmenter(tb testing.TB) *Segmenter {
	tb.Helper()
	s, err := gseOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestLexiconMatchesGSE checks that the lexicon holds gse's dictionary
// exactly: every word of gse's with its frequency and tag, no other word,
// the same total, and the same distance as gse gives each word.
func TestLexiconMatchesGSE(t *testing.T) {
	var g gse.Segmenter
	g.NotLoadHMM = true
	if err := g.LoadDictEmbed("zh_s"); err != nil {
		t.Fatal(err)
	}
	l := newLexicon()
	if got, want := l.total, g.Dict.TotalFreq(); got != want {
		t.Errorf("total frequency %v, gse %v", got, want)
	}
	if got, want := int(l.nodes[0].live), g.Dict.NumTokens(); got != want {
		t.Errorf("%d words, gse %d", got, want)
	}
	bad := 0
	for _, tok := range g.Dict.Tokens {
		f, tag, ok := l.find(tok.Text())
		if !ok || f != tok.Freq() || tag != tok.Pos() {
			if bad++; bad <= 10 {
				t.Errorf("%q: lexicon has %v %q %v, gse %v %q", tok.Text(), f, tag, ok, tok.Freq(), tok.Pos())
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d words differ", bad, len(g.Dict.Tokens))
	}
}

// TestLexiconCutsAsGSE cuts texts of the shared data with the lexicon and
// with gse's plain Cut, through Words and Tokens (which add the sub-words
// the dictionary finds), and wants the same words: the benchmark corpus
// (4 MiB taken round robin from every file) and every text of the
// smaller sets; SEGMENT_PARITY_ALL=1 adds every text of every set.
func TestLexiconCutsAsGSE(t *testing.T) {
	benchCorpus(t) // skips without the shared data
	ref := gseSegmenter(t)
	lex, err := New(Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	sets := []string{"smp2017_intent", "taidi2020_messages", "bq_similar", "afqmc_similar"}
	if os.Getenv("SEGMENT_PARITY_ALL") != "" {
		dirs, _ := filepath.Glob(filepath.Join(sharedDataDir, "*"))
		sets = sets[:0]
		for _, d := range dirs {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				sets = append(sets, filepath.Base(d))
			}
		}
	}
	cases := []struct {
		name string
		docs func(t *testing.T) []string
	}{{"corpus", func(t *testing.T) []string { return benchCorpus(t) }}}
	for _, set := range sets {
		cases = append(cases, struct {
			name string
			docs func(t *testing.T) []string
		}{set, func(t *testing.T) []string {
			files, err := filepath.Glob(filepath.Join(sharedDataDir, set, "*.jsonl"))
			if err != nil || len(files) == 0 {
				t.Skipf("SKIP: no %s in the shared data", set)
			}
			var docs []string
			for _, f := range files {
				d, err := readDocs(f)
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, d...)
			}
			return docs
		}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := c.docs(t)
			bad := 0
			for _, d := range docs {
				if got, want := lex.Words(d), ref.Words(d); !slices.Equal(got, want) {
					if bad++; bad <= 5 {
						t.Errorf("Words(%.80q):\nlexicon %q\ngse     %q", d, got, want)
					}
					continue
				}
				if got, want := lex.Tokens(d), ref.Tokens(d); !slices.Equal(got, want) {
					if bad++; bad <= 5 {
						t.Errorf("Tokens(%.80q):\nlexicon %v\ngse     %v", d, got, want)
					}
				}
			}
			t.Logf("%d texts, %d differ", len(docs), bad)
		})
	}
}

// FuzzLexiconCut cuts any normalised text with the lexicon and with gse's
// plain Cut and wants the same pieces. The seeds run in every go test;
// explore with: go test ./segment -run '^$' -fuzz FuzzLexiconCut -fuzztime 1m
func FuzzLexiconCut(f *testing.F) {
	for _, s := range []string{"", "a", "我的物流信息一直没更新", "iPhone13Pro的4S店", "ab中cd 12.5元", "αβγ中文ДА", "２０２４年", "\xff\xfe中", "手机号码归属地查询"} {
		f.Add(s)
	}
	ref := gseSegmenter(f)
	lex := benchSegmenter(f, false)
	f.Fuzz(func(t *testing.T, in string) {
		norm := Normalize(in)
		ref.mu.RLock()
		want := ref.dict.cut(norm, nil)
		ref.mu.RUnlock()
		lex.mu.RLock()
		got := lex.dict.cut(norm, nil)
		lex.mu.RUnlock()
		if !slices.Equal(got, want) {
			t.Fatalf("cut(%q):\nlexicon %q\ngse     %q", norm, got, want)
		}
	})
}

// TestLexiconEditsAsGSE applies the same dictionary edits to both and
// wants the same frequencies and cuts after each: user words with and
// without a frequency, a built-in word changed and restored, a word and
// its prefix removed.
func TestLexiconEditsAsGSE(t *testing.T) {
	ref, err := New(Options{gse: true, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	lex, err := New(Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"我的物流信息一直没更新", "极光Pro手环的手机号码归属地查询不到", "还没到账,退款0.05元", "账号被冻结了怎么解冻",
		"iphone13pro的4S店在哪里", "花呗分期还款", "手机号码归属地查询"}
	steps := []struct {
		name string
		do   func(s *Segmenter) error
	}{
		{"none", func(*Segmenter) error { return nil }},
		{"add without freq", func(s *Segmenter) error {
			return s.AddWords(triage.DictWord{Word: "极光Pro手环"}, triage.DictWord{Word: "手机号码归属"}, triage.DictWord{Word: "解冻账号"})
		}},
		{"add with freq", func(s *Segmenter) error {
			return s.AddWords(triage.DictWord{Word: "物流", Freq: 7, Tag: "n"}, triage.DictWord{Word: "信息一直", Freq: 100000})
		}},
		{"remove built-in", func(s *Segmenter) error { return s.RemoveWord("物流") }},
		{"remove prefix", func(s *Segmenter) error { return s.RemoveWord("手机号码归属") }},
		{"add again", func(s *Segmenter) error { return s.AddWords(triage.DictWord{Word: "手机号码归属", Freq: 3}) }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(ref); err != nil {
				t.Fatal(err)
			}
			if err := st.do(lex); err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"物流", "极光pro手环", "手机号码归属", "手机号码", "手机号码归", "解冻账号", "信息一直"} {
				rf, rt, rok := ref.dict.find(w)
				lf, lt, lok := lex.dict.find(w)
				if rf != lf || rt != lt || rok != lok {
					t.Errorf("find(%q): lexicon %v %q %v, gse %v %q %v", w, lf, lt, lok, rf, rt, rok)
				}
				if r, l := ref.dict.suggestFreq(w), lex.dict.suggestFreq(w); r != l {
					t.Errorf("suggestFreq(%q): lexicon %v, gse %v", w, l, r)
				}
			}
			for _, text := range texts {
				if got, want := lex.Tokens(text), ref.Tokens(text); !slices.Equal(got, want) {
					t.Errorf("Tokens(%q):\nlexicon %v\ngse     %v", text, got, want)
				}
			}
		})
	}
}
