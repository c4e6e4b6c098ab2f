package segment

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	triage "github.com/triagehq/triage"
)

// editable is a segmenter of its own for the tests that edit the
// dictionary, so the shared one stays as New made it.
var editable = sync.OnceValues(func() (*Segmenter, error) { return New(Options{}) })

func editableSegmenter(t *testing.T) *Segmenter {
	t.Helper()
	s, err := editable()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAddRemoveWordChangesSegmentation(t *testing.T) {
	s := editableSegmenter(t)
	tests := []struct {
		name   string
		add    triage.DictWord
		remove string // as an admin might type it back
		text   string
		before []string
		after  []string
	}{
		{
			name: "product name", add: triage.DictWord{Word: "极光Pro手环"}, remove: "極光PRO手環",
			text:   "我的极光Pro手环什么时候发货",
			before: []string{"极光", "pro", "手环", "什么", "时候", "发货"},
			after:  []string{"极光pro手环", "什么", "时候", "发货"},
		},
		{
			name: "SKU with a hyphen", add: triage.DictWord{Word: "XR-200A", Freq: 5000, Tag: "nz"}, remove: "xr-200a",
			text:   "XR-200A屏幕碎了",
			before: []string{"xr", "200a", "屏幕", "碎"},
			after:  []string{"xr-200a", "屏幕", "碎"},
		},
		{
			name: "traditional input is stored simplified", add: triage.DictWord{Word: "雲閃付"}, remove: "云闪付",
			text:   "云闪付绑卡失败",
			before: []string{"云", "闪", "付", "绑", "卡", "失败"},
			after:  []string{"云闪付", "绑", "卡", "失败"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Words(tt.text); !slices.Equal(got, tt.before) {
				t.Fatalf("before: Words(%q) = %q, want %q", tt.text, got, tt.before)
			}
			if err := s.AddWords(tt.add); err != nil {
				t.Fatal(err)
			}
			if got := s.Words(tt.text); !slices.Equal(got, tt.after) {
				t.Errorf("after AddWords: Words(%q) = %q, want %q", tt.text, got, tt.after)
			}
			checkTokens(t, s, tt.text)
			if err := s.RemoveWord(tt.remove); err != nil {
				t.Fatal(err)
			}
			if got := s.Words(tt.text); !slices.Equal(got, tt.before) {
				t.Errorf("after RemoveWord: Words(%q) = %q, want %q", tt.text, got, tt.before)
			}
		})
	}
}

// A user word's sub-words are index terms too: the new product name is found
// by 手环 as the old segmentation was.
func TestUserWordSubwords(t *testing.T) {
	s := editableSegmenter(t)
	if err := s.AddWords(triage.DictWord{Word: "星河手环"}); err != nil {
		t.Fatal(err)
	}
	defer s.RemoveWord("星河手环")
	var got []string
	for _, term := range s.Tokens("星河手环") {
		got = append(got, term.Text)
	}
	if want := []string{"星河手环", "星河", "手环"}; !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func TestRemoveWordRestoresBuiltInWord(t *testing.T) {
	s := editableSegmenter(t)
	freq := func() float64 {
		s.mu.RLock()
		defer s.mu.RUnlock()
		f, _, _ := s.dict.find("物流")
		return f
	}
	orig := freq()
	if orig <= 0 {
		t.Fatalf("物流 has frequency %v in gse's dictionary; pick another built-in word", orig)
	}
	if err := s.AddWords(triage.DictWord{Word: "物流", Freq: 7}); err != nil {
		t.Fatal(err)
	}
	if got := freq(); got != 7 {
		t.Errorf("after AddWords the frequency is %v, want 7", got)
	}
	if err := s.RemoveWord("物流"); err != nil {
		t.Fatal(err)
	}
	if got := freq(); got != orig {
		t.Errorf("after RemoveWord the frequency is %v, want the built-in %v", got, orig)
	}
	if got := s.Words("物流信息"); !slices.Equal(got, []string{"物流信息"}) {
		t.Errorf("Words(物流信息) = %q", got)
	}
}

// Removing a word must not disturb the words it is a prefix of, or that are
// its prefixes, in gse's trie.
func TestRemoveWordKeepsNeighbours(t *testing.T) {
	s := editableSegmenter(t)
	if err := s.AddWords(triage.DictWord{Word: "手机号码归属"}, triage.DictWord{Word: "手机号码归属地查询"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveWord("手机号码归属"); err != nil {
		t.Fatal(err)
	}
	defer s.RemoveWord("手机号码归属地查询")
	for _, w := range []string{"手机", "手机号", "手机号码", "手机号码归属地查询"} {
		if !s.inDict(w) {
			t.Errorf("%q is gone from the dictionary", w)
		}
	}
	if s.inDict("手机号码归属") {
		t.Error("手机号码归属 is still in the dictionary")
	}
}

func TestAddWordsValidation(t *testing.T) {
	s := editableSegmenter(t)
	tests := []struct {
		name  string
		word  triage.DictWord
		field string
	}{
		{"empty", triage.DictWord{Word: ""}, "word"},
		{"space inside", triage.DictWord{Word: "极光 手环"}, "word"},
		{"ideographic space inside", triage.DictWord{Word: "极光\u3000手环"}, "word"},
		{"tab", triage.DictWord{Word: "\t"}, "word"},
		{"33 runes", triage.DictWord{Word: strings.Repeat("号", 33)}, "word"},
		{"invalid UTF-8", triage.DictWord{Word: "极\xff光"}, "word"},
		{"punctuation only", triage.DictWord{Word: "!!!"}, "word"},
		{"clause punctuation inside", triage.DictWord{Word: "退款，到账"}, "word"},
		{"only control characters", triage.DictWord{Word: "\x00\x01"}, "word"},
		{"negative frequency", triage.DictWord{Word: "极光", Freq: -1}, "freq"},
		{"tag not ASCII", triage.DictWord{Word: "极光", Tag: "名词"}, "tag"},
		{"tag too long", triage.DictWord{Word: "极光", Tag: "abcdefghi"}, "tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := triage.DictWord{Word: "不应加入的词"}
			err := s.AddWords(ok, tt.word)
			assertInvalid(t, err, tt.field)
			if s.inDict("不应加入的词") {
				t.Error("a valid word of a rejected batch was added")
			}
		})
	}
	t.Run("32 runes are fine", func(t *testing.T) {
		w := strings.Repeat("号", 32)
		if err := s.AddWords(triage.DictWord{Word: w}); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveWord(w); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRemoveWordErrors(t *testing.T) {
	s := editableSegmenter(t)
	assertInvalid(t, s.RemoveWord(""), "word")
	assertInvalid(t, s.RemoveWord("a b"), "word")
	err := s.RemoveWord("从未加入的词")
	if !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("RemoveWord of an unknown word: %v, want code %s", err, triage.ENOTFOUND)
	}
	// gse's own words are not the user dictionary's to remove.
	if err := s.RemoveWord("物流"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Fatalf("RemoveWord(物流): %v, want code %s", err, triage.ENOTFOUND)
	}
}

func assertInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *triage.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *triage.Error", err, err)
	}
	if e.Code != triage.EINVALID || e.Field != field {
		t.Fatalf("error %v has code %q field %q, want %q %q", err, e.Code, e.Field, triage.EINVALID, field)
	}
	if e.Message == "" {
		t.Fatal("error without a message")
	}
}

func TestLoadDictFile(t *testing.T) {
	s := editableSegmenter(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("words, frequencies and tags", func(t *testing.T) {
		path := write("ok.txt", "# product names\n\n青鸟耳机\n  赤霄键盘 3000 nz  \n白泽音箱 2000\n")
		if err := s.LoadDictFile(path); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"青鸟耳机", "赤霄键盘", "白泽音箱"} {
			if got := s.Words(w + "坏了"); !slices.Equal(got, []string{w, "坏"}) {
				t.Errorf("Words(%s坏了) = %q", w, got)
			}
			if err := s.RemoveWord(w); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("a bad line adds nothing", func(t *testing.T) {
		path := write("bad.txt", "玄武充电宝\n朱雀充电宝 many\n")
		err := s.LoadDictFile(path)
		assertInvalid(t, err, "freq")
		if !strings.Contains(triage.ErrorMessage(err), "line 2") {
			t.Errorf("message %q does not name the line", triage.ErrorMessage(err))
		}
		if s.inDict("玄武充电宝") {
			t.Error("the good line before the bad one was added")
		}
	})
	t.Run("too many fields", func(t *testing.T) {
		assertInvalid(t, s.LoadDictFile(write("fields.txt", "玄武 1 n extra\n")), "word")
	})
	t.Run("missing file", func(t *testing.T) {
		// A missing file is bad input to the command that names it.
		assertInvalid(t, s.LoadDictFile(filepath.Join(dir, "nope.txt")), "path")
	})
}

func TestOptions(t *testing.T) {
	if testing.Short() {
		t.Skip("loads another dictionary")
	}
	s, err := New(Options{
		NoDomainWords: true,
		StopWords:     []string{"快遞", " "},
		Words:         []triage.DictWord{{Word: "极光pro手环"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Words("极光pro手环的快递"), []string{"极光pro手环"}; !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q (user word whole, extra stop word 快递 dropped)", got, want)
	}
	// Without the domain words gse's own dictionary cuts 到账 apart.
	text := "钱还没到账"
	if got := s.Words(text); slices.Contains(got, "到账") {
		t.Errorf("without domain words Words(%q) = %q; is 到账 in gse's dictionary now? Pick another word for this test", text, got)
	}
	if got := testSegmenter(t, false).Words(text); !slices.Contains(got, "到账") {
		t.Errorf("with domain words Words(%q) = %q, want 到账 whole", text, got)
	}
	if err := s.RemoveWord("到账"); !triage.IsCode(err, triage.ENOTFOUND) {
		t.Errorf("RemoveWord(到账) with NoDomainWords: %v, want not found", err)
	}
}

func TestNewRejectsBadWords(t *testing.T) {
	if testing.Short() {
		t.Skip("loads another dictionary")
	}
	_, err := New(Options{Words: []triage.DictWord{{Word: "two words"}}})
	assertInvalid(t, err, "word")
}

// Run with -race: Words and Tokens read the trie while AddWords and
// RemoveWord rewrite it.
func TestConcurrentReadsAndEdits(t *testing.T) {
	s := editableSegmenter(t)
	const text = "玄鸟Max耳机充不进电，退款什么时候到账"
	before := s.Words(text)
	edit := func() {
		if err := s.AddWords(triage.DictWord{Word: "玄鸟Max耳机"}); err != nil {
			t.Fatal(err)
		}
	}
	undo := func() {
		if err := s.RemoveWord("玄鸟max耳机"); err != nil {
			t.Fatal(err)
		}
	}
	edit()
	whole := s.Words(text)
	undo()
	if slices.Equal(before, whole) || whole[0] != "玄鸟max耳机" {
		t.Fatalf("the edit does not change Words: before %q, with the word %q", before, whole)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 100)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := s.Words(text)
				if !slices.Equal(got, before) && !slices.Equal(got, whole) {
					errs <- strings.Join(got, "|")
					return
				}
				if len(s.Tokens(text)) == 0 {
					errs <- "no tokens"
					return
				}
			}
		})
	}
	for range 50 {
		edit()
		undo()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent Words saw %s, neither %q nor %q", e, before, whole)
	}
}

// TestAddEachSkipsRefusedWords loads a stored dictionary with refused
// words among good ones: the good ones are added, each refused one is
// reported with its EINVALID error, and CheckWords names the refused
// word by its index.
func TestAddEachSkipsRefusedWords(t *testing.T) {
	s := editableSegmenter(t)
	words := []triage.DictWord{{Word: "x;y"}, {Word: "凌霄耳机盒"}, {Word: " "}, {Word: "!!!"}, {Word: "ok", Tag: "not a tag"}, {Word: "凌霄充电仓", Freq: 2000}}
	var skipped []string
	if err := s.AddEach(words, func(w triage.DictWord, err error) {
		if !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("%q skipped with %v, want EINVALID", w.Word, err)
		}
		skipped = append(skipped, w.Word)
	}); err != nil {
		t.Fatal(err)
	}
	defer s.RemoveWord("凌霄耳机盒")
	defer s.RemoveWord("凌霄充电仓")
	if want := []string{"x;y", " ", "!!!", "ok"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %q, want %q", skipped, want)
	}
	for _, w := range []string{"凌霄耳机盒", "凌霄充电仓"} {
		if got := s.Words(w); !slices.Equal(got, []string{w}) {
			t.Errorf("Words(%q) = %q: the good word beside refused ones was not added", w, got)
		}
	}
	for _, w := range []string{"x;y", " ", "!!!"} {
		t.Run(w, func(t *testing.T) {
			_, err := CheckWords(triage.DictWord{Word: "好词"}, triage.DictWord{Word: w})
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != "words[1].word" {
				t.Errorf("CheckWords(好词, %q) = %v, want EINVALID naming words[1].word", w, err)
			}
		})
	}
}
