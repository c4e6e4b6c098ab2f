package kb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triagehq/triage"
)

// Search modes.
const (
	ModeLexical = "lexical" // BM25 over the segmenter's words
	ModeVector  = "vector"  // cosine over the embedder's vectors
	ModeHybrid  = "hybrid"  // both, fused by score
)

// Searcher finds articles and resolved tickets by their words and by their
// meaning, and fuses the two lists by their scores:
//
//	fused = wl · BM25 / (the query's best BM25) + wv · cosine
//
// BM25 has no scale of its own, so it is divided by the query's best; the
// cosine is taken as it is, so the vectors weigh in as much as the embedder
// is sure: a short question and its paraphrase, cosine 0.7, move the list;
// a question and long answers, cosines of 0.2 all alike, barely reorder it.
// Reciprocal-rank fusion, which throws the scores away, gave the vectors
// the same say in both cases and cost the long-answer sets what it gained
// on the short-question ones (see DefaultVectorWeight).
type Searcher struct {
	Text     triage.TextIndex
	Vectors  triage.VectorIndex
	Embedder triage.Embedder
	// LexicalWeight and VectorWeight weigh the two lists; 0 means 1 and
	// DefaultVectorWeight.
	LexicalWeight, VectorWeight float64
	// PairedVectorWeight, when set, replaces VectorWeight while the
	// Embedder says it was fine-tuned on accepted pairs (a PairTuned
	// method, as Embedding has): such vectors carry the words as well as
	// their paraphrases, so the cosine deserves more say than the
	// unsupervised model's (see DefaultPairedVectorWeight).
	PairedVectorWeight float64
	// Candidates is how many documents each list contributes before
	// fusion; 0 means DefaultCandidates.
	Candidates int
	// Budget, when set, is how long Find gives the embedder: past it, or on
	// any error of the vector side, Find answers from the words alone and
	// says why (Result.Degraded) instead of failing or keeping a person
	// waiting on a remote endpoint. Zero means no bound and no fallback: a
	// failing vector side fails the search (evaluation must not measure a
	// search that quietly became lexical).
	Budget time.Duration
}

// Result is what Find answers.
type Result struct {
	Hits []Hit
	// Degraded, when set, says why the vector list was left out: Hits are
	// the lexical list alone.
	Degraded *triage.Reason
}

// DefaultVectorWeight is the service's weight of the cosine against the
// normalised BM25's 1 in hybrid search. On the whole dev split of each
// shared retrieval set, recall@5 / nDCG@10 lexical, vector, and hybrid by
// the reciprocal-rank fusion used before (vector weight 0.3) and by score
// at weights 0.7, 1 and 1.5:
//
//	set (queries)             lexical    vector     RRF 0.3    scores 0.7  scores 1   scores 1.5
//	bq_similar (3,909)        .295/.241  .304/.244  .304/.246  .305/.246   .306/.248  .305/.250
//	afqmc_similar (8,332)     .201/.164  .182/.151  .203/.166  .203/.166   .203/.166  .203/.166
//	baoxianzhidao_kb (2,634)  .520/.458  .375/.322  .502/.446  .523/.465   .521/.465  .519/.462
//	taidi2020_replies (1,958) .713/.656  .587/.532  .712/.653  .726/.671   .728/.672  .730/.673
//
// RRF cost baoxianzhidao_kb what it gained elsewhere; by score, hybrid is
// at least as good as the better of the two lists on every set. Between
// 0.7 and 1.5 the figures move by a few queries; 1, the two lists on an
// equal footing, is the one that needs no explaining. On the short
// question sets the gain over the words is small (bq +1.1 points of
// recall@5, afqmc +0.2): the local embedder learns from the knowledge base
// alone, a few thousand short questions, and finds mostly what the words
// find.
const DefaultVectorWeight = 1.0

// DefaultPairedVectorWeight is the service's weight of the cosine while
// the local embedder is fine-tuned on accepted pairs (see
// Searcher.PairedVectorWeight). Recall@5 / nDCG@10 of hybrid search on the
// whole dev split of each shared retrieval set, cross-fitted over two
// folds (each query scored by an embedder tuned on the other fold's
// (query, article) pairs: `triage eval retrieve --cross-fit 2
// --vector-weight W`), against the words alone:
//
//	set (queries)             lexical      weight 2     weight 4     weight 10
//	baoxianzhidao_kb (2,634)  .5197/.4585  .5437/.4845  .5296/.4704  .5019/.4329
//	taidi2020_replies (1,958) .7135/.6558  .7487/.6867  .7421/.6801  .7227/.6562
//	bq_similar (3,909)        .2950/.2409  .3382/.2735  .3471/.2806  .3510/.2859
//	afqmc_similar (8,332)     .2010/.1635  .2349/.1937  .2421/.2004  .2471/.2045
//
// 10 (embed.PairedVectorWeight, the best on short questions) falls under
// the words on long answers; 2 beats them on every set by 2.4 points of
// recall@5 or more and has the best mean, and a help desk's knowledge base
// is long answers more often than not.
const DefaultPairedVectorWeight = 2.0

