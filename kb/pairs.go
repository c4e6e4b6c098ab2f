package kb

import (
	"context"
	"slices"
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
// suggestion of a published article or a resolved ticket, and every source
// an accepted draft cited, with the text of the ticket it was suggested
// for. Sources that are no longer searchable (unpublished, deleted,
// reopened) are left out, and a (ticket, source) accepted twice counts
// once. An edited draft is not a pair: the agent may have dropped what it
// cited. The texts never leave the process: the local embedder learns from
// them in memory.
func (e *Embedding) Pairs(ctx context.Context) ([]Pair, error) {
	fb, err := e.Store.AcceptedFeedback(ctx, maxEmbedderPairs)
	if err != nil {
		return nil, err
	}
	p := pairReader{e: e, seen: map[string]bool{}, tickets: map[string]string{}, sources: map[string]string{}}
	for _, f := range fb {
		if f.SourceKind != triage.FeedbackDraft {
			if err := p.add(ctx, f.TicketID, f.SourceKind, f.SourceID); err != nil {
				return nil, err
			}
			continue
		}
		sg, err := e.Store.Suggestion(ctx, f.SuggestionID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, src := range slices.Concat(sg.Articles, sg.Tickets) {
			if slices.Contains(sg.Draft.Citations, src.N) {
				if err := p.add(ctx, f.TicketID, src.Kind, src.ID); err != nil {
					return nil, err
				}
			}
		}
		if len(p.out) >= maxEmbedderPairs {
			break
		}
	}
	return p.out, nil
}

// pairReader gathers pairs, reading each ticket and source once.
type pairReader struct {
	e                *Embedding
	seen             map[string]bool
	tickets, sources map[string]string
	out              []Pair
}

func (p *pairReader) add(ctx context.Context, ticketID, kind, id string) error {
	group := kind + ":" + id
	key := ticketID + "\x00" + group
	if ticketID == "" || id == "" || ticketID == id || p.seen[key] {
		return nil
	}
	p.seen[key] = true
	q, ok := p.tickets[ticketID]
	if !ok {
		t, err := p.e.Store.Ticket(ctx, ticketID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			t = &triage.Ticket{}
		} else if err != nil {
			return err
		}
		q = strings.TrimSpace(t.Title + "\n" + t.Body)
		p.tickets[ticketID] = q
	}
	src, ok := p.sources[group]
	if !ok {
		docs, err := docsFrom(ctx, p.e.Store, kind, id)
		if err != nil {
			return err
		}
		src = sourceText(docs)
		p.sources[group] = src
	}
	if q != "" && src != "" {
		p.out = append(p.out, Pair{A: q, B: src, Group: group})
	}
	return nil
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
