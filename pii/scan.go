package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner holds a text as its visible runes, folded to the forms the
// detectors look for, each with the byte span it came from. Folding is one
// rune to one rune, and invisible runes are dropped, so that
// 1３8​0013-8000 (full-width digits, a zero-width space) is scanned as
// 13800138000 and a match still maps back to exact offsets of the text.
type scanner struct {
	rs    []rune
	start []int // start[i] is the byte offset in the text of rs[i]
	end   []int // end[i] is the byte offset just past rs[i]
	text  string
	// opaque marks the runes of e-mail addresses, which are never part
	// of a number nor a label.
	opaque []bool
}

func newScanner(text string) *scanner {
	s := &scanner{rs: make([]rune, 0, len(text)), start: make([]int, 0, len(text)), end: make([]int, 0, len(text)), text: text}
	for i, r := range text {
		if r == utf8.RuneError {
			// Invalid UTF-8 (or a real U+FFFD) is never part of a match:
			// keep it as a plain character that breaks runs.
			s.push(r, i, i+1)
			continue
		}
		if invisible(r) {
			continue
		}
		s.push(fold(r), i, i+utf8.RuneLen(r))
	}
	return s
}

func (s *scanner) push(r rune, start, end int) {
	if r == utf8.RuneError {
		// The rune is one byte of invalid UTF-8 or a U+FFFD of three.
		_, size := utf8.DecodeRuneInString(s.text[start:])
		end = start + size
	}
	s.rs = append(s.rs, r)
	s.start = append(s.start, start)
	s.end = append(s.end, end)
}

// invisible reports runes that render as nothing, or as nothing a reader
// would take for a character, when placed between digits: format
// characters (zero-width space and joiners, direction marks, the soft
// hyphen, the BOM), combining marks, variation selectors, control
// characters other than tab and line breaks, and the blank fillers. A
// number split by them still reads as one number, to a person and to an
// LLM's tokenizer.
func invisible(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\v', '\f':
		return false
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800:
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me, unicode.Cc)
}