// DefaultCandidates leaves room for chunks: a long article can fill several
// places of the chunk-level lists before they are folded by article.
const DefaultCandidates = 100

// Query is one search.
type Query struct {
	Text    string
	Kind    string // triage.DocArticle or triage.DocTicket
	Mode    string
	K       int
	Exclude string // an owner to leave out, e.g. the ticket being answered
}

// Hit is one article or ticket found, with the chunk that matched best and
// every score that placed it.
type Hit struct {
	Kind    string `json:"kind"`
	OwnerID string `json:"id"`
	Chunk   int    `json:"chunk"`
	// Ranks are 1-based within each list after folding chunks into their
	// owner; 0 means absent from that list.
	LexicalRank  int     `json:"lexical_rank"`
	LexicalScore float64 `json:"lexical_score"`
	VectorRank   int     `json:"vector_rank"`
	VectorScore  float64 `json:"vector_score"`
	Fused        float64 `json:"fused"`
}

// MaxK bounds how many results one search may ask for.
const MaxK = 100

// Search runs one query and returns its hits (see Find).
func (s *Searcher) Search(ctx context.Context, q Query) ([]Hit, error) {
	r, err := s.Find(ctx, q)
	return r.Hits, err
}

// Find runs one query. With a Budget, a vector side that fails or is late
// leaves the lexical list as the answer, with the reason in Degraded.
func (s *Searcher) Find(ctx context.Context, q Query) (Result, error) {
	if strings.TrimSpace(q.Text) == "" {
		return Result{}, triage.Invalid("q", "the query is empty")
	}
	if q.Kind != triage.DocArticle && q.Kind != triage.DocTicket {
		return Result{}, triage.Invalid("kind", "kind must be %s or %s", triage.DocArticle, triage.DocTicket)
	}
	if q.Mode == "" {
		q.Mode = ModeHybrid
	}
	if q.K == 0 {
		q.K = 10
	}
	if q.K < 1 || q.K > MaxK {
		return Result{}, triage.Invalid("k", "k must be between 1 and %d", MaxK)
	}
	cand := max(s.Candidates, q.K)
	if s.Candidates == 0 {
		cand = max(DefaultCandidates, q.K)
	}
	var lex, vec []Hit
	var degraded *triage.Reason
	var err error
	switch q.Mode {
	case ModeLexical:
		lex, err = s.lexical(ctx, q, cand)
	case ModeVector, ModeHybrid:
		if q.Mode == ModeHybrid {
			if lex, err = s.lexical(ctx, q, cand); err != nil {
				break
			}
		}
		vec, degraded, err = s.budgeted(ctx, q, cand)
		if degraded != nil && q.Mode == ModeVector {
			// The meaning side is out: the words are still an answer.
			lex, err = s.lexical(ctx, q, cand)
		}
	default:
		return Result{}, triage.Invalid("mode", "mode %q is not lexical, vector or hybrid", q.Mode)
	}
	if err != nil {
		return Result{}, err
	}
	fused := s.fuse(lex, vec)
	return Result{Hits: fused[:min(q.K, len(fused))], Degraded: degraded}, nil
}

// budgeted runs the vector side within the Budget. A late or failed
// vector side is a reason to answer from the words, not an error; only a
// caller who gave up (its own context done) gets an error. The embedder
// runs in its own goroutine so that one which ignores its context still
// cannot hold the search past the budget.
func (s *Searcher) budgeted(ctx context.Context, q Query, k int) ([]Hit, *triage.Reason, error) {
	if s.Budget <= 0 {
		hits, err := s.vector(ctx, q, k)
		return hits, nil, err
	}
	bctx, cancel := context.WithTimeout(ctx, s.Budget)
	defer cancel()
	type answer struct {
		hits []Hit
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		hits, err := s.vector(bctx, q, k)
		done <- answer{hits, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-bctx.Done():
		a.err = bctx.Err()
	}
	switch {
	case a.err == nil:
		return a.hits, nil, nil
	case ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case bctx.Err() != nil:
		r := triage.NewReason(triage.ReasonSearchVectorTimeout, s.Budget.Seconds())
		return nil, &r, nil
	}
	// An embedder that explains its failure as a reason of the search's
	// (an open circuit breaker) is reported with it, so the person sees
	// why at once and when it will be tried again.
	var te *triage.Error
	if errors.As(a.err, &te) && te.Reason != nil && te.Reason.Code == triage.ReasonSearchVectorBreakerOpen {
		r := *te.Reason
		return nil, &r, nil
	}
	r := triage.NewReason(triage.ReasonSearchVectorFailed, triage.ErrorMessage(a.err))
	return nil, &r, nil
}

func (s *Searcher) lexical(ctx context.Context, q Query, k int) ([]Hit, error) {
	if s.Text == nil {
		return nil, triage.Errorf(triage.EUNAVAILABLE, "the text index is not open")
	}
	hits, err := s.Text.Search(ctx, triage.TextQuery{Text: q.Text, Kind: q.Kind, K: k, Exclude: q.Exclude})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, Hit{Kind: q.Kind, OwnerID: h.OwnerID, Chunk: h.Chunk, LexicalScore: h.Score})
	}
	return fold(out, func(h *Hit, r int) { h.LexicalRank = r }), nil
}

