package suggest

import (
	"context"
	"github.com/triagehq/triage/classify"
	"strings"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// A customer's question answered without an agent (the help centre's
// request form and the answer API for bots) uses the drafts' rules: the
// same writer (LLM when configured, extractive otherwise), the same fact
// and citation checks, the same hazard and threat words. What differs is
// who reads the answer: a customer, with no agent to catch a wrong one,
// so the service answers only when the best article is close enough, and
// hands every complaint to a person.

// AnswerConfidence is how sure the service is that an article found for
// a question answers it: the cosine of their vectors (the Relevance
// agents see), 0 when the meaning search did not find it.
func AnswerConfidence(h kb.Hit) float64 { return relevance(h) }

// DefaultAnswerConfidence is the confidence the best public article needs
// before the request form shows it or a bot answers from it. It was
// chosen with `triage eval deflect` (README: Deflection): see the README
// for the figures it gives on the shared retrieval sets.
const DefaultAnswerConfidence = 0.35

// complaintWords mark a complaint about the service itself: a person
// answers those, whatever an article says.
var complaintWords = []string{"投诉", "差评", "太差", "骗子", "欺骗", "垃圾", "举报", "人工", "转人工", "complain", "complaint"}

// Handover codes say why a question goes to a person.
const (
	HandoverSafety     = "safety"
	HandoverThreat     = "threat"
	HandoverComplaint  = "complaint"
	HandoverClarify    = "clarify"
	HandoverLow        = "low_confidence"
	HandoverNoAnswer   = "no_answer"
	HandoverNoArticles = "no_articles"
)

// HandoverTopic returns why a question must go to a person whatever the
// articles say (a hazard, a threat to complain outside, a complaint, a
// question with nothing to go on), or "".
func HandoverTopic(question string) string {
	switch DraftKind("", question) {
	case triage.DraftKindSafety:
		return HandoverSafety
	case triage.DraftKindEscalation:
		return HandoverThreat
	case triage.DraftKindClarifying:
		return HandoverClarify
	}
	if mentions(strings.ToLower(question), complaintWords) {
		return HandoverComplaint
	}
	return ""
}

// Answer is a grounded short answer to a customer, or a handover.
type Answer struct {
	Text      string `json:"text,omitempty"`
	Citations []int  `json:"citations"`
	// Mode is how the text was written: llm or extractive.
	Mode     string `json:"mode,omitempty"`
	Handover bool   `json:"handover"`
	// Why is the handover code (HandoverSafety …), "" with an answer.
	Why string `json:"why,omitempty"`
}

// AnswerQuestion writes an answer from sources (public articles, best
// first, each with its Relevance) or hands over. The caller filtered the
// sources to what a customer may read.
func (w *Writer) AnswerQuestion(ctx context.Context, question string, sources []triage.Source, minConfidence float64) Answer {
	if why := HandoverTopic(question); why != "" {
		return Answer{Handover: true, Why: why, Citations: []int{}}
	}
	if len(sources) == 0 {
		return Answer{Handover: true, Why: HandoverNoArticles, Citations: []int{}}
	}
	if sources[0].Relevance < minConfidence {
		return Answer{Handover: true, Why: HandoverLow, Citations: []int{}}
	}
	var keep []triage.Source
	for _, s := range sources {
		if s.Relevance >= minConfidence {
			keep = append(keep, s)
		}
	}
	d := w.Write(ctx, "", question, keep)
	if d.Mode != triage.DraftLLM && d.Mode != triage.DraftExtractive || d.Text == "" {
		return Answer{Handover: true, Why: HandoverNoAnswer, Citations: []int{}}
	}
	return Answer{Text: d.Text, Citations: triage.NonNil(d.Citations), Mode: d.Mode}
}

// mentions reports whether text has one of words not taken back by a
// negation before it in its clause (没有投诉的意思), read as priority and
// keyword rules read negation.
func mentions(text string, words []string) bool {
	for _, w := range words {
		for off := 0; off < len(text); {
			i := strings.Index(text[off:], w)
			if i < 0 {
				break
			}
			i += off
			if !classify.Negated(text, i) {
				return true
			}
			off = i + len(w)
		}
	}
	return false
}
