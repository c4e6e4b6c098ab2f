package kb

import (
	"context"

	"github.com/triagehq/triage"
)

// Neighbours finds the resolved tickets most similar to a new ticket's
// text, whose categories vote in triage (classify.Triager.Neighbours).
type Neighbours struct {
	Search *Searcher
	Store  triage.Reader
	// Mode is the search mode, ModeHybrid when empty. Triage runs inside
	// the ticket's creating transaction: with a remote embedder it must be
	// ModeLexical, so that no outside endpoint is called on a write's path
	// (a slow one would hold the transaction and the client).
	Mode string
}

// Find returns up to k neighbours of text. The similarity is the cosine
// when the vector list found the ticket, else a share that falls with its
// lexical rank; a ticket without a category has no vote and is left out.
func (n *Neighbours) Find(ctx context.Context, text string, k int) ([]triage.Neighbour, error) {
	mode := n.Mode
	if mode == "" {
		mode = ModeHybrid
	}
	hits, err := n.Search.Search(ctx, Query{Text: text, Kind: triage.DocTicket, Mode: mode, K: k})
	if err != nil {
		return nil, err
	}
	var out []triage.Neighbour
	for _, h := range hits {
		t, err := n.Store.Ticket(ctx, h.OwnerID)
		if err != nil || t.Category == "" {
			continue
		}
		sim := h.VectorScore
		if sim <= 0 {
			sim = 0.5 / float64(h.LexicalRank)
		}
		out = append(out, triage.Neighbour{TicketID: t.ID, Category: t.Category, Similarity: sim})
	}
	return out, nil
}
