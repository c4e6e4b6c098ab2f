package triage

import (
	"context"
	"time"
)

// Kinds of searchable documents.
const (
	DocArticle = "article" // a paragraph-sized chunk of a published article
	DocTicket  = "ticket"  // a resolved ticket with the reply that solved it
)

// SearchDoc is one unit of the text and vector indexes: a chunk of an
// article, or a resolved ticket. Long articles are split into paragraphs so
// that a match is scored where it is, and reported at article level.
type SearchDoc struct {
	// ID is unique across kinds: "article:<id>#<chunk>" or "ticket:<id>".
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	OwnerID string `json:"owner_id"` // the article or ticket
	Chunk   int    `json:"chunk"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	// Category lets a search stay within one; Resolution is the reply that
	// solved a ticket.
	Category   string `json:"category"`
	Resolution string `json:"resolution,omitempty"`
}

// TextQuery is a lexical search.
type TextQuery struct {
	Text string
	Kind string // DocArticle or DocTicket; required
	K    int
	// Exclude leaves out one owner, e.g. the ticket being answered.
	Exclude string
}

// TextHit is one lexical match.
type TextHit struct {
	DocID   string  `json:"doc_id"`
	OwnerID string  `json:"owner_id"`
	Chunk   int     `json:"chunk"`
	Score   float64 `json:"score"`
}

// TextIndex is the lexical index (bleve in both storage modes). It is
// derived from the store and can be rebuilt from it at any time.
type TextIndex interface {
	// Index adds or replaces documents.
	Index(ctx context.Context, docs ...SearchDoc) error
	// DeleteOwner removes every document of an owner (all of an
	// article's chunks).
	DeleteOwner(ctx context.Context, kind, ownerID string) error
	// Search returns the best documents, best first, BM25-scored.
	Search(ctx context.Context, q TextQuery) ([]TextHit, error)
	// Count returns how many documents of a kind it holds.
	Count(ctx context.Context, kind string) (int, error)
	Close() error
}

// VectorHit is one nearest neighbour.
type VectorHit struct {
	DocID string  `json:"doc_id"`
	Score float64 `json:"score"` // cosine similarity
}

// VectorIndex is the vector index: exact and in memory in embedded mode,
// HNSW in PostgreSQL.
type VectorIndex interface {
	Put(ctx context.Context, docID string, vec []float32) error
	Delete(ctx context.Context, docID string) error
	// Search returns the k nearest documents whose ID passes keep (nil:
	// all).
	Search(ctx context.Context, vec []float32, k int, keep func(docID string) bool) ([]VectorHit, error)
}

// Vector is a stored embedding of one search document, with the model that
// made it: vectors of different models are never compared.
type Vector struct {
	DocID     string    `json:"doc_id"`
	Kind      string    `json:"kind"`
	OwnerID   string    `json:"owner_id"`
	Model     string    `json:"model"`
	Vec       []float32 `json:"vec"`
	UpdatedAt time.Time `json:"updated_at"`
}