func (s *Searcher) vector(ctx context.Context, q Query, k int) ([]Hit, error) {
	if s.Vectors == nil || s.Embedder == nil {
		return nil, triage.Errorf(triage.EUNAVAILABLE, "vector search is not configured")
	}
	vecs, err := s.Embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, err
	}
	prefix := q.Kind + ":"
	keep := func(id string) bool {
		if !strings.HasPrefix(id, prefix) {
			return false
		}
		if q.Exclude == "" {
			return true
		}
		owner, _ := SplitDocID(id)
		return owner != q.Exclude
	}
	hits, err := s.Vectors.Search(ctx, vecs[0], k, keep)
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		if h.Score <= 0 {
			continue // orthogonal or opposed: no evidence of meaning, only noise in the fusion
		}
		owner, chunk := SplitDocID(h.DocID)
		out = append(out, Hit{Kind: q.Kind, OwnerID: owner, Chunk: chunk, VectorScore: h.Score})
	}
	return fold(out, func(h *Hit, r int) { h.VectorRank = r }), nil
}

// fold keeps each owner's best chunk, in the order of the list (which is
// best first), and numbers the owners: paragraphs are scored, articles are
// reported.
func fold(hits []Hit, setRank func(*Hit, int)) []Hit {
	seen := make(map[string]bool, len(hits))
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		if seen[h.OwnerID] {
			continue
		}
		seen[h.OwnerID] = true
		setRank(&h, len(out)+1)
		out = append(out, h)
	}
	return out
}

// pairTuned is an embedder that knows whether it was fine-tuned on pairs.
type pairTuned interface{ PairTuned() bool }

// vectorWeight is the weight of the cosine for the embedder in use.
func (s *Searcher) vectorWeight() float64 {
	if t, ok := s.Embedder.(pairTuned); ok && s.PairedVectorWeight > 0 && t.PairTuned() {
		return s.PairedVectorWeight
	}
	if s.VectorWeight <= 0 {
		return DefaultVectorWeight
	}
	return s.VectorWeight
}

// fuse merges the folded lists by score (see Searcher). With one list it
// keeps that list's order, so every mode reports the same Hit shape.
func (s *Searcher) fuse(lex, vec []Hit) []Hit {
	wl, wv := s.LexicalWeight, s.vectorWeight()
	if wl <= 0 {
		wl = 1
	}
	best := 0.0
	for _, h := range lex {
		best = max(best, h.LexicalScore)
	}
	by := make(map[string]*Hit, len(lex)+len(vec))
	out := make([]Hit, 0, len(lex)+len(vec))
	for _, h := range lex {
		if best > 0 {
			h.Fused = wl * h.LexicalScore / best
		}
		out = append(out, h)
	}
	for i := range out {
		by[out[i].OwnerID] = &out[i]
	}
	for _, h := range vec {
		if prev, ok := by[h.OwnerID]; ok {
			prev.VectorRank, prev.VectorScore = h.VectorRank, h.VectorScore
			prev.Fused += wv * h.VectorScore
			if prev.LexicalScore == 0 {
				prev.Chunk = h.Chunk
			}
			continue
		}
		h.Fused = wv * h.VectorScore
		out = append(out, h)
	}
	// Owners are unique and the order below is total, so an unstable sort
	// gives the one order; the stable one was 7% of a bq_similar hybrid
	// query's profile.
	slices.SortFunc(out, func(a, b Hit) int {
		if n := cmp.Compare(b.Fused, a.Fused); n != 0 {
			return n
		}
		// Equal fused scores: the better single rank first, then the id
		// for a stable order.
		if n := cmp.Compare(bestRank(a), bestRank(b)); n != 0 {
			return n
		}
		return cmp.Compare(a.OwnerID, b.OwnerID)
	})
	return out
}

func bestRank(h Hit) int {
	switch {
	case h.LexicalRank == 0:
		return h.VectorRank
	case h.VectorRank == 0:
		return h.LexicalRank
	}
	return min(h.LexicalRank, h.VectorRank)
}

// DocID is the search document id of a chunk.
func DocID(kind, ownerID string, chunk int) string {
	if kind == triage.DocTicket {
		return kind + ":" + ownerID
	}
	return fmt.Sprintf("%s:%s#%d", kind, ownerID, chunk)
}

// SplitDocID returns the owner and chunk of a search document id.
func SplitDocID(id string) (string, int) {
	if _, rest, ok := strings.Cut(id, ":"); ok {
		id = rest
	}
	owner, chunk, ok := strings.Cut(id, "#")
	if !ok {
		return owner, 0
	}
	n, _ := strconv.Atoi(chunk)
	return owner, n
}
