package pii

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// corpusCase is one labelled text. Set is "pii" (the text holds valid
// personal data, listed in PII as typed) or "lookalike" (it holds none,
// though it has numbers or addresses that resemble it). Masked, when set,
// is the exact expected output.
type corpusCase struct {
	Text   string  `json:"text"`
	Set    string  `json:"set"`
	PII    []span  `json:"pii"`
	Masked *string `json:"masked,omitempty"`
	Note   string  `json:"note,omitempty"`

	where string // file:line
}

type span struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// corpusFiles are the hand-written cases, each with its exact expected
// output, and the cases generated from templates by gencorpus.go.
var corpusFiles = []string{"testdata/cases.jsonl", "testdata/corpus.jsonl"}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	var cases []corpusCase
	for _, name := range corpusFiles {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for line := 1; sc.Scan(); line++ {
			var c corpusCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", name, line, err)
			}
			c.where = fmt.Sprintf("%s:%d", name, line)
			if (c.Set == "pii") != (len(c.PII) > 0) || (c.Set != "pii" && c.Set != "lookalike") {
				t.Fatalf("%s: set %q with %d values: a pii case lists its values, a lookalike none", c.where, c.Set, len(c.PII))
			}
			cases = append(cases, c)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return cases
}

// locate finds the byte spans of a case's values in its text, in order.
func (c corpusCase) locate(t *testing.T) [][2]int {
	var out [][2]int
	from := 0
	for _, s := range c.PII {
		i := strings.Index(c.Text[from:], s.Value)
		if i < 0 {
			t.Fatalf("%s: value %q is not in the text after byte %d", c.where, s.Value, from)
		}
		out = append(out, [2]int{from + i, from + i + len(s.Value)})
		from += i + len(s.Value)
	}
	return out
}

// TestCorpus scores the masker on the labelled corpus. Recall is the
// share of the listed values found exactly (kind, start and end); a false
// positive is a look-alike text in which anything was found. The
// requirement: every valid value found, at most 1 % of look-alikes
// touched.
func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	var pii, look int
	for _, c := range cases {
		if c.Set == "pii" {
			pii++
		} else {
			look++
		}
	}
	if len(cases) < 500 || pii < 200 || look < 200 {
		t.Errorf("corpus has %d cases (%d with personal data, %d look-alikes); want at least 500, 200 of each", len(cases), pii, look)
	}
	type tally struct{ want, found int }
	perKind := map[Kind]*tally{}
	for _, k := range AllKinds() {
		perKind[k] = &tally{}
	}
	var want, found, extra, fp int
	for _, c := range cases {
		got := Find(c.Text)
		spans := c.locate(t)
		matched := make([]bool, len(got))
		for i, s := range c.PII {
			want++
			perKind[s.Kind].want++
			ok := false
			for j, m := range got {
				if m.Kind == s.Kind && m.Start == spans[i][0] && m.End == spans[i][1] {
					ok, matched[j] = true, true
				}
			}
			if ok {
				found++
				perKind[s.Kind].found++
			} else {
				t.Errorf("%s: missed %s %q in %q (found %s)", c.where, s.Kind, s.Value, c.Text, describe(c.Text, got))
			}
		}
		for j, m := range got {
			if !matched[j] && c.Set == "pii" {
				extra++
				t.Errorf("%s: unlabelled %s %q in %q", c.where, m.Kind, c.Text[m.Start:m.End], c.Text)
			}
		}
		if c.Set == "lookalike" && len(got) > 0 {
			fp++
			t.Logf("%s: false positive: %s in %q", c.where, describe(c.Text, got), c.Text)
		}
		if c.Masked != nil {
			if masked, _ := Mask(c.Text); masked != *c.Masked {
				t.Errorf("%s: Mask(%q)\n got %q\nwant %q", c.where, c.Text, masked, *c.Masked)
			}
		}
	}
	for _, k := range AllKinds() {
		tk := perKind[k]
		t.Logf("%-9s recall %d/%d", k, tk.found, tk.want)
	}
	recall, fpRate := ratio(found, want), ratio(fp, look)
	fmt.Printf("pii corpus: %d cases; recall %d/%d = %.2f %% of valid personal data; false positives %d/%d = %.2f %% of look-alikes; %d unlabelled matches in texts with personal data\n",
		len(cases), found, want, 100*recall, fp, look, 100*fpRate, extra)
	if recall < 1 {
		t.Errorf("recall %.4f; want 1", recall)
	}
	if fpRate > 0.01 {
		t.Errorf("false positives on %.2f %% of look-alikes; want at most 1 %%", 100*fpRate)
	}
}

