package eval

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// RetrievalScores are the ranking metrics of one mode, with the names of
// ../shared/peers/bm25_retrieve.py.
type RetrievalScores struct {
	Mode             string  `json:"mode"`
	Articles         int     `json:"articles"`
	Queries          int     `json:"queries"`
	RecallAt1        float64 `json:"recall@1"`
	RecallAt5        float64 `json:"recall@5"`
	RecallAt10       float64 `json:"recall@10"`
	MRRAt10          float64 `json:"mrr@10"`
	NDCGAt10         float64 `json:"ndcg@10"`
	QueriesPerSecond float64 `json:"queries_per_second"`
	LatencyP50ms     float64 `json:"latency_p50_ms"`
	LatencyP99ms     float64 `json:"latency_p99_ms"`
	// Missed are the worst-missed queries: no relevant article in the top
	// k, with what came back instead.
	Missed []Miss `json:"missed,omitempty"`
}

// Miss is a query whose relevant articles were not found.
type Miss struct {
	QueryID  string   `json:"query_id"`
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
	Got      []string `json:"got"`
	// RelevantTitles and GotTitles are the titles of those articles, so
	// the report shows what came back instead without a look-up.
	RelevantTitles []string `json:"relevant_titles,omitempty"`
	GotTitles      []string `json:"got_titles,omitempty"`
	// RelevantRank is where the first relevant article came (0: not in
	// the candidates at all).
	RelevantRank int `json:"relevant_rank"`
}

// RankingScores computes the metrics for ranked ids against the relevant
// sets, exactly as the peer script does: recall@k counts a query once if
// any relevant id is in its top k, nDCG uses binary gains with the ideal
// DCG over min(|relevant|, k).
func RankingScores(ranked [][]string, relevant [][]string, k int) (r1, r5, r10, mrr, ndcg float64) {
	n := len(ranked)
	if n == 0 {
		return
	}
	for i, got := range ranked {
		rel := relevant[i]
		top := got[:min(k, len(got))]
		for _, at := range []struct {
			k   int
			sum *float64
		}{{1, &r1}, {5, &r5}, {10, &r10}} {
			for _, id := range top[:min(at.k, len(top))] {
				if slices.Contains(rel, id) {
					*at.sum++
					break
				}
			}
		}
		for r, id := range top {
			if slices.Contains(rel, id) {
				mrr += 1 / float64(r+1)
				break
			}
		}
		var dcg, idcg float64
		for r, id := range top {
			if slices.Contains(rel, id) {
				dcg += 1 / math.Log2(float64(r+2))
			}
		}
		for r := range min(len(rel), k) {
			idcg += 1 / math.Log2(float64(r+2))
		}
		if idcg > 0 {
			ndcg += dcg / idcg
		}
	}
	f := float64(n)
	return r1 / f, r5 / f, r10 / f, mrr / f, ndcg / f
}

// RetrieveOptions configure a retrieval run.
type RetrieveOptions struct {
	K     int
	Modes []string
	// Misses is how many worst-missed queries to keep per mode.
	Misses   int
	Progress func(stage string, done, total int)
}

// RetrieveReport is the result of indexing a knowledge base and scoring
// queries against it in one or more modes.
type RetrieveReport struct {
	Kind         string  `json:"kind"` // "retrieve"
	Name         string  `json:"name,omitempty"`
	ArticlesFile string  `json:"articles_file,omitempty"`
	QueriesFile  string  `json:"queries_file,omitempty"`
	Embedder     string  `json:"embedder"`
	IndexSeconds float64 `json:"index_seconds"`
	K            int     `json:"k"`
	Sample       *Sample `json:"sample,omitempty"`
	// CrossFit, when set, is how many folds the queries were split into:
	// each fold was scored with an embedder fine-tuned on the other
	// folds' queries and their articles (Embedder names the first fold's).
	CrossFit int `json:"cross_fit,omitempty"`
	// VectorWeights are the hybrid weights the folds used, each chosen
	// on its own training queries (see CrossFit).
	VectorWeights []float64         `json:"vector_weights,omitempty"`
	Modes         []RetrievalScores `json:"modes"`
}

// Mode returns the scores of one mode, or nil.
func (r *RetrieveReport) Mode(mode string) *RetrievalScores {
	for i := range r.Modes {
		if r.Modes[i].Mode == mode {
			return &r.Modes[i]
		}
	}
	return nil
}

