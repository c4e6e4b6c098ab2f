package pii

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Facts are the specifics a reply can state about one customer's case:
// amounts, order and tracking numbers, other identifiers, product models,
// dates and times, any other number, and the personal data Find detects.
// A reply drafted for one customer must not carry another customer's
// facts; Facts and Foreign find them with the same folding (full-width and
// other scripts' digits, invisible characters) and the same labels (订单号,
// 运单号 …) as the masker.

// FactKind is a sort of fact.
type FactKind string

// The kinds of facts, besides the personal-data kinds (FactKind of a Kind).
const (
	FactAmount     FactKind = "amount"      // 399.00元, ¥200
	FactOrder      FactKind = "order_no"    // a number labelled 订单/单号
	FactTracking   FactKind = "tracking_no" // a number labelled 快递/物流/运单, or SF1234567890
	FactIdentifier FactKind = "identifier"  // any other run of 5 or more digits
	FactModel      FactKind = "model"       // letters and digits: WH-1000XM5, X200
	FactDate       FactKind = "date"        // 2026-10-30, 10月30日, 18:00
	FactNumber     FactKind = "number"      // any other number: 3天前, 2件
)

// Fact is one fact found in a text: its kind, its byte span in the text
// and its value in one canonical spelling (digits folded to ASCII, amounts
// as plain decimals), so that 399.00元 and ￥399 are the same fact.
type Fact struct {
	Kind  FactKind `json:"kind"`
	Start int      `json:"start"`
	End   int      `json:"end"`
	Value string   `json:"value"`
}

// FactLabel is the placeholder an agent must fill in for a fact of kind k
// taken out of a sentence: 【订单号】. It has no number, so it is never
// read as one of the masker's placeholders (【手机号1】).
func FactLabel(k FactKind) string {
	switch k {
	case FactAmount:
		return "【金额】"
	case FactOrder:
		return "【订单号】"
	case FactTracking:
		return "【运单号】"
	case FactIdentifier:
		return "【编号】"
	case FactModel:
		return "【型号】"
	case FactDate:
		return "【日期】"
	case FactNumber:
		return "【数量】"
	}
	return "【" + DefaultLabel(Kind(k)) + "】"
}

