package bleve_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
)

// Search scores over the memory postings; bleve's own searchers, given the
// same statistics, are the reference. The two must agree on every hit and
// score (to rounding: they add the same terms in another order), through
// replacements, deletions, compaction and a reopen from disk. Batches are
// small, so that Index pipelines several, and one repeats a document ID,
// whose last version both must keep.
func TestMemoryMatchesBleve(t *testing.T) {
	docs, queries := parityCorpus(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	opts := bleve.Options{BatchSize: 97}
	x, err := bleve.Open(dir, testSegmenter(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { x.Close() }()
	bleve.IndexBigramsInBleveForTest(x)
	if err := x.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, x *bleve.Index) {
		t.Helper()
		// Every search once as it comes and once split over the cores
		// (by document range): both must give bleve's hits and scores.
		defer bleve.SplitSearchForTest(x, 100_000)
		for n, q := range append(slices.Clone(queries), queries...) {
			i := n % len(queries)
			if n == len(queries) {
				bleve.SplitSearchForTest(x, 1)
			}
			for _, kind := range []string{triage.DocArticle, triage.DocTicket} {
				tq := triage.TextQuery{Text: q, Kind: kind, K: 30}
				if i%7 == 0 {
					tq.Exclude = docs[i%len(docs)].OwnerID
				}
				got, err := x.Search(ctx, tq)
				if err != nil {
					t.Fatal(err)
				}
				want, err := x.SearchBleveForTest(ctx, tq)
				if err != nil {
					t.Fatal(err)
				}
				if !sameHits(got, want) {
					t.Fatalf("query %q (%s): memory\n%v\nbleve\n%v", q, kind, got, want)
				}
			}
		}
	}
	t.Run("indexed", func(t *testing.T) { check(t, x) })

	// Replace a third of the documents, delete a third of the owners.
	var changed []triage.SearchDoc
	for i, d := range docs {
		if i%3 == 0 {
			d.Body, d.Title = d.Title, d.Body+" 补充"
			changed = append(changed, d)
		}
	}
	// The first changed document again, within the same batch, with other
	// text: the first version must be found nowhere.
	again := changed[0]
	again.Title, again.Body = "重复提交", "同一个文档在一批里出现两次"
	changed = slices.Insert(changed, min(len(changed), 5), again)
	queries = append(queries, changed[0].Title+changed[0].Body)
	if err := x.Index(ctx, changed...); err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if i%3 == 1 {
			if err := x.DeleteOwner(ctx, d.Kind, d.OwnerID); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("changed", func(t *testing.T) {
		check(t, x)
		hits, err := x.Search(ctx, triage.TextQuery{Text: "同一个文档在一批里出现两次", Kind: again.Kind, K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].DocID != again.ID {
			t.Errorf("the repeated document's last version is not found first: %v", hits)
		}
	})
	before, err := x.Count(ctx, triage.DocArticle)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = bleve.Open(dir, testSegmenter(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	bleve.IndexBigramsInBleveForTest(x)
	if n, err := x.Count(ctx, triage.DocArticle); err != nil || n != before {
		t.Fatalf("Count after reopening = %d, %v; want %d", n, err, before)
	}
	t.Run("reopened", func(t *testing.T) { check(t, x) })
}

// sameHits compares hits as the evaluation does (eval.CanonicalText):
// scores to ten significant digits, ties by document ID.
func sameHits(a, b []triage.TextHit) bool {
	if len(a) != len(b) {
		return false
	}
	canon := func(hs []triage.TextHit) []triage.TextHit {
		out := slices.Clone(hs)
		for i := range out {
			out[i].Score = round10(out[i].Score)
		}
		slices.SortStableFunc(out, func(x, y triage.TextHit) int {
			if x.Score != y.Score {
				if x.Score > y.Score {
					return -1
				}
				return 1
			}
			if x.DocID < y.DocID {
				return -1
			}
			return 1
		})
		return out
	}
	ca, cb := canon(a), canon(b)
	if len(cb) == 0 {
		return true
	}
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Abs(y) }
	// Documents with the same text tie; the two add their terms in
	// another order (bleve's depends on how its segments were merged), so
	// which of them makes the last places can differ.
	last := cb[len(cb)-1].Score
	for i := range ca {
		if !near(ca[i].Score, cb[i].Score) {
			return false
		}
		if (ca[i].DocID != cb[i].DocID || ca[i].OwnerID != cb[i].OwnerID || ca[i].Chunk != cb[i].Chunk) && !near(ca[i].Score, last) {
			return false
		}
	}
	return true
}

func round10(v float64) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, 10-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// parityCorpus is a slice of the shared retrieval sets when they are there
// (long replies and short questions, as articles and as tickets), else the
// package's small corpus; queries include quoted phrases and long texts.
func parityCorpus(t *testing.T) ([]triage.SearchDoc, []string) {
	t.Helper()
	queries := []string{"退款多久到账", `"退款" 到账`, "手机号", `“发票抬头”怎么改`, "请问 + - : ( ) AND", `"到账时间"`, "快递物流没有更新怎么办？", `"退款到账"`, `「手机号码」`}
	// Every word and bigram of the phrases, but not in a row.
	docs := append(slices.Clone(corpus),
		article("apart2", 0, "款到了", "退款后到账，时间到账"),
		article("apart3", 0, "号码", "手机的号码，手机号"),
		article("row", 0, "退款到账", "手机号码"))
	if st, err := os.Stat(sharedDir); err != nil || !st.IsDir() {
		return docs, queries
	}
	for _, set := range []string{"taidi2020_replies", "bq_similar"} {
		arts := readJSONL[sharedArticle](t, filepath.Join(sharedDir, set, "articles.jsonl"))
		for i, a := range arts[:min(len(arts), 400)] {
			if i%4 == 0 {
				docs = append(docs, triage.SearchDoc{ID: "ticket:" + a.ID, Kind: triage.DocTicket, OwnerID: a.ID, Title: a.Title, Body: a.Body, Resolution: a.Title})
				continue
			}
			docs = append(docs, triage.SearchDoc{ID: fmt.Sprintf("article:%s#%d", a.ID, i%2), Kind: triage.DocArticle, OwnerID: a.ID, Chunk: i % 2, Title: a.Title, Body: a.Body})
		}
		qs := readJSONL[sharedQuery](t, filepath.Join(sharedDir, set, "queries.dev.jsonl"))
		for _, q := range qs[:min(len(qs), 40)] {
			queries = append(queries, q.Text)
		}
	}
	return docs, queries
}