// IndexArticles puts articles into the text and vector indexes the way the
// service does: chunked by kb.Chunks, embedded in batches.
func IndexArticles(ctx context.Context, s *kb.Searcher, articles []Article, progress func(done, total int)) error {
	var docs []triage.SearchDoc
	for _, a := range articles {
		docs = append(docs, kb.Chunks(&triage.Article{ID: a.ID, Title: a.Title, Body: a.Body})...)
	}
	const batch = 256
	for lo := 0; lo < len(docs); lo += batch {
		part := docs[lo:min(lo+batch, len(docs))]
		if s.Text != nil {
			if err := s.Text.Index(ctx, part...); err != nil {
				return err
			}
		}
		if s.Vectors != nil && s.Embedder != nil {
			texts := make([]string, len(part))
			for i, d := range part {
				texts[i] = kb.DocText(d)
			}
			vecs, err := s.Embedder.Embed(ctx, texts)
			if err != nil {
				return err
			}
			for i, d := range part {
				if err := s.Vectors.Put(ctx, d.ID, vecs[i]); err != nil {
					return err
				}
			}
		}
		if progress != nil {
			progress(min(lo+batch, len(docs)), len(docs))
		}
	}
	return nil
}

// Retrieve scores queries against an already indexed knowledge base.
func Retrieve(ctx context.Context, s *kb.Searcher, articles int, queries []Query, o RetrieveOptions) ([]RetrievalScores, error) {
	return RetrieveFolds(ctx, []Fold{{Searcher: s, Queries: queries}}, articles, o)
}

// Fold is one part of a cross-fitted run: the queries it scores and the
// searcher built for them (whose embedder never saw them).
type Fold struct {
	Searcher *kb.Searcher
	Queries  []Query
}

// RetrieveFolds scores every fold's queries against its own searcher and
// reports the folds as one run: the metrics are over all their queries,
// the speed is that of all their searches.
func RetrieveFolds(ctx context.Context, folds []Fold, articles int, o RetrieveOptions) ([]RetrievalScores, error) {
	var queries []Query
	for _, f := range folds {
		queries = append(queries, f.Queries...)
	}
	if len(queries) == 0 {
		return nil, triage.Invalid("queries", "the query set is empty")
	}
	if o.K <= 0 {
		o.K = 10
	}
	if o.K > kb.MaxK {
		return nil, triage.Invalid("k", "k must be at most %d", kb.MaxK)
	}
	if len(o.Modes) == 0 {
		o.Modes = []string{kb.ModeLexical, kb.ModeVector, kb.ModeHybrid}
	}
	var out []RetrievalScores
	for _, mode := range o.Modes {
		ranked := make([][]string, len(queries))
		relevant := make([][]string, len(queries))
		lat := make([]time.Duration, len(queries))
		var elapsed float64
		at := 0
		for _, f := range folds {
			n := len(f.Queries)
			start := time.Now()
			if err := searchAll(ctx, f.Searcher, f.Queries, mode, o, ranked[at:at+n], relevant[at:at+n], lat[at:at+n]); err != nil {
				return nil, err
			}
			elapsed += time.Since(start).Seconds()
			at += n
		}
		sc := RetrievalScores{Mode: mode, Articles: articles, Queries: len(queries)}
		sc.RecallAt1, sc.RecallAt5, sc.RecallAt10, sc.MRRAt10, sc.NDCGAt10 = RankingScores(ranked, relevant, o.K)
		for _, p := range []*float64{&sc.RecallAt1, &sc.RecallAt5, &sc.RecallAt10, &sc.MRRAt10, &sc.NDCGAt10} {
			*p = round(*p, 4)
		}
		if elapsed > 0 {
			sc.QueriesPerSecond = round(float64(len(queries))/elapsed, 1)
		}
		slices.Sort(lat)
		sc.LatencyP50ms = round(float64(lat[len(lat)/2].Microseconds())/1000, 3)
		sc.LatencyP99ms = round(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, 3)
		sc.Missed = misses(queries, ranked, o.K, o.Misses)
		out = append(out, sc)
	}
	return out, nil
}

// CrossFolds splits queries into n folds by their first relevant article,
// so that the queries of one article (one intent of a similar-question
// set) are scored by a model that learnt from none of them. The split
// depends only on the article ids.
func CrossFolds(queries []Query, n int) [][]Query { return CrossFoldsSeed(queries, n, 0) }

// CrossFoldsSeed is CrossFolds with another seed: a split of one outer
// fold's training queries that is independent of the outer split.
func CrossFoldsSeed(queries []Query, n int, seed uint64) [][]Query {
	folds := make([][]Query, n)
	for _, q := range queries {
		f := 0
		if len(q.Relevant) > 0 {
			f = int(sampleKey(seed, q.Relevant[0]) % uint64(n))
		}
		folds[f] = append(folds[f], q)
	}
	return folds
}