var (
	// The patterns run on the folded text, so ￥, full-width digits and
	// Arabic-Indic digits are plain ASCII here. Order matters: an amount
	// or a date outranks the bare numbers inside it.
	factAmountRE = regexp.MustCompile(`(?i)(?:[¥￥$]|rmb|cny|usd)\s*([0-9][0-9,]*(?:\.[0-9]+)?)|([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元|块钱|rmb|cny|人民币|美元|dollars?|yuan)`)
	factDateRE   = regexp.MustCompile(`[0-9]{4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*[日号]?|[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*[日号]|[0-9]{4}\s*年\s*[0-9]{1,2}\s*月|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?`)
	digitRunRE   = regexp.MustCompile(`[0-9]+`)
	factTokenRE  = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]|[0-9]`)
)

// trackingWords and orderWords, right before a number, say what it is.
var (
	trackingWords = []string{"快递", "物流", "运单", "顺丰", "圆通", "中通", "申通", "韵达", "邮政", "京东", "追踪", "跟踪", "包裹"}
	orderWords    = []string{"订单", "单号"}
)

// Facts returns the facts in text, in order and without overlaps.
func Facts(text string) []Fact {
	if !strings.ContainsFunc(text, func(r rune) bool { return digitValue(r) >= 0 || fold(r) != r || r == '@' }) {
		return nil
	}
	s := newScanner(text)
	var out []Fact
	taken := make([]bool, len(s.rs))
	add := func(k FactKind, i, j int, value string) bool {
		for x := i; x < j; x++ {
			if taken[x] {
				return false
			}
		}
		for x := i; x < j; x++ {
			taken[x] = true
		}
		out = append(out, Fact{Kind: k, Start: s.start[i], End: s.end[j-1], Value: value})
		return true
	}
	s.opaque = make([]bool, len(s.rs))
	var m Masker
	for _, p := range m.Find(text) {
		i, j := runeSpan(s, p.Start, p.End)
		if p.Kind == Email {
			for x := i; x < j; x++ {
				s.opaque[x] = true
			}
		}
		if i < j {
			add(FactKind(p.Kind), i, j, p.key)
		}
	}
	folded := string(s.rs)
	byteToRune := make([]int, len(folded)+1)
	ri := 0
	for bi := range folded {
		byteToRune[bi] = ri
		ri++
	}
	byteToRune[len(folded)] = ri
	for _, loc := range factAmountRE.FindAllStringSubmatchIndex(folded, -1) {
		num := ""
		for g := 2; g < len(loc); g += 2 {
			if loc[g] >= 0 {
				num += folded[loc[g]:loc[g+1]]
			}
		}
		add(FactAmount, byteToRune[loc[0]], byteToRune[loc[1]], canonicalAmount(num))
	}
	for _, loc := range factDateRE.FindAllStringIndex(folded, -1) {
		add(FactDate, byteToRune[loc[0]], byteToRune[loc[1]], digitsOf(folded[loc[0]:loc[1]]))
	}
	for _, loc := range factTokenRE.FindAllStringIndex(folded, -1) {
		tok := folded[loc[0]:loc[1]]
		i, j := byteToRune[loc[0]], byteToRune[loc[1]]
		digits := digitsOf(tok)
		letters := len(strings.ReplaceAll(tok, "-", "")) - len(digits)
		if overlaps(taken, i, j) {
			// Part of it is an amount or a date (2000–5000元): each
			// other run of digits is a number of its own.
			for _, d := range digitRunRE.FindAllStringIndex(tok, -1) {
				add(FactNumber, i+d[0], i+d[1], tok[d[0]:d[1]])
			}
			continue
		}
		switch {
		case digits == "":
			continue
		case letters > 0 && waybill(tok):
			// Two or three letters before a long number: a courier's
			// waybill (SF1234567890, JD0012345678).
			add(FactTracking, i, j, strings.ToUpper(tok))
		case letters > 0 && len(digits) >= 1 && letters+len(digits) >= 3:
			add(FactModel, i, j, strings.ToUpper(tok))
		case letters > 0:
			continue
		case len(digits) >= 5:
			add(numberKind(s.labelBefore(i)), i, j, digits)
		default:
			add(FactNumber, i, j, digits)
		}
	}
	slices.SortFunc(out, func(a, b Fact) int { return a.Start - b.Start })
	return out
}

func overlaps(taken []bool, i, j int) bool {
	for x := i; x < j; x++ {
		if taken[x] {
			return true
		}
	}
	return false
}

// waybill reports two or three Latin letters then eight or more digits.
func waybill(tok string) bool {
	p := 0
	for p < len(tok) && isLatinLetter(rune(tok[p])) {
		p++
	}
	rest := tok[p:]
	return p >= 2 && p <= 3 && len(rest) >= 8 && digitsOf(rest) == rest
}

// numberKind names a long number by the words before it.
func numberKind(label string) FactKind {
	for _, w := range trackingWords {
		if strings.Contains(label, w) {
			return FactTracking
		}
	}
	for _, w := range orderWords {
		if strings.Contains(label, w) {
			return FactOrder
		}
	}
	return FactIdentifier
}

// runeSpan maps a byte span of the text to the scanner's rune indexes.
func runeSpan(s *scanner, start, end int) (int, int) {
	i, _ := slices.BinarySearch(s.start, start)
	j := i
	for j < len(s.rs) && s.start[j] < end {
		j++
	}
	return i, j
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if isDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func canonicalAmount(v string) string {
	v = strings.ReplaceAll(v, ",", "")
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return v
}

// Foreign returns the facts of text that none of grounds states: no fact
// of a ground has its value, and (for numbers and identifiers) its digits
// appear nowhere in a ground. A draft's foreign facts are what it claims
// about a customer without having read it in their ticket or in a
// published article.
func Foreign(text string, grounds ...string) []Fact {
	facts := Facts(text)
	if len(facts) == 0 {
		return nil
	}
	known := map[string]bool{}
	var digits strings.Builder
	for _, g := range grounds {
		for _, f := range Facts(g) {
			known[f.Value] = true
		}
		for _, r := range g {
			if v := digitValue(r); v >= 0 {
				digits.WriteByte(byte('0' + v))
			} else if !invisible(r) {
				digits.WriteByte(' ')
			}
		}
	}
	all := " " + digits.String() + " "
	var out []Fact
	for _, f := range facts {
		if known[f.Value] {
			continue
		}
		if f.Kind != FactAmount && f.Kind != FactDate && f.Kind != FactModel && f.Kind != FactTracking {
			// A bare number is grounded by the same number anywhere
			// in a ground, as a whole run of digits.
			if strings.Contains(all, " "+f.Value+" ") {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}