func describe(text string, ms []Match) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s %q", m.Kind, text[m.Start:m.End]))
	}
	if parts == nil {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func TestCorpusProperties(t *testing.T) {
	for _, c := range loadCorpus(t) {
		checkMaskProperties(t, c.Text)
	}
}

func TestMatchOffsets(t *testing.T) {
	text := "手机1３8\u200b0013 8000，邮箱a＠b.cn"
	_, found := Mask(text)
	want := []struct {
		kind  Kind
		value string
	}{{Phone, "1３8\u200b0013 8000"}, {Email, "a＠b.cn"}}
	if len(found) != len(want) {
		t.Fatalf("found %v, want %d matches", found, len(want))
	}
	for i, w := range want {
		if found[i].Kind != w.kind || text[found[i].Start:found[i].End] != w.value {
			t.Errorf("match %d = %v %q, want %v %q", i, found[i].Kind, text[found[i].Start:found[i].End], w.kind, w.value)
		}
	}
}

func TestStablePlaceholders(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"same number typed three ways", "手机13800138000，也就是138 0013 8000或+86-138-0013-8000，新号13900139000",
			"手机【手机号1】，也就是【手机号1】或【手机号1】，新号【手机号2】"},
		{"kinds count apart", "13800138000 a@b.cn 13900139000 A@B.CN", "【手机号1】 【邮箱1】 【手机号2】 【邮箱1】"},
		{"landline with and without the country code", "010-12345678，+86 10 1234 5678", "【电话1】，【电话1】"},
		{"identity number with either x", "11010519491231002x和11010519491231002X", "【身份证号1】和【身份证号1】"},
		{"numbers in use are not reused", "之前的【手机号1】停机了，新号13900139000", "之前的【手机号1】停机了，新号【手机号2】"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStripPlaceholders(t *testing.T) {
	in := "Call me at 【手机号1】 or 【邮箱12】, [1] 【备注】"
	if got, want := StripPlaceholders(in), "Call me at  or , [1] 【备注】"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMasker(t *testing.T) {
	text := "手机13800138000 邮箱a@b.cn 卡号6222021234567890128"
	tests := []struct {
		name string
		m    Masker
		want string
	}{
		{"zero value masks all", Masker{}, "手机【手机号1】 邮箱【邮箱1】 卡号【银行卡号1】"},
		{"only phones", Masker{Kinds: []Kind{Phone}}, "手机【手机号1】 邮箱a@b.cn 卡号6222021234567890128"},
		{"only e-mail keeps digits of the address opaque", Masker{Kinds: []Kind{Email}}, "手机13800138000 邮箱【邮箱1】 卡号6222021234567890128"},
		{"custom label", Masker{Labels: map[Kind]string{Phone: "电话号码"}}, "手机【电话号码1】 邮箱【邮箱1】 卡号【银行卡号1】"},
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

func TestValidateRejectsUnsafeLabels(t *testing.T) {
	for _, l := range []string{"", "手机号8000", "phone", "x@y", "点.", "+", "【号】", "手 机", "手\u200b机", strings.Repeat("长", 17)} {
		t.Run(l, func(t *testing.T) {
			m := Masker{Labels: map[Kind]string{Phone: l}}
			if m.Validate() == nil {
				t.Errorf("Validate accepted %q", l)
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
		{"card prefix amex", cardPrefix, "378282246310005", true},
		{"card prefix imei", cardPrefix, "356938035643809", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("%s(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		in   rune
		want rune
	}{
		{'１', '1'}, {'٣', '3'}, {'३', '3'}, {'𝟗', '9'}, {'０', '0'}, {'＠', '@'}, {'﹫', '@'}, {'．', '.'},
		{'—', '-'}, {'－', '-'}, {'\u3000', ' '}, {'\u00a0', ' '}, {'Ｘ', 'X'}, {'ｘ', 'x'}, {'（', '('}, {'手', '手'},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, r := range []rune{'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u202e', '\u2066', '\ufe0f', '\u0301', '\x00', '\x1b', '\u3164'} {
		if !invisible(r) {
			t.Errorf("invisible(%U) = false", r)
		}
	}
	for _, r := range []rune{' ', '\n', '\t', 'a', '1', '手', '-'} {
		if invisible(r) {
			t.Errorf("invisible(%q) = true", r)
		}
	}
	// Every decimal digit of every script folds to its value.
	for _, tab := range []*unicode.RangeTable{unicode.Nd} {
		for _, rg := range tab.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r++ {
				if got := fold(r); got != rune('0'+(r-rune(rg.Lo))%10) {
					t.Fatalf("fold(%U) = %q", r, got)
				}
			}
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	got, found := Mask("\xff13800138000\xfe")
	if !utf8.ValidString(got) || len(found) != 1 || got != "\uFFFD【手机号1】\uFFFD" {
		t.Errorf("got %q %v", got, found)
	}
}

// checkMaskProperties holds for every input: no panic, valid UTF-8 out,
// masking twice changes nothing, the output is exactly the input with
// each match replaced by its numbered placeholder (one number per value
// and kind), and no detected value survives in the output unless the
// input also has it outside every match.
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
	var b, rest strings.Builder
	last := 0
	numbers := map[string]int{}
	taken := map[string]string{}
	for _, m := range found {
		if m.Start < last || m.End <= m.Start || m.End > len(src) {
			t.Fatalf("Mask(%q): bad match %+v", text, m)
		}
		span := src[m.Start:m.End]
		if !strings.ContainsFunc(span, func(r rune) bool { return digitValue(r) >= 0 || r == '@' || r == '＠' || r == '﹫' }) {
			t.Fatalf("Mask(%q): match %+v %q has no digit and no @", text, m, span)
		}
		id := string(m.Kind) + "\x00" + m.key
		slot := string(m.Kind) + "\x00" + strconv.Itoa(m.N)
		if n, ok := numbers[id]; ok && n != m.N {
			t.Fatalf("Mask(%q): %s %q numbered %d, earlier %d", text, m.Kind, span, m.N, n)
		}
		if k, ok := taken[slot]; ok && k != m.key {
			t.Fatalf("Mask(%q): two values of %s share number %d", text, m.Kind, m.N)
		}
		numbers[id], taken[slot] = m.N, m.key
		b.WriteString(src[last:m.Start])
		rest.WriteString(src[last:m.Start])
		rest.WriteByte(0)
		b.WriteString(Placeholder(DefaultLabel(m.Kind), m.N))
		last = m.End
	}
	b.WriteString(src[last:])
	rest.WriteString(src[last:])
	if b.String() != masked {
		t.Fatalf("Mask(%q) = %q, want the input with only its matches replaced: %q", text, masked, b.String())
	}
	for _, m := range found {
		v := src[m.Start:m.End]
		if strings.Contains(masked, v) && !strings.Contains(rest.String(), v) {
			t.Fatalf("Mask(%q) = %q still contains the %s %q", text, masked, m.Kind, v)
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add("手机13800138000，身份证11010519491231002x，卡号6222 0212 3456 7890 128，邮箱a@b.cn")
	f.Add("138.1234.5671 138—1234—5675 +86-138 0086 138\u200b1234\u200b5678 １３８１２３４５６７８ 010-12345678 (0755) 1234567")
	f.Add("张三＠例子.中国 ａｂｃ＠ｑｑ．ｃｏｍ 【手机号1】 SF1234567890123 2024-11-08 ¥1,380.00")
	f.Add("1 3 8 0 0 1 3 8 0 0 0 3.14159265358 1.13800138000 138——0013——8000")
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

// BenchmarkMaskAdversarial times inputs built to make a scanner slow:
// long chains of separated digits, runs of address characters,
// placeholders and invisible characters. Each should stay linear.
func BenchmarkMaskAdversarial(b *testing.B) {
	for _, unit := range []string{"1 ", "1-", "1.", "1234 ", "1x", "a@", "a@b.", "例子.", "【手机号1】", "\u200b", "1\u200b"} {
		text := strings.Repeat(unit, 100000/len(unit))
		b.Run(strconv.QuoteToASCII(unit), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Mask(text)
			}
		})
	}
}

// TestPropertiesOnGeneratedText strings together the pieces that interact
// at match edges (digits, separators, X, letters, dots, labels, e-mail
// characters, invisible characters, placeholders) far more often than
// random bytes from the fuzzer would.
func TestPropertiesOnGeneratedText(t *testing.T) {
	pieces := []string{
		"13800138000", "138", "0013", "8000", "86", "+", "0086", "11010519491231002", "X", "x", "Ｘ",
		"6222021234567890128", "6222", "0212", "3456", "7890", "128", "2024110812345678", "110105491231002",
		" ", "-", "　", "－", ".", ",", "@", "＠", "a", "SF", "_", "%", "qq.com", "cn", "订单号", "卡号", "：",
		"手机", "１３８", "００１３", "８０００", "1", "9", "0", "【手机号1】", "【邮箱2】", "，", "\u200b", "\u00ad", "—", "——",
		"010", "0755", "12345678", "(", ")", "（", "）", "例子", ".中国", "·", "身份证", "电话",
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
