package pii

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

type corpusCase struct {
	Text   string   `json:"text"`
	Masked string   `json:"masked"`
	Kinds  []string `json:"kinds"`
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	f, err := os.Open("testdata/pii_cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("pii_cases.jsonl:%d: %v", line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCorpus runs the labelled corpus and scores it as a detector: a found
// kind counts as a true positive when the case expects that many of it.
func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 200 {
		t.Fatalf("corpus has %d cases, want at least 200", len(cases))
	}
	type score struct{ tp, fp, fn int }
	scores := map[string]*score{}
	for _, k := range AllKinds() {
		scores[string(k)] = &score{}
	}
	var negatives int
	for _, c := range cases {
		if len(c.Kinds) == 0 {
			negatives++
		}
		got, found := Mask(c.Text)
		gotKinds := map[string]int{}
		for _, m := range found {
			gotKinds[string(m.Kind)]++
		}
		wantKinds := map[string]int{}
		for _, k := range c.Kinds {
			wantKinds[k]++
		}
		for k, s := range scores {
			tp := min(gotKinds[k], wantKinds[k])
			s.tp += tp
			s.fp += gotKinds[k] - tp
			s.fn += wantKinds[k] - tp
		}
		name := c.Text
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			if got != c.Masked {
				t.Errorf("Mask(%q)\n got %q\nwant %q", c.Text, got, c.Masked)
			}
			var kinds []string
			for _, m := range found {
				kinds = append(kinds, string(m.Kind))
			}
			if strings.Join(kinds, ",") != strings.Join(c.Kinds, ",") {
				t.Errorf("kinds = %v, want %v", kinds, c.Kinds)
			}
		})
	}
	var all score
	for _, k := range AllKinds() {
		s := scores[string(k)]
		all.tp += s.tp
		all.fp += s.fp
		all.fn += s.fn
		t.Logf("%-10s precision %.4f recall %.4f (tp %d, fp %d, fn %d)", k, ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn), s.tp, s.fp, s.fn)
	}
	p, r := ratio(all.tp, all.tp+all.fp), ratio(all.tp, all.tp+all.fn)
	t.Logf("corpus: %d cases (%d without personal data), precision %.4f recall %.4f", len(cases), negatives, p, r)
	if p != 1 || r != 1 {
		t.Errorf("precision %.4f, recall %.4f; want 1 and 1 on the corpus", p, r)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func TestCorpusIdempotent(t *testing.T) {
	for _, c := range loadCorpus(t) {
		checkMaskProperties(t, c.Text)
	}
}

func TestMatchOffsets(t *testing.T) {
	text := "手机13800138000，邮箱a@b.cn"
	_, found := Mask(text)
	want := []struct {
		kind  Kind
		value string
	}{{Phone, "13800138000"}, {Email, "a@b.cn"}}
	if len(found) != len(want) {
		t.Fatalf("found %v, want %d matches", found, len(want))
	}
	for i, w := range want {
		if found[i].Kind != w.kind || text[found[i].Start:found[i].End] != w.value {
			t.Errorf("match %d = %v %q, want %v %q", i, found[i].Kind, text[found[i].Start:found[i].End], w.kind, w.value)
		}
	}
}

func TestMasker(t *testing.T) {
	text := "手机13800138000 邮箱a@b.cn 卡号6222021234567890128"
	tests := []struct {
		name string
		m    Masker
		want string
	}{
		{"zero value masks all", Masker{}, "手机[手机号] 邮箱[邮箱] 卡号[银行卡号]"},
		{"only phones", Masker{Kinds: []Kind{Phone}}, "手机[手机号] 邮箱a@b.cn 卡号6222021234567890128"},
		{"only e-mail keeps digits of the address opaque", Masker{Kinds: []Kind{Email}}, "手机13800138000 邮箱[邮箱] 卡号6222021234567890128"},
		{"custom placeholder", Masker{Placeholders: map[Kind]string{Phone: "<电话>"}}, "手机<电话> 邮箱[邮箱] 卡号[银行卡号]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); err != nil {
				t.Fatal(err)
			}
			if got, _ := tt.m.Mask(text); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateRejectsUnsafePlaceholders(t *testing.T) {
	for _, p := range []string{"[手机号***8000]", "<phone>", "x@y", "****.", "+"} {
		t.Run(p, func(t *testing.T) {
			m := Masker{Placeholders: map[Kind]string{Phone: p}}
			if m.Validate() == nil {
				t.Errorf("Validate accepted %q", p)
			}
		})
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"id18 valid", validID18, "11010519491231002X", true},
		{"id18 valid digit check", validID18, "310115198512032014", true},
		{"id18 wrong check", validID18, "310115198512032015", false},
		{"id18 leap day", validID18, "510107200002290045", true},
		{"id18 not a leap year", validID18, "510107190002290045", false},
		{"id18 unknown province", validID18, "990105194912310024", false},
		{"id15 valid", validID15, "110105491231002", true},
		{"id15 bad month", validID15, "110105491331002", false},
		{"luhn visa", luhn, "4111111111111111", true},
		{"luhn off by one", luhn, "4111111111111112", false},
		{"luhn unionpay 19", luhn, "6222021234567890128", true},
		{"mobile", isMobile, "19912345678", true},
		{"mobile 12x", isMobile, "12345678901", false},
		{"card prefix unionpay", cardPrefix, "6222021234567890128", true},
		{"card prefix date-like order", cardPrefix, "2024110812345678", false},
		{"card prefix mastercard 2-series", cardPrefix, "2221001234567891", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("%s(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
			}
		})
	}
}

func TestInvalidUTF8(t *testing.T) {
	got, found := Mask("\xff13800138000\xfe")
	if !utf8.ValidString(got) || len(found) != 1 || got != "\uFFFD[手机号]\uFFFD" {
		t.Errorf("got %q %v", got, found)
	}
}

// checkMaskProperties holds for every input: no panic, valid UTF-8 out,
// masking twice changes nothing, and the output is exactly the input with
// each match replaced by its placeholder, so no digit of a match survives.
func checkMaskProperties(t *testing.T, text string) {
	t.Helper()
	masked, found := Mask(text)
	if !utf8.ValidString(masked) {
		t.Fatalf("Mask(%q) = %q: invalid UTF-8", text, masked)
	}
	again, more := Mask(masked)
	if again != masked || len(more) != 0 {
		t.Fatalf("not idempotent: Mask(%q) = %q, then %q (%v)", text, masked, again, more)
	}
	src := strings.ToValidUTF8(text, "\uFFFD")
	var b strings.Builder
	last := 0
	for _, m := range found {
		if m.Start < last || m.End <= m.Start || m.End > len(src) {
			t.Fatalf("Mask(%q): bad match %+v", text, m)
		}
		span := src[m.Start:m.End]
		if !strings.ContainsFunc(span, func(r rune) bool { return digitValue(r) >= 0 || r == '@' || r == '＠' }) {
			t.Fatalf("Mask(%q): match %+v %q has no digit", text, m, span)
		}
		b.WriteString(src[last:m.Start])
		b.WriteString(DefaultPlaceholder(m.Kind))
		last = m.End
	}
	b.WriteString(src[last:])
	if b.String() != masked {
		t.Fatalf("Mask(%q) = %q, want the input with only its matches replaced: %q", text, masked, b.String())
	}
}

func FuzzMask(f *testing.F) {
	f.Add("手机13800138000，身份证11010519491231002X，卡号6222 0212 3456 7890 128，邮箱a@b.cn")
	f.Fuzz(func(t *testing.T, text string) {
		checkMaskProperties(t, text)
	})
}

func BenchmarkMask(b *testing.B) {
	text := strings.Repeat("您好，我的订单2024110812345678还没发货，手机13800138000，退款到卡6222021234567890128，谢谢。", 6)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Mask(text)
	}
}

// TestPropertiesOnGeneratedText strings together the pieces that interact
// at match edges (digits, separators, X, letters, dots, labels, e-mail
// characters) far more often than random bytes from the fuzzer would.
func TestPropertiesOnGeneratedText(t *testing.T) {
	pieces := []string{
		"13800138000", "138", "0013", "8000", "86", "+", "0086", "11010519491231002", "X", "x", "Ｘ",
		"6222021234567890128", "6222", "0212", "3456", "7890", "128", "2024110812345678", "110105491231002",
		" ", "-", "　", "－", ".", ",", "@", "＠", "a", "SF", "_", "%", "qq.com", "cn", "订单号", "卡号", "：",
		"手机", "１３８", "００１３", "８０００", "1", "9", "0", "[手机号]", "，",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50000 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkMaskProperties(t, text) })
	}
}
