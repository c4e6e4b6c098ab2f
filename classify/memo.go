package classify

import "github.com/triagehq/triage"

// memo is a segmenter that remembers its last answers. Triage asks for the
// same text's words several times (rules, both models, sentiment); cutting
// it once keeps intake fast.
type memo struct {
	seg       triage.Segmenter
	normIn    string
	norm      string
	wordsIn   string
	words     []string
	tokensIn  string
	tokens    []triage.Term
	hasNorm   bool
	hasWords  bool
	hasTokens bool
}

func newMemo(seg triage.Segmenter) *memo { return &memo{seg: seg} }

func (m *memo) Normalize(text string) string {
	if !m.hasNorm || m.normIn != text {
		m.normIn, m.norm, m.hasNorm = text, m.seg.Normalize(text), true
	}
	return m.norm
}

func (m *memo) Words(text string) []string {
	if !m.hasWords || m.wordsIn != text {
		m.wordsIn, m.words, m.hasWords = text, m.seg.Words(text), true
	}
	return m.words
}

func (m *memo) Tokens(text string) []triage.Term {
	if !m.hasTokens || m.tokensIn != text {
		m.tokensIn, m.tokens, m.hasTokens = text, m.seg.Tokens(text), true
	}
	return m.tokens
}
