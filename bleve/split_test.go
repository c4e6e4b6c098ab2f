package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/bleve"
)

// A search split over the cores by document range must return exactly
// what one goroutine returns: the same documents in the same order with
// the same scores, to the bit, each part picking its own best k when the
// query has no phrase. The corpus is the shared articles with shuffled
// copies (so that many documents tie), some replaced and some deleted (so
// that postings hold dead documents); the queries are the dev queries of
// every set (tickets with quoted phrases among them) and random ones:
// spans of documents, with and without quotes, and bags of their words,
// with k from 1 to 50 and now and then an excluded owner; documents are
// added between them.
func TestSplitMatchesSerial(t *testing.T) {
	requireShared(t)
	ctx := context.Background()
	docs := benchDocs(t, 3000)
	x, err := bleve.OpenMem(testSegmenter(t), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var changed []triage.SearchDoc
	for i := 0; i < len(docs); i += 7 {
		d := docs[i]
		d.Body = shuffleSentences(rng, d.Body) + " 补充说明"
		changed = append(changed, d)
	}
	if err := x.Index(ctx, changed...); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < len(docs); i += 11 {
		if err := x.DeleteOwner(ctx, docs[i].Kind, docs[i].OwnerID); err != nil {
			t.Fatal(err)
		}
	}

	var queries []string
	for _, set := range sharedSets {
		qs := readJSONL[sharedQuery](t, filepath.Join(sharedDir, set, "queries.dev.jsonl"))
		for i, q := range qs {
			// Every quoted query, and a sample of the others.
			if i%25 == 0 || strings.ContainsAny(q.Text, `"“「`) {
				queries = append(queries, q.Text)
			}
		}
	}
	for range 300 {
		d := []rune(docs[rng.IntN(len(docs))].Body)
		if len(d) < 4 {
			continue
		}
		from := rng.IntN(len(d) - 2)
		to := min(len(d), from+2+rng.IntN(200))
		q := string(d[from:to])
		switch rng.IntN(4) {
		case 0:
			// A quoted span inside the query.
			r := []rune(q)
			a := rng.IntN(len(r))
			b := min(len(r), a+1+rng.IntN(6))
			q = string(r[:a]) + "“" + string(r[a:b]) + "”" + string(r[b:])
		case 1:
			// Words from anywhere, in any order.
			words := strings.Fields(strings.NewReplacer("，", " ", "。", " ", "？", " ").Replace(docs[rng.IntN(len(docs))].Body + " " + q))
			rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
			q = strings.Join(words[:min(len(words), 1+rng.IntN(12))], " ")
		}
		queries = append(queries, q)
	}

	defer bleve.SplitSearchForTest(x, 0)
	more := benchDocs(t, 5000)[4000:]
	for n, q := range queries {
		// Documents added between searches: a few (the split point stays
		// where it was, and the postings grow past it), then more (it
		// moves).
		switch n {
		case len(queries) / 3:
			if err := x.Index(ctx, more[:50]...); err != nil {
				t.Fatal(err)
			}
		case 2 * len(queries) / 3:
			if err := x.Index(ctx, more[50:]...); err != nil {
				t.Fatal(err)
			}
		}
		tq := triage.TextQuery{Text: q, Kind: triage.DocArticle, K: []int{1, 3, 10, 10, 50}[n%5]}
		if n%9 == 0 {
			tq.Exclude = docs[rng.IntN(len(docs))].OwnerID
		}
		bleve.SplitSearchForTest(x, 0)
		want, err := x.Search(ctx, tq)
		if err != nil {
			t.Fatal(err)
		}
		bleve.SplitSearchForTest(x, 1)
		got, err := x.Search(ctx, tq)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %q (k %d, exclude %q):\nsplit  %v\nserial %v", n, q, tq.K, tq.Exclude, brief(got), brief(want))
		}
	}
	t.Logf("%d queries", len(queries))
}

func brief(hits []triage.TextHit) string {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "%s:%.17g ", h.DocID, h.Score)
	}
	return b.String()
}
