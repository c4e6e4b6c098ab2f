package pii

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// emailRE accepts the full-width at sign too: Chinese input methods produce
// it and customers rarely correct it.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

func findEmails(text string) []Match {
	var out []Match
	for _, loc := range emailRE.FindAllStringIndex(text, -1) {
		// A match that runs straight into more address characters is a
		// truncated view of something else (a.b@c.com1, x@y.com@z); masking
		// half of it would leave digits that become visible as a separate
		// number on the next pass.
		if loc[1] < len(text) {
			r, _ := utf8.DecodeRuneInString(text[loc[1]:])
			if isLatinLetter(r) || digitValue(r) >= 0 || r == '-' || r == '_' || r == '@' || r == '＠' {
				continue
			}
		}
		out = append(out, Match{Kind: Email, Start: loc[0], End: loc[1]})
	}
	return out
}

// scanner holds a text decoded into runes with their byte offsets.
type scanner struct {
	rs  []rune
	off []int // off[i] is the byte offset of rs[i]; off[len(rs)] = len(text)
}

func newScanner(text string) *scanner {
	s := &scanner{rs: make([]rune, 0, len(text)), off: make([]int, 0, len(text)+1)}
	for i, r := range text {
		s.rs = append(s.rs, r)
		s.off = append(s.off, i)
	}
	s.off = append(s.off, len(text))
	return s
}

// group is one run of digits, in rune indexes [start, end). x is set when
// the run is followed directly by the X that can end an identity number.
type group struct {
	start, end int
	x          bool
}

// maxGroups bounds a chain so that a long list of space-separated digits
// costs linear, not quadratic, time.
const maxGroups = 8

func (s *scanner) findNumbers(emails []Match) []Match {
	n := len(s.rs)
	opaque := make([]bool, n)
	ei := 0
	for i := 0; i < n && ei < len(emails); i++ {
		for ei < len(emails) && s.off[i] >= emails[ei].End {
			ei++
		}
		if ei < len(emails) && s.off[i] >= emails[ei].Start {
			opaque[i] = true
		}
	}
	isDigitAt := func(i int) bool { return i >= 0 && i < n && !opaque[i] && digitValue(s.rs[i]) >= 0 }

	var out []Match
	for i := 0; i < n; {
		if !isDigitAt(i) {
			i++
			continue
		}
		// Collect a chain of digit groups joined by single separators, as
		// in 138 0013 8000 or 6222-0212-3456-7890.
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
			groups = append(groups, g)
			if g.x || len(groups) == maxGroups || j+1 >= n || !isSeparator(s.rs[j]) || !isDigitAt(j+1) {
				break
			}
			j++
		}
		chainEnd := groups[len(groups)-1].end
		if groups[len(groups)-1].x {
			chainEnd++
		}
		if !s.labelledNotPII(i) {
			out = append(out, s.matchChain(groups, isDigitAt)...)
		}
		i = chainEnd
	}
	return out
}

// matchChain finds the personal numbers in a chain: the longest sub-chain
// starting at the leftmost group that is one, then on after it.
func (s *scanner) matchChain(groups []group, isDigitAt func(int) bool) []Match {
	var out []Match
	for a := 0; a < len(groups); a++ {
		for b := len(groups); b > a; b-- {
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
	last := sub[len(sub)-1]
	start, end := sub[0].start, last.end
	if last.x {
		end++
	}
	// The edges of the chain must not touch something that makes the
	// digits part of a bigger token: SF1234567890123, 3.1415926535,
	// order_13800138000. Inner edges are separators and always fine.
	if a == 0 && start > 0 {
		prev := s.rs[start-1]
		if isLatinLetter(prev) || prev == '_' || (prev == '.' && start >= 2 && (isDigitAt(start-2) || isX(s.rs[start-2]))) {
			return Match{}, false
		}
	}
	if b == len(groups) && end < len(s.rs) {
		next := s.rs[end]
		if isLatinLetter(next) || next == '_' || next == '%' || next == '％' || (next == '.' && isDigitAt(end+1)) ||
			(last.x && isDigitAt(end)) {
			return Match{}, false
		}
	}
	var digits strings.Builder
	lens := make([]int, len(sub))
	for k, g := range sub {
		for i := g.start; i < g.end; i++ {
			digits.WriteByte(byte('0' + digitValue(s.rs[i])))
		}
		lens[k] = g.end - g.start
	}
	d := digits.String()
	kind, prefixed := classify(d, lens, last.x, s.cardContext(start))
	if kind == "" {
		return Match{}, false
	}
	// A country code typed as +86 belongs to the number it prefixes.
	if prefixed && a == 0 && start > 0 && (s.rs[start-1] == '+' || s.rs[start-1] == '＋') {
		start--
	}
	return Match{Kind: kind, Start: s.off[start], End: s.off[end]}, true
}

// negativeLabels are words that, right before a number, say what it is:
// a number the customer calls an order number is not their phone number
// even when the digits happen to fit. 单号 covers 订单号, 运单号, 快递单号,
// 物流单号, 退款单号, 保单号 and the like.
var negativeLabels = []string{
	"单号", "订单", "订单编号", "编号", "编码", "流水号", "交易号", "发票", "发票代码", "发票号码",
	"合同号", "批次号", "序列号", "条码", "券码", "兑换码", "验证码", "邮编", "工单", "型号", "货号",
	"快递", "物流", "运单",
}

// cardLabels vouch for a bank card whose prefix is not one we know.
var cardLabels = []string{"卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "银联卡"}

// labelBefore returns up to 8 runes of text before rune index i, after
// skipping the punctuation people put between a label and its value.
func (s *scanner) labelBefore(i int) string {
	j := i
	for skipped := 0; j > 0 && skipped < 4 && isLabelGlue(s.rs[j-1]); skipped++ {
		j--
	}
	k := max(j-8, 0)
	return string(s.rs[k:j])
}

func (s *scanner) labelledNotPII(i int) bool {
	before := s.labelBefore(i)
	for _, l := range negativeLabels {
		if strings.HasSuffix(before, l) {
			return true
		}
	}
	return false
}

func (s *scanner) cardContext(i int) bool {
	before := s.labelBefore(i)
	for _, l := range cardLabels {
		if strings.HasSuffix(before, l) {
			return true
		}
	}
	return false
}

func isLabelGlue(r rune) bool {
	switch r {
	case ' ', '\u3000', '\u00a0', ':', '：', '#', '＃', '是', '为', '(', '（', '"', '“', '「', '【', '[':
		return true
	}
	return false
}

func isSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u3000', '-', '－':
		return true
	}
	return false
}

func isX(r rune) bool { return r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' }

func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

func isLatinLetter(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 'ａ' && r <= 'ｚ') || (r >= 'Ａ' && r <= 'Ｚ')
}