// fold maps a rune to the one form the detectors test for: full-width
// ASCII to ASCII, any decimal digit to its ASCII digit, every space to ' ',
// every dash to '-', the middle dots and full stops typed as separators to
// '.'.
func fold(r rune) rune {
	switch {
	case r < 0x80:
		if r == '\t' {
			return ' '
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return fold(r - 0xFF01 + '!')
	}
	switch r {
	case 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000:
		return ' '
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0x30FC, 0x2500, 0x2501:
		return '-'
	case 0x00B7, 0x30FB, 0xFF61, 0x2022, 0x2027, 0x2219:
		return '.'
	case 0xFE6B: // small commercial at
		return '@'
	}
	if r >= 0x2000 && r <= 0x200A {
		return ' '
	}
	if v := ndValue(r); v >= 0 {
		return rune('0' + v)
	}
	return r
}

// ndValue returns the value of a decimal digit of any script (Arabic-Indic,
// Devanagari, mathematical bold …), -1 for anything else. Unicode keeps
// every such digit in runs of ten from zero to nine, and package unicode's
// table lists whole runs, so the value is the offset within the run.
func ndValue(r rune) int {
	if r < 0x80 || !unicode.IsDigit(r) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// match turns a span of folded runes [i, j) into a Match of the text.
func (s *scanner) match(k Kind, i, j int, key string) Match {
	return Match{Kind: k, Start: s.start[i], End: s.end[j-1], key: key}
}

// hanTLDs are the Chinese top-level domains an address may end with.
const hanTLDs = `中国|中國|公司|网络|網絡|香港|台湾|台灣|澳门|澳門|新加坡|商城|在线|集团|网址|网店|中文网|政务|公益|商标|手机|游戏|企业|信息|我爱你`

// emailRE runs on the folded text, so a full-width ＠ or ．, full-width
// letters and a zero-width space inside an address are already plain.
// Domain labels may be Chinese (例子.中国, 公司.cn); a space on either side
// of @ is how some customers type it.
var emailRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+\-]*` + ` ?@ ?` +
	`(?:[A-Za-z0-9\p{Han}][A-Za-z0-9\p{Han}\-]*\.)+(?:[A-Za-z]{2,}|` + hanTLDs + `)`)

func (s *scanner) findEmails() []Match {
	folded := string(s.rs)
	// byteToRune maps a byte offset of folded to its rune index.
	byteToRune := make([]int, len(folded)+1)
	ri := 0
	for bi := range folded {
		byteToRune[bi] = ri
		ri++
	}
	byteToRune[len(folded)] = ri
	var out []Match
	for _, loc := range emailRE.FindAllStringIndex(folded, -1) {
		i, j := byteToRune[loc[0]], byteToRune[loc[1]]
		// A match that runs straight into more address characters is a
		// truncated view of something else (a.b@c.com1, x@y.com@z); masking
		// half of it would leave digits that become visible as a separate
		// number on the next pass.
		if j < len(s.rs) {
			// After a Chinese top-level domain a digit starts the next
			// word: kefu@例子.中国13800138000 is two values.
			r := s.rs[j]
			if isLatinLetter(r) || (isDigit(r) && !unicode.Is(unicode.Han, s.rs[j-1])) || r == '-' || r == '_' || r == '@' {
				continue
			}
		}
		// Nor may it start in the middle of a word: the regexp starts at
		// the leftmost address character, so one right before a match is
		// the tail of a candidate refused above (0@0.aa0@0.aa) or a
		// character no address starts with (a_b@c.com at _). Masking the
		// rest would make the refused part look whole on the next pass.
		if i > 0 && addressRune(s.rs[i-1]) && (s.rs[i-1] != '.' || i > 1 && addressRune(s.rs[i-2])) {
			continue
		}
		key := strings.ToLower(strings.ReplaceAll(string(s.rs[i:j]), " ", ""))
		out = append(out, s.match(Email, i, j, key))
	}
	return out
}

func addressRune(r rune) bool {
	return isLatinLetter(r) || isDigit(r) || strings.ContainsRune("._%+-@", r)
}

// group is one run of digits, in rune indexes [start, end). x is set when
// the run is followed directly by the X that can end an identity number;
// sep is the separator run that follows it within a chain.
type group struct {
	start, end int
	x          bool
	dotAfter   bool // joined to the next group by a single '.'
	parenAfter bool // the separator after it closes a parenthesis: (010)
}

// minDigits and maxDigits bound the digits of any number classify
// accepts: a landline of 3+7, a 19-digit card.
const minDigits, maxDigits = 10, 19

// maxGroups bounds a chain so that a long list of space-separated digits
// costs linear, not quadratic, time. It is large enough for an identity
// number typed digit by digit.
const maxGroups = 20

// sepRun returns the end of the separator run starting at i, or -1 when
// there is none, and whether it is a single dot. A run is one '.', or up
// to three spaces, dashes and closing parentheses: 138 - 1234 - 5678,
// (010) 12345678, 138——1234——5678.
func (s *scanner) sepRun(i int) (int, bool) {
	n := len(s.rs)
	if i < n && s.rs[i] == '.' {
		return i + 1, true
	}
	j := i
	for j < n && j-i < 3 && (s.rs[j] == ' ' || s.rs[j] == '-' || s.rs[j] == ')') {
		j++
	}
	if j == i {
		return -1, false
	}
	return j, false
}

func (s *scanner) findNumbers(emails []Match) []Match {
	n := len(s.rs)
	opaque := make([]bool, n)
	s.opaque = opaque
	ei := 0
	for i := 0; i < n && ei < len(emails); i++ {
		for ei < len(emails) && s.start[i] >= emails[ei].End {
			ei++
		}
		if ei < len(emails) && s.start[i] >= emails[ei].Start {
			opaque[i] = true
		}
	}
	isDigitAt := func(i int) bool { return i >= 0 && i < n && !opaque[i] && isDigit(s.rs[i]) }

	var out []Match
	for i := 0; i < n; {
		if !isDigitAt(i) {
			i++
			continue
		}
		// Collect a chain of digit groups joined by separators, as in
		// 138 0013 8000, 6222-0212-3456-7890 or (0755) 1234567.
		var groups []group
		j := i
		for {
			start := j
			for isDigitAt(j) {
				j++
			}
			g := group{start: start, end: j}
			if j < n && isX(s.rs[j]) {
				g.x = true
			}
			next, dot := s.sepRun(j)
			if g.x || len(groups) == maxGroups-1 || next < 0 || !isDigitAt(next) {
				groups = append(groups, g)
				break
			}
			g.dotAfter = dot
			g.parenAfter = strings.ContainsRune(string(s.rs[j:next]), ')')
			groups = append(groups, g)
			j = next
		}
		last := groups[len(groups)-1]
		chainEnd := last.end
		if last.x {
			chainEnd++
		}
		out = append(out, s.matchChain(groups, isDigitAt)...)
		i = chainEnd
	}
	return out
}

// matchChain finds the personal numbers in a chain: the longest sub-chain
// starting at the leftmost group that is one, then on after it.
func (s *scanner) matchChain(groups []group, isDigitAt func(int) bool) []Match {
	var out []Match
	for a := 0; a < len(groups); a++ {
		total := 0
		for _, g := range groups[a:] {
			total += g.end - g.start
		}
		for b := len(groups); b > a; b-- {
			n := total
			total -= groups[b-1].end - groups[b-1].start
			if n < minDigits || n > maxDigits {
				continue
			}
			if m, ok := s.matchGroups(groups, a, b, isDigitAt); ok {
				out = append(out, m)
				a = b - 1
				break
			}
		}
	}
	return out
}

func (s *scanner) matchGroups(groups []group, a, b int, isDigitAt func(int) bool) (Match, bool) {
	sub := groups[a:b]
	for _, g := range sub[:len(sub)-1] {
		if g.x {
			return Match{}, false
		}
	}
	// A dot between two groups is a separator only when the groups around
	// it are all one number (138.1234.5678); a number cut out of a dotted
	// chain is a decimal or a version: 3.14159265358, 1.13800138000.
	if (a > 0 && groups[a-1].dotAfter) || (b < len(groups) && sub[len(sub)-1].dotAfter) {
		return Match{}, false
	}
	last := sub[len(sub)-1]
	start, end := sub[0].start, last.end
	if last.x {
		end++
	}
	// The outer edges of the chain must not touch something that makes the
	// digits part of a bigger token: SF1234567890123, 3.1415926535,
	// order_13800138000. Inner edges are separators and always fine.
	if a == 0 && start > 0 {
		prev := s.rs[start-1]
		if isLatinLetter(prev) || prev == '_' ||
			(prev == '.' && start >= 2 && (isDigitAt(start-2) || isX(s.rs[start-2]))) {
			return Match{}, false
		}
	}
	if b == len(groups) && end < len(s.rs) {
		next := s.rs[end]
		if isLatinLetter(next) || next == '_' || next == '%' ||
			(next == '.' && isDigitAt(end+1)) || (last.x && isDigitAt(end)) {
			return Match{}, false
		}
	}
	var digits strings.Builder
	lens := make([]int, len(sub))
	for k, g := range sub {
		for i := g.start; i < g.end; i++ {
			digits.WriteRune(s.rs[i])
		}
		lens[k] = g.end - g.start
	}
	d := digits.String()
	// The label is read only for a number that could be personal data:
	// most digit runs are not, and a long list of them would pay for it.
	kind, key := classify(d, lens, last.x, false)
	if kind == "" && !couldBeCard(d, lens, last.x) {
		return Match{}, false
	}
	ctx := s.context(start)
	if ctx == ctxNotPII {
		return Match{}, false
	}
	if kind == "" {
		kind, key = classify(d, lens, last.x, ctx == ctxCard)
	}
	if kind == "" {
		return Match{}, false
	}
	// A country code typed as +86 belongs to the number it prefixes, and
	// so does the parenthesis opened before an area code: (010)12345678.
	if a == 0 && start > 0 && s.rs[start-1] == '+' && (strings.HasPrefix(d, "86") || strings.HasPrefix(d, "0086")) {
		start--
	}
	if kind == Landline && a == 0 && sub[0].parenAfter && start > 0 && s.rs[start-1] == '(' {
		start--
	}
	return s.match(kind, start, end, key), true
}

// labelContext is what the words right before a number say about it.
type labelContext int

const (
	ctxNone   labelContext = iota
	ctxNotPII              // 订单号, 运单号, 发票号码 …: not personal data
	ctxCard                // 卡号, 银行卡 …: a card whose prefix we do not know
	ctxPII                 // 手机, 电话, 身份证 …: personal data; outranks a negative label
)

// negativeLabels are words that, right before a number, say what it is:
// a number the customer calls an order number is not their phone number
// even when the digits happen to fit. 单号 covers 订单号, 运单号, 快递单号,
// 物流单号, 退款单号, 保单号 and the like.
var negativeLabels = []string{
	"单号", "订单", "订单编号", "编号", "编码", "流水号", "交易号", "发票", "发票代码", "发票号码",
	"合同号", "批次号", "序列号", "条码", "券码", "兑换码", "验证码", "邮编", "工单", "型号", "货号",
	"快递", "物流", "运单", "IMEI", "imei", "串号", "设备号", "会员号", "会员卡号", "积分卡号", "礼品卡号",
	"购物卡号", "取件码", "提货码", "追踪号", "跟踪号", "包裹号", "商品号", "SKU", "sku",
}

// positiveWords name personal data; one of them among the words right
// before a number outranks a negative label (身份证编号, 手机号码).
var positiveWords = []string{"身份证", "证件", "手机", "电话", "座机", "联系", "银行", "邮箱", "tel", "Tel", "TEL"}

// cardLabels vouch for a bank card whose prefix is not one we know.
var cardLabels = []string{"卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "银联卡"}

// labelBefore returns up to 8 runes of text before rune index i, after
// skipping the punctuation people put between a label and its value. It
// stops at a digit, an e-mail address or a placeholder's closing bracket:
// words before another value label that value, and stopping there makes
// the label read the same before and after that value is masked.
func (s *scanner) labelBefore(i int) string {
	j := i
	for skipped := 0; j > 0 && skipped < 4 && isLabelGlue(s.rs[j-1]); skipped++ {
		j--
	}
	k := j
	for k > 0 && j-k < 8 && !isDigit(s.rs[k-1]) && s.rs[k-1] != '】' && !s.opaque[k-1] {
		k--
	}
	return string(s.rs[k:j])
}

// containsWord reports whether w occurs in s, not as the tail of a Latin
// word (tel, but not hotel).
func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 || !isLatinLetter(rune(s[i-1])) || !isLatinLetter(rune(w[0])) {
			return true
		}
		off = i + len(w)
	}
}

func (s *scanner) context(i int) labelContext {
	before := s.labelBefore(i)
	card, neg := 0, 0 // length of the longest label of each sort
	for _, l := range cardLabels {
		if strings.HasSuffix(before, l) {
			card = max(card, len(l))
		}
	}
	for _, l := range negativeLabels {
		if strings.HasSuffix(before, l) {
			neg = max(neg, len(l))
		}
	}
	for _, w := range positiveWords {
		if containsWord(before, w) {
			if card > 0 {
				return ctxCard
			}
			return ctxPII
		}
	}
	switch {
	case neg > 0 && neg >= card: // 会员卡号 is not a bank card
		return ctxNotPII
	case card > 0:
		return ctxCard
	}
	return ctxNone
}

func isLabelGlue(r rune) bool {
	switch r {
	case ' ', ':', '：', '#', '＃', '是', '为', '(', '（', '"', '“', '「', '【', '[', '+', '-':
		return true
	}
	return false
}

func isX(r rune) bool { return r == 'X' || r == 'x' }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// digitValue returns the value of an ASCII or full-width digit, -1
// otherwise; other scripts' digits are folded by the scanner.
func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return ndValue(r)
}

func isLatinLetter(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 'ａ' && r <= 'ｚ') || (r >= 'Ａ' && r <= 'Ｚ')
}
