package triage

import (
	"context"
	"time"
)

// Term is one index term of a text.
type Term struct {
	Text string `json:"text"`
	// Position counts words from 0. Sub-words of a long word share the
	// position of the word they come from, so phrase queries still work.
	Position int `json:"position"`
	// Start and End are byte offsets into the normalised text.
	Start int `json:"start"`
	End   int `json:"end"`
}

// Segmenter turns Chinese (and mixed) text into normalised terms. One
// implementation is shared by the rules, the classifier, the indexes and the
// evaluation, so that all of them see the same words.
type Segmenter interface {
	// Normalize folds full-width to half-width, traditional to simplified
	// Chinese, Latin to lower case, and collapses whitespace.
	Normalize(text string) string
	// Words returns the normalised words of text, without stop words,
	// punctuation or whitespace, for classification and rules.
	Words(text string) []string
	// Tokens returns index terms with positions. Long words also yield
	// their sub-words at the same position (手机号码 → 手机, 号码, 手机号).
	Tokens(text string) []Term
}

// DictWord is an entry of the user dictionary: a domain word (到账, 退款单, a
// product name or SKU) the segmenter must keep whole.
type DictWord struct {
	Word string `json:"word"`
	// Freq weighs the word against the built-in dictionary; higher keeps
	// it whole more often. Zero means a sensible default.
	Freq      int       `json:"freq"`
	Tag       string    `json:"tag,omitempty"` // part of speech, e.g. "n"
	CreatedAt time.Time `json:"created_at"`
}

// Embedder turns texts into vectors.
type Embedder interface {
	// Model names the model; vectors of different models are never
	// compared, and a change of model forces a re-embed.
	Model() string
	Dim() int
	// Embed returns one L2-normalised vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
