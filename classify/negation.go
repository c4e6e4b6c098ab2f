package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Negation of a signal word (a threat, a hazard, urgency, a rule's word) is
// read from the text before it in its clause: 「没有投诉的意思」,
// 「我不会去12315投诉的」, 「没有冒烟也不烫手」. The negator must come right
// before the word, or be separated from it only by light words (去, 给, 也,
// 很…) and by other signal words it already negated (12315 in 不会去12315投诉).
// Anything else in between ends its reach, so 不知道为什么冒烟了 and
// 不退款就投诉 are not negated. The reading is deliberately narrow: a missed
// negation costs an agent a look, a wrong one hides a hazard.

// negators, longest first so that the cue reported is the whole word.
var negators = [...]string{
	"从来没有", "并没有", "从来不", "不需要", "不打算", "没打算", "不至于",
	"没有", "并不", "不会", "不想", "不要", "不用", "不必", "不是", "不算", "不太",
	"不怎么", "没那么", "不着", "从没", "从未", "绝不", "毫无", "无需",
	"不", "没", "无", "别", "未", "勿",
}

// lightWords may stand between a negator and the word it negates.
var lightWords = [...]string{
	"那么", "这么", "特别", "非常", "任何", "你们", "贵司", "打算", "准备", "出现", "发生",
	"去", "来", "找", "打", "向", "跟", "给", "对", "会", "要", "再", "也", "还", "都",
	"就", "有", "过", "是", "在", "被", "把", "您", "你", "很", "太", "什么", "啥",
}

// notNegators end a prefix that looks negated and is not: A-not-A questions
// (会不会爆炸 asks about a hazard) and double negation (不得不投诉).
var notNegators = [...]string{
	"会不会", "是不是", "有没有", "能不能", "要不要", "可不可以", "算不算", "该不该",
	"不得不", "不能不", "不会不",
}

// clausePrefix is the part of before that lies in the same clause as what
// follows it: after the last punctuation, space or contrast word.
func clausePrefix(before string) string {
	i := strings.LastIndexFunc(before, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '~' || r == '～'
	})
	if i >= 0 {
		_, size := utf8.DecodeRuneInString(before[i:])
		before = before[i+size:]
	}
	for _, c := range [...]string{"但是", "可是", "不过", "而是", "但", "却"} {
		if j := strings.LastIndex(before, c); j >= 0 {
			before = before[j+len(c):]
		}
	}
	return before
}

// negatedBy reports the negator that reaches a signal word starting right
// after before, skipping light words. carried maps the byte offset in before
// at which an earlier negated signal word ends to where it starts: a
// negation reaches through it (不会去12315投诉) to the next word.
// It returns the offset in before where the negator starts.
func negatedBy(before string, carried map[int]int) (int, bool) {
	prefix := clausePrefix(before)
	offset := len(before) - len(prefix)
	rest := prefix
	for {
		for _, nn := range notNegators {
			if strings.HasSuffix(rest, nn) {
				return 0, false
			}
		}
		for _, neg := range negators {
			if r, ok := strings.CutSuffix(rest, neg); ok {
				if strings.HasSuffix(r, "本来") || strings.HasSuffix(r, "原本") {
					return 0, false // 本来不想投诉: a negation the rest overturns
				}
				return offset + len(r), true
			}
		}
		if start, ok := carried[offset+len(rest)]; ok && start >= offset {
			rest = rest[:start-offset]
			continue
		}
		trimmed := false
		for _, w := range lightWords {
			if r, ok := strings.CutSuffix(rest, w); ok {
				rest, trimmed = r, true
				break
			}
		}
		if !trimmed || rest == "" {
			return 0, false
		}
	}
}

// negationTracker reads negation for the signal words of one text, found in
// order of their start: it remembers the negated ones so that a negation
// reaches through them to the next.
type negationTracker struct {
	carried map[int]int // end → start of each negated signal word
}

// negated reports whether the word at text[start:end] is negated, with the
// phrase from the negator to the word's end (不是很急, 不会去12315投诉), and
// remembers it when it is.
func (n *negationTracker) negated(text string, start, end int) (string, bool) {
	at, ok := negatedBy(text[:start], n.carried)
	if !ok {
		return "", false
	}
	if n.carried == nil {
		n.carried = map[int]int{}
	}
	n.carried[end] = start
	return text[at:end], true
}
