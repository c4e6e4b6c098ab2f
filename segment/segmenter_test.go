package segment

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	triage "github.com/triagehq/triage"
)

func TestWords(t *testing.T) {
	s := testSegmenter(t, false)
	tests := []struct {
		name string
		in   string
		want []string // exactly these words, in order
	}{
		{"empty", "", []string{}},
		{"punctuation only", "！？。，…", []string{}},
		{"stop words and greetings removed", "您好，请问我的退款什么时候到账呢？谢谢", []string{"退款", "什么", "时候", "到账"}},
		{"domain words kept whole", "花呗提额失败，借呗逾期了怎么办", []string{"花呗", "提额", "失败", "借呗", "逾期", "怎么办"}},
		{"到账 wins over 没到", "钱还没到账", []string{"钱", "没", "到账"}},
		{"negations kept", "不满意，没有收到货，无法登录", []string{"不", "满意", "没有", "收到", "货", "无法", "登录"}},
		{"Latin lower-cased, numbers kept", "iPhone15 ＲＭＢ２９９ 退款", []string{"iphone15", "rmb299", "退款"}},
		{"decimal kept whole", "利率0.05%，借10000元", []string{"利率", "0.05", "借", "10000", "元"}},
		{"traditional input", "請問發票什麼時候寄出？", []string{"发票", "什么", "时候", "寄出"}},
		{"English stop words removed", "Please reset the password of my account", []string{"reset", "password", "account"}},
		{"English negation kept", "I can not login", []string{"not", "login"}},
		{"mixed: Latin runs between Chinese words", "checkout一直报error…会不会重复扣款", []string{"checkout", "一直", "报", "error", "会", "不会", "重复", "扣款"}},
		{"mixed: an English word before a Chinese verb", "App一直crash,蓝牙连不上手环", []string{"app", "一直", "crash", "蓝牙", "连不上", "手环"}},
		{"mixed: English words with a space", "tracking number查不到,快递一直没到", []string{"tracking", "number", "查不到", "快递", "一直", "没到"}},
		{"mixed: a hazard after an English word", "充电器overheat冒烟了", []string{"充电器", "overheat", "冒烟"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Words(tt.in)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDomainWordsKeptWhole(t *testing.T) {
	s := testSegmenter(t, false)
	for w := range wordLines(domainWords) {
		w = strings.Fields(w)[0]
		if got := s.Words(w); !slices.Equal(got, []string{w}) {
			t.Errorf("Words(%q) = %q, want the word whole", w, got)
		}
	}
}

func TestTokens(t *testing.T) {
	s := testSegmenter(t, false)
	tests := []struct {
		name string
		in   string
		want []string // text@position of every term, in order
	}{
		{"sub-words at the word's position", "手机号码", []string{"手机号码@0", "手机号@0", "手机@0", "号码@0"}},
		{"stop words take a position", "退款的进度", []string{"退款@0", "进度@2"}},
		{"punctuation takes none", "退款，进度", []string{"退款@0", "进度@1"}},
		{"no sub-words inside a Latin run", "iphone15", []string{"iphone15@0"}},
		{"two-rune words have no sub-words", "发票", []string{"发票@0"}},
		{"domain word sub-words", "快递单号", []string{"快递单号@0", "快递@0", "单号@0"}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, term := range s.Tokens(tt.in) {
				// gse's dictionary has 机号码 too (frequency 3); the test
				// need not pin its quirks.
				if term.Text != "机号码" {
					got = append(got, term.Text+"@"+strconv.Itoa(term.Position))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// The design's known miss: gse keeps 手机号码 whole, so without sub-words a
// search for 手机号 never finds it. Both sides go through Tokens, as they do
// in the bleve index and its queries.
func TestSubwordsMatchBothWays(t *testing.T) {
	s := testSegmenter(t, false)
	tests := []struct{ name, doc, query string }{
		{"short query finds long word", "请问怎么修改绑定的手机号码？", "手机号"},
		{"long query finds short word", "我的手机号换了，收不到验证码", "手机号码"},
		{"traditional query", "请问怎么修改绑定的手机号码？", "手機號"},
		{"part of a domain compound", "快递单号查不到物流信息", "单号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := map[string]bool{}
			for _, term := range s.Tokens(tt.doc) {
				doc[term.Text] = true
			}
			var shared []string
			for _, term := range s.Tokens(tt.query) {
				if doc[term.Text] {
					shared = append(shared, term.Text)
				}
			}
			if len(shared) == 0 {
				t.Errorf("no term of %q (%v) is among the terms of %q (%v)", tt.query, s.Tokens(tt.query), tt.doc, s.Tokens(tt.doc))
			}
		})
	}
}

func TestTokensInvariants(t *testing.T) {
	s := testSegmenter(t, false)
	docs := []string{
		"您好，請問我的ＩＰｈｏｎｅ１５退款單什麼時候到賬？  已經等了3天了！！",
		"退款单号RF-2024-001还没到账，不满意，我要投诉12315",
		"利率0.05%，借10000元一天多少钱",
		strings.Repeat("手机号码", 400), // longer than a chunk, without punctuation
		"\xff\xfe坏的字节\x00",
	}
	if testing.Short() {
		docs = docs[:3]
	} else if corpus, err := corpus(); err == nil {
		docs = append(docs, corpus[:2000]...)
	}
	for _, doc := range docs {
		checkTokens(t, s, doc)
	}
}

// checkTokens asserts what the index relies on: each term is the normalised
// text at its offsets, positions never go back, sub-words lie inside the word
// at their position, and the words (terms that open a position) are exactly
// what Words returns.
func checkTokens(t *testing.T, s *Segmenter, doc string) {
	t.Helper()
	norm := Normalize(doc)
	var words []string
	var word triage.Term
	for i, term := range s.Tokens(doc) {
		if term.Start < 0 || term.End > len(norm) || term.Start >= term.End || norm[term.Start:term.End] != term.Text {
			t.Fatalf("%q: term %+v is not the normalised text at its offsets", doc, term)
		}
		if i == 0 || term.Position > word.Position {
			word = term
			words = append(words, term.Text)
			continue
		}
		if term.Position < word.Position {
			t.Fatalf("%q: position goes back at %+v", doc, term)
		}
		if term.Start < word.Start || term.End > word.End || utf8.RuneCountInString(term.Text) < 2 || term.Text == word.Text {
			t.Fatalf("%q: sub-word %+v is not a proper part of %+v", doc, term, word)
		}
	}
	if got := s.Words(doc); !slices.Equal(words, got) {
		t.Fatalf("%q: Tokens' words %q differ from Words %q", doc, words, got)
	}
}

func TestChunks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"sentences and clauses", "退款了。进度?查询,好的", []string{"退款了", "进度", "查询", "好的"}},
		{"spaces and runs of punctuation", " a  b!!c ", []string{"a", "b", "c"}},
		{"SKU and decimals stay", "xr-200a 0.05% a/b", []string{"xr-200a", "0.05%", "a/b"}},
		{"only breaks", "。，!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for c := range chunks(tt.in) {
				if tt.in[c.start:c.start+len(c.text)] != c.text {
					t.Fatalf("chunk %q does not sit at offset %d", c.text, c.start)
				}
				got = append(got, c.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("chunks(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("long run is capped", func(t *testing.T) {
		long := strings.Repeat("号", 1000)
		n := 0
		for c := range chunks(long) {
			if len(c.text) > maxChunk || !utf8.ValidString(c.text) {
				t.Fatalf("chunk of %d bytes (valid UTF-8: %v)", len(c.text), utf8.ValidString(c.text))
			}
			n += len(c.text)
		}
		if n != len(long) {
			t.Fatalf("chunks cover %d of %d bytes", n, len(long))
		}
	})
}

func TestHMM(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a second dictionary")
	}
	s := testSegmenter(t, true)
	got := s.Words("您好，請問我的退款什麼時候到賬？")
	want := []string{"退款", "什么", "时候", "到账"}
	if !slices.Equal(got, want) {
		t.Errorf("Words with HMM = %q, want %q", got, want)
	}
	checkTokens(t, s, "退款单号RF-2024-001还没到账，利率0.05%")
}

func TestSegmenterNormalizeIsNormalize(t *testing.T) {
	var s *Segmenter // Normalize needs no dictionary, not even a Segmenter
	in := "臺灣ＡＢＣ  的颱風"
	if got, want := s.Normalize(in), Normalize(in); got != want {
		t.Fatalf("(*Segmenter).Normalize = %q, Normalize = %q", got, want)
	}
}

// TestLoadWaits calls a Segmenter that Load returned before its dictionary
// can have loaded and before Finish gave it the stored words: every call
// waits for the dictionary, the words of Options and those of Finish, and
// none cuts with part of the dictionary. A stored word the segmenter
// refuses is skipped, not a failure.
func TestLoadWaits(t *testing.T) {
	if testing.Short() {
		t.Skip("loads another dictionary")
	}
	s := Load(Options{Words: []triage.DictWord{{Word: "玄鸟听风耳机"}}})
	const text = "玄鸟听风耳机和星河云感手环充不进电"
	want := []string{"玄鸟听风耳机", "星河云感手环"}
	var wg sync.WaitGroup
	words := make([][]string, 4)
	for i := range words {
		wg.Go(func() {
			if i%2 == 0 {
				words[i] = s.Words(text)
				return
			}
			for _, term := range s.Tokens(text) {
				words[i] = append(words[i], term.Text)
			}
		})
	}
	var skipped []string
	s.Finish([]triage.DictWord{{Word: "x;y"}, {Word: "星河云感手环"}}, func(w triage.DictWord, err error) {
		skipped = append(skipped, w.Word)
	})
	wg.Wait()
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(skipped, []string{"x;y"}) {
		t.Errorf("skipped %q, want [x;y]", skipped)
	}
	for i, w := range words {
		for _, word := range want {
			if !slices.Contains(w, word) {
				t.Errorf("call %d cut %q into %q, without %q", i, text, w, word)
			}
		}
	}
	if err := s.RemoveWord("星河云感手环"); err != nil {
		t.Fatal(err)
	}
	if w := s.Words(text); slices.Contains(w, "星河云感手环") {
		t.Errorf("after RemoveWord %q is still one word: %q", "星河云感手环", w)
	}
}
