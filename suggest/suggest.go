package suggest

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/kb"
)

// Service puts sources and a draft beside a ticket and records what agents
// do with them.
type Service struct {
	Store  triage.Store
	Search *kb.Searcher
	Writer *Writer
	// Articles and Tickets are how many of each to suggest; 0 means 5.
	Articles, Tickets int
	// MinRelevance is the Relevance a source needs to be suggested and
	// drafted from; 0 keeps every source. DefaultMinRelevance is
	// calibrated for the local embedder.
	MinRelevance float64
	// Fresh is how long stored suggestions are served again before being
	// recomputed; 0 means 10 minutes. A change to the ticket always
	// recomputes.
	Fresh time.Duration
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// For returns a ticket's suggestions: the stored ones while they are fresh
// and the ticket has not changed since, else new ones, which are stored so
// feedback can refer to exactly what the agent saw.
func (s *Service) For(ctx context.Context, ticketID string, refresh bool) (*triage.Suggestions, error) {
	t, err := s.Store.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	fresh := s.Fresh
	if fresh <= 0 {
		fresh = 10 * time.Minute
	}
	if !refresh {
		prev, err := s.Store.LatestSuggestion(ctx, ticketID)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
		// A degraded set (found by words alone) is not served again: the
		// embedder may be back.
		if err == nil && !prev.Degraded && prev.CreatedAt.After(t.UpdatedAt) && s.now().Sub(prev.CreatedAt) < fresh {
			changed, err := s.articlesChangedSince(ctx, prev.CreatedAt)
			if err != nil {
				return nil, err
			}
			if !changed {
				return prev, nil
			}
		}
	}
	sg, err := s.compute(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Update(ctx, func(tx triage.Tx) error { return tx.SaveSuggestions(ctx, sg) }); err != nil {
		return nil, err
	}
	return sg, nil
}

// articlesChangedSince reports an article published, edited or withdrawn
// since t: the suggestions of then may miss a new answer or cite a
// withdrawn one. (A request in the moment between a change and the
// index catching up with it still computes without it.)
func (s *Service) articlesChangedSince(ctx context.Context, t time.Time) (bool, error) {
	latest, _, err := s.Store.Articles(ctx, triage.ArticleFilter{Limit: 1})
	if err != nil || len(latest) == 0 {
		return false, err
	}
	return latest[0].UpdatedAt.After(t), nil
}

// Compute returns new suggestions for a ticket without storing them: what
// an agent would see now. The ticket need not be stored.
func (s *Service) Compute(ctx context.Context, t *triage.Ticket) (*triage.Suggestions, error) {
	return s.compute(ctx, t)
}

// DefaultMinRelevance is the cut-off the service applies, chosen on the
// demo data with the local embedder: taking an article of the ticket's own
// category as the relevant one, it keeps about half the suggested
// articles and raises the share of relevant ones among them, where a
// higher cut-off loses most relevant articles. Another embedder (an
// OpenAI-compatible one) has other cosines and needs its own.
const DefaultMinRelevance = 0.10

func (s *Service) compute(ctx context.Context, t *triage.Ticket) (*triage.Suggestions, error) {
	text := classify.TicketText(t.Title, t.Body)
	sg := &triage.Suggestions{ID: triage.NewID(), TicketID: t.ID, Articles: []triage.Source{}, Tickets: []triage.Source{}, CreatedAt: s.now()}
	if DraftKind(t.Title, t.Body) == triage.DraftKindClarifying {
		// 在吗 says nothing a source could answer: whatever the search
		// returns for it is noise.
		if s.Writer != nil {
			sg.Draft = s.Writer.Write(ctx, t.Title, t.Body, nil)
		} else {
			sg.Draft = triage.Draft{Mode: triage.DraftNone, Citations: []int{}}
		}
		return sg, nil
	}
	arts, err := s.Search.Find(ctx, kb.Query{Text: text, Kind: triage.DocArticle, Mode: kb.ModeHybrid, K: orDefault(s.Articles, 5)})
	if err != nil {
		return nil, err
	}
	if sg.Articles, err = s.Hydrate(ctx, triage.DocArticle, arts.Hits); err != nil {
		return nil, err
	}
	sg.Articles = s.relevant(sg.Articles)
	for _, a := range sg.Articles {
		sg.BestArticle = max(sg.BestArticle, a.VectorScore)
	}
	mode := kb.ModeHybrid
	if arts.Degraded != nil {
		// The embedder just failed or was late: the tickets are found by
		// their words at once, not after a second wait.
		mode = kb.ModeLexical
	}
	tix, err := s.Search.Find(ctx, kb.Query{Text: text, Kind: triage.DocTicket, Mode: mode, K: orDefault(s.Tickets, 5), Exclude: t.ID})
	if err != nil {
		return nil, err
	}
	if sg.Tickets, err = s.Hydrate(ctx, triage.DocTicket, tix.Hits); err != nil {
		return nil, err
	}
	if sg.Reason = arts.Degraded; sg.Reason == nil {
		sg.Reason = tix.Degraded
	}
	sg.Degraded = sg.Reason != nil
	sg.Tickets = s.relevant(sg.Tickets)
	for i := range sg.Tickets {
		sg.Tickets[i].N = len(sg.Articles) + i + 1
	}
	sources := append(append([]triage.Source{}, sg.Articles...), sg.Tickets...)
	if s.Writer != nil {
		sg.Draft = s.Writer.Write(ctx, t.Title, t.Body, sources)
	} else {
		sg.Draft = triage.Draft{Mode: triage.DraftNone, Citations: []int{}}
	}
	return sg, nil
}

// relevant keeps the sources that reach MinRelevance, renumbered from 1.
// Without any vector score (the vectors are not built yet) there is no
// figure to cut on, and every source is kept.
func (s *Service) relevant(sources []triage.Source) []triage.Source {
	if s.MinRelevance <= 0 || !slices.ContainsFunc(sources, func(x triage.Source) bool { return x.VectorRank > 0 }) {
		return sources
	}
	out := []triage.Source{}
	for _, x := range sources {
		if x.Relevance >= s.MinRelevance {
			x.N = len(out) + 1
			out = append(out, x)
		}
	}
	return out
}

// relevance is a hit's one figure for an agent: its cosine, within 0…1.
func relevance(h kb.Hit) float64 {
	if h.VectorRank == 0 {
		return 0
	}
	return min(max(h.VectorScore, 0), 1)
}

// Hydrate turns search hits into sources an agent can read: titles,
// snippets, resolutions and links, numbered from 1. Hits whose owner is no
// longer searchable (an article unpublished since the index last caught
// up) are dropped.
func (s *Service) Hydrate(ctx context.Context, kind string, hits []kb.Hit) ([]triage.Source, error) {
	out := []triage.Source{}
	for _, h := range hits {
		var src triage.Source
		var ok bool
		var err error
		if kind == triage.DocArticle {
			src, ok, err = s.articleSource(ctx, h)
		} else {
			src, ok, err = s.ticketSource(ctx, h)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			src.N = len(out) + 1
			out = append(out, src)
		}
	}
	return out, nil
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func (s *Service) articleSource(ctx context.Context, h kb.Hit) (triage.Source, bool, error) {
	a, err := s.Store.Article(ctx, h.OwnerID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return triage.Source{}, false, nil
	} else if err != nil {
		return triage.Source{}, false, err
	}
	if a.Status != triage.ArticlePublished {
		return triage.Source{}, false, nil
	}
	snippet := ""
	if chunks := kb.Chunks(a); h.Chunk < len(chunks) {
		snippet = chunks[h.Chunk].Body
	}
	return triage.Source{
		Kind: triage.DocArticle, ID: a.ID, Title: a.Title, Snippet: clip(snippet, 400), Category: a.Category, URL: "/v1/articles/" + a.ID,
		LexicalRank: h.LexicalRank, LexicalScore: h.LexicalScore, VectorRank: h.VectorRank, VectorScore: h.VectorScore, Fused: h.Fused,
		Relevance: relevance(h), Why: why(h),
	}, true, nil
}

func (s *Service) ticketSource(ctx context.Context, h kb.Hit) (triage.Source, bool, error) {
	t, err := s.Store.Ticket(ctx, h.OwnerID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return triage.Source{}, false, nil
	} else if err != nil {
		return triage.Source{}, false, err
	}
	if !kb.Resolved(t) {
		return triage.Source{}, false, nil
	}
	comments, err := s.Store.Comments(ctx, t.ID)
	if err != nil {
		return triage.Source{}, false, err
	}
	return triage.Source{
		Kind: triage.DocTicket, ID: t.ID, Title: t.Title, Snippet: clip(t.Body, 300), Resolution: clip(kb.Resolution(comments), 1000), Category: t.Category, URL: "/v1/tickets/" + t.ID,
		LexicalRank: h.LexicalRank, LexicalScore: h.LexicalScore, VectorRank: h.VectorRank, VectorScore: h.VectorScore, Fused: h.Fused,
		Relevance: relevance(h), Why: why(h),
	}, true, nil
}

// why says where a source came from: its rank and score in the word
// (BM25) and meaning (cosine) lists, and the fused score.
func why(h kb.Hit) triage.Reason {
	switch {
	case h.LexicalRank > 0 && h.VectorRank > 0:
		return triage.NewReason(triage.ReasonSourceBoth, h.LexicalRank, h.LexicalScore, h.VectorRank, h.VectorScore, h.Fused)
	case h.LexicalRank > 0:
		return triage.NewReason(triage.ReasonSourceWords, h.LexicalRank, h.LexicalScore, h.Fused)
	case h.VectorRank > 0:
		return triage.NewReason(triage.ReasonSourceMeaning, h.VectorRank, h.VectorScore, h.Fused)
	}
	return triage.NewReason(triage.ReasonSourceFused, h.Fused)
}

// clip shortens s to n runes at most, on a rune boundary.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
