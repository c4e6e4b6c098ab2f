package triage

import "time"

// SkipKind names the derived state a stored value was left out of.
type SkipKind string

// The derived state that skips a bad stored value instead of failing: the
// segmenter's user dictionary, the text and vector indexes, the active
// models. Each is rebuilt from the store, so leaving one value out keeps
// the rest (and the service) working while an admin fixes or deletes it;
// a rule is compiled at triage time, so one that does not compile is left
// out of the rule set instead of failing every new ticket.
const (
	SkipDictionary  SkipKind = "dictionary"
	SkipTextIndex   SkipKind = "text_index"
	SkipVectorIndex SkipKind = "vector_index"
	SkipModel       SkipKind = "model"
	SkipRule        SkipKind = "rule"
)

// SkipKinds lists every SkipKind, for metrics that report zero too.
func SkipKinds() []SkipKind {
	return []SkipKind{SkipDictionary, SkipTextIndex, SkipVectorIndex, SkipModel, SkipRule}
}

// Skipped is one stored value that derived state left out, and why. ID is
// the value's key where it is stored: the word, "kind:owner" of an index
// document, the model's id.
type Skipped struct {
	Kind  SkipKind  `json:"kind"`
	ID    string    `json:"id"`
	Error string    `json:"error"`
	At    time.Time `json:"at"`
}
