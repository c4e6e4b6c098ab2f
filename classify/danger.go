package classify

import "strings"

// Danger reports whether text names a hazard to someone's body or home
// (the safety words: 冒烟, 漏电, 电池鼓包, 误吞…) or a threat to take the
// case outside the shop (the threat words: 12315, 律师, 媒体…), each read
// with its negation (没有冒烟, 我不会去12315投诉的 count for nothing) and
// its exceptions (工商银行, 报警器). It reads the one list priority reads
// (priorityKeywordList), so a ticket that is P1 for a hazard is the ticket
// that gets the safety reply: the draft writer (package suggest) asks
// here instead of keeping words of its own.
func Danger(text string) (hazard, threat bool) {
	h := findPriorityKeywords(strings.ToLower(text))
	return len(h.byClass[kwSafety]) > 0, len(h.byClass[kwThreat]) > 0
}