// TrainingPairs turns labelled queries into paraphrase pairs for the
// local embedder: each query with the indexed text of its first relevant
// article, grouped by that article. Queries whose article is unknown are
// left out.
func TrainingPairs(queries []Query, articles []Article) []kb.Pair {
	text := make(map[string]string, len(articles))
	for _, a := range articles {
		if cs := kb.Chunks(&triage.Article{ID: a.ID, Title: a.Title, Body: a.Body}); len(cs) > 0 {
			text[a.ID] = kb.DocText(cs[0])
		}
	}
	var out []kb.Pair
	for _, q := range queries {
		if len(q.Relevant) == 0 {
			continue
		}
		if t, ok := text[q.Relevant[0]]; ok {
			out = append(out, kb.Pair{A: q.Text, B: t, Group: q.Relevant[0]})
		}
	}
	return out
}

// searchAll runs every query of one mode, on as many workers as there are
// processors: results land at their query's index, so the scores do not
// depend on the order the workers finish in, and a run of thousands of
// queries takes half the time on two cores. Each latency is one query's
// own; queries_per_second is the throughput of all workers.
func searchAll(ctx context.Context, s *kb.Searcher, queries []Query, mode string, o RetrieveOptions, ranked, relevant [][]string, lat []time.Duration) error {
	workers := min(runtime.GOMAXPROCS(0), len(queries), 8)
	var next, done atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(queries) || ctx.Err() != nil {
					return
				}
				q := queries[i]
				t0 := time.Now()
				// Ask for more than k so a miss can say where the answer was.
				hits, err := s.Search(ctx, kb.Query{Text: q.Text, Kind: triage.DocArticle, Mode: mode, K: max(o.K, 50)})
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					next.Store(int64(len(queries)))
					return
				}
				lat[i] = time.Since(t0)
				ids := make([]string, len(hits))
				for j, h := range hits {
					ids[j] = h.OwnerID
				}
				ranked[i], relevant[i] = ids, q.Relevant
				if n := done.Add(1); o.Progress != nil && (n%50 == 0 || int(n) == len(queries)) {
					mu.Lock()
					o.Progress(mode, int(n), len(queries))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// CanonicalText orders a text index's hits by their score rounded to ten
// significant digits, then by document id. Bleve's BM25 sums the same terms
// in an order that depends on how a build numbered the documents, so two
// builds of one knowledge base give scores that differ in the last bits
// and near-ties that swap places: enough to move recall@5 by a few
// thousandths between identical runs. Rounding makes such near-ties exact
// and the id decides, so an evaluation gives the same figures every run.
type CanonicalText struct {
	triage.TextIndex
}

// Search returns the wrapped index's hits in canonical order.
func (c CanonicalText) Search(ctx context.Context, q triage.TextQuery) ([]triage.TextHit, error) {
	hits, err := c.TextIndex.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Score = roundSignificant(hits[i].Score, 10)
	}
	slices.SortStableFunc(hits, func(a, b triage.TextHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.DocID, b.DocID))
	})
	return hits, nil
}

func roundSignificant(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(digits)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// misses picks the queries whose first relevant article came last (or
// never), keeping what came back instead.
func misses(queries []Query, ranked [][]string, k, keep int) []Miss {
	if keep <= 0 {
		return nil
	}
	var ms []Miss
	for i, q := range queries {
		rank := 0
		for r, id := range ranked[i] {
			if slices.Contains(q.Relevant, id) {
				rank = r + 1
				break
			}
		}
		if rank > 0 && rank <= k {
			continue
		}
		ms = append(ms, Miss{QueryID: q.ID, Text: Shorten(q.Text, 300), Relevant: q.Relevant, Got: ranked[i][:min(5, len(ranked[i]))], RelevantRank: rank})
	}
	// Not found at all first, then the deepest, then by id for a stable
	// report.
	slices.SortStableFunc(ms, func(a, b Miss) int {
		ra, rb := a.RelevantRank, b.RelevantRank
		if ra == 0 {
			ra = math.MaxInt
		}
		if rb == 0 {
			rb = math.MaxInt
		}
		if ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		if a.QueryID < b.QueryID {
			return -1
		}
		return 1
	})
	return ms[:min(keep, len(ms))]
}

// TitleMisses fills the titles of the relevant and returned articles of
// every miss.
func TitleMisses(modes []RetrievalScores, articles []Article) {
	titles := make(map[string]string, len(articles))
	for _, a := range articles {
		t := a.Title
		if t == "" {
			t = a.Body
		}
		titles[a.ID] = Shorten(t, 80)
	}
	look := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = titles[id]
		}
		return out
	}
	for i := range modes {
		for j := range modes[i].Missed {
			m := &modes[i].Missed[j]
			m.RelevantTitles, m.GotTitles = look(m.Relevant), look(m.Got)
		}
	}
}
