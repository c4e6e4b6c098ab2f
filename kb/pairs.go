package kb

import (
	"context"
	"strings"

	"github.com/triagehq/triage"
)

// MinEmbedderPairs is the fewest accepted (ticket, source) pairs worth
// fine-tuning the local embedder on; with fewer, a handful of tickets
// would pull the latent part their way, and it is trained on the corpus
// alone as before.
const MinEmbedderPairs = 20

// maxEmbedderPairs bounds the pairs one training reads, newest first: the
// fine-tuning's cost grows with them, and recent verdicts speak for the
// knowledge base as it is now.
const maxEmbedderPairs = 20000

// Pair is a ticket's text and the text of a source an agent accepted for
// it. Group names the source, so that two tickets answered by one article
// are never each other's negatives in fine-tuning.
type Pair struct {
	A, B  string
	Group string
}

// Pairs reads the labelled pairs the store holds: every accepted
// suggestion of a published article or a resolved ticket, with the text of
// the ticket it was suggested for. Sources that are no longer searchable
// (unpublished, deleted, reopened) are left out, and a (ticket, source)
// accepted twice counts once. The texts never leave the process: the local
// embedder learns from them in memory.
func (e *Embedding) Pairs(ctx context.Context) ([]Pair, error) {
	fb, err := e.Store.AcceptedSources(ctx, maxEmbedderPairs)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	tickets := map[string]string{}
	sources := map[string]string{}
	var out []Pair
	for _, f := range fb {
		group := f.SourceKind + ":" + f.SourceID
		key := f.TicketID + "\x00" + group
		if f.TicketID == "" || f.TicketID == f.SourceID || seen[key] {
			continue
		}
		seen[key] = true
		q, ok := tickets[f.TicketID]
		if !ok {
			t, err := e.Store.Ticket(ctx, f.TicketID)
			if triage.IsCode(err, triage.ENOTFOUND) {
				t = &triage.Ticket{}
			} else if err != nil {
				return nil, err
			}
			q = strings.TrimSpace(t.Title + "\n" + t.Body)
			tickets[f.TicketID] = q
		}
		src, ok := sources[group]
		if !ok {
			docs, err := docsFrom(ctx, e.Store, f.SourceKind, f.SourceID)
			if err != nil {
				return nil, err
			}
			src = sourceText(docs)
			sources[group] = src
		}
		if q == "" || src == "" {
			continue
		}
		out = append(out, Pair{A: q, B: src, Group: group})
	}
	return out, nil
}

// sourceText is a source's searchable text in one piece: the title once,
// then every chunk's body (the embedder reads the head of a long text).
func sourceText(docs []triage.SearchDoc) string {
	if len(docs) == 0 {
		return ""
	}
	parts := []string{DocText(docs[0])}
	for _, d := range docs[1:] {
		parts = append(parts, d.Body)
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}
