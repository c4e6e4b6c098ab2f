package classify

// Negated reports whether the word that starts at text[start:] is negated
// by what comes before it in its clause (不是发票的问题), read as keyword
// rules read negation: for automations' "text contains".
func Negated(text string, start int) bool {
	if start <= 0 || start > len(text) {
		return false
	}
	_, ok := negatedBy(text[:start], nil)
	return ok
}
